// The app's entry points (issue 19) in Chromium against the real worker: a page of another entry shows a progress
// state at once, then either opens or — when its files cannot be downloaded (offline mid-navigation, a server error)
// — says so with a retry button that works once the files can be had. Never a spinner that waits for ever.
//
// The service worker is blocked in this file's contexts: it would answer from its cache (the signed-in role's
// entries are kept on the device), and Playwright's routes do not see what a service worker answers.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEdge } from "../support/edge.mjs";
import { addVirtualAuthenticator, firstSignIn, launchBrowser, screenshotDir, VIEWPORTS, watchErrors } from "../support/browser.mjs";
import path from "node:path";

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

test("a staff area whose files fail to download shows a retry that works; the menu's entry stays usable", async () => {
  const context = await browser.newContext({ viewport: VIEWPORTS.phone, serviceWorkers: "block" });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await addVirtualAuthenticator(page);
  await firstSignIn(page, edge.url, "doctor@shinjuku-clinic.demo");
  const signinWasm = await page.evaluate(() => document.querySelector('meta[name="hersys-entry"]').dataset.wasm);
  assert.match(signinWasm, /^\/pkg\/signin-/);

  // Offline in the middle of the navigation: the filing form's wasm cannot be had.
  let failures = 0;
  await page.route(/\/pkg\/filing-[0-9a-f]+\.wasm$/, async (route) => {
    failures++;
    await new Promise((r) => setTimeout(r, 800));
    await route.abort("internetdisconnected");
  });
  await page.getByRole("link", { name: /新たに発生届を提出する/ }).first().click();
  // A progress state at once, inside the page (the header stays).
  await page.locator("[data-testid=entry-load][data-state=loading]").waitFor({ timeout: 2_000 });
  assert.match(await page.getByTestId("entry-load").textContent(), /画面を読み込んでいます/);
  await page.getByTestId("network-status").waitFor();
  await page.locator("[data-testid=entry-load][data-state=failed]").waitFor();
  assert.match(await page.getByTestId("entry-load").textContent(), /画面を読み込めませんでした/);
  assert.equal(new URL(page.url()).pathname, "/notifications/new", "the address is the page asked for");
  await page.screenshot({ path: path.join(screenshotDir(), "entry-failed-phone.png") });

  // A server error on retry: the same message, the same retry.
  await page.unroute(/\/pkg\/filing-[0-9a-f]+\.wasm$/);
  await page.route(/\/pkg\/filing-[0-9a-f]+\.wasm$/, (route) => {
    failures++;
    return route.fulfill({ status: 503, body: "unavailable" });
  });
  await page.getByTestId("entry-retry").click();
  await page.locator("[data-testid=entry-load][data-state=failed]").waitFor();
  assert.equal(failures, 2);

  // The network is back: the retry opens the form in its own entry.
  await page.unroute(/\/pkg\/filing-[0-9a-f]+\.wasm$/);
  await page.getByTestId("entry-retry").click();
  await page.getByRole("heading", { name: "新たに発生届を提出する" }).waitFor({ timeout: 30_000 });
  const entry = await page.evaluate(() => document.querySelector('meta[name="hersys-entry"]').content);
  assert.equal(entry, "filing");

  // Back to the menu (another entry again), by the header's link.
  await page.locator("a.brand").click();
  await page.getByRole("heading", { name: "メニュー" }).waitFor({ timeout: 30_000 });
  // And straight back to the same area: a second visit within seconds is not mistaken for a reload loop.
  await page.getByRole("link", { name: /新たに発生届を提出する/ }).first().click();
  await page.getByRole("heading", { name: "新たに発生届を提出する" }).waitFor({ timeout: 30_000 });
  assert.equal(await page.evaluate(() => document.querySelector('meta[name="hersys-entry"]').content), "filing");
  // An unknown path under an area's prefix is that area's own "not found" page, never a loop or a wrong message.
  for (const [p, name] of [["/records/a/b/c", "records"], ["/notifications/x", "filing"]]) {
    await page.goto(`${edge.url}${p}`);
    await page.getByRole("heading", { name: "ページが見つかりません" }).waitFor({ timeout: 30_000 });
    assert.equal(await page.evaluate(() => document.querySelector('meta[name="hersys-entry"]').content), name, p);
  }
  assert.deepEqual(errors.filter((e) => !/ERR_INTERNET_DISCONNECTED|status of 503|Failed to fetch|status of 401/.test(e)), []);
  await context.close();
});

test("a first visit whose script or wasm fails says so with a retry instead of 読み込み中… for ever", async () => {
  // The entry's script itself (boot-check.js, a classic script, reports it).
  {
    const context = await browser.newContext({ viewport: VIEWPORTS.phone, serviceWorkers: "block" });
    const page = await context.newPage();
    await page.route(/\/pkg\/observe-[0-9a-f]+\.js$/, (route) => route.fulfill({ status: 500, body: "" }));
    await page.goto(`${edge.url}/observe`);
    const box = page.locator("#boot-message[role=alert]");
    await box.waitFor();
    assert.match(await box.textContent(), /画面を読み込めませんでした/);
    await page.unroute(/\/pkg\/observe-[0-9a-f]+\.js$/);
    await box.getByRole("button", { name: "もう一度読み込む" }).click();
    await page.getByTestId("obs-signin").waitFor({ timeout: 30_000 });
    await context.close();
  }
  const context = await browser.newContext({ viewport: VIEWPORTS.phone, serviceWorkers: "block" });
  const page = await context.newPage();
  let fail = true;
  await page.route(/\/pkg\/observe-[0-9a-f]+\.wasm$/, (route) => (fail ? route.abort("internetdisconnected") : route.continue()));
  await page.goto(`${edge.url}/observe`);
  const box = page.locator("#boot-message[role=alert]");
  await box.waitFor();
  assert.match(await box.textContent(), /画面を読み込めませんでした/);
  fail = false;
  await box.getByRole("button", { name: "もう一度読み込む" }).click();
  await page.getByTestId("obs-signin").waitFor({ timeout: 30_000 });
  assert.equal(await page.locator("#boot-message").count(), 0);
  await context.close();
});
