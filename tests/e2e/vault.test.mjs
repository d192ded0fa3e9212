// The drive-through store's keys in Chromium (issue 9; scheme in app/js/vault.js, threat model in ARCHITECTURE.md):
//   vault-prf     — with a passkey that has the WebAuthn PRF extension (Chromium's virtual authenticator, hasPrf):
//                   after a sign-in with it, the device key is not kept on the device; offline, after a reload, the
//                   store opens only with the passkey (「パスキーで開く」), and the PRF output never reached the server.
//   vault-expiry  — without PRF: the device key is kept (non-extractable) for offline use; once its 12 hours are
//                   over it is wiped and the store stays shut offline (the records stay, encrypted); signing in
//                   online opens it again with nothing lost.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEdge } from "../support/edge.mjs";
import {
  addVirtualAuthenticator, firstSignIn, launchBrowser, signIn, VIEWPORTS, watchErrors,
} from "../support/browser.mjs";

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

async function openDrive(page) {
  await page.goto(edge.url);
  await page.getByRole("link", { name: /ドライブスルー検査/ }).click();
  await page.getByTestId("drive-page").waitFor();
}

async function setUpSite(page) {
  await page.getByTestId("site-form").waitFor();
  await page.getByLabel("会場名（必須）").fill("北口ロータリー");
  await page.getByTestId("site-save").click();
  await page.getByTestId("drive-queue").waitFor();
}

async function captureOne(page, name) {
  await page.getByRole("button", { name: /受付する/ }).first().click();
  await page.getByTestId("capture-form").waitFor();
  await page.getByLabel("氏名（必須）").fill(name);
  await page.locator("#d-method").getByRole("button", { name: "抗原定性" }).click();
  await page.locator("#d-specimen").getByRole("button", { name: "鼻腔拭い液" }).click();
  await page.getByTestId("collected-now").click();
  await page.getByTestId("capture-save").click();
  await page.getByTestId("label-view").waitFor();
}

/** The vault's rows for inspection: meta (wrapped keys), kept keys, record count. */
const vaultRows = (page) => page.evaluate(async () => {
  const req = (r) => new Promise((res, rej) => { r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
  // Opening a database that does not exist would create it empty: look first.
  if (!(await indexedDB.databases()).some((d) => d.name === "hersys-drive")) return { meta: [], keys: [], records: 0 };
  const db = await req(indexedDB.open("hersys-drive"));
  const all = async (store) => req(db.transaction(store, "readonly").objectStore(store).getAll());
  const [meta, keys, records] = await Promise.all([all("meta"), all("keys"), all("records")]);
  db.close();
  return {
    meta: meta.map((m) => ({ s: !!m.wrappedS, p: !!m.wrappedP })),
    keys: keys.map((k) => ({ extractable: k.kek.extractable, expiresIn: k.expiresAt - Date.now() })),
    records: records.length,
  };
});

test("vault-prf: a passkey with PRF opens the store offline; the device key is not kept; the PRF output stays on the device", async () => {
  const context = await browser.newContext({ viewport: VIEWPORTS.tablet });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await addVirtualAuthenticator(page, { hasPrf: true });
  await firstSignIn(page, edge.url, "staff@shinjuku-clinic.demo");
  // A sign-in with the passkey (the first sign-in registered it and asserted nothing).
  await context.clearCookies();
  const sent = [];
  page.on("request", (r) => {
    if (r.url().includes("/api/auth/")) sent.push(r.postData() ?? "");
  });
  await signIn(page, edge.url, "staff@shinjuku-clinic.demo");
  assert.ok(sent.some((b) => b.includes("authenticatorData")), "the assertion was sent");
  assert.ok(sent.every((b) => !/"prf"|"results"/.test(b)), "the PRF output went to the server");
  // The sign-in wrapped the store's key under the passkey at once (before any reload loses the PRF output).
  for (let i = 0; i < 100 && !(await vaultRows(page)).meta.some((m) => m.p); i++) await page.waitForTimeout(100);
  await openDrive(page);
  await setUpSite(page);
  await captureOne(page, "鶴見 PRF");
  let rows = await vaultRows(page);
  assert.deepEqual(rows.meta, [{ s: true, p: true }]);
  assert.deepEqual(rows.keys, [], "the device key is kept although the passkey opens the store");

  // Offline, reloaded: shut until the passkey opens it.
  await context.setOffline(true);
  await page.reload();
  await page.getByTestId("unlock-passkey").waitFor();
  await page.getByTestId("unlock-passkey").click();
  await page.getByTestId("drive-queue").waitFor();
  await page.getByText("鶴見 PRF").first().waitFor();
  rows = await vaultRows(page);
  assert.deepEqual(rows.keys, []);
  assert.ok(rows.records >= 2, "the site and the person");
  // Without the passkey (removed from the device), the store stays shut.
  await context.setOffline(false);
  await context.close();
  assert.deepEqual(errors.filter((e) => !/Failed to load resource|net::ERR_/.test(e)), []);
});

test("vault-expiry: without PRF the kept device key lasts 12 hours, then the store opens only online, with nothing lost", async () => {
  const context = await browser.newContext({ viewport: VIEWPORTS.tablet });
  const page = await context.newPage();
  await addVirtualAuthenticator(page);
  await firstSignIn(page, edge.url, "doctor@setagaya-clinic.demo");
  await openDrive(page);
  await setUpSite(page);
  await context.setOffline(true);
  await captureOne(page, "鶴見 期限");
  let rows = await vaultRows(page);
  assert.deepEqual(rows.meta, [{ s: true, p: false }]);
  assert.equal(rows.keys.length, 1);
  assert.equal(rows.keys[0].extractable, false);
  assert.ok(rows.keys[0].expiresIn > 11.9 * 3600_000 && rows.keys[0].expiresIn <= 12 * 3600_000, JSON.stringify(rows.keys));

  // Within the 12 hours: a reload offline opens with the kept key.
  await page.reload();
  await page.getByTestId("drive-queue").waitFor();
  await page.getByText("鶴見 期限").first().waitFor();

  // 12 hours later (the kept key's expiry moved into the past): shut, and the key is gone.
  await page.evaluate(async () => {
    const req = (r) => new Promise((res, rej) => { r.onsuccess = () => res(r.result); r.onerror = () => rej(r.error); });
    const db = await req(indexedDB.open("hersys-drive"));
    const s = db.transaction("keys", "readwrite").objectStore("keys");
    const keys = await req(s.getAllKeys());
    const k = await req(s.get(keys[0]));
    await req(s.put({ ...k, expiresAt: Date.now() - 1 }, keys[0]));
    db.close();
  });
  await page.reload();
  await page.getByTestId("drive-locked").waitFor();
  assert.equal(await page.getByTestId("unlock-passkey").count(), 0);
  rows = await vaultRows(page);
  assert.deepEqual(rows.keys, [], "the expired key was not wiped");
  assert.ok(rows.records >= 2, "records lost with the key");

  // Online again: the sign-in's device key opens the same store; the person is there and syncs.
  await context.setOffline(false);
  await page.reload();
  await page.getByTestId("drive-queue").waitFor();
  await page.getByText("鶴見 期限").first().waitFor();
  await context.close();
});
