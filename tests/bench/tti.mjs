// Time to interactive on a throttled phone (issues 11 and 19): Chromium at 390 px with Lighthouse's "slow 4G" network
// (150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up) and a 4× slower CPU, against the local worker.
//
// Entry pages (the patient's /observe, /signin): "interactive" = the page's first input is on screen and enabled
// (its wasm has started and rendered); also first contentful paint, the bytes transferred before interactive (the
// page's own requests), and the bytes transferred within 15 s by every requester of the context — the page and the
// service worker it registers once interactive. Cold (empty cache) and warm (the service worker's cache, a later
// visit), each RUNS times; medians and ranges printed.
//
// Staff areas after sign-in (service worker blocked, so nothing was kept ahead: the cold case): from the menu, a tap
// on the area's link; the time until the progress state shows, and until the area's own entry has rendered its page.
import { startEdge } from "../support/edge.mjs";
import { addVirtualAuthenticator, firstSignIn, launchBrowser } from "../support/browser.mjs";

const RUNS = Number(process.env.TTI_RUNS || 5);
const SLOW_4G = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };
const PHONE = { viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;

async function throttle(context, page) {
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  await cdp.send("Network.emulateNetworkConditions", SLOW_4G);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  return cdp;
}

async function measure(browser, url, selector, warm) {
  const context = await browser.newContext(PHONE);
  const page = await context.newPage();
  // Every request of the context, service worker's included, with its encoded size.
  let all = 0;
  let counting = !warm;
  context.on("requestfinished", async (request) => {
    if (!counting) return;
    const sizes = await request.sizes().catch(() => null);
    if (sizes) all += sizes.responseBodySize + sizes.responseHeadersSize;
  });
  if (warm) {
    // A first visit installs the service worker and fills its cache; the measured visit is the next one.
    await page.goto(url);
    await page.waitForSelector(selector, { state: "visible" });
    await page.evaluate(async () => {
      await navigator.serviceWorker.ready;
      const entry = document.querySelector('meta[name="hersys-entry"]').content;
      for (let i = 0; i < 100; i++) {
        if (await caches.match(`/entry/${entry}.html`)) return;
        await new Promise((r) => setTimeout(r, 100));
      }
    });
    await page.goto("about:blank");
    counting = true;
  }
  const cdp = await throttle(context, page);
  let bytes = 0;
  cdp.on("Network.loadingFinished", (e) => (bytes += e.encodedDataLength));
  const t0 = Date.now();
  await page.goto(url, { waitUntil: "commit" });
  const input = await page.waitForSelector(`${selector}:enabled`, { state: "visible", timeout: 60_000 });
  const tti = Date.now() - t0;
  const before = bytes;
  await input.focus();
  const fcp = await page.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN);
  await page.waitForTimeout(Math.max(0, 15_000 - (Date.now() - t0)));
  await context.close();
  return { tti, fcp, bytes: before, all };
}

async function areas(browser, edge, loginId, list, keptAhead) {
  const context = await browser.newContext({ ...PHONE, serviceWorkers: keptAhead ? "allow" : "block" });
  const page = await context.newPage();
  await addVirtualAuthenticator(page);
  await firstSignIn(page, edge.url, loginId);
  if (keptAhead) {
    // What a device does while the person reads the menu: the service worker keeps the role's entries.
    const names = list.map(([, entry]) => entry);
    for (let i = 0; ; i++) {
      const kept = await page.evaluate(async (names) => {
        for (const name of names) if (!(await caches.match(`/entry/${name}.html`))) return false;
        return true;
      }, names);
      if (kept) break;
      if (i > 600) throw new Error("the role's entries were not kept within 60 s");
      await page.waitForTimeout(100);
    }
  }
  const out = [];
  for (const [label, entry, click] of list) {
    const runs = [];
    for (let i = 0; i < RUNS; i++) {
      await page.goto(`${edge.url}/`);
      await page.getByRole("heading", { name: "メニュー" }).waitFor();
      const cdp = await throttle(context, page);
      // Cold: a fresh HTTP cache each time, the area's files come over the (throttled) network.
      if (!keptAhead) await cdp.send("Network.clearBrowserCache");
      let bytes = 0;
      cdp.on("Network.loadingFinished", (e) => (bytes += e.encodedDataLength));
      const t0 = Date.now();
      await click(page);
      await page.locator("[data-testid=entry-load]").waitFor({ timeout: 10_000 });
      const progress = Date.now() - t0;
      await page.waitForFunction((name) => document.querySelector('meta[name="hersys-entry"]')?.content === name
        && !document.getElementById("boot-message") && document.querySelector("#main h1"), entry, { timeout: 60_000, polling: 20 });
      const ready = Date.now() - t0;
      await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
      await cdp.send("Emulation.setCPUThrottlingRate", { rate: 1 });
      await cdp.detach();
      runs.push({ progress, ready, bytes });
    }
    out.push([label, runs]);
  }
  await context.close();
  return out;
}

const edge = await startEdge({ seedDemo: true });
const browser = await launchBrowser();
try {
  console.log(`Time to interactive on a throttled phone (390 px, slow 4G: 150 ms RTT, 1.6 Mbit/s; CPU 4× slower), n=${RUNS} each:`);
  for (const [label, path, selector] of [
    ["sign-in page", "/signin", "input[autocomplete=username]"],
    ["patient report (/observe)", "/observe", "input"],
  ]) {
    for (const warm of [false, true]) {
      const runs = [];
      for (let i = 0; i < RUNS; i++) runs.push(await measure(browser, `${edge.url}${path}`, selector, warm));
      const tti = runs.map((r) => r.tti);
      const fcp = runs.map((r) => r.fcp);
      const kb = median(runs.map((r) => r.bytes)) / 1024;
      const all = median(runs.map((r) => r.all)) / 1024;
      console.log(`  ${label.padEnd(26)} ${warm ? "warm (service worker)" : "cold (empty cache)   "}  interactive median ${median(tti).toFixed(0)} ms (${range(tti)})  FCP median ${median(fcp).toFixed(0)} ms  transferred before interactive ${kb.toFixed(0)} KB, within 15 s (page + service worker) ${all.toFixed(0)} KB`);
    }
  }
  const link = (name) => (page) => page.getByRole("link", { name }).first().click();
  for (const keptAhead of [false, true]) {
  // The demo accounts' first sign-in registers their key: a fresh worker (fresh data) for each pass.
  const areaEdge = keptAhead ? await startEdge({ seedDemo: true }) : edge;
  console.log(keptAhead
    ? `Staff areas after sign-in, a tap from the menu, the role's entries kept by the service worker while the menu was read (throttled as above), n=${RUNS} each:`
    : `Staff areas after sign-in, a tap from the menu, cold: no service worker, an empty HTTP cache (throttled as above), n=${RUNS} each:`);
  for (const [loginId, list] of [
    ["doctor@shinjuku-clinic.demo", [
      ["filing form", "filing", link(/新たに発生届を提出する/)],
      ["records (search)", "records", link(/閲覧・編集する/)],
      ["drive-through", "drive", link(/ドライブスルー/)],
    ]],
    ["admin@shinjuku-hc.demo", [
      ["observation desk (dashboard)", "desk", link(/ダッシュボード/)],
      ["administration", "admin", link(/^管理$/)],
    ]],
  ]) {
    for (const [label, runs] of await areas(browser, areaEdge, loginId, list, keptAhead)) {
      const progress = runs.map((r) => r.progress);
      const ready = runs.map((r) => r.ready);
      console.log(`  ${label.padEnd(30)} progress shown median ${median(progress).toFixed(0)} ms (${range(progress)})  ready median ${median(ready).toFixed(0)} ms (${range(ready)})  transferred ${(median(runs.map((r) => r.bytes)) / 1024).toFixed(0)} KB`);
    }
  }
  if (keptAhead) await areaEdge.stop();
  }
} finally {
  await browser.close();
  await edge.stop();
}
