// Filing a notification end to end in Chromium (manual 4.1–4.2): a doctor on a phone files a confirmed case
// (the user actions are counted), the health center opens it from its inbox (受理), the clinic sees the receipt,
// the notice e-mail is delivered, the print is one A4 page; drafts survive a reload encrypted; the legal-form
// layout keeps what was typed; duplicates are shown before filing.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { writeFileSync, mkdirSync, readFileSync } from "node:fs";
import { startEdge, ROOT } from "../support/edge.mjs";
import { confirmedCase, jstToday } from "../support/notification.mjs";
import {
  addVirtualAuthenticator, firstSignIn, launchBrowser, screenshotDir, VIEWPORTS, watchErrors,
} from "../support/browser.mjs";

let edge;
let browser;
before(async () => {
  edge = await startEdge({ seedDemo: true });
  browser = await launchBrowser();
});
after(async () => {
  if (process.env.EDGE_LOG) console.log(edge?.log());
  await browser?.close();
  await edge?.stop();
});

async function signedIn(loginId, viewport = VIEWPORTS.phone) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await addVirtualAuthenticator(page);
  await firstSignIn(page, edge.url, loginId);
  errors.length = 0; // the signed-out start answers 401 to the session check, as it should
  return { context, page, errors };
}

/** Counts what a person does: taps and fields typed. */
function counter(page) {
  let n = 0;
  const field = (name) => page.locator(`[data-path="${name}"]`);
  return {
    get count() { return n; },
    async tap(locator) { n += 1; await locator.click(); },
    async type(label, text) { n += 1; await page.getByLabel(label, { exact: true }).fill(text); },
    async choose(pathName, label) { n += 1; await field(pathName).getByRole("button", { name: label, exact: true }).click(); },
  };
}

/** Waits until an input's value satisfies `ok` (values are properties, not attributes, in the app). */
async function valueOf(locator, ok, timeout = 10000) {
  const end = Date.now() + timeout;
  let v = "";
  while (Date.now() < end) {
    v = await locator.inputValue().catch(() => "");
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`value never matched: ${JSON.stringify(v)}`);
}

const shot = (page, name) => page.screenshot({ path: path.join(screenshotDir(), `${name}.png`), fullPage: true });

let filedNumber;
let doctor;

test("a doctor files a confirmed case on a phone in at most 25 actions; the completion screen names the health center", async () => {
  doctor = await signedIn("doctor@shinjuku-clinic.demo");
  const { page } = doctor;
  const u = counter(page);
  await u.tap(page.getByRole("link", { name: /新たに発生届を提出する/ }));
  await page.locator('[data-testid="notification-form"][data-draft-checked="true"]').waitFor();
  // Header fields come from the account: the doctor and the clinic are already there.
  await valueOf(page.getByLabel("医師の氏名", { exact: true }), (v) => v === "新宿 一郎");
  await valueOf(page.getByLabel("従事する病院・診療所の名称", { exact: true }), (v) => v === "新宿みなみクリニック");
  await u.choose("category", "患者（確定例）");
  // The next field takes the focus (the phone's keyboard opens on it).
  assert.equal(await page.evaluate(() => document.activeElement?.id), "f-patient-name");
  await u.type("当該者氏名", "山田 太郎");
  await u.type("フリガナ", "やまだ たろう");
  await u.choose("patient.sex", "男");
  await u.type("生年月日", "S55.1.15");
  await u.type("職業", "会社員");
  await u.type("住所 郵便番号", "1600023");
  const address = page.getByLabel("住所", { exact: true });
  const filled = await valueOf(address, (v) => v.startsWith("東京都新宿区西新宿"));
  await u.type("住所", `${filled}二丁目8番1号`);
  await u.type("住所 電話番号", "090-1234-5678");
  await u.choose("symptoms.present", "発熱");
  await u.choose("symptoms.present", "咳");
  await u.choose("tests[0].method", "核酸増幅法（PCR・LAMP等）");
  await u.choose("tests[0].specimen", "鼻咽頭拭い液");
  await u.choose("tests[0].result", "陽性");
  const today = await page.getByLabel("診断（検案）年月日", { exact: true }).inputValue();
  await u.type("初診年月日", today);
  await u.type("発病年月日", today);
  await u.choose("other.severity", "軽症");
  await u.tap(page.getByTestId("all-no"));
  await u.choose("vaccination[0].status", "不明");
  await shot(page, "filing-form-phone");
  await u.tap(page.getByTestId("to-confirm"));
  await page.getByTestId("confirm").waitFor();
  await shot(page, "filing-confirm-phone");
  const sheet = page.getByTestId("form-sheet");
  assert.match(await sheet.textContent(), /山田 太郎（ヤマダ[ 　]タロウ）/);
  if (await page.getByTestId("ack-warnings").count()) await u.tap(page.getByTestId("ack-warnings"));
  await u.tap(page.getByTestId("submit"));
  await page.getByTestId("filed").waitFor();
  await shot(page, "filing-done-phone");
  filedNumber = (await page.getByTestId("filed-number").textContent()).trim();
  assert.match(filedNumber, /^\d{8}$/);
  assert.equal((await page.getByTestId("filed-health-center").textContent()).trim(), "新宿区保健所");
  const figures = path.join(ROOT, "target/figures");
  mkdirSync(figures, { recursive: true });
  writeFileSync(path.join(figures, "filing-actions.json"), JSON.stringify({ actions: u.count }) + "\n");
  console.log(`# user actions for a typical confirmed case: ${u.count}`);
  assert.ok(u.count <= 25, `${u.count} actions`);
  assert.deepEqual(doctor.errors, []);
  // A second person of the same household starts from the first: address and phone copied, the person blank.
  await page.getByTestId("household").click();
  await page.getByTestId("notification-form").waitFor();
  assert.equal(await page.getByLabel("住所", { exact: true }).inputValue(), "東京都新宿区西新宿二丁目8番1号");
  assert.equal(await page.getByLabel("住所 電話番号", { exact: true }).inputValue(), "090-1234-5678");
  assert.equal(await page.getByLabel("当該者氏名", { exact: true }).inputValue(), "");
  // The doctor can be picked from the institution's list.
  await page.locator('[data-path="reporter.doctor_name"]').getByRole("button", { name: "西 新太" }).click();
  assert.equal(await page.getByLabel("医師の氏名", { exact: true }).inputValue(), "西 新太");
});

test("the health center sees it unread in its inbox, opening it marks it received, and the clinic sees 受理", async () => {
  const hc = await signedIn("staff@shinjuku-hc.demo", VIEWPORTS.desktop);
  assert.match(await hc.page.getByTestId("home-unread").textContent(), /未確認の発生届が 1 件あります/);
  await hc.page.getByRole("link", { name: /受信した発生届/ }).click();
  const list = hc.page.getByTestId("record-list");
  await list.waitFor();
  const item = list.locator("li", { hasText: filedNumber });
  assert.match(await item.textContent(), /未確認/);
  assert.match(await item.textContent(), /新宿みなみクリニック/);
  await shot(hc.page, "inbox-desktop");
  await item.getByRole("link").click();
  await hc.page.getByTestId("record").waitFor();
  assert.match(await hc.page.getByTestId("receipt").textContent(), /受理（新宿区保健所・保健 三郎/);
  await shot(hc.page, "record-desktop");
  // The notice e-mail goes out from the scheduled handler (every minute deployed; triggered here as wrangler's
  // local cron endpoint allows).
  const sched = await fetch(`${edge.api}/cdn-cgi/local/scheduled`);
  assert.equal(sched.status, 200);
  let delivery = "";
  for (let i = 0; i < 20 && !/送信済み/.test(delivery); i++) {
    await hc.page.reload();
    await hc.page.getByTestId("delivery").waitFor();
    delivery = await hc.page.getByTestId("delivery").textContent();
    if (!/送信済み/.test(delivery)) await new Promise((r) => setTimeout(r, 250));
  }
  assert.match(delivery, /通知メール送信済み/);
  // Locally the simulated binding logs each message (to a temporary .eml file); the notice carries no patient data.
  for (let i = 0; i < 50 && !/send_email binding called/.test(edge.log()); i++) await new Promise((r) => setTimeout(r, 100));
  assert.match(edge.log(), /send_email binding called with MessageBuilder/);
  // The cron also sends the audit chain's daily anchor mail: take the notice (the mail naming 発生届).
  let mail = "";
  for (let i = 0; i < 50 && !mail; i++) {
    const files = [...edge.log().matchAll(/Text: (\S+\.txt)/g)].map((m) => readFileSync(m[1], "utf8"));
    mail = files.find((t) => /発生届/.test(t)) ?? "";
    if (!mail) await new Promise((r) => setTimeout(r, 100));
  }
  assert.ok(mail, "wrangler names the file holding the notice's text");
  assert.match(mail, new RegExp(filedNumber));
  assert.doesNotMatch(mail, /山田|ヤマダ|1980|090-1234/, "the notice carries no personal data");
  // Print: one A4 page laid out like the form.
  await hc.page.emulateMedia({ media: "print" });
  const pdf = await hc.page.pdf({ format: "A4", path: path.join(screenshotDir(), "notification-print.pdf") });
  const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) || []).length;
  assert.equal(pages, 1, "the print is one A4 page");
  await hc.page.emulateMedia({ media: "screen" });

  const { page } = doctor;
  await page.goto(`${edge.url}/records`);
  const mine = page.getByTestId("record-list").locator("li", { hasText: filedNumber });
  await mine.waitFor();
  assert.match(await mine.textContent(), /受理/);
  await mine.getByRole("link").click();
  await page.getByTestId("record").waitFor();
  assert.match(await page.getByTestId("receipt").textContent(), /受理（新宿区保健所/);
  await shot(page, "record-clinic-phone");

  // The health center transfers it with a reason; the other one finds it unread; both see the history.
  await hc.page.reload();
  await hc.page.getByTestId("transfer").waitFor();
  await hc.page.getByLabel("移管先").selectOption("HC13112");
  await hc.page.getByLabel("理由").fill("患者が世田谷区の家族宅で療養するため");
  await hc.page.getByRole("button", { name: "移管する" }).click();
  await hc.page.getByTestId("history").getByText(/移管　世田谷保健所（新宿区保健所から）/).waitFor();
  assert.equal(await hc.page.getByTestId("transfer").count(), 0, "only the current health center may transfer");
  const other = await signedIn("staff@setagaya-hc.demo", VIEWPORTS.tablet);
  await other.page.goto(`${edge.url}/records`);
  const moved = other.page.getByTestId("record-list").locator("li", { hasText: filedNumber });
  await moved.waitFor();
  assert.match(await moved.textContent(), /未確認/);
  await moved.getByRole("link").click();
  await other.page.getByTestId("history").getByText(/理由: 患者が世田谷区の家族宅で療養するため/).waitFor();
  await shot(other.page, "record-transferred-tablet");
  await other.context.close();
  await hc.context.close();
});

/** Opens a fresh form: waits for the draft check, and discards a draft left by an earlier test. */
async function freshForm(page) {
  await page.goto(`${edge.url}/notifications/new`);
  await page.locator('[data-testid="notification-form"][data-draft-checked="true"]').waitFor();
  if (await page.getByTestId("draft-restored").count()) await page.getByRole("button", { name: "下書きを破棄" }).click();
}

test("a draft survives a reload, encrypted on the device; the legal-form layout keeps what was typed", async () => {
  const { page } = doctor;
  await freshForm(page);
  await page.getByLabel("当該者氏名", { exact: true }).fill("下書き 花子");
  await page.getByLabel("生年月日", { exact: true }).fill("20100401");
  // A minor: the guardian's items appear.
  await page.getByLabel("保護者氏名（未成年のため）", { exact: true }).waitFor();
  await page.waitForTimeout(500);
  const stored = await page.evaluate(() => Object.entries(localStorage).map(([k, v]) => k + "=" + v).join("\n"));
  assert.match(stored, /hersys\.draft\.notification\./);
  assert.doesNotMatch(stored, /下書き|20100401|2010-04-01/, "the draft is stored encrypted");
  await page.reload();
  await page.locator('[data-testid="notification-form"][data-draft-checked="true"]').waitFor();
  await page.getByTestId("draft-restored").waitFor();
  assert.equal(await page.getByLabel("当該者氏名", { exact: true }).inputValue(), "下書き 花子");
  // Offline (a dropped connection, then a reload from the service worker's shell): the draft still opens, with the
  // key this device kept (non-extractable) since the last online visit.
  await page.context().setOffline(true);
  await page.reload();
  await page.locator('[data-testid="notification-form"][data-draft-checked="true"]').waitFor();
  await page.getByTestId("draft-restored").waitFor();
  assert.equal(await page.getByLabel("当該者氏名", { exact: true }).inputValue(), "下書き 花子");
  await page.context().setOffline(false);
  await page.getByTestId("legal-layout").click();
  const sections = await page.locator(".form-section h2").allTextContents();
  assert.match(sections[0], /届出者/);
  assert.equal(await page.getByLabel("当該者氏名", { exact: true }).inputValue(), "下書き 花子");
  await shot(page, "filing-legal-layout-phone");
  // Discarding removes it from the device.
  await page.getByRole("button", { name: "下書きを破棄" }).click();
  assert.equal(await page.getByLabel("当該者氏名", { exact: true }).inputValue(), "");
});

test("errors show at the field as the user types and as a list on 確認; nothing typed is lost", async () => {
  const { page } = doctor;
  await freshForm(page);
  await page.getByLabel("フリガナ", { exact: true }).fill("Yamada");
  const furigana = page.locator('[data-path="patient.furigana"]');
  await furigana.locator(".field-error").waitFor();
  await page.getByLabel("生年月日", { exact: true }).fill("19801345");
  await page.locator('[data-path="patient.date_of_birth"] .field-error', { hasText: "8桁" }).waitFor();
  await page.getByTestId("to-confirm").click();
  const findings = page.getByTestId("findings");
  await findings.waitFor();
  assert.match(await findings.textContent(), /類型/);
  assert.equal(await page.getByLabel("フリガナ", { exact: true }).inputValue(), "Yamada");
  await shot(page, "filing-errors-phone");
  for (const [name, viewport] of [["tablet", VIEWPORTS.tablet], ["desktop", VIEWPORTS.desktop]]) {
    await page.setViewportSize(viewport);
    await page.evaluate(() => window.scrollTo(0, 0));
    await page.screenshot({ path: path.join(screenshotDir(), `filing-form-${name}.png`) });
    const sideways = await page.evaluate(() => document.documentElement.scrollWidth > window.innerWidth);
    assert.equal(sideways, false, `no sideways scrolling at ${name} width`);
  }
  await page.setViewportSize(VIEWPORTS.phone);
  await page.getByRole("button", { name: "下書きを破棄" }).click().catch(() => {});
});

test("a possible duplicate is shown before filing, with the existing record to open", async () => {
  const { page } = doctor;
  await freshForm(page);
  const field = (p) => page.locator(`[data-path="${p}"]`);
  await field("category").getByRole("button", { name: "患者（確定例）" }).click();
  await page.getByLabel("当該者氏名", { exact: true }).fill("山田 太郎");
  await page.getByLabel("フリガナ", { exact: true }).fill("ﾔﾏﾀﾞ ﾀﾛｳ");
  await field("patient.sex").getByRole("button", { name: "男", exact: true }).click();
  await page.getByLabel("生年月日", { exact: true }).fill("昭和55年1月15日");
  await page.getByLabel("住所", { exact: true }).fill("東京都新宿区西新宿二丁目8番1号");
  await field("tests[0].method").getByRole("button", { name: "抗原定性検査" }).click();
  await field("tests[0].specimen").getByRole("button", { name: "鼻腔拭い液" }).click();
  await field("tests[0].result").getByRole("button", { name: "陽性" }).click();
  await page.getByTestId("to-confirm").click();
  const dups = page.getByTestId("duplicates");
  await dups.waitFor({ timeout: 10000 }).catch(async (e) => {
    await shot(page, "debug-duplicates");
    throw e;
  });
  assert.match(await dups.textContent(), new RegExp(filedNumber));
  assert.match(await dups.textContent(), /フリガナと生年月日が一致/);
  // Warnings (recommended items left blank) are listed; 報告 waits until they are acknowledged.
  await page.getByTestId("warnings").waitFor();
  assert.ok(await page.getByTestId("submit").isDisabled());
  await page.getByTestId("ack-warnings").check();
  assert.ok(await page.getByTestId("submit").isEnabled());
  await dups.getByRole("link", { name: "既存の記録を開く" }).click();
  await page.getByTestId("record").waitFor();
  assert.match(await page.getByTestId("record").textContent(), new RegExp(filedNumber));
});

test("a notification with every item filled still prints on one A4 page", async () => {
  const { page } = doctor;
  const today = jstToday();
  const long = "飲食店での会食（同席者5名、うち2名が後日陽性）。職場の同僚との長時間の会議あり。";
  const n = confirmedCase({
    patient: {
      name: "長い 名前の患者さん", furigana: "ナガイ ナマエノカンジャサン", sex: "female", date_of_birth: "2010-04-01",
      current_location_same_as_address: false,
      current_location: { postal_code: "1540017", municipality_code: "131121", text: "東京都世田谷区世田谷四丁目21番27号 コーポ世田谷101号室", phone: "03-1111-2222" },
    },
    guardian: { name: "長い 保護者", address: { postal_code: "1600023", text: "東京都新宿区西新宿二丁目8番1号 ○○マンション1203号室", phone: "090-9999-8888" } },
    symptoms: { present: ["fever", "cough", "acute_respiratory_other_than_cough", "pneumonia_findings", "fatigue", "headache", "nausea_vomiting", "diarrhoea", "conjunctivitis", "smell_taste_disorder"], spo2_percent: 94, other: "関節痛と強い倦怠感が続く" },
    tests: [0, 1, 2, 3].map(() => ({ method: "nucleic_acid", specimen: "other", specimen_other: "鼻咽頭拭い液と唾液の混合", specimen_date: today, result: "positive" })),
    infection_date: today,
    infection: {
      route: { certainty: "presumed", droplet: long, contact: long, other: long },
      area: { certainty: "presumed", domestic: [{ prefecture: "東京都", municipality: "新宿区" }, { prefecture: "神奈川県", municipality: "横浜市中区" }] },
    },
    vaccination: [0, 1, 2].map(() => ({ status: "yes", age: 11, vaccine_type: "mRNAワクチン（小児用）", manufacturer: "ファイザー", date: "2022-03-01" })),
    other: {
      hospitalised: "yes", admission_date: today, hospital_name: "東京都立○○総合医療センター 感染症内科病棟",
      risk_factors_present: "yes", risk_factors: ["malignant_tumour", "copd", "chronic_kidney_disease", "hypertension", "diabetes", "dyslipidaemia", "obesity", "smoking_history"],
      risk_factor_other: "気管支喘息（小児期より）", immunocompromised: "yes", pregnant: "no", severity: "moderate_ii", admission_needed: "yes", telemedicine: "yes",
    },
  });
  const r = await page.request.post(`${edge.url}/api/notifications`, {
    headers: { origin: edge.url, "content-type": "application/json" },
    data: { idempotency_key: "print-every-item-xxxxxxxxx", notification: n, acknowledged_warnings: ["recommended", "severity_mild_with_low_spo2", "report_not_immediate", "specimen_date_missing"] },
  });
  const body = await r.json();
  assert.equal(r.status(), 201, JSON.stringify(body));
  await page.goto(`${edge.url}/records/${body.id}`);
  await page.getByTestId("record").waitFor();
  await page.emulateMedia({ media: "print" });
  const pdf = await page.pdf({ format: "A4", path: path.join(screenshotDir(), "notification-print-every-item.pdf") });
  const pages = (pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) || []).length;
  await page.emulateMedia({ media: "screen" });
  assert.equal(pages, 1, "every item fits on one A4 page");
});
