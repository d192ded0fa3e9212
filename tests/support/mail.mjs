// The e-mails the worker sent through its MAIL binding, as `wrangler dev` logs them (it simulates the binding:
// each message is a block "send_email binding called …" with From/To/Subject, and its text is written to a file
// that the block names).
import { existsSync, readFileSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./edge.mjs";

const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** Every logged message so far: { block, to, subject, text }. */
export function loggedMails(edge) {
  const log = edge.log().replace(/\x1b\[[0-9;]*m/g, "");
  return log.split("send_email binding called").slice(1).map((b) => {
    const lines = b.split("\n");
    const end = lines.findIndex((l) => /^\s*Text: /.test(l));
    const block = lines.slice(0, end === -1 ? 6 : end + 1).join("\n");
    const textPath = /Text: (\S+)/.exec(block)?.[1];
    const file = textPath && (path.isAbsolute(textPath) ? textPath : path.join(ROOT, textPath));
    return {
      block,
      to: /To: (\S+)/.exec(block)?.[1],
      subject: /Subject: (.*)/.exec(block)?.[1]?.trim(),
      text: file && existsSync(file) ? readFileSync(file, "utf8") : "",
    };
  });
}

/** The newest message to `to` whose subject contains `subject` and that was not in `seen` (waits up to ~5 s). */
export async function waitForMail(edge, to, subject, seen = 0) {
  const deadline = Date.now() + 5000;
  for (;;) {
    const found = loggedMails(edge).slice(seen).filter((m) => m.to === to && m.subject?.includes(subject));
    if (found.length) return found.at(-1);
    if (Date.now() > deadline) throw new Error(`no e-mail to ${to} about ${subject} in the log`);
    await sleep(200);
  }
}

/** The token of the `/invite#…` link in a message's text. */
export const inviteToken = (mail) => /\/invite#([A-Za-z0-9_-]+)/.exec(mail.text)?.[1];
