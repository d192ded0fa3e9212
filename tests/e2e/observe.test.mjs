// The person's phone (/observe, issue 10) in Chromium against the real worker.
//
// Tests:
//   observe-signin-urgent — the slip's QR link (#id=…) fills the ID and leaves the address bar at once; a wrong
//                           birth date is refused with the ID kept; the right one lists the holder and the household
//                           member; the patient's report, one question per screen (a temperature out of range is
//                           refused and kept, 戻る keeps answers), SpO₂ 92 and 息苦しさ はい: accepted, the red box
//                           with the health center's name; the staff queue holds spo2_low and dyspnea for the case.
//   observe-offline       — without signal the contact's report waits on the phone (未送信 1件), survives a reload
//                           offline (service worker shell, the encrypted store), goes by itself when the signal
//                           returns; the server holds exactly one report for the contact; no storage area holds the
//                           people's given names or the typed temperature, before or after the send.
//   observe-sizes         — 320 px (no sideways scrolling, buttons ≥ 56 px) and 820 px; sign-out wipes the store.
//   observe-passkey       — a passkey registered after the slip sign-in opens the report next time on its own.
// Screenshots at 320, 390 and 820 px.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync, readdirSync } from "node:fs";
import path from "node:path";
import { ROOT, startEdge } from "../support/edge.mjs";
import { firstSignInAs } from "../support/softauthn.mjs";
import { addVirtualAuthenticator, launchBrowser, screenshotDir, VIEWPORTS, watchErrors } from "../support/browser.mjs";
import { assertNoPlaintext, cachedPaths, dumpStorage } from "../support/storage.mjs";

let edge;
let browser;
let hc;
let holder; // the patient whose slip opens the phone
let member; // a household contact reporting through the holder's phone
let hcName;
let phone; // { context, page, errors }

const jstDay = (offsetDays = 0) =>
  new Date(Date.now() + 9 * 3600_000 + offsetDays * 86_400_000).toISOString().slice(0, 10);
const givenName = (full) => full.split(/[ 　]+/).filter(Boolean).pop();
const shot = (page, name) => page.screenshot({ path: path.join(screenshotDir(), `${name}.png`), fullPage: true });
const textOf = (page, id) => page.getByTestId(id).first().textContent();
const waitText = (page, id, text, timeout = 15_000) =>
  page.waitForFunction(([i, t]) => document.querySelector(`[data-testid=${i}]`)?.textContent?.includes(t), [id, text], { timeout });
/** Console errors other than the refusals and dropped requests a test provokes on purpose (401 before sign-in,
 * the refused birth date, requests while offline). */
const unexpected = (errors) => errors.filter((e) => !/Failed to load resource|ERR_INTERNET_DISCONNECTED|net::ERR_/.test(e));

/** The app shell as built (what Cache Storage holds): a needle found there would make the storage search vacuous. */
function shellText() {
  const dist = path.join(ROOT, "dist");
  const out = [];
  const walk = (dir) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) {
      const p = path.join(dir, e.name);
      if (e.isDirectory()) walk(p);
      else if (!p.includes(`${path.sep}data${path.sep}`)) out.push(readFileSync(p).toString("utf8"));
    }
  };
  walk(dist);
  return out.join("\n");
}

before(async () => {
  edge = await startEdge({ seedDemo: true, seedRecords: true });
  browser = await launchBrowser();
  hc = await firstSignInAs(edge, "staff@shinjuku-hc.demo");
  const shell = shellText();
  const found = await hc.client.post("/api/cases/search", { criteria: {} });
  assert.equal(found.status, 200, JSON.stringify(found.body));
  const picked = [];
  for (const item of found.body.items) {
    if (picked.length === 2) break;
    const r = await hc.client.get(`/api/cases/${item.id}`);
    if (r.status !== 200) continue;
    const rec = r.body.record ?? r.body;
    const hcId = rec.health_center_id ?? item.health_center_id;
    if (hcId && hcId !== "HC13104") continue;
    if (!rec.date_of_birth || !rec.smartphone_id) continue;
    const given = givenName(rec.name);
    // Names that the app's own files contain (placeholders, examples) would be found anyway: not these.
    if (!given || shell.includes(given) || picked.some((p) => givenName(p.name) === given)) continue;
    picked.push({ id: item.id, sid: rec.smartphone_id, dob: rec.date_of_birth, name: rec.name, given });
  }
  assert.equal(picked.length, 2, "two seeded records of HC13104 with a birth date");
  [holder, member] = picked;
  let r = await hc.client.post(`/api/cases/${holder.id}/observation`,
    { kind: "patient", started_on: jstDay(), ends_on: "", household_of: "" });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await hc.client.post(`/api/cases/${member.id}/observation`,
    { kind: "contact", started_on: jstDay(), ends_on: "", household_of: holder.sid });
  assert.equal(r.status, 200, JSON.stringify(r.body));
});
after(async () => {
  if (process.env.EDGE_LOG) console.log(edge?.log());
  await browser?.close();
  await edge?.stop();
});

/** Answers the current question screen by screen until the summary; `yes`: item keys' questions answered はい. */
async function answerItems(page, count, yesWhen = () => false) {
  for (let i = 0; i < count; i++) {
    const q = await textOf(page, "obs-question");
    await page.getByTestId(yesWhen(q) ? "obs-answer-yes" : "obs-answer-no").click();
  }
  await page.getByTestId("obs-summary").waitFor();
}

test("observe-signin-urgent: QR link, refused birth date, two people, the patient's report with red flags", async () => {
  const started = Date.now();
  const context = await browser.newContext({ viewport: VIEWPORTS.phone });
  const page = await context.newPage();
  const errors = watchErrors(page);
  phone = { context, page, errors };
  await page.goto(`${edge.url}/observe#id=${holder.sid}`);
  await page.getByTestId("obs-signin").waitFor();
  assert.equal(await page.evaluate(() => location.hash), "", "the fragment is gone from the address bar");
  assert.ok(!page.url().includes(holder.sid), "the ID is not in the URL");
  assert.equal(await page.getByTestId("obs-sid").inputValue(), holder.sid, "the ID comes from the QR link");

  // Nothing typed: said at once, nothing sent.
  await page.getByTestId("obs-start").click();
  await waitText(page, "obs-signin-error", "生年月日");
  // A wrong birth date: the server refuses; the ID and what was typed stay.
  const [y, m, d] = holder.dob.split("-");
  await page.getByTestId("obs-dob-y").fill(String(Number(y) + 1));
  await page.getByTestId("obs-dob-m").fill(String(Number(m)));
  await page.getByTestId("obs-dob-d").fill(String(Number(d)));
  await page.getByTestId("obs-start").click();
  await waitText(page, "obs-signin-error", "正しくない");
  assert.equal(await page.getByTestId("obs-sid").inputValue(), holder.sid);
  assert.equal(await page.getByTestId("obs-dob-y").inputValue(), String(Number(y) + 1));
  assert.equal(await page.getByTestId("obs-signin-error").getAttribute("role"), "alert");
  await shot(page, "observe-signin-error-phone");
  // A mistyped ID (check digit) is caught on the phone without using up an attempt.
  await page.getByTestId("obs-sid").fill(holder.sid.slice(0, 9) + ((Number(holder.sid[9]) + 1) % 10));
  await page.getByTestId("obs-start").click();
  await waitText(page, "obs-signin-error", "誤りがあります");
  // Typed as printed (spaces, full-width digits): read.
  const wide = [...holder.sid].map((c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0)).join("");
  await page.getByTestId("obs-sid").fill(`${wide.slice(0, 4)} ${wide.slice(4, 7)}-${wide.slice(7)}`);
  await page.getByTestId("obs-dob-y").fill(y);
  await page.getByTestId("obs-start").click();

  // Two people: the holder (本人) and the household member (同居者).
  await page.getByTestId("obs-home").waitFor();
  const people = page.getByTestId("obs-person");
  assert.equal(await people.count(), 2);
  assert.match(await people.nth(0).textContent(), new RegExp(`${holder.given}さん.*本人.*今日の朝：`));
  assert.match(await people.nth(1).textContent(), new RegExp(`${member.given}さん.*同居者`));
  hcName = (await page.evaluate(async () => (await (await fetch("/api/observe/me")).json()).health_center_name));
  assert.ok(hcName, "the health center's name");
  assert.match(await page.locator(".obs-header").textContent(), new RegExp(hcName));
  await shot(page, "observe-chooser-phone");

  // The patient's report: 13 screens.
  await people.nth(0).click();
  await page.getByTestId("obs-report").waitFor();
  assert.equal((await textOf(page, "obs-progress")).trim(), "1 / 13");
  await shot(page, "observe-slot-phone");
  await page.getByTestId("obs-slot-morning").click();
  assert.equal((await textOf(page, "obs-progress")).trim(), "2 / 13");
  // Out of range: refused with the range; what was typed stays.
  await page.getByTestId("obs-temp").fill("45.0");
  await page.getByTestId("obs-next").click();
  await waitText(page, "obs-error", "34.0〜42.0℃");
  assert.equal(await page.getByTestId("obs-temp").inputValue(), "45.0");
  await page.getByTestId("obs-temp").fill("372");
  await page.getByTestId("obs-next").click();
  await waitText(page, "obs-error", "小数点");
  await page.getByTestId("obs-temp").fill("abc");
  await page.getByTestId("obs-next").click();
  await waitText(page, "obs-error", "数字で");
  await shot(page, "observe-temp-error-phone");
  await page.getByTestId("obs-temp").fill("３７．２");
  await page.getByTestId("obs-next").click();
  await page.getByTestId("obs-spo2").waitFor();
  assert.equal((await textOf(page, "obs-progress")).trim(), "3 / 13");
  await page.getByTestId("obs-spo2").fill("60");
  await page.getByTestId("obs-next").click();
  await waitText(page, "obs-error", "70〜100%");
  await page.getByTestId("obs-spo2").fill("92");
  await page.getByTestId("obs-next").click();
  // The first item, answered; 戻る shows it again with the answer kept, and the temperature as typed.
  await page.getByTestId("obs-answer-no").click();
  assert.equal((await textOf(page, "obs-progress")).trim(), "5 / 13");
  await page.getByTestId("obs-back").click();
  assert.equal(await page.getByTestId("obs-answer-no").getAttribute("aria-pressed"), "true");
  await page.getByTestId("obs-back").click();
  await page.getByTestId("obs-back").click();
  assert.equal(await page.getByTestId("obs-temp").inputValue(), "３７．２");
  await page.getByTestId("obs-next").click();
  await page.getByTestId("obs-next").click();
  await page.getByTestId("obs-answer-no").click();
  await shot(page, "observe-question-phone");
  await answerItems(page, 8, (q) => q.startsWith("息苦しさ"));
  const summary = await textOf(page, "obs-summary");
  assert.match(summary, /37\.2℃/);
  assert.match(summary, /92%/);
  assert.match(summary, /息苦しさはい/);
  assert.equal((await textOf(page, "obs-progress")).trim(), "13 / 13");
  await shot(page, "observe-confirm-phone");
  await page.getByTestId("obs-submit").click();
  await waitText(page, "obs-done-title", "報告を受け付けました");
  const urgent = await textOf(page, "obs-urgent");
  assert.match(urgent, /重い症状があります。すぐに保健所に電話してください。息が苦しい・意識がおかしいときは119番へ。/);
  assert.ok(urgent.includes(hcName), "the red box names the health center");
  assert.ok(urgent.includes(`${holder.given}さんの報告について`), "and whose report it is");
  // The member still owes this slot: offered next.
  assert.match(await textOf(page, "obs-next-person"), new RegExp(member.given));
  await shot(page, "observe-done-urgent-phone");

  const q = await hc.client.get("/api/observation/alerts");
  assert.equal(q.status, 200, JSON.stringify(q.body));
  const rules = q.body.alerts.filter((a) => a.case_id === holder.id).map((a) => a.rule);
  assert.ok(rules.includes("spo2_low"), `spo2_low raised (${rules})`);
  assert.ok(rules.includes("dyspnea"), `dyspnea raised (${rules})`);
  const tab = await hc.client.get(`/api/cases/${holder.id}/observation`);
  assert.equal(tab.body.reports.length, 1);
  assert.equal(tab.body.reports[0].temperature, 37.2);
  assert.equal(tab.body.reports[0].spo2, 92);
  assert.equal(tab.body.reports[0].answers.dyspnea, "yes");
  console.log(`observe-signin-urgent: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  assert.deepEqual(unexpected(errors), []);
});

test("observe-offline: the contact's report waits encrypted on the phone, survives an offline reload, goes when the signal returns", async () => {
  const started = Date.now();
  assert.ok(phone, "the signed-in phone of the first test");
  const { page, context, errors } = phone;
  // The service worker holds the shell and controls the page.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((r) => navigator.serviceWorker.addEventListener("controllerchange", r, { once: true }));
    }
  });
  await page.getByTestId("obs-finish").click();
  await page.getByTestId("obs-home").waitFor();
  assert.match(await page.getByTestId("obs-person").nth(0).textContent(), /今日の朝：報告済み/);

  await context.setOffline(true);
  await page.getByTestId("obs-offline").waitFor();
  await page.getByTestId("obs-person").nth(1).click();
  assert.equal((await textOf(page, "obs-progress")).trim(), "1 / 8");
  await page.getByTestId("obs-slot-morning").click();
  const typed = ["36.7", "36.9", "37.1", "36.3"].find((t) => !shellText().includes(t));
  await page.getByTestId("obs-temp").fill(typed);
  await page.getByTestId("obs-next").click();
  await page.getByTestId("obs-no-spo2").click();
  await answerItems(page, 4);
  assert.match(await textOf(page, "obs-summary"), /持っていない・測っていない/);
  await page.getByTestId("obs-submit").click();
  await page.locator('[data-testid=obs-done][data-state=queued]').waitFor();
  await waitText(page, "obs-pending", "未送信 1件：電波が戻ると自動で送信します");
  assert.equal(await page.getByTestId("obs-urgent").count(), 1, "the first report's red box stays on the page");
  await shot(page, "observe-offline-queued-phone");

  // Reload with no network: the shell from the service worker, the people and the queue from the encrypted store.
  await page.reload();
  await page.getByTestId("obs-home").waitFor();
  await waitText(page, "obs-pending", "未送信 1件");
  assert.match(await page.getByTestId("obs-person").nth(1).textContent(), /今日の朝：未送信/);
  await shot(page, "observe-offline-reloaded-phone");

  const needles = [holder.given, member.given, typed];
  const before = await dumpStorage(page);
  const items = before.stores.find((s) => s.db === "hersys-observe" && s.store === "items");
  assert.ok(items && items.count === 2, `the store holds the people and the one report (${items?.count})`);
  const keys = before.stores.find((s) => s.db === "hersys-observe" && s.store === "keys");
  assert.match(keys.text, /\[CryptoKey extractable=false\]/, "the key is a non-extractable CryptoKey");
  assert.ok(before.cacheEntries > 3, "the app shell is in Cache Storage");
  // The patient's page alone: nothing of the staff application is kept on the person's phone.
  const kept = await cachedPaths(page);
  assert.deepEqual(kept.filter((u) => u.startsWith("/entry/")), ["/entry/observe.html"], JSON.stringify(kept));
  const code = kept.filter((u) => /\.(wasm|js)$/.test(u) && u.startsWith("/pkg/"));
  assert.ok(code.length === 2 && code.every((u) => u.startsWith("/pkg/observe-")), JSON.stringify(code));
  // The search is not vacuous: the page shows the names it looks for.
  assert.match(await page.getByTestId("obs-home").textContent(), new RegExp(member.given));
  assertNoPlaintext(before, needles, "offline, before the send");

  // Signal back: sent by itself.
  await context.setOffline(false);
  await page.waitForFunction(() => !document.querySelector("[data-testid=obs-pending]"), null, { timeout: 30_000 });
  await waitText(page, "obs-home", "今日の朝：報告済み");
  assert.match(await page.getByTestId("obs-person").nth(1).textContent(), /今日の朝：報告済み/);
  const tab = await hc.client.get(`/api/cases/${member.id}/observation`);
  assert.equal(tab.status, 200, JSON.stringify(tab.body));
  assert.equal(tab.body.reports.length, 1, "exactly one report for the contact");
  assert.equal(tab.body.reports[0].kind, "contact");
  assert.equal(tab.body.reports[0].temperature, Number(typed));
  assert.equal(tab.body.reports[0].spo2, null);
  // 今すぐ送信 again changes nothing: nothing waits.
  const after = await dumpStorage(page);
  assert.equal(after.stores.find((s) => s.db === "hersys-observe" && s.store === "items").count, 1, "only the people");
  assertNoPlaintext(after, needles, "after the send");
  await shot(page, "observe-sent-phone");
  console.log(`observe-offline: ${((Date.now() - started) / 1000).toFixed(1)} s`);
  assert.deepEqual(unexpected(errors), []);
});

test("observe-sizes: 320 px and 820 px, then sign-out wipes the phone's store", async () => {
  assert.ok(phone, "the signed-in phone of the first test");
  const { page, errors } = phone;
  const check = async (width) => {
    const wide = await page.evaluate(() => document.documentElement.scrollWidth);
    assert.ok(wide <= width, `no sideways scrolling at ${width} px (${wide})`);
    const small = await page.evaluate(() => [...document.querySelectorAll(".obs-page button, .obs-page a.obs-btn")]
      .filter((b) => b.offsetParent !== null && b.getBoundingClientRect().height < 56)
      .map((b) => `${b.textContent} ${b.getBoundingClientRect().height}`));
    assert.deepEqual(small, [], `buttons ≥ 56 px at ${width} px`);
  };
  for (const [name, viewport] of [["small", { width: 320, height: 568 }], ["tablet", VIEWPORTS.tablet]]) {
    await page.setViewportSize(viewport);
    await page.getByTestId("obs-home").waitFor();
    await check(viewport.width);
    await shot(page, `observe-home-${name}`);
    await page.getByTestId("obs-person").nth(0).click();
    await page.getByTestId("obs-slot-evening").click();
    await page.getByTestId("obs-temp").fill("36.5");
    await page.getByTestId("obs-next").click();
    await page.getByTestId("obs-spo2").fill("97");
    await page.getByTestId("obs-next").click();
    await check(viewport.width);
    await shot(page, `observe-question-${name}`);
    await answerItems(page, 9);
    await check(viewport.width);
    await shot(page, `observe-confirm-${name}`);
    // Back to the people without sending: the draft is kept for next time.
    for (let i = 0; i < 13; i++) await page.getByTestId("obs-back").click();
    await page.getByTestId("obs-home").waitFor();
  }
  await page.setViewportSize(VIEWPORTS.phone);
  await page.getByTestId("obs-person").nth(0).click();
  assert.equal(await page.getByTestId("obs-slot-evening").getAttribute("aria-pressed"), "true", "the draft was kept");

  // A report the server refuses (the answer replaced here: the phone's own checks let nothing wrong through) stays
  // with its reason, opens for correction at its field with every answer kept, and then goes.
  let refused = 0;
  await page.route("**/api/observe/reports", async (route) => {
    const body = JSON.parse(route.request().postData());
    refused += 1;
    await route.fulfill({ status: 200, contentType: "application/json", body: JSON.stringify({
      results: body.reports.map((r) => ({ client_id: r.client_id, outcome: "rejected",
        issues: [{ field: "temperature", message: "体温は34.0〜42.0℃の範囲で入力してください" }], urgent: false })),
    }) });
  });
  await page.getByTestId("obs-slot-evening").click();
  await page.getByTestId("obs-next").click();
  await page.getByTestId("obs-next").click();
  await answerItems(page, 9);
  await page.getByTestId("obs-submit").click();
  await page.locator("[data-testid=obs-done][data-state=rejected]").waitFor();
  assert.match(await textOf(page, "obs-rejected"), /体温は34\.0〜42\.0℃の範囲で入力してください/);
  await shot(page, "observe-rejected-phone");
  await page.unroute("**/api/observe/reports");
  assert.equal(refused, 1);
  await page.getByTestId("obs-fix").click();
  assert.equal(await page.getByTestId("obs-temp").inputValue(), "36.5", "kept");
  await page.getByTestId("obs-temp").fill("36.4");
  await page.getByTestId("obs-next").click();
  await page.getByTestId("obs-summary").waitFor();
  assert.match(await textOf(page, "obs-summary"), /36\.4℃[^]*97%/);
  await page.getByTestId("obs-submit").click();
  await waitText(page, "obs-done-title", "報告を受け付けました");
  const tab = await hc.client.get(`/api/cases/${holder.id}/observation`);
  assert.deepEqual(tab.body.reports.map((r) => [r.slot, r.temperature]).sort(), [["evening", 36.4], ["morning", 37.2]]);
  await page.getByTestId("obs-finish").click();

  await page.getByTestId("obs-signout").click();
  await page.getByTestId("obs-signin").waitFor();
  await waitText(page, "obs-signin-note", "サインアウトしました");
  const dump = await dumpStorage(page);
  assert.ok(!dump.stores.some((s) => s.db === "hersys-observe"), "the phone's store is gone");
  assert.equal((await page.evaluate(async () => (await fetch("/api/observe/me")).status)), 401);
  for (const [name, viewport] of [["small", { width: 320, height: 568 }], ["tablet", VIEWPORTS.tablet]]) {
    await page.setViewportSize(viewport);
    await check(viewport.width);
    await shot(page, `observe-signin-${name}`);
  }
  assert.deepEqual(unexpected(errors), []);
});

test("observe-passkey: a passkey registered on the phone opens the report next time without the slip", async () => {
  const context = await browser.newContext({ viewport: VIEWPORTS.phone });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await addVirtualAuthenticator(page);
  await page.goto(`${edge.url}/observe#id=${holder.sid}`);
  await page.getByTestId("obs-signin").waitFor();
  const [y, m, d] = holder.dob.split("-");
  await page.getByTestId("obs-dob-y").fill(y);
  await page.getByTestId("obs-dob-m").fill(String(Number(m)));
  await page.getByTestId("obs-dob-d").fill(String(Number(d)));
  await page.getByTestId("obs-start").click();
  await page.getByTestId("obs-home").waitFor();
  await page.getByTestId("obs-passkey-register").click();
  await waitText(page, "obs-flash", "パスキーを登録しました");
  assert.equal(await page.getByTestId("obs-passkey-offer").count(), 0, "offered only until one is registered");
  await shot(page, "observe-passkey-registered-phone");
  // Signed out (nothing waiting): the next visit opens with the passkey alone, no ID or birth date typed.
  await page.getByTestId("obs-signout").click();
  await page.getByTestId("obs-signin").waitFor();
  await page.goto(`${edge.url}/observe`);
  await page.getByTestId("obs-signin").waitFor();
  assert.equal(await page.getByTestId("obs-sid").inputValue(), "");
  await page.getByTestId("obs-passkey-signin").click();
  await page.getByTestId("obs-home").waitFor();
  assert.equal(await page.getByTestId("obs-person").count(), 2, "the same people as with the slip");
  assert.deepEqual(unexpected(errors), []);
  await context.close();
});
