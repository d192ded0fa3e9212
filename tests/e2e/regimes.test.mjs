// Every regime of shared::regime walked end to end in Chromium (issue 21), once at 390 px and once at 1280 px, each on
// a fresh worker, with the worker's and the browsers' clocks moved together:
// - 2022-10-01 10:00 JST (four groups and daily totals): a doctor files a 70-year-old on the limited form (group (1)
//   from the age) and adds the day's totals starting from that notified case; a young person self-registers an
//   antigen-kit result on the public page and the prefecture's follow-up center confirms it;
// - 2023-05-16 10:00 JST (category 5): Setagaya's health center designates its clinic a sentinel site, which reports
//   the week of 2023-05-08;
// - the dashboards of the health center, the prefecture and the nation show the sums without double counting: the
//   day's total (which includes the notified case) plus the confirmed self-registration, and the sentinel figure per
//   site.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startEdge } from "../support/edge.mjs";
import { addVirtualAuthenticator, firstSignIn, launchBrowser, screenshotDir, VIEWPORTS, watchErrors } from "../support/browser.mjs";

const OCT_1 = Date.parse("2022-10-01T01:00:00Z");
const MAY_16 = Date.parse("2023-05-16T01:00:00Z");

let browser;
before(async () => {
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
});

const shot = (page, name) => page.screenshot({ path: path.join(screenshotDir(), `${name}.png`), fullPage: true });
const field = (page, p) => page.locator(`[data-path="${p}"]`);
const choose = (page, p, label) => field(page, p).getByRole("button", { name: label, exact: true }).click();
const type = (page, label, text) => page.getByLabel(label, { exact: true }).fill(text);
const band = (page, key) => page.locator(`[data-testid="band-row"][data-band="${key}"]`);
/** Console errors other than refusals and offline attempts. */
const unexpected = (errors) => errors.filter((e) => !/status of (403|409|422|429)|Failed to load resource|net::ERR_/.test(e));

/** A browser context at `time` (its clock installed), signed in as `login` when given. */
async function person(edge, viewport, time, login) {
  const context = await browser.newContext({ viewport });
  await context.clock.install({ time });
  const page = await context.newPage();
  const errors = watchErrors(page);
  if (login) {
    await addVirtualAuthenticator(page);
    await firstSignIn(page, edge.url, login);
  }
  errors.length = 0;
  return { context, page, errors };
}

async function fileSeventyYearOld(page, edge, size) {
  await page.goto(`${edge.url}/notifications/new`);
  await page.locator('[data-testid="notification-form"][data-draft-checked="true"]').waitFor();
  await page.getByTestId("regime-limited").waitFor();
  await choose(page, "category", "患者（確定例）");
  await type(page, "当該者氏名", `制度 通し${size}`);
  await type(page, "フリガナ", "せいど とおし");
  await choose(page, "patient.sex", "女");
  await type(page, "生年月日", "1952-04-01");
  await type(page, "職業", "無職");
  await type(page, "住所 郵便番号", "1600023");
  const address = page.getByLabel("住所", { exact: true });
  await page.waitForFunction(() => [...document.querySelectorAll("input")].some((i) => i.value.startsWith("東京都新宿区西新宿")));
  await type(page, "住所", `${await address.inputValue()}二丁目8番1号`);
  await type(page, "住所 電話番号", "090-7777-0001");
  await choose(page, "symptoms.present", "発熱");
  await choose(page, "tests[0].method", "核酸増幅法（PCR・LAMP等）");
  await choose(page, "tests[0].specimen", "鼻咽頭拭い液");
  await choose(page, "tests[0].result", "陽性");
  const today = await page.getByLabel("診断（検案）年月日", { exact: true }).inputValue();
  await type(page, "初診年月日", today);
  await type(page, "発病年月日", today);
  await choose(page, "other.severity", "軽症");
  await page.getByTestId("all-no").click();
  await choose(page, "vaccination[0].status", "不明");
  const g1 = page.locator("#f-target-groups-aged-65-or-over");
  await g1.waitFor();
  assert.ok(await g1.isChecked(), "group (1) ticked from the age");
  await page.getByTestId("to-confirm").click();
  await page.getByTestId("confirm").waitFor();
  assert.match(await page.getByTestId("form-sheet").textContent(), /☑（１）65歳以上の者/);
  if (await page.getByTestId("ack-warnings").count()) await page.getByTestId("ack-warnings").click();
  const [answer] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith("/api/notifications") && r.request().method() === "POST"),
    page.getByTestId("submit").click(),
  ]);
  assert.equal(answer.status(), 201, await answer.text());
  await page.getByTestId("filed").waitFor();
  await shot(page, `regimes-filed-${size}`);
}

for (const [size, viewport] of [["phone", VIEWPORTS.phone], ["desktop", VIEWPORTS.desktop]]) {
  test(`${size}: 2022-10-01 limited notification, daily totals and a confirmed self-registration; 2023-05 sentinel week; the dashboards' sums`, async () => {
    const edge = await startEdge({ seedDemo: true });
    const opened = [];
    try {
      // ---- 2022-10-01: the limited regime ------------------------------------------------------------------------
      await edge.setClock(OCT_1 - Date.now());
      const doctor = await person(edge, viewport, OCT_1, "doctor@shinjuku-clinic.demo");
      opened.push(doctor);
      await fileSeventyYearOld(doctor.page, edge, size);

      // The day's totals start from the notified case (70代) and add two people in their 20s by taps.
      await doctor.page.goto(`${edge.url}/daily`);
      await doctor.page.getByTestId("daily-page").waitFor();
      await doctor.page.getByTestId("daily-day").fill("2022-10-01");
      await band(doctor.page, "70-79").getByTestId("band-floor").waitFor();
      assert.equal(await band(doctor.page, "70-79").getByTestId("band-input").inputValue(), "1");
      assert.doesNotMatch(await doctor.page.getByTestId("daily-deadline").textContent(), /過ぎています/, "on the day, before its deadline");
      await doctor.page.waitForTimeout(300); // the day's report (none) settles before the first tap
      await band(doctor.page, "20-29").getByTestId("band-plus").click();
      await doctor.page.getByTestId("daily-total").filter({ hasText: "合計 2人" }).waitFor();
      await band(doctor.page, "20-29").getByTestId("band-plus").click();
      await doctor.page.getByTestId("daily-total").filter({ hasText: "合計 3人" }).waitFor();
      await doctor.page.getByTestId("daily-save").click();
      await doctor.page.getByTestId("daily-message").filter({ hasText: "送信しました" }).waitFor();
      await shot(doctor.page, `regimes-daily-${size}`);
      const daily = edge.d1("SELECT total, late FROM daily_totals WHERE day = '2022-10-01'");
      assert.deepEqual(daily, [{ total: 3, late: 0 }]);

      // A young person tested positive with an antigen kit registers on the public page (no account).
      const young = await person(edge, viewport, OCT_1);
      opened.push(young);
      const r = young.page;
      await r.goto(`${edge.url}/register`);
      await r.getByTestId("reg-form").waitFor();
      await r.getByTestId("reg-consent-check").check();
      await r.getByTestId("reg-name").fill(`若者 ${size}`);
      await r.getByTestId("reg-furigana").fill("わかもの");
      await r.getByTestId("reg-date_of_birth").fill("2003-06-06");
      await r.getByTestId("reg-sex-男").check();
      await r.getByTestId("reg-phone").fill("090-5555-0202");
      await r.getByTestId("reg-postal_code").fill("1600022");
      await r.waitForFunction(() => document.querySelector('[data-testid="reg-address"]').value.startsWith("東京都新宿区"));
      await r.getByTestId("reg-address").fill(`${await r.getByTestId("reg-address").inputValue()}2-2-2`);
      await r.getByTestId("reg-kind-antigen_kit").check();
      await r.getByTestId("reg-result_date").fill("2022-10-01");
      await r.getByTestId("reg-submit").click();
      await r.getByTestId("reg-done").waitFor();
      const receipt = (await r.getByTestId("reg-receipt").textContent()).trim();
      assert.ok(receipt.length > 0);
      await shot(r, `regimes-registered-${size}`);

      // The prefecture's follow-up center confirms it: a patient record with health observation.
      const center = await person(edge, viewport, OCT_1, "followup@tokyo.demo");
      opened.push(center);
      await center.page.getByRole("link", { name: /自己登録の確認/ }).click();
      const row = center.page.getByTestId("sr-row").filter({ hasText: receipt });
      await row.waitFor();
      await row.getByTestId("sr-open").click();
      await center.page.getByTestId("sr-confirm").click();
      await center.page.getByTestId("sr-confirmed").waitFor();
      assert.match(await center.page.getByTestId("sr-confirmed").textContent(), /健康観察を開始/);
      await shot(center.page, `regimes-confirmed-${size}`);

      // ---- 2023-05-16: category 5, sentinel reports ---------------------------------------------------------------
      await edge.setClock(MAY_16 - Date.now());
      const setagayaHc = await person(edge, viewport, MAY_16, "staff@setagaya-hc.demo");
      opened.push(setagayaHc);
      await setagayaHc.page.goto(`${edge.url}/counts/sentinel`);
      const site = setagayaHc.page.locator('[data-testid="site-row"][data-institution="inst_demo_setagaya"]');
      await site.waitFor();
      await setagayaHc.page.getByTestId("sites-week").fill("2023-05-08");
      await site.getByTestId("site-designate").click();
      await site.getByTestId("site-state").filter({ hasText: "指定中" }).waitFor();

      const sentinel = await person(edge, viewport, MAY_16, "doctor@setagaya-clinic.demo");
      opened.push(sentinel);
      await sentinel.page.goto(`${edge.url}/sentinel`);
      await sentinel.page.getByTestId("sentinel-page").waitFor();
      const loaded = sentinel.page.waitForResponse((x) => x.url().endsWith("/api/sentinel/reports/2023-05-08"));
      await sentinel.page.getByTestId("sentinel-week").fill("2023-05-08");
      await loaded;
      await band(sentinel.page, "15-19").getByTestId("band-plus").waitFor();
      await sentinel.page.waitForTimeout(300); // the week's report (none) settles before typing
      await band(sentinel.page, "15-19").getByTestId("band-input").fill("1");
      await band(sentinel.page, "20-29").getByTestId("band-input").fill("4");
      for (const [key, v] of [["15-19", "1"], ["20-29", "4"]]) {
        assert.equal(await band(sentinel.page, key).getByTestId("band-input").inputValue(), v, key);
      }
      await sentinel.page.getByTestId("sentinel-save").click();
      await sentinel.page.getByTestId("sentinel-message").filter({ hasText: "送信しました" }).waitFor();
      assert.deepEqual(edge.d1("SELECT total FROM sentinel_reports WHERE week = '2023-05-08'"), [{ total: 5 }]);
      await shot(sentinel.page, `regimes-sentinel-${size}`);

      // ---- the dashboards ----------------------------------------------------------------------------------------
      // 2022-10-01: the daily total 3 (the notified 70-year-old is one of them) + 1 confirmed antigen-kit registrant.
      for (const [login, area, weekly] of [
        ["staff@shinjuku-hc.demo", "health center", false],
        ["pref@tokyo.demo", "prefecture", true],
        ["mhlw@national.demo", "nation", true],
      ]) {
        const viewer = await person(edge, viewport, MAY_16, login);
        opened.push(viewer);
        const p = viewer.page;
        await p.goto(`${edge.url}/counts`);
        await p.getByTestId("counts-page").waitFor();
        await p.getByTestId("preset-2022-10").click();
        const day = p.locator('[data-testid="counts-day"][data-day="2022-10-01"]');
        await day.waitFor();
        assert.equal(await day.getByTestId("counts-day-total").textContent(), "4", `${area}: 3 daily + 1 self-registered`);
        await shot(p, `regimes-dashboard-${login.split("@")[0]}-${size}`);
        if (weekly) {
          await p.getByTestId("counts-from").fill("2023-05-08");
          await p.getByTestId("counts-to").fill("2023-05-14");
          const week = p.getByTestId("counts-week").filter({ hasText: "2023-05-08" });
          await week.waitFor();
          assert.equal(await week.getByTestId("per-site").textContent(), "5.00", `${area}: 5 reports ÷ 1 site`);
        }
        assert.deepEqual(unexpected(viewer.errors), [], area);
      }
      for (const o of opened) assert.deepEqual(unexpected(o.errors), []);
    } finally {
      for (const o of opened) await o.context.close();
      await edge.stop();
    }
  });
}
