// A transfer carries the health observation with it, in Chromium: staff of 新宿区保健所 (A) start a patient's
// observation, the patient's phone reports SpO₂ 90 (a 緊急 alert in A's queue), A transfers the record to
// 世田谷保健所 (B) on its 発生届 tab; then B's /alerts shows the alert and B handles it with a note, while A's /alerts
// no longer shows it. Screenshots at 1280 px.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { randomBytes } from "node:crypto";
import { startEdge } from "../support/edge.mjs";
import { launchBrowser, screenshotDir, signedInSessions, VIEWPORTS } from "../support/browser.mjs";
import { Client, firstSignInAs } from "../support/softauthn.mjs";
import { freshKey, jstToday, patientCase } from "../support/notification.mjs";

const A = "staff@shinjuku-hc.demo"; // 新宿区保健所 (HC13104)
const B = "staff@setagaya-hc.demo"; // 世田谷保健所 (HC13112)
const NAME = "移管 観察子";
const DOB = "1979-04-02";
const PATIENT_KEYS = ["face", "cough", "dyspnea", "fatigue", "nausea", "diarrhea", "consciousness", "cannot_eat", "no_urine"];

let edge;
let browser;
let rec; // { id, sid }
before(async () => {
  edge = await startEdge({ seedDemo: true });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await edge?.stop();
});

const as = signedInSessions(() => browser, () => edge.url, VIEWPORTS.desktop);
const shot = (page, name) => page.screenshot({ path: path.join(screenshotDir(), `${name}.png`), fullPage: true });
/** Console errors other than the HTTP refusals a test provokes on purpose. */
const unexpected = (errors) => errors.filter((e) => !/status of (403|409|422)/.test(e));
const card = (page) => page.locator(`[data-testid=alert-card][data-case="${rec.id}"]`);

test("A starts the observation; the phone reports SpO₂ 90; the 緊急 alert is in A's queue", async () => {
  // The Shinjuku clinic files the case (routed to A); A's staff open it (受理) and read the スマホ入力ID.
  const doctor = await firstSignInAs(edge, "doctor@shinjuku-clinic.demo");
  const filed = await doctor.client.post("/api/notifications", {
    idempotency_key: freshKey(),
    notification: patientCase({ name: NAME, furigana: "イカン カンサツコ", date_of_birth: DOB, phone: "090-4444-0001", residence: "setagaya" }),
    acknowledged_warnings: [],
  });
  assert.equal(filed.status, 201, JSON.stringify(filed.body));
  assert.equal(filed.body.health_center_id, "HC13104");
  const id = filed.body.id;

  // A starts the observation on the record's 健康観察 tab, as the observation desk does.
  const { page, errors } = await as(A, VIEWPORTS.desktop);
  await page.goto(`${edge.url}/records/${id}/observation`);
  await page.getByTestId("observation-form").waitFor();
  await page.getByTestId("observation-empty").waitFor();
  assert.ok(await page.getByTestId("kind-patient").isChecked());
  await page.getByTestId("obs-household").fill("");
  await page.getByTestId("observation-start").click();
  await page.getByTestId("observation-summary").waitFor();
  assert.equal(await page.getByTestId("observation-state").first().textContent(), "観察中");
  const sid = (await page.getByTestId("case-smartphone-id").textContent()).replace(/\s/g, "");
  assert.match(sid, /^\d{10}$/, "A, managing the record, sees its スマホ入力ID");
  rec = { id, sid };

  // The patient's phone (the phone API, as the app's /observe page calls it): SpO₂ 90 is a red flag.
  const phone = new Client(edge);
  let r = await phone.post("/api/observe/signin", { smartphone_id: sid, date_of_birth: DOB }, { headers: { "cf-connecting-ip": "198.51.100.90" } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.people.map((p) => p.id), [id]);
  r = await phone.post("/api/observe/reports", { reports: [{
    client_id: randomBytes(12).toString("base64url"), person: id, date: jstToday(), slot: "morning", temperature: 36.8, spo2: 90,
    answers: Object.fromEntries(PATIENT_KEYS.map((k) => [k, "no"])),
  }] });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.results[0].outcome, "accepted");
  assert.equal(r.body.results[0].urgent, true);

  await page.goto(`${edge.url}/alerts`);
  await page.getByTestId("alert-list").waitFor();
  const mine = card(page).filter({ hasText: "SpO₂" });
  await mine.first().waitFor();
  assert.equal(await mine.count(), 1);
  assert.equal(await mine.getAttribute("data-urgency"), "3");
  assert.equal(await mine.getByTestId("alert-person").textContent(), NAME);
  assert.match(await mine.getByTestId("alert-detail").textContent(), /SpO₂ 90%/);
  await shot(page, "transfer-observation-a-alerts-before-desktop");
  assert.deepEqual(unexpected(errors), []);
});

test("A transfers the record to 世田谷保健所 on its 発生届 tab", async () => {
  const { page, errors } = await as(A, VIEWPORTS.desktop);
  await page.goto(`${edge.url}/records/${rec.id}/notification`);
  await page.getByTestId("record").waitFor();
  // Opening it as the health center's staff accepted it (受理).
  await page.getByTestId("receipt").getByText(/受理（新宿区保健所/).waitFor();
  await page.getByTestId("transfer").waitFor();
  await page.getByLabel("移管先").selectOption("HC13112");
  await page.getByLabel("理由").fill("患者が世田谷区の自宅で療養するため");
  await shot(page, "transfer-observation-transfer-form-desktop");
  await page.getByRole("button", { name: "移管する" }).click();
  await page.getByTestId("history").getByText(/移管　世田谷保健所（新宿区保健所から）/).waitFor();
  assert.equal(await page.getByTestId("transfer").count(), 0, "A may no longer transfer it");
  // A keeps reading the record, without the スマホ入力ID and without the right to change the observation.
  await page.goto(`${edge.url}/records/${rec.id}/observation`);
  await page.getByTestId("case-record").waitFor();
  await page.getByTestId("observation-summary").waitFor();
  assert.equal(await page.getByTestId("case-smartphone-id").count(), 0, "no スマホ入力ID for a past health center");
  assert.equal(await page.getByTestId("observation-edit").count(), 0, "A can no longer change the observation");
  assert.equal(await page.getByTestId("observation-stop").count(), 0, "nor stop it");
  await shot(page, "transfer-observation-a-record-after-desktop");
  assert.deepEqual(unexpected(errors), []);
});

test("B's /alerts shows the moved alert and B handles it with a note; A's /alerts no longer shows it", async () => {
  const b = await as(B, VIEWPORTS.desktop);
  await b.page.goto(`${edge.url}/alerts`);
  await b.page.getByTestId("alert-list").waitFor();
  const mine = card(b.page).filter({ hasText: "SpO₂" });
  await mine.first().waitFor();
  assert.equal(await mine.count(), 1, "the alert raised at A waits in B's queue");
  assert.equal(await mine.getAttribute("data-urgency"), "3");
  assert.equal(await mine.getByTestId("urgency").textContent(), "緊急");
  assert.equal(await mine.getByTestId("alert-person").textContent(), NAME);
  assert.equal((await mine.locator(".sid").textContent()).replace(/\s/g, ""), rec.sid, "B, now managing it, sees the スマホ入力ID");
  await shot(b.page, "transfer-observation-b-alerts-desktop");
  const noteId = await mine.getByTestId("handle-note").getAttribute("id");
  await mine.getByTestId("handle-note").fill("世田谷保健所から本人に電話、受診調整へ。");
  await mine.getByTestId("handle-submit").click();
  await b.page.getByTestId("alert-flash").waitFor();
  assert.match(await b.page.getByTestId("alert-flash").textContent(), new RegExp(`${NAME}さんのアラート.*対応済みにしました`));
  assert.equal(await b.page.locator(`[id="${noteId}"]`).count(), 0, "the handled alert left the list");
  assert.equal(await card(b.page).filter({ hasText: "SpO₂" }).count(), 0);
  // With 対応済みも表示: handled by B, with the note.
  await b.page.getByTestId("show-handled").check();
  const handled = card(b.page).filter({ hasText: "受診調整へ" });
  await handled.first().waitFor();
  assert.match(await handled.getByTestId("alert-handled").textContent(), /対応済み.*保健 五月/);
  await shot(b.page, "transfer-observation-b-handled-desktop");
  await b.page.getByTestId("show-handled").uncheck();
  assert.deepEqual(unexpected(b.errors), []);

  // A: neither waiting nor among the handled ones.
  const a = await as(A, VIEWPORTS.desktop);
  await a.page.goto(`${edge.url}/alerts`);
  await a.page.getByTestId("alerts-heading").waitFor();
  await a.page.locator("[data-testid=alert-list], [data-testid=alerts-empty]").first().waitFor();
  assert.equal(await card(a.page).count(), 0, "not in A's queue");
  // 対応済みも表示 reloads with ?all=1: count once that answer has landed.
  const all = a.page.waitForResponse((r) => r.url().includes("/api/observation/alerts?all=1"));
  await a.page.getByTestId("show-handled").check();
  assert.equal((await all).status(), 200);
  await a.page.locator("[data-testid=alert-list], [data-testid=alerts-empty]").first().waitFor();
  await a.page.waitForTimeout(200);
  assert.equal(await card(a.page).count(), 0, "nor among A's handled ones");
  await shot(a.page, "transfer-observation-a-alerts-after-desktop");
  await a.page.getByTestId("show-handled").uncheck();
  assert.deepEqual(unexpected(a.errors), []);
});
