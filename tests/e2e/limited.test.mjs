// The limited notification of 2022-09-26 in Chromium (issue 21), the browser's and the worker's clocks at
// 2022-10-01 10:00 JST, at 390 px and 1280 px: the form is the limited one (its banner), a 70-year-old gets group
// (1) 65歳以上 ticked from the birth date, the confirm sheet shows the limited form's title and the group ticked, the
// filing answers 201 and the record's 発生届 tab shows it; a 30-year-old in no group sees that the case is not
// notified, with a link to 日次報告 (/daily), and cannot go on to 確認. Screenshots of the form, the confirm sheet and
// its print view.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startEdge } from "../support/edge.mjs";
import {
  addVirtualAuthenticator, firstSignIn, launchBrowser, screenshotDir, VIEWPORTS, watchErrors,
} from "../support/browser.mjs";

const NOW = Date.parse("2022-10-01T01:00:00Z");

let edge;
let browser;
before(async () => {
  edge = await startEdge({ seedDemo: true });
  browser = await launchBrowser();
  await edge.setClock(NOW - Date.now());
});
after(async () => {
  await browser?.close();
  await edge?.stop();
});

const shot = (page, name) => page.screenshot({ path: path.join(screenshotDir(), `${name}.png`), fullPage: true });
const field = (page, p) => page.locator(`[data-path="${p}"]`);
const choose = (page, p, label) => field(page, p).getByRole("button", { name: label, exact: true }).click();
const type = (page, label, text) => page.getByLabel(label, { exact: true }).fill(text);

async function valueOf(locator, ok, timeout = 10000) {
  const end = Date.now() + timeout;
  for (;;) {
    const v = await locator.inputValue();
    if (ok(v) || Date.now() > end) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
}

async function freshForm(page) {
  await page.goto(`${edge.url}/notifications/new`);
  await page.locator('[data-testid="notification-form"][data-draft-checked="true"]').waitFor();
  if (await page.getByTestId("draft-restored").count()) await page.getByRole("button", { name: "下書きを破棄" }).click();
}

/** Fills a confirmed case diagnosed today (the browser's 2022-10-01) for a man born on `dob`. */
async function fillCase(page, { name, furigana, dob }) {
  await choose(page, "category", "患者（確定例）");
  await type(page, "当該者氏名", name);
  await type(page, "フリガナ", furigana);
  await choose(page, "patient.sex", "男");
  await type(page, "生年月日", dob);
  await type(page, "職業", "無職");
  await type(page, "住所 郵便番号", "1600023");
  const address = page.getByLabel("住所", { exact: true });
  const filled = await valueOf(address, (v) => v.startsWith("東京都新宿区西新宿"));
  await type(page, "住所", `${filled}二丁目8番1号`);
  await type(page, "住所 電話番号", "090-1234-5678");
  await choose(page, "symptoms.present", "発熱");
  await choose(page, "tests[0].method", "核酸増幅法（PCR・LAMP等）");
  await choose(page, "tests[0].specimen", "鼻咽頭拭い液");
  await choose(page, "tests[0].result", "陽性");
  const today = await page.getByLabel("診断（検案）年月日", { exact: true }).inputValue();
  assert.match(today, /^2022-?10-?01$/, "the form's today is the browser's clock");
  await type(page, "初診年月日", today);
  await type(page, "発病年月日", today);
  await choose(page, "other.severity", "軽症");
  await page.getByTestId("all-no").click();
  await choose(page, "vaccination[0].status", "不明");
}

for (const [size, viewport, login] of [
  ["phone", VIEWPORTS.phone, "doctor@shinjuku-clinic.demo"],
  ["desktop", VIEWPORTS.desktop, "doctor@setagaya-clinic.demo"],
]) {
  test(`${size}: on 2022-10-01 a 70-year-old is filed on the limited form with group (1) ticked from the age; a 30-year-old in no group is sent to 日次報告`, async () => {
    const context = await browser.newContext({ viewport });
    await context.clock.install({ time: NOW });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await addVirtualAuthenticator(page);
    try {
      await firstSignIn(page, edge.url, login);
      errors.length = 0;
      await freshForm(page);
      await page.getByTestId("regime-limited").waitFor();
      assert.match(await page.getByTestId("regime-limited").textContent(), /届出の対象を限定した発生届/);
      await fillCase(page, { name: `制度 高齢${size}`, furigana: "せいど こうれい", dob: "1952-05-01" });
      const g1 = page.locator("#f-target-groups-aged-65-or-over");
      await g1.waitFor();
      assert.ok(await g1.isChecked(), "group (1) ticked from the age");
      assert.ok(await g1.isDisabled(), "group (1) follows the age, not a tap");
      // Group (4) is not offered for a man; (2) and the two options of (3) are.
      assert.equal(await page.locator("#f-target-groups-pregnant").count(), 0);
      for (const id of ["needs-admission", "risk-needs-treatment-drug", "risk-needs-new-oxygen"]) {
        assert.equal(await page.locator(`#f-target-groups-${id}`).count(), 1, id);
      }
      const box = await page.locator('[data-path="target_groups.needs_admission"] label.check').boundingBox();
      assert.ok(box.height >= 48, `a group's tick is a large target (${box.height})`);
      await page.locator("#sec-category").scrollIntoViewIfNeeded();
      await shot(page, `limited-form-${size}`);
      await page.getByTestId("to-confirm").click();
      await page.getByTestId("confirm").waitFor();
      const sheet = page.getByTestId("form-sheet");
      const text = await sheet.textContent();
      assert.match(text, /届出対象限定/);
      assert.match(text, /☑（１）65歳以上の者/);
      assert.match(text, /☐（２）入院を要する者/);
      await shot(page, `limited-confirm-${size}`);
      await page.emulateMedia({ media: "print" });
      await shot(page, `limited-print-${size}`);
      await page.emulateMedia({ media: "screen" });
      if (await page.getByTestId("ack-warnings").count()) await page.getByTestId("ack-warnings").click();
      const [answer] = await Promise.all([
        page.waitForResponse((r) => r.url().endsWith("/api/notifications") && r.request().method() === "POST"),
        page.getByTestId("submit").click(),
      ]);
      assert.equal(answer.status(), 201);
      await page.getByTestId("filed").waitFor();
      const id = (await answer.json()).id;
      // The record's 発生届 tab shows the stored limited notification.
      await page.goto(`${edge.url}/records/${id}`);
      await page.getByTestId("record").waitFor();
      const stored = page.getByTestId("form-sheet");
      await stored.waitFor();
      assert.match(await stored.textContent(), /☑（１）65歳以上の者/);

      // A 30-year-old in no group: the notice with its link to /daily, and 確認 is refused.
      await freshForm(page);
      await fillCase(page, { name: `制度 若年${size}`, furigana: "せいど じゃくねん", dob: "1992-05-01" });
      assert.equal(await page.locator("#f-target-groups-aged-65-or-over").count(), 0, "group (1) not offered under 65");
      const notice = page.getByTestId("not-notifiable");
      await notice.waitFor();
      assert.match(await notice.textContent(), /この方は発生届の対象外です（2022年9月26日以降）。日次報告で人数を報告してください/);
      assert.equal(await page.getByTestId("to-daily").getAttribute("href"), "/daily");
      await page.getByTestId("to-confirm").click();
      await page.getByTestId("findings").waitFor();
      assert.match(await page.getByTestId("findings").textContent(), /発生届の対象外/);
      assert.equal(await page.getByTestId("confirm").count(), 0, "cannot go on to 確認");
      // What was typed stays.
      assert.equal(await page.getByLabel("当該者氏名", { exact: true }).inputValue(), `制度 若年${size}`);
      await notice.scrollIntoViewIfNeeded();
      await shot(page, `limited-not-notifiable-${size}`);
      // Ticking group (2) lifts it.
      await page.locator("#f-target-groups-needs-admission").check();
      await page.getByTestId("not-notifiable").waitFor({ state: "detached" });
      assert.deepEqual(errors.filter((e) => !/status of (401|409|422)/.test(e)), []);
    } finally {
      await context.close();
    }
  });
}
