// The health-center directory and the phones of issue 23, in Chromium: prefecture staff open 保健所の一覧 from the
// menu (the reference table's caveat shown), edit a center (a bad phone refused at its field with what was typed
// kept, then saved) and import a CSV (a bad file refused with its row messages and nothing saved, then a good one); a
// health center's administrator edits their own contact details under 管理; a transfer to a center without an
// e-mail address is warned about in the options, on choosing it (with its phone as a tap-to-call link) and after it
// is made; the patient's urgent box offers the managing center's number and the alert queue's card the person's,
// both as tel: links. Screenshots at 390, 820 and 1280 px.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startEdge } from "../support/edge.mjs";
import { launchBrowser, screenshotDir, signedInSessions, VIEWPORTS, watchErrors } from "../support/browser.mjs";
import { DEMO_PASSWORD, firstSignInAs, signIn } from "../support/softauthn.mjs";
import { freshKey, jstToday, patientCase } from "../support/notification.mjs";

const PREF = "pref@tokyo.demo";
const ADMIN = "admin@shinjuku-hc.demo";
const STAFF = "staff@shinjuku-hc.demo";
const SIZES = [["phone", VIEWPORTS.phone], ["tablet", VIEWPORTS.tablet], ["desktop", VIEWPORTS.desktop]];
const DOB = "1985-05-05";
const PATIENT_KEYS = ["face", "cough", "dyspnea", "fatigue", "nausea", "diarrhea", "consciousness", "cannot_eat", "no_urine"];

let edge;
let browser;
let prefApi;
let observed; // { id, sid }: observed at 新宿区保健所, with a 緊急 alert
let toMove; // a record to transfer
before(async () => {
  edge = await startEdge({ seedDemo: true });
  browser = await launchBrowser();
  // The API's set-up signs in as twins of the prefecture's and the health center's demo accounts (same role, area and
  // password, made by SQL): the browser's first sign-in of the demo accounts themselves must still register a key.
  const twin = (id, login, of) => edge.d1(
    "INSERT INTO users (id, login_id, display_name, email, role, institution_id, health_center_id, pref_code, password_hash, " +
      "must_change_password, status, created_at, updated_at) " +
      `SELECT '${id}', '${login}', display_name, '', role, institution_id, health_center_id, pref_code, password_hash, ` +
      `0, 'active', created_at, updated_at FROM users WHERE login_id = '${of}'`,
  );
  twin("u_dir_pref_api", "pref-api@tokyo.test", PREF);
  twin("u_dir_staff_api", "staff-api@shinjuku-hc.test", STAFF);
  prefApi = await signIn(edge, "pref-api@tokyo.test", DEMO_PASSWORD);
  const doctor = await firstSignInAs(edge, "doctor@shinjuku-clinic.demo");
  const staff = await signIn(edge, "staff-api@shinjuku-hc.test", DEMO_PASSWORD);
  const file = async (name, furigana, phone) => {
    const r = await doctor.client.post("/api/notifications", {
      idempotency_key: freshKey(), notification: patientCase({ name, furigana, date_of_birth: DOB, phone }), acknowledged_warnings: [],
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    assert.equal((await staff.client.get(`/api/notifications/${r.body.id}`)).status, 200);
    return r.body.id;
  };
  const id = await file("電話 一子", "デンワ イチコ", "090-8888-2222");
  const started = await staff.client.post(`/api/cases/${id}/observation`, { kind: "patient", started_on: jstToday(), ends_on: "", household_of: "" });
  assert.equal(started.status, 200, JSON.stringify(started.body));
  observed = { id, sid: (await staff.client.get(`/api/cases/${id}`)).body.smartphone_id };
  toMove = await file("移管 二子", "イカン フタコ", "090-8888-3333");
});
after(async () => {
  await browser?.close();
  await edge?.stop();
});

const as = signedInSessions(() => browser, () => edge.url, VIEWPORTS.desktop);
const shot = (page, name) => page.screenshot({ path: path.join(screenshotDir(), `${name}.png`), fullPage: true });
const shots = async (page, name) => {
  for (const [size, viewport] of SIZES) {
    await page.setViewportSize(viewport);
    await shot(page, `directory-${name}-${size}`);
  }
  await page.setViewportSize(VIEWPORTS.desktop);
};
/** Console errors other than the refusals the test provokes on purpose. */
const unexpected = (errors) => errors.filter((e) => !/status of (403|422)/.test(e));
const item = (page, id) => page.locator(`[data-testid=directory-item][data-id="${id}"]`);

test("prefecture staff: the list with the caveat, a center edited field by field, a CSV refused whole then imported", async () => {
  const { page, errors } = await as(PREF, VIEWPORTS.desktop);
  await page.goto(edge.url);
  await page.getByRole("link", { name: /保健所の一覧/ }).click();
  await page.getByTestId("directory-list").waitFor();
  assert.match(await page.getByTestId("directory-caveat").textContent(), /利用許諾（ライセンス）の表示がなく/);
  const chiyoda = item(page, "HC13101");
  assert.match(await chiyoda.textContent(), /千代田区/);
  await chiyoda.getByTestId("directory-no-email").waitFor();
  await chiyoda.getByTestId("directory-tel-none").waitFor();
  // The demo center's phone is a tap-to-call link.
  assert.equal(await item(page, "HC13104").getByTestId("directory-tel").getAttribute("href"), "tel:0355550104");
  await shots(page, "pref-list");

  // A bad phone and e-mail are refused at their fields; what was typed stays.
  await chiyoda.getByTestId("directory-edit").click();
  const form = chiyoda.getByTestId("directory-form");
  await form.getByTestId("dir-phone").fill("03-12");
  await form.getByTestId("dir-email").fill("chiyoda@");
  await form.getByTestId("dir-address").fill("東京都千代田区九段南1-2-1");
  await form.getByTestId("dir-save").click();
  await form.getByTestId("error-phone").waitFor();
  assert.match(await form.getByTestId("error-phone").textContent(), /電話番号の形式が正しくありません/);
  assert.match(await form.getByTestId("error-email").textContent(), /メールアドレスの形式/);
  assert.equal(await form.getByTestId("dir-phone").inputValue(), "03-12");
  await chiyoda.scrollIntoViewIfNeeded();
  await shots(page, "pref-edit-errors");
  await form.getByTestId("dir-phone").fill("03-5211-8000");
  await form.getByTestId("dir-email").fill("chiyoda@hc.example.lg.jp");
  await form.getByTestId("dir-save").click();
  await chiyoda.getByTestId("directory-tel").waitFor();
  assert.equal(await chiyoda.getByTestId("directory-tel").getAttribute("href"), "tel:0352118000");
  assert.equal(await chiyoda.getByTestId("directory-no-email").count(), 0);

  // CSV: a file with a bad row is refused whole, its messages by row and column; then a good one is taken.
  const exported = (await prefApi.client.get("/api/directory/csv")).body.replace(/^\ufeff/, "").trimEnd().split("\r\n");
  const at = (id) => exported.findIndex((l) => l.startsWith(`${id},`));
  const good = [...exported];
  good[at("HC13105")] = good[at("HC13105")].replace(/^(HC13105,[^,]*),[^,]*,[^,]*,[^,]*,/, "$1,1620052,東京都新宿区戸山1-1-1,03-5555-0105,");
  const bad = [...good];
  bad[at("HC13106")] = bad[at("HC13106")].replace(/^(HC13106,[^,]*),[^,]*,[^,]*,[^,]*,[^,]*,/, "$1,12,,0120,x@,");
  const upload = async (lines, name) => {
    await page.getByTestId("csv-file").setInputFiles({ name, mimeType: "text/csv", buffer: Buffer.from(`\ufeff${lines.join("\r\n")}\r\n`) });
    await page.waitForFunction(() => !document.querySelector("[data-testid=csv-import]")?.disabled);
    await page.getByTestId("csv-import").click();
  };
  await upload(bad, "bad.csv");
  await page.getByTestId("import-errors").waitFor();
  const messages = await page.getByTestId("import-errors").locator("li").allTextContents();
  const line = at("HC13106") + 1;
  assert.deepEqual(messages.map((m) => m.split(":")[0]), [`${line}行目「郵便番号」`, `${line}行目「電話番号」`, `${line}行目「通知メールアドレス」`]);
  assert.match(await page.getByTestId("csv-message").textContent(), /何も保存していません/);
  assert.equal(await item(page, "HC13105").getByTestId("directory-tel-none").count(), 1, "the good row was not saved");
  await page.getByTestId("csv-tools").scrollIntoViewIfNeeded();
  await shots(page, "pref-import-refused");
  await upload(good, "good.csv");
  await page.getByTestId("csv-message").getByText(/1か所の保健所を更新しました/).waitFor();
  assert.equal(await page.getByTestId("import-errors").count(), 0);
  await item(page, "HC13105").getByTestId("directory-tel").waitFor();
  assert.equal(await item(page, "HC13105").getByTestId("directory-tel").getAttribute("href"), "tel:0355550105");
  await shots(page, "pref-import-done");
  assert.deepEqual(unexpected(errors), []);
});

test("a health center's administrator edits their own contact details under 管理", async () => {
  const { page, errors } = await as(ADMIN, VIEWPORTS.phone);
  await page.goto(edge.url);
  await page.getByRole("link", { name: /保健所の連絡先/ }).click();
  const form = page.getByTestId("directory-form");
  await form.waitFor();
  assert.equal(await page.getByTestId("directory-item").count(), 1, "their own center only");
  assert.equal(await form.getByTestId("dir-name").count(), 0, "the name is the prefecture's");
  assert.equal(await form.getByTestId("dir-add-muni").count(), 0);
  await form.getByTestId("dir-phone").fill("03-5555-0144");
  await form.getByTestId("dir-save").click();
  await form.getByTestId("dir-saved").waitFor();
  // The list below the form shows the saved number once it has been read again.
  await page.waitForFunction(() => document.querySelector("[data-testid=directory-tel]")?.getAttribute("href") === "tel:0355550144", null, { timeout: 10_000 });
  assert.equal(await page.getByTestId("directory-tel").getAttribute("href"), "tel:0355550144");
  await shots(page, "hc-admin-contact");
  assert.deepEqual(unexpected(errors), []);
});

test("a transfer to a center without an e-mail address is warned about, with its phone to call", async () => {
  // The prefecture clears 世田谷保健所's address.
  const setagaya = (await prefApi.client.get("/api/directory")).body.centers.find((c) => c.id === "HC13112");
  const cleared = await prefApi.client.put("/api/directory/HC13112", { postal_code: setagaya.postal_code, address: setagaya.address, phone: setagaya.phone, email: "" });
  assert.equal(cleared.status, 200, JSON.stringify(cleared.body));

  const { page, errors } = await as(STAFF, VIEWPORTS.desktop);
  await page.goto(`${edge.url}/records/${toMove}/notification`);
  await page.getByTestId("transfer").waitFor();
  const option = page.locator('#transfer-to option[value="HC13112"]');
  await page.waitForFunction(() => document.querySelector('#transfer-to option[value="HC13112"]'));
  assert.equal(await option.textContent(), "世田谷保健所（メール未登録）");
  await page.getByLabel("移管先").selectOption("HC13112");
  const warning = page.getByTestId("transfer-no-email");
  await warning.waitFor();
  assert.match(await warning.textContent(), /通知メールは届きません/);
  assert.equal(await warning.getByTestId("transfer-tel").getAttribute("href"), "tel:0355550112");
  await page.getByLabel("理由").fill("患者が世田谷区の自宅で療養するため");
  await page.getByTestId("transfer").scrollIntoViewIfNeeded();
  await shots(page, "transfer-warning");
  await page.getByRole("button", { name: "移管する" }).click();
  await page.getByTestId("transfer-done").waitFor();
  assert.match(await page.getByTestId("transfer-done").textContent(), /世田谷保健所へ移管しました.*電話で連絡してください/);
  await shots(page, "transfer-done");
  await page.getByTestId("transfer-ack").click();
  await page.getByTestId("history").getByText(/移管　世田谷保健所（新宿区保健所から）/).waitFor();
  assert.deepEqual(unexpected(errors), []);
});

test("the patient's urgent box offers the health center's number; the alert queue's card the person's", async () => {
  const phoneContext = await browser.newContext({ viewport: VIEWPORTS.phone });
  const ph = await phoneContext.newPage();
  const phoneErrors = watchErrors(ph);
  await ph.goto(`${edge.url}/observe#id=${observed.sid}`);
  await ph.getByTestId("obs-signin").waitFor();
  const [y, m, d] = DOB.split("-");
  await ph.getByTestId("obs-dob-y").fill(y);
  await ph.getByTestId("obs-dob-m").fill(String(Number(m)));
  await ph.getByTestId("obs-dob-d").fill(String(Number(d)));
  await ph.getByTestId("obs-start").click();
  await ph.getByTestId("obs-report").waitFor();
  await ph.getByTestId("obs-slot-morning").click();
  await ph.getByTestId("obs-temp").fill("37.8");
  await ph.getByTestId("obs-next").click();
  await ph.getByTestId("obs-spo2").fill("90");
  await ph.getByTestId("obs-next").click();
  for (let i = 0; i < PATIENT_KEYS.length; i++) await ph.getByTestId("obs-answer-no").click();
  await ph.getByTestId("obs-summary").waitFor();
  await ph.getByTestId("obs-submit").click();
  await ph.getByTestId("obs-urgent").waitFor();
  const call = ph.getByTestId("obs-call-hc");
  assert.equal(await call.getAttribute("href"), "tel:0355550144", "the number the administrator saved");
  const box = await call.boundingBox();
  assert.ok(box.height >= 44, `touch target ${box.height}px`);
  for (const [size, viewport] of SIZES) {
    await ph.setViewportSize(viewport);
    await ph.screenshot({ path: path.join(screenshotDir(), `directory-urgent-box-${size}.png`), fullPage: true });
  }
  assert.deepEqual(phoneErrors.filter((e) => !/Failed to load resource/.test(e)), []);
  await phoneContext.close();

  const { page, errors } = await as(STAFF, VIEWPORTS.desktop);
  await page.goto(`${edge.url}/alerts`);
  await page.getByTestId("alert-list").waitFor();
  const card = page.locator(`[data-testid=alert-card][data-case="${observed.id}"]`).first();
  await card.waitFor();
  const tel = card.getByTestId("alert-tel");
  assert.equal(await tel.getAttribute("href"), "tel:09088882222");
  assert.match(await tel.textContent(), /本人に電話する/);
  await card.scrollIntoViewIfNeeded();
  await shots(page, "alert-queue");
  assert.deepEqual(unexpected(errors), []);
});
