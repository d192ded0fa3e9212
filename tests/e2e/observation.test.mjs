// Health observation, the health center's side, in Chromium (issue 10, manual 5.2-4): staff start a patient's
// observation on the record's 健康観察 tab (a wrong 同居者 ID is refused at the field, input kept), print the スマホ入力ID
// slip (QR code, one A4 page); the person reports on the phone page (/observe at 390 px, from the slip's QR link)
// with SpO₂ 92 and 息苦しさ; the triage queue
// shows 緊急 alerts first, one is handled with a note (an empty note is refused) and leaves the list; the tab shows the
// report in the manual's colours and the handled alert; the dashboard draws 28 bars; a clinic is refused /alerts.
// Screenshots at 390, 820 and 1280 px.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startEdge } from "../support/edge.mjs";
import {
  launchBrowser, screenshotDir, signedInSessions, VIEWPORTS, watchErrors,
} from "../support/browser.mjs";
import { firstSignInAs } from "../support/softauthn.mjs";

let edge;
let browser;
let api; // admin@shinjuku-hc.demo over HTTP (finding a record); the browser signs in as staff@shinjuku-hc.demo
before(async () => {
  edge = await startEdge({ seedDemo: true, seedRecords: true });
  browser = await launchBrowser();
  api = await firstSignInAs(edge, "admin@shinjuku-hc.demo");
});
after(async () => {
  await browser?.close();
  await edge?.stop();
});

/** One signed-in browser per demo user (tests/support/browser.mjs). */
const as = signedInSessions(() => browser, () => edge.url, VIEWPORTS.desktop);
const shot = (page, name) => page.screenshot({ path: path.join(screenshotDir(), `${name}.png`), fullPage: true });
const textOf = (page, id) => page.getByTestId(id).first().textContent();
/** Console errors other than the HTTP refusals a test provokes on purpose. */
const unexpected = (errors) => errors.filter((e) => !/status of (403|409|422)/.test(e));
const jstDay = () => new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
const PATIENT_KEYS = ["face", "cough", "dyspnea", "fatigue", "nausea", "diarrhea", "consciousness", "cannot_eat", "no_urine"];
const SIZES = [["phone", VIEWPORTS.phone], ["tablet", VIEWPORTS.tablet], ["desktop", VIEWPORTS.desktop]];

let rec; // { id, smartphone_id, name, date_of_birth }

test("staff start a patient's observation on the 健康観察 tab; a wrong 同居者 ID is refused at the field", async () => {
  // A seeded record of HC13104 with a birth date (the phone signs in with it).
  const found = await api.client.post("/api/cases/search", { criteria: {} });
  assert.equal(found.status, 200, JSON.stringify(found.body));
  // Not one of the demo household's records (observed already by the seed).
  let item;
  for (const i of found.body.items.filter((i) => i.date_of_birth)) {
    const o = await api.client.get(`/api/cases/${i.id}/observation`);
    assert.equal(o.status, 200, JSON.stringify(o.body));
    if (o.body.observation === null && o.body.can_manage === false) continue;
    if (o.body.observation === null) {
      item = i;
      break;
    }
  }
  assert.ok(item, "a seeded record of the health center, with a birth date, not observed yet");
  const full = await api.client.get(`/api/cases/${item.id}`);
  assert.equal(full.status, 200);
  rec = { id: item.id, smartphone_id: full.body.smartphone_id, name: full.body.name, date_of_birth: full.body.date_of_birth };

  const { page, errors } = await as("staff@shinjuku-hc.demo", VIEWPORTS.desktop);
  await page.goto(`${edge.url}/records/${rec.id}/observation`);
  await page.getByTestId("observation-form").waitFor();
  assert.ok(!page.url().includes(rec.smartphone_id) && !page.url().includes(encodeURIComponent(rec.name)));
  await page.getByTestId("observation-empty").waitFor();
  assert.equal(await page.getByTestId("obs-started-on").inputValue(), jstDay(), "開始日 defaults to today (JST)");
  assert.ok(await page.getByTestId("kind-patient").isChecked());
  // A 同居者 ID that is no record of this health center: refused at the field, every input kept.
  await page.getByTestId("obs-household").fill("0000000000");
  await page.getByTestId("obs-ends-on").fill("");
  await page.getByTestId("observation-start").click();
  await page.getByTestId("error-household_of").waitFor();
  assert.match(await textOf(page, "error-household_of"), /スマホ入力ID/);
  assert.equal(await page.getByTestId("obs-household").inputValue(), "0000000000");
  assert.equal(await page.getByTestId("obs-started-on").inputValue(), jstDay());
  assert.ok(await page.getByTestId("kind-patient").isChecked());
  await shot(page, "observation-start-error-desktop");
  // Blank: the person's own phone.
  await page.getByTestId("obs-household").fill("");
  await page.getByTestId("observation-start").click();
  await page.getByTestId("observation-summary").waitFor();
  assert.equal(await textOf(page, "observation-kind"), "感染者");
  assert.equal(await textOf(page, "observation-state"), "観察中");
  assert.match(await textOf(page, "observation-reporter"), /本人のスマホ/);
  assert.deepEqual(unexpected(errors), []);
});

test("the スマホ入力ID slip: name, ID grouped, QR code, steps; prints on exactly one A4 page", async () => {
  const { page, errors } = await as("staff@shinjuku-hc.demo", VIEWPORTS.desktop);
  await page.getByTestId("open-slip").click();
  await page.getByTestId("slip").waitFor();
  assert.ok(!page.url().includes(rec.smartphone_id), "no ID in the address");
  assert.equal((await textOf(page, "slip-id")).replace(/\s/g, ""), rec.smartphone_id);
  assert.match(await textOf(page, "slip-name"), new RegExp(`${rec.name}\\s*様`));
  assert.equal(await page.locator("svg[data-testid=slip-qr] path").count(), 1, "the QR code is drawn");
  assert.match(await textOf(page, "slip-url"), /\/observe$/);
  assert.match(await textOf(page, "slip-steps"), /119番/);
  assert.match(await textOf(page, "slip-hc"), /新宿/);
  await shot(page, "observation-slip-desktop");
  const pdf = await page.pdf({ format: "A4", path: path.join(screenshotDir(), "observation-slip.pdf") });
  const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) || []).length;
  assert.equal(pages, 1, "the slip is one A4 page");
  // What the printer gets (A4 less 10 mm margins is about 718 px wide).
  await page.emulateMedia({ media: "print" });
  await page.setViewportSize({ width: 718, height: 1040 });
  await shot(page, "observation-slip-print");
  await page.emulateMedia({ media: "screen" });
  await page.setViewportSize(VIEWPORTS.phone);
  await shot(page, "observation-slip-phone");
  await page.setViewportSize(VIEWPORTS.desktop);
  assert.deepEqual(unexpected(errors), []);
});

test("the person reports on the phone page; /alerts shows 緊急 first; one is handled with a note and leaves the list", async () => {
  // The person's phone, in its own browser at 390 px: the slip's QR link, the birth date, then the report one
  // question per screen with red flags (SpO₂ 92, 息苦しさ はい, 咳・鼻水 わからない).
  const phoneContext = await browser.newContext({ viewport: VIEWPORTS.phone });
  const ph = await phoneContext.newPage();
  const phoneErrors = watchErrors(ph);
  await ph.goto(`${edge.url}/observe#id=${rec.smartphone_id}`);
  await ph.getByTestId("obs-signin").waitFor();
  const [y, m, d] = rec.date_of_birth.split("-");
  await ph.getByTestId("obs-dob-y").fill(y);
  await ph.getByTestId("obs-dob-m").fill(String(Number(m)));
  await ph.getByTestId("obs-dob-d").fill(String(Number(d)));
  await ph.getByTestId("obs-start").click();
  // One person whose report is due: straight into the questions.
  await ph.getByTestId("obs-report").waitFor();
  await ph.getByTestId("obs-slot-morning").click();
  await ph.getByTestId("obs-temp").fill("37.8");
  await ph.getByTestId("obs-next").click();
  await ph.getByTestId("obs-spo2").fill("92");
  await ph.getByTestId("obs-next").click();
  for (let i = 0; i < PATIENT_KEYS.length; i++) {
    const q = await textOf(ph, "obs-question");
    const answer = q.startsWith("息苦しさ") ? "yes" : q.startsWith("咳や鼻水") ? "unknown" : "no";
    await ph.getByTestId(`obs-answer-${answer}`).click();
  }
  await ph.getByTestId("obs-summary").waitFor();
  await ph.getByTestId("obs-submit").click();
  await ph.waitForFunction(() => document.querySelector("[data-testid=obs-done-title]")?.textContent?.includes("報告を受け付けました"));
  assert.match(await textOf(ph, "obs-urgent"), /すぐに保健所に電話してください/);
  await shot(ph, "observation-phone-report-done");
  assert.deepEqual(phoneErrors.filter((e) => !/Failed to load resource/.test(e)), []);
  await phoneContext.close();

  const { page, errors } = await as("staff@shinjuku-hc.demo", VIEWPORTS.desktop);
  // The home menu counts them.
  await page.goto(edge.url);
  await page.getByTestId("home-alerts-count").waitFor();
  const board = (await api.client.get("/api/dashboard")).body;
  assert.ok(board.urgent_waiting >= 2);
  assert.equal(await textOf(page, "home-alerts-count"), `未対応 ${board.alerts_waiting}件（うち緊急 ${board.urgent_waiting}件）`);
  await shot(page, "observation-home-desktop");
  await page.getByTestId("home-alerts").click();
  await page.getByTestId("alert-list").waitFor();
  const cards = page.getByTestId("alert-card");
  const before = await cards.count();
  assert.equal(before, board.alerts_waiting);
  // Most urgent first: every 緊急 card before any other, this person's two among them.
  const urgencies = (await cards.evaluateAll((els) => els.map((e) => Number(e.dataset.urgency))));
  assert.deepEqual(urgencies, [...urgencies].sort((a, b) => b - a));
  const mine = page.locator(`[data-testid=alert-card][data-case="${rec.id}"][data-urgency="3"]`);
  assert.equal(await mine.count(), 2);
  const at = await cards.evaluateAll((els, id) => els.flatMap((e, i) => (e.dataset.case === id ? [i] : [])), rec.id);
  assert.ok(at.slice(0, 2).every((i) => i < board.urgent_waiting), "this person's alerts are among the 緊急 ones at the top");
  for (const i of [0, 1]) {
    assert.equal(await mine.nth(i).getByTestId("urgency").textContent(), "緊急");
    assert.equal(await mine.nth(i).getByTestId("alert-person").textContent(), rec.name);
  }
  const rules = [await mine.nth(0).getByTestId("alert-rule").textContent(), await mine.nth(1).getByTestId("alert-rule").textContent()];
  assert.deepEqual(rules.sort(), ["SpO₂ 93%以下", "息苦しさあり"].sort());
  assert.match(await textOf(page, "alerts-heading"), new RegExp(`未対応 ${before}件`));
  for (const [name, size] of SIZES) {
    await page.setViewportSize(size);
    await shot(page, `observation-alerts-${name}`);
  }
  await page.setViewportSize(VIEWPORTS.desktop);
  // An empty note is refused at the field; then the note is saved and the alert leaves the list.
  const first = mine.nth(0);
  const handledId = await first.getByTestId("handle-note").getAttribute("id");
  await first.getByTestId("handle-submit").click();
  await first.getByTestId("handle-error").waitFor();
  assert.match(await first.getByTestId("handle-error").textContent(), /対応内容を入力してください/);
  await first.getByTestId("handle-note").fill("電話で本人に確認。受診調整へ。");
  await first.getByTestId("handle-submit").click();
  await page.getByTestId("alert-flash").waitFor();
  assert.match(await textOf(page, "alert-flash"), new RegExp(`${rec.name}さんのアラート.*対応済みにしました`));
  assert.equal(await page.locator(`[id="${handledId}"]`).count(), 0, "the handled alert left the list");
  assert.equal(await cards.count(), before - 1);
  assert.equal(await mine.count(), 1);
  assert.match(await textOf(page, "alerts-heading"), new RegExp(`未対応 ${before - 1}件`));
  // 対応済みも表示 brings it back with the note.
  await page.getByTestId("show-handled").check();
  await page.getByTestId("alert-note").first().waitFor();
  assert.match(await textOf(page, "alert-note"), /受診調整へ/);
  await shot(page, "observation-alerts-all-desktop");
  await page.getByTestId("show-handled").uncheck();
  assert.deepEqual(unexpected(errors), []);
});

test("the record's tab: the report in the manual's colours, the handled alert with its note", async () => {
  const { page, errors } = await as("staff@shinjuku-hc.demo", VIEWPORTS.desktop);
  await page.goto(`${edge.url}/records/${rec.id}/observation`);
  await page.getByTestId("report-list").waitFor();
  const row = page.getByTestId("report-row").first();
  assert.match(await row.getByTestId("report-spo2").textContent(), /92%/);
  assert.match(await row.getByTestId("report-spo2").getAttribute("class"), /low/);
  assert.match(await row.getByTestId("report-temperature").getAttribute("class"), /high/);
  const present = row.locator(".sym.present");
  const unknown = row.locator(".sym.unknown");
  assert.equal(await present.count(), 1);
  assert.equal(await present.textContent(), "息苦しさ");
  assert.equal(await unknown.count(), 1);
  assert.match(await unknown.textContent(), /咳・鼻水/);
  assert.equal(await row.getByTestId("sym").count(), 2, "absent items are not shown");
  assert.equal(await page.getByTestId("observation-empty").count(), 0);
  await page.getByTestId("observation-legend").waitFor();
  // The one waiting alert with its form; the handled one with who and the note.
  assert.equal(await page.getByTestId("tab-alerts-waiting").locator("[data-testid=alert-card][data-urgency='3']").count(), 1);
  await page.getByText(/対応済みのアラート（1件）/).click();
  const handled = page.getByTestId("tab-alerts-handled").getByTestId("alert-card");
  await handled.getByTestId("alert-note").waitFor();
  assert.match(await handled.getByTestId("alert-note").textContent(), /受診調整へ/);
  assert.match(await handled.getByTestId("alert-handled").textContent(), /対応済み/);
  for (const [name, size] of SIZES) {
    await page.setViewportSize(size);
    await shot(page, `observation-tab-${name}`);
  }
  await page.setViewportSize(VIEWPORTS.desktop);
  assert.deepEqual(unexpected(errors), []);
});

test("the dashboard: four tiles (alerts linked), an epidemic curve of 28 bars, counts by status", async () => {
  const { page, errors } = await as("staff@shinjuku-hc.demo", VIEWPORTS.desktop);
  await page.goto(edge.url);
  await page.getByRole("link", { name: /ダッシュボード/ }).click();
  await page.getByTestId("tiles").waitFor();
  assert.equal(await page.getByTestId("tile").count(), 4);
  assert.equal(await page.locator("svg[data-testid=curve] rect[data-testid=curve-bar]").count(), 28);
  assert.match(await page.getByTestId("curve").getAttribute("aria-label"), /28日間/);
  assert.equal(await page.getByTestId("curve-table").locator("tbody tr").count(), 28);
  assert.ok((await page.getByTestId("status-bar").count()) >= 12);
  assert.match(await page.getByTestId("status-bars").textContent(), /未記録/);
  const board = (await api.client.get("/api/dashboard")).body;
  const values = (await page.getByTestId("tile-value").allTextContents()).map((v) => Number.parseInt(v, 10));
  assert.deepEqual(values, [board.observing, board.overdue, board.alerts_waiting, board.urgent_waiting]);
  assert.ok(board.observing >= 4, "the seeded three and the one started above");
  for (const [name, size] of SIZES) {
    await page.setViewportSize(size);
    await shot(page, `observation-dashboard-${name}`);
  }
  await page.setViewportSize(VIEWPORTS.desktop);
  await page.getByRole("link", { name: /うち緊急/ }).click();
  await page.getByTestId("alert-list").waitFor();
  assert.deepEqual(unexpected(errors), []);
});

test("a clinic opening /alerts is refused with a message, not a crash", async () => {
  const { page, errors } = await as("doctor@shinjuku-clinic.demo", VIEWPORTS.desktop);
  await page.goto(`${edge.url}/alerts`);
  await page.getByTestId("alerts-forbidden").waitFor();
  assert.match(await textOf(page, "alerts-forbidden"), /保健所の職員のみ/);
  await page.goto(`${edge.url}/dashboard`);
  await page.getByTestId("dashboard-forbidden").waitFor();
  assert.equal(await page.getByTestId("home-alerts").count(), 0);
  assert.deepEqual(unexpected(errors), []);
});
