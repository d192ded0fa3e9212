// Self-registration of positives in Chromium (issue 21 item 4), browser and server clocks at 2022-10-03 (the limited
// regime): a young person registers on a 390 px phone (/register, no account) — errors at the fields, kept input, a
// future result date refused, offline kept in memory and sent when back — and sees only a receipt number; the
// prefecture's follow-up center at 1280 px finds it in 自己登録の確認 (a table; cards at 390 px), confirms it and prints
// the slip; the phone's /observe signs in with the slip's ID and the birth date. Screenshots at 390 and 1280 px.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startEdge } from "../support/edge.mjs";
import { addVirtualAuthenticator, firstSignIn, launchBrowser, screenshotDir, VIEWPORTS, watchErrors } from "../support/browser.mjs";

const NOW = Date.parse("2022-10-03T01:00:00Z"); // 10:00 JST
let edge;
let browser;
before(async () => {
  edge = await startEdge({ seedDemo: true });
  await edge.setClock(NOW - Date.now());
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await edge?.stop();
});

const shot = (page, name) => page.screenshot({ path: path.join(screenshotDir(), `${name}.png`), fullPage: true });
/** Console errors other than the HTTP refusals the test provokes and the offline attempt. */
const unexpected = (errors) => errors.filter((e) => !/status of (403|409|422|429)|Failed to load resource|net::ERR_/.test(e));

async function contextAt(viewport) {
  const context = await browser.newContext({ viewport });
  await context.clock.install({ time: NOW });
  const page = await context.newPage();
  return { context, page, errors: watchErrors(page) };
}

let phone; // the person's phone, kept for /observe
let receipt;
let sid;

test("a young person registers on a phone: field errors, kept input, offline kept in memory, then only a receipt", async () => {
  phone = await contextAt(VIEWPORTS.phone);
  const { page, context } = phone;
  await page.goto(`${edge.url}/register`);
  await page.getByTestId("reg-form").waitFor();
  assert.match(await page.getByTestId("reg-consent").textContent(), /健康フォローアップセンター.*保健所/s);
  await shot(page, "register-form-phone");

  // Sent empty: every field says what it needs; nothing sent.
  await page.getByTestId("reg-submit").click();
  await page.getByTestId("reg-note").waitFor();
  for (const f of ["consent_version", "name", "furigana", "date_of_birth", "sex", "phone", "postal_code", "address", "result_kind", "result_date"]) {
    assert.ok(await page.getByTestId(`reg-error-${f}`).isVisible(), f);
  }
  await shot(page, "register-errors-phone");

  await page.getByTestId("reg-consent-check").check();
  await page.getByTestId("reg-name").fill("若井 葵");
  await page.getByTestId("reg-furigana").fill("わかい あおい");
  await page.getByTestId("reg-date_of_birth").fill("2001-05-05");
  await page.getByTestId("reg-sex-女").check();
  await page.getByTestId("reg-phone").fill("090-5555-0101");
  await page.getByTestId("reg-postal_code").fill("1600022");
  // The postal code fills the address's municipality (one municipality for this code).
  await page.waitForFunction(() => document.querySelector('[data-testid="reg-address"]').value.startsWith("東京都新宿区"));
  await page.getByTestId("reg-address").fill(`${await page.getByTestId("reg-address").inputValue()}1-2-3`);
  await page.getByTestId("reg-kind-antigen_kit").check();
  // A future result date is refused at the field as the person types, the rest kept.
  await page.getByTestId("reg-result_date").fill("2022-10-05");
  await page.getByTestId("reg-result_date").blur();
  await page.getByTestId("reg-error-result_date").waitFor();
  assert.match(await page.getByTestId("reg-error-result_date").textContent(), /未来/);
  await page.getByTestId("reg-result_date").fill("2022-09-20");
  await page.getByTestId("reg-result_date").blur();
  assert.match(await page.getByTestId("reg-error-result_date").textContent(), /2022年9月26日から2023年5月7日/);
  await page.getByTestId("reg-result_date").fill("2022-10-02");
  assert.equal(await page.getByTestId("reg-error-result_date").count(), 0);
  assert.equal(await page.getByTestId("reg-error-name").count(), 0);

  // Offline: it cannot be sent; everything typed stays on the screen.
  await context.setOffline(true);
  await page.getByTestId("reg-submit").click();
  await page.getByTestId("reg-note").filter({ hasText: "電波がない" }).waitFor();
  assert.equal(await page.getByTestId("reg-name").inputValue(), "若井 葵");
  assert.equal(await page.getByTestId("reg-result_date").inputValue(), "2022-10-02");
  await shot(page, "register-offline-phone");
  const stored = await page.evaluate(() => JSON.stringify({ ...localStorage }) + JSON.stringify({ ...sessionStorage }));
  assert.ok(!stored.includes("若井") && !stored.includes("5555"), "nothing personal on the device");

  await context.setOffline(false);
  await page.getByTestId("reg-submit").click();
  await page.getByTestId("reg-done").waitFor();
  receipt = (await page.getByTestId("reg-receipt").textContent()).trim();
  assert.match(receipt, /^R[2-9A-Z]{5}-[2-9A-Z]{5}$/);
  assert.ok(!(await page.getByTestId("reg-done").textContent()).includes("若井"), "only the receipt comes back");
  assert.ok(!page.url().includes("若井") && !page.url().includes(receipt));
  await shot(page, "register-done-phone");
  // The public page is the light patient entry (no staff application).
  const scripts = await page.evaluate(() => [...document.scripts].map((s) => s.src).join(" "));
  assert.match(scripts, /observe-/);
  assert.deepEqual(unexpected(phone.errors), []);
});

test("the follow-up center confirms it at 1280 px and prints the slip; the queue is cards at 390 px", async () => {
  assert.ok(receipt, "the registration above");
  const { page, context, errors } = await contextAt(VIEWPORTS.desktop);
  try {
    await addVirtualAuthenticator(page);
    await firstSignIn(page, edge.url, "followup@tokyo.demo");
    await page.getByRole("link", { name: /自己登録の確認/ }).click();
    await page.getByTestId("sr-list").waitFor();
    const row = page.getByTestId("sr-row").filter({ hasText: receipt });
    assert.equal(await row.count(), 1);
    assert.match(await row.textContent(), /若井 葵.*確認待ち/s);
    await shot(page, "self-registrations-desktop");
    await page.setViewportSize(VIEWPORTS.phone);
    await shot(page, "self-registrations-phone");
    await page.setViewportSize(VIEWPORTS.desktop);

    await row.getByTestId("sr-open").click();
    await page.getByTestId("sr-detail").waitFor();
    assert.match(await page.getByTestId("sr-fields").textContent(), /ワカイ　アオイ.*09055550101.*東京都新宿区.*1-2-3.*2022-10-02/s);
    await shot(page, "self-registration-detail-desktop");
    await page.getByTestId("sr-confirm").click();
    await page.getByTestId("sr-confirmed").waitFor();
    assert.match(await page.getByTestId("sr-confirmed").textContent(), /健康観察を開始.*2022-10-03〜2022-10-11/);
    await shot(page, "self-registration-confirmed-desktop");
    await page.getByTestId("sr-slip").click();
    await page.getByTestId("slip").waitFor();
    sid = (await page.getByTestId("slip-id").textContent()).replace(/\D/g, "");
    assert.match(sid, /^\d{10}$/);
    assert.match(await page.getByTestId("slip-name").textContent(), /若井 葵/);
    assert.match(await page.getByTestId("slip-hc").textContent(), /新宿区保健所/);
    await shot(page, "self-registration-slip-desktop");
    // Back goes to the queue (the follow-up center has no record pages).
    await page.getByTestId("slip-back").click();
    await page.getByTestId("sr-heading").waitFor();
    assert.deepEqual(unexpected(errors), []);
  } finally {
    await context.close();
  }
});

test("the phone's /observe signs in with the slip's ID and the birth date", async () => {
  assert.ok(sid, "the slip above");
  const { page } = phone;
  await page.goto(`${edge.url}/observe#id=${sid}`);
  await page.getByTestId("obs-sid").waitFor();
  await page.getByTestId("obs-dob-y").fill("2001");
  await page.getByTestId("obs-dob-m").fill("5");
  await page.getByTestId("obs-dob-d").fill("5");
  await page.getByTestId("obs-start").click();
  await page.locator(".obs-hc").filter({ hasText: "新宿区保健所" }).waitFor();
  await shot(page, "self-registration-observe-phone");
  assert.deepEqual(unexpected(phone.errors), []);
  await phone.context.close();
});
