// Counts by age band in Chromium (issue 21): a clinic enters a day's totals on a phone (390 px) by taps, starting
// from its notified case; a band below its notified count is refused at the field with the input kept; saved while
// offline it is kept on the device encrypted and sent once when the network is back; the FAX sheet prints; the health
// center sees the clinic as reported (late: the day is long past) and the dashboard sums it. Screenshots at 390 and
// 1280 px.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startEdge } from "../support/edge.mjs";
import { insertRecord } from "../support/shards.mjs";
import { launchBrowser, screenshotDir, signedInSessions, VIEWPORTS } from "../support/browser.mjs";

const DAY = "2022-10-01";
let edge;
let browser;
before(async () => {
  edge = await startEdge({ seedDemo: true });
  browser = await launchBrowser();
  // The clinic's notified case of the day (a 32-year-old: 30代), as the count reads it.
  insertRecord(edge, { id: "n_e2e_counts", sql: (seq) => `INSERT INTO notifications (seq, id, form_version, body, category, patient_name, furigana_key, date_of_birth, phone_digits, institution_id, filed_by_user_id, filed_at, pref_code, health_center_id, routing_reason) VALUES (${seq}, 'n_e2e_counts', '2021-11-29', '{"version":"2021-11-29","diagnosis_date":"${DAY}"}', 'confirmed_patient', 'x', 'x', '1990-01-01', '', 'inst_demo_shinjuku', 'u_demo_doctor_shinjuku', ${Date.now()}, '13', 'HC13104', 'test')` });
});
after(async () => {
  await browser?.close();
  await edge?.stop();
});

const as = signedInSessions(() => browser, () => edge.url, VIEWPORTS.desktop);
const shot = (page, name) => page.screenshot({ path: path.join(screenshotDir(), `${name}.png`), fullPage: true });
const row = (page, band) => page.locator(`[data-testid="band-row"][data-band="${band}"]`);

test("a clinic enters the day's totals by taps on a phone, offline too, sent once; prints the FAX sheet", async () => {
  const { page, context, errors } = await as("doctor@shinjuku-clinic.demo", VIEWPORTS.phone);
  await page.goto(`${edge.url}/daily`);
  await page.getByTestId("daily-page").waitFor();
  await page.getByTestId("daily-day").fill(DAY);
  // The screen starts from the notified case.
  await row(page, "30-39").getByTestId("band-floor").waitFor();
  assert.equal(await row(page, "30-39").getByTestId("band-floor").textContent(), "うち届出 1人");
  assert.equal(await row(page, "30-39").getByTestId("band-input").inputValue(), "1");
  assert.match(await page.getByTestId("daily-deadline").textContent(), /2022\/10\/2 10:00.*締切を過ぎています/);
  // Below the notified count: refused at the field, the input kept.
  await row(page, "30-39").getByTestId("band-input").fill("0");
  assert.match(await row(page, "30-39").getByTestId("band-error").textContent(), /発生届を出した人数（1）以上/);
  assert.equal(await row(page, "30-39").getByTestId("band-input").inputValue(), "0");
  await row(page, "30-39").getByTestId("band-input").fill("1");
  // Taps: two more in 30代, one in 70代; 20代 typed in full-width digits.
  await row(page, "30-39").getByTestId("band-plus").click();
  await row(page, "30-39").getByTestId("band-plus").click();
  await row(page, "70-79").getByTestId("band-plus").click();
  await row(page, "20-29").getByTestId("band-input").fill("２");
  assert.equal(await page.getByTestId("daily-total").textContent(), "合計 6人");
  // Every control a finger can hit: 48 px.
  const box = await row(page, "30-39").getByTestId("band-plus").boundingBox();
  assert.ok(box.height >= 48 && box.width >= 48, JSON.stringify(box));
  await shot(page, "counts-daily-390");

  // Offline: kept on the device, encrypted; nothing on the server yet.
  await context.setOffline(true);
  await page.getByTestId("daily-save").click();
  await page.getByTestId("daily-message").filter({ hasText: "暗号化して保存" }).waitFor();
  assert.match(await page.getByTestId("daily-pending").textContent(), /2022-10-01/);
  assert.equal(edge.d1("SELECT COUNT(*) AS n FROM daily_totals")[0].n, 0);
  const stored = await page.evaluate(() => Object.entries(localStorage).filter(([k]) => k.startsWith("hersys-daily-outbox")));
  assert.equal(stored.length, 1);
  assert.ok(!stored[0][1].includes("30-39") && JSON.parse(stored[0][1]).ct, "the outbox is sealed");
  await shot(page, "counts-daily-offline-390");
  // Back online: sent by itself, once.
  await context.setOffline(false);
  await page.getByTestId("daily-message").filter({ hasText: "送信しました" }).waitFor({ timeout: 30_000 });
  await page.getByTestId("daily-stored").waitFor();
  const rows = edge.d1("SELECT counts, total, version, late FROM daily_totals WHERE institution_id = 'inst_demo_shinjuku'");
  assert.equal(rows.length, 1);
  assert.deepEqual([rows[0].total, rows[0].version, rows[0].late], [6, 1, 1]);
  assert.deepEqual(JSON.parse(rows[0].counts), [0, 0, 0, 0, 2, 3, 0, 0, 0, 1, 0, 0]);
  assert.equal(edge.d1("SELECT COUNT(*) AS n FROM daily_total_versions")[0].n, 1);
  assert.equal(await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("hersys-daily-outbox")).length), 0);
  // Saved again online: the same counts change nothing.
  await page.getByTestId("daily-save").click();
  await page.getByTestId("daily-message").filter({ hasText: "変更なし" }).waitFor();
  assert.equal(edge.d1("SELECT version FROM daily_totals")[0].version, 1);

  // The FAX sheet (print media, A4).
  await page.setViewportSize(VIEWPORTS.desktop);
  await shot(page, "counts-daily-1280");
  await page.emulateMedia({ media: "print" });
  const sheet = page.getByTestId("fax-sheet");
  assert.ok(await sheet.isVisible());
  assert.ok(!(await page.getByTestId("daily-save").isVisible()), "the form is not printed");
  const text = await sheet.textContent();
  for (const s of ["日次報告（FAX送信用）", "新宿みなみクリニック", "新宿区保健所", DAY, "2022/10/2 10:00（翌日10時）"]) assert.ok(text.includes(s), s);
  assert.equal(await sheet.getByTestId("band-table-total").textContent(), "6");
  const pdf = await page.pdf({ format: "A4" });
  assert.equal((pdf.toString("latin1").match(/\/Type\s*\/Page[^s]/g) ?? []).length, 1, "one A4 page");
  await shot(page, "counts-fax-print");
  await page.emulateMedia({ media: "screen" });
  assert.deepEqual(errors.filter((e) => !/status of (403|409|422)|ERR_INTERNET_DISCONNECTED|Failed to fetch/.test(e)), []);
});

test("the health center sees the clinic as reported (late), and the dashboard sums it; the sentinel designation page", async () => {
  const { page, errors } = await as("staff@shinjuku-hc.demo", VIEWPORTS.desktop);
  await page.goto(`${edge.url}/counts/daily`);
  await page.getByTestId("daily-status-page").waitFor();
  await page.getByTestId("status-day").fill(DAY);
  const clinic = page.locator('[data-testid="status-row"][data-institution="inst_demo_shinjuku"]');
  await clinic.getByTestId("status-state").filter({ hasText: "報告済み" }).waitFor();
  assert.equal(await clinic.getByTestId("status-state").textContent(), "報告済み（締切後）");
  assert.match(await clinic.textContent(), /6人/);
  assert.equal(await page.getByTestId("status-reported").textContent(), "1/ 1 機関");
  await shot(page, "counts-status-1280");
  await page.setViewportSize(VIEWPORTS.phone);
  await shot(page, "counts-status-390");

  await page.setViewportSize(VIEWPORTS.desktop);
  await page.goto(`${edge.url}/counts`);
  await page.getByTestId("counts-page").waitFor();
  await page.getByTestId("preset-2022-10").click();
  const day = page.locator(`[data-testid="counts-day"][data-day="${DAY}"]`);
  await day.waitFor();
  assert.equal(await day.getByTestId("counts-day-total").textContent(), "6");
  await page.getByTestId("counts-bars").waitFor();
  await shot(page, "counts-dashboard-1280");
  await page.setViewportSize(VIEWPORTS.phone);
  await shot(page, "counts-dashboard-390");

  await page.goto(`${edge.url}/counts/sentinel`);
  const site = page.locator('[data-testid="site-row"][data-institution="inst_demo_shinjuku"]');
  await site.waitFor();
  await page.getByTestId("sites-week").fill("2023-05-08");
  await site.getByTestId("site-designate").click();
  await page.getByTestId("sites-message").filter({ hasText: "指定しました" }).waitFor();
  await site.getByTestId("site-state").filter({ hasText: "指定中" }).waitFor();
  assert.equal(edge.d1("SELECT from_week FROM sentinel_sites")[0].from_week, "2023-05-08");
  await shot(page, "counts-sites-390");
  await page.setViewportSize(VIEWPORTS.desktop);
  await shot(page, "counts-sites-1280");
  assert.deepEqual(errors.filter((e) => !/status of (403|409|422)/.test(e)), []);
});

test("the designated clinic reports its week on /sentinel", async () => {
  const { page, errors } = await as("doctor@shinjuku-clinic.demo", VIEWPORTS.phone);
  errors.length = 0; // the first test's offline requests
  await page.goto(`${edge.url}/sentinel`);
  await page.getByTestId("sentinel-page").waitFor();
  // The default week (last week) is designated too: wait for the chosen week's report before tapping.
  const loaded = page.waitForResponse((r) => r.url().endsWith("/api/sentinel/reports/2023-05-15"));
  await page.getByTestId("sentinel-week").fill("2023-05-15");
  await loaded;
  await row(page, "0-9").getByTestId("band-plus").waitFor();
  await page.waitForTimeout(200);
  await row(page, "0-9").getByTestId("band-plus").click();
  await row(page, "20-29").getByTestId("band-input").fill("3");
  await page.getByTestId("sentinel-save").click();
  await page.getByTestId("sentinel-message").filter({ hasText: "送信しました" }).waitFor();
  assert.equal(edge.d1("SELECT total FROM sentinel_reports WHERE week = '2023-05-15'")[0].total, 4);
  await shot(page, "counts-sentinel-390");
  assert.deepEqual(errors.filter((e) => !/status of (403|409|422)/.test(e)), []);
});
