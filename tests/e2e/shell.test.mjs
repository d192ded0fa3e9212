// The app as a person uses it: real Chromium, the real app from the real edge.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startEdge } from "../support/edge.mjs";
import { cachedPaths } from "../support/storage.mjs";
import {
  addVirtualAuthenticator, firstSignIn, launchBrowser, screenshotDir, VIEWPORTS, watchErrors,
} from "../support/browser.mjs";

// Each action's page heading (for a clinic doctor); none is a placeholder any more.
const ACTIONS = [
  { label: "新たに発生届を提出する", path: "/notifications/new", heading: "新たに発生届を提出する", placeholder: false },
  { label: "発生届の提出前に使用する", path: "/pre-notification", heading: "発生届の提出前に使用する", placeholder: false },
  { label: "閲覧・編集する", path: "/search", heading: "登録情報一覧", placeholder: false },
  { label: "届け出た発生届", path: "/records", heading: "届け出た発生届", placeholder: false },
];

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

test("signed out, the app asks for sign-in; signed in, the top page shows the manual's three actions", async () => {
  const context = await browser.newContext({ viewport: VIEWPORTS.phone });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await page.goto(edge.url);
  await page.waitForURL(`${edge.url}/signin`);
  await page.getByRole("heading", { name: "サインイン" }).waitFor();
  assert.equal(await page.getByText("HER-SYS", { exact: true }).count(), 1);
  assert.equal(await page.getByTestId("user-area").textContent(), "未ログイン");
  assert.equal(await page.locator("#boot-message").count(), 0, "loading message removed once the app runs");

  await addVirtualAuthenticator(page);
  await firstSignIn(page, edge.url, "doctor@shinjuku-clinic.demo");
  assert.match(await page.getByTestId("user-area").textContent(), /新宿 一郎.*医療機関（医師）.*新宿みなみクリニック/);

  for (const { label, path: route, heading, placeholder } of ACTIONS) {
    const link = page.getByRole("link", { name: new RegExp(`^${label}`) });
    const box = await link.boundingBox();
    assert.ok(box.height >= 56 && box.width >= 300, `${label}: large touch target on a phone (${JSON.stringify(box)})`);
    await link.click();
    await page.waitForURL(`${edge.url}${route}`);
    await page.getByRole("heading", { name: heading }).waitFor();
    assert.equal(await page.getByText("この画面は準備中です。").isVisible(), placeholder, label);
    if (route === "/records" || route === "/search") await page.getByRole("link", { name: "メニューへ戻る" }).first().click();
    else await page.goto(edge.url);
    await page.getByRole("heading", { name: "メニュー" }).waitFor();
  }

  // A deep link loads the app on that page (the session cookie carries over); an unknown path says so.
  await page.goto(`${edge.url}/records`);
  await page.getByRole("heading", { name: "届け出た発生届" }).waitFor();
  await page.goto(`${edge.url}/no/such/page`);
  await page.getByRole("heading", { name: "ページが見つかりません" }).waitFor();

  // The only expected console noise: the 401 of GET /api/me before signing in.
  assert.deepEqual(errors.filter((e) => !/status of 401/.test(e)), [], "no console errors or CSP violations");
  await context.close();
});

test("the network indicator follows the connection", async () => {
  const context = await browser.newContext({ viewport: VIEWPORTS.tablet });
  const page = await context.newPage();
  await page.goto(edge.url);
  const badge = page.getByTestId("network-status");
  await badge.getByText("オンライン").waitFor();
  await context.setOffline(true);
  await badge.getByText("オフライン").waitFor();
  await context.setOffline(false);
  await badge.getByText("オンライン").waitFor();
  await context.close();
});

test("after one online visit the shell opens offline, on any route, and /api is never cached", async () => {
  const context = await browser.newContext({ viewport: VIEWPORTS.phone });
  const page = await context.newPage();
  const errors = watchErrors(page);
  await addVirtualAuthenticator(page);
  await firstSignIn(page, edge.url, "staff@shinjuku-clinic.demo");
  // Wait until the service worker has installed the shell and controls the page.
  await page.evaluate(async () => {
    await navigator.serviceWorker.ready;
    if (!navigator.serviceWorker.controller) {
      await new Promise((r) => navigator.serviceWorker.addEventListener("controllerchange", r, { once: true }));
    }
  });
  // Signed in, the device keeps the entries this role uses (a clinic's: sign-in and menu, filing, drive-through,
  // records), in the background.
  const kept = () => cachedPaths(page);
  const wanted = (urls) => ["signin", "filing", "drive", "records"].every((e) =>
    urls.includes(`/entry/${e}.html`) && urls.some((u) => u.startsWith(`/pkg/${e}-`) && u.endsWith(".wasm")));
  for (let i = 0; !wanted(await kept()); i++) {
    assert.ok(i < 120, `the role's entries are kept: ${JSON.stringify(await kept())}`);
    await new Promise((r) => setTimeout(r, 500));
  }
  const apiStatus = await page.evaluate(async () => (await fetch("/api/health")).status);
  assert.equal(apiStatus, 200);
  // A postal-code file used once online is there offline too (public reference data, no personal data).
  const postal = await page.evaluate(async () => (await fetch("/data/postal/160.json")).status);
  assert.equal(postal, 200);

  await context.setOffline(true);
  await page.reload();
  await page.getByRole("heading", { name: "メニュー" }).waitFor();
  await page.getByTestId("network-status").getByText("オフライン").waitFor();
  await page.goto(`${edge.url}/records`);
  await page.getByRole("heading", { name: "届け出た発生届" }).waitFor();
  // /api is not answered from any cache while offline.
  const offlineApi = await page.evaluate(async () => {
    try {
      await fetch("/api/health");
      return "answered";
    } catch {
      return "failed";
    }
  });
  assert.equal(offlineApi, "failed");
  const offlinePostal = await page.evaluate(async () => {
    const res = await fetch("/data/postal/160.json");
    return [res.status, Object.keys(await res.json()).length > 0];
  });
  assert.deepEqual(offlinePostal, [200, true], "postal data used online is available offline");

  const cached = await cachedPaths(page);
  assert.ok(cached.includes("/entry/records.html"), JSON.stringify(cached));
  assert.ok(!cached.includes("/entry/admin.html") && !cached.includes("/entry/observe.html"), "only the entries this role uses");
  assert.ok(cached.every((u) => !u.startsWith("/api")), JSON.stringify(cached));
  assert.ok(cached.every((u) => u !== "/records"), "navigated URLs are not stored");
  assert.ok(cached.every((u) => !u.startsWith("/data/") || u.startsWith("/data/postal/")), "only postal data is kept");
  await context.setOffline(false);
  assert.deepEqual(errors.filter((e) => !/Failed to fetch|ERR_INTERNET_DISCONNECTED|status of 401/.test(e)), []);
  await context.close();
});

test("layouts at phone, tablet and desktop widths: no sideways scrolling; screenshots saved", async () => {
  const dir = screenshotDir();
  const context = await browser.newContext({ viewport: VIEWPORTS.phone });
  const page = await context.newPage();
  for (const [name, viewport] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(viewport);
    await page.goto(`${edge.url}/signin`);
    await page.getByRole("heading", { name: "サインイン" }).waitFor();
    await page.screenshot({ path: path.join(dir, `signin-${name}-${viewport.width}.png`), fullPage: true });
  }
  await addVirtualAuthenticator(page);
  await firstSignIn(page, edge.url, "doctor@setagaya-clinic.demo");
  for (const [name, viewport] of Object.entries(VIEWPORTS)) {
    await page.setViewportSize(viewport);
    await page.goto(edge.url);
    await page.getByRole("heading", { name: "メニュー" }).waitFor();
    const { scrollWidth, innerWidth } = await page.evaluate(() => ({
      scrollWidth: document.documentElement.scrollWidth,
      innerWidth: window.innerWidth,
    }));
    assert.ok(scrollWidth <= innerWidth, `${name}: page is ${scrollWidth}px wide in a ${innerWidth}px window`);
    // Cards sit side by side from tablet width up.
    const tops = await page.locator(".action-card").evaluateAll((els) => els.map((e) => e.getBoundingClientRect().top));
    if (viewport.width >= 700) assert.equal(tops[0], tops[1], `${name}: first two actions side by side`);
    else assert.ok(tops[1] > tops[0], `${name}: actions stacked`);
    const file = path.join(dir, `home-${name}-${viewport.width}.png`);
    await page.screenshot({ path: file, fullPage: true });
  }
  await context.close();
  console.log(`screenshots: ${dir}`);
});
