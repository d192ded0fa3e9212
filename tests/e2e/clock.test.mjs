// Keys kept on a device for offline work, judged by the device's clock moved forwards and backwards (Playwright's
// clock in Chromium) together with the worker's (PUT /api/test/clock):
//   - the drive-through tablet's device key (app/js/vault.js): usable offline for 12 hours from when it was kept,
//     never when the clock reads earlier than that moment (a clock set back cannot stretch it);
//   - the filing draft's key (app/js/bridge.js): the same 12 hours, so a session that simply ran out does not leave
//     the key behind for ever; the draft itself stays (encrypted) and opens again after the next sign-in.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEdge } from "../support/edge.mjs";
import { addVirtualAuthenticator, firstSignIn, launchBrowser, signIn, VIEWPORTS, watchErrors } from "../support/browser.mjs";

const MIN = 60_000;
const HOUR = 60 * MIN;

let edge;
let browser;
before(async () => {
  edge = await startEdge({ seedDemo: true });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await edge?.stop();
});

/** The kept keys of the drive-through store (count only). */
const keptDeviceKeys = (page) => page.evaluate(async () => {
  const req = (r) => new Promise((res, rej) => { r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
  if (!(await indexedDB.databases()).some((d) => d.name === "hersys-drive")) return 0;
  const db = await req(indexedDB.open("hersys-drive"));
  const n = await req(db.transaction("keys", "readonly").objectStore("keys").count());
  db.close();
  return n;
});

test("tablet: the kept device key lasts 12 hours on the device's clock; a clock set back ends it too; nothing is lost", async () => {
  const start = Date.now();
  const context = await browser.newContext({ viewport: VIEWPORTS.tablet });
  await context.clock.install({ time: start });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await addVirtualAuthenticator(page);
  try {
    await firstSignIn(page, edge.url, "doctor@setagaya-clinic.demo");
    await page.getByRole("link", { name: /ドライブスルー検査/ }).click();
    await page.getByTestId("site-form").waitFor();
    await page.getByLabel("会場名（必須）").fill("時計台前");
    await page.getByTestId("site-save").click();
    await page.getByTestId("drive-queue").waitFor();
    await context.setOffline(true);
    await page.getByRole("button", { name: /受付する/ }).first().click();
    await page.getByTestId("capture-form").waitFor();
    await page.getByLabel("氏名（必須）").fill("時計 進一");
    await page.locator("#d-method").getByRole("button", { name: "抗原定性" }).click();
    await page.locator("#d-specimen").getByRole("button", { name: "鼻腔拭い液" }).click();
    await page.getByTestId("collected-now").click();
    await page.getByTestId("capture-save").click();
    await page.getByTestId("label-view").waitFor();
    assert.equal(await keptDeviceKeys(page), 1);

    // Forwards: 11 h 50 min later the kept key still opens the store offline…
    await context.clock.setSystemTime(start + 11 * HOUR + 50 * MIN);
    await page.reload();
    await page.getByTestId("drive-queue").waitFor();
    await page.getByText("時計 進一").first().waitFor();
    // …12 h 1 min later it does not, and it is wiped.
    await context.clock.setSystemTime(start + 12 * HOUR + MIN);
    await page.reload();
    await page.getByTestId("drive-locked").waitFor();
    assert.equal(await keptDeviceKeys(page), 0, "the expired key was wiped");

    // The worker's clock moved as far: the staff session (12 hours) is over too, so online means signing in again.
    await edge.setClock(12 * HOUR + MIN);
    await context.setOffline(false);
    await signIn(page, edge.url, "doctor@setagaya-clinic.demo");
    await page.getByRole("link", { name: /ドライブスルー検査/ }).click();
    await page.getByTestId("drive-queue").waitFor();
    await page.getByText("時計 進一").first().waitFor();
    assert.equal(await keptDeviceKeys(page), 1, "a fresh key kept at the device's present");

    // Backwards: the device's clock set back an hour before the moment the key was kept: the key is over.
    await context.setOffline(true);
    await context.clock.setSystemTime(start + 11 * HOUR + MIN);
    await page.reload();
    await page.getByTestId("drive-locked").waitFor();
    assert.equal(await keptDeviceKeys(page), 0, "a key from the device's future was wiped");

    // Online again: the records are all there (encrypted all along), nothing lost.
    await context.setOffline(false);
    await context.clock.setSystemTime(start + 12 * HOUR + 2 * MIN);
    await page.reload();
    await page.getByTestId("drive-queue").waitFor();
    await page.getByText("時計 進一").first().waitFor();
    assert.deepEqual(errors.filter((e) => !/Failed to load resource|net::ERR_/.test(e)), []);
  } finally {
    await edge.setClock(0);
    await context.close();
  }
});

test("phone: a draft's kept key lasts 12 hours on the device's clock, forwards and backwards; the draft stays", async () => {
  const start = Date.now();
  const context = await browser.newContext({ viewport: VIEWPORTS.phone });
  await context.clock.install({ time: start });
  const page = await context.newPage();
  await addVirtualAuthenticator(page);
  const form = () => page.locator('[data-testid="notification-form"][data-draft-checked="true"]').waitFor();
  const name = () => page.getByLabel("当該者氏名", { exact: true }).inputValue();
  try {
    await firstSignIn(page, edge.url, "doctor@shinjuku-clinic.demo");
    await page.goto(`${edge.url}/notifications/new`);
    await form();
    await page.getByLabel("当該者氏名", { exact: true }).fill("時計 下書");
    await page.waitForTimeout(800);
    // Offline within the 12 hours: the kept key opens the draft.
    await context.setOffline(true);
    await context.clock.setSystemTime(start + 11 * HOUR);
    await page.reload();
    await form();
    await page.getByTestId("draft-restored").waitFor();
    assert.equal(await name(), "時計 下書");
    // 12 h 1 min: the kept key is over; the draft stays on the device, encrypted, and does not open.
    await context.clock.setSystemTime(start + 12 * HOUR + MIN);
    await page.reload();
    await form();
    assert.equal(await page.getByTestId("draft-restored").count(), 0);
    assert.equal(await name(), "");
    const stored = await page.evaluate(() => Object.keys(localStorage).filter((k) => k.startsWith("hersys.draft.")).length);
    assert.equal(stored, 1, "the draft itself is kept");

    // Online (signed in again: the worker's 12 hours are over too) the server's key opens it: nothing lost.
    await edge.setClock(12 * HOUR + MIN);
    await context.setOffline(false);
    await signIn(page, edge.url, "doctor@shinjuku-clinic.demo");
    await page.goto(`${edge.url}/notifications/new`);
    await form();
    await page.getByTestId("draft-restored").waitFor();
    assert.equal(await name(), "時計 下書");

    // Backwards: the clock set back before the key was kept ends it.
    await context.setOffline(true);
    await context.clock.setSystemTime(start + 11 * HOUR);
    await page.reload();
    await form();
    assert.equal(await page.getByTestId("draft-restored").count(), 0);
    assert.equal(await name(), "");
  } finally {
    await edge.setClock(0);
    await context.setOffline(false);
    await context.close();
  }
});
