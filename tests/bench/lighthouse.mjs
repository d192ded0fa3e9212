// Lighthouse (npm, on Debian's Chromium) on the app's main pages (issue 11): accessibility (target ≥ 95) and best
// practices, mobile form factor, each page as the user who would open it (the session cookie passed as a header).
// Lighthouse 12+ has no PWA category any more; installability is covered by the manifest and service-worker tests.
// Prints each page's scores and every failed accessibility audit with the elements it names.
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { ROOT, startEdge } from "../support/edge.mjs";
import { addVirtualAuthenticator, firstSignIn, launchBrowser } from "../support/browser.mjs";

const LIGHTHOUSE = path.join(ROOT, "node_modules/.bin/lighthouse");
const CHROMIUM = process.env.CHROMIUM_PATH || "/usr/bin/chromium";

const edge = await startEdge({ seedDemo: true, seedRecords: true });
const browser = await launchBrowser();
const out = mkdtempSync(path.join(tmpdir(), "hersys-lighthouse-"));
let failed = 0;
try {
  /** The session cookie of a first sign-in (the virtual authenticator registers the key). */
  async function sessionOf(loginId) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await addVirtualAuthenticator(page);
    await firstSignIn(page, edge.url, loginId);
    const cookies = await context.cookies();
    await context.close();
    return cookies.map((c) => `${c.name}=${c.value}`).join("; ");
  }
  const hc = await sessionOf("staff@shinjuku-hc.demo");
  const doctor = await sessionOf("doctor@shinjuku-clinic.demo");
  const pages = [
    ["サインイン", "/signin", null],
    ["メニュー（保健所）", "/", hc],
    ["登録情報一覧", "/search", hc],
    ["登録情報（記録）", "/records/n_demo_026", hc],
    ["健康観察アラート", "/alerts", hc],
    ["ダッシュボード", "/dashboard", hc],
    ["発生届の入力", "/notifications/new", doctor],
    ["ドライブスルー", "/drive", doctor],
    ["健康観察の報告（スマホ）", "/observe", null],
  ];
  console.log("Lighthouse (mobile form factor, Debian Chromium; accessibility target ≥ 95):");
  for (const [label, p, cookie] of pages) {
    const file = path.join(out, `${p.replaceAll("/", "_") || "root"}.json`);
    const args = [
      `${edge.url}${p}`,
      "--quiet",
      "--output=json",
      `--output-path=${file}`,
      "--only-categories=accessibility,best-practices",
      "--form-factor=mobile",
      "--chrome-flags=--headless=new --no-sandbox --disable-gpu --disable-quic --no-first-run --disable-background-networking --disable-component-update --disable-sync",
    ];
    if (cookie) args.push(`--extra-headers=${JSON.stringify({ Cookie: cookie })}`);
    try {
      execFileSync(LIGHTHOUSE, args, { env: { ...process.env, CHROME_PATH: CHROMIUM }, stdio: "pipe", timeout: 180_000 });
    } catch (e) {
      console.log(`  ${label.padEnd(24)} lighthouse failed: ${String(e.stderr ?? e).split("\n").slice(-3).join(" ")}`);
      failed++;
      continue;
    }
    const lhr = JSON.parse(readFileSync(file, "utf8"));
    const a11y = Math.round(lhr.categories.accessibility.score * 100);
    const bp = Math.round(lhr.categories["best-practices"].score * 100);
    // The page as measured (a signed-in page that fell back to the sign-in screen would show here).
    const shown = new URL(lhr.finalDisplayedUrl).pathname;
    console.log(`  ${label.padEnd(24)} ${p.padEnd(22)} accessibility ${String(a11y).padStart(3)}  best practices ${String(bp).padStart(3)}${shown !== p ? `  (ended at ${shown})` : ""}${a11y < 95 ? "  ← below target" : ""}`);
    if (a11y < 95) failed++;
    for (const ref of [...lhr.categories.accessibility.auditRefs, ...lhr.categories["best-practices"].auditRefs]) {
      const audit = lhr.audits[ref.id];
      if (ref.weight > 0 && audit.score !== null && audit.score < 1) {
        const items = (audit.details?.items ?? []).slice(0, 3).map((i) => i.node?.snippet ?? "").filter(Boolean);
        console.log(`      ✗ ${ref.id}: ${audit.title}${items.length ? ` — ${items.join(" | ").slice(0, 300)}` : ""}`);
      }
    }
  }
} finally {
  await browser.close();
  await edge.stop();
  rmSync(out, { recursive: true, force: true });
}
console.log(`  pages below the accessibility target (or not measured): ${failed}`);
