// Time to interactive on a throttled phone (issue 11): Chromium at 390 px with Lighthouse's "slow 4G" network
// (150 ms RTT, 1.6 Mbit/s down, 750 kbit/s up) and a 4× slower CPU, loading the sign-in page and the patient's
// report page from the local worker. "Interactive" = the page's first input is on screen and enabled (the wasm app
// has started and rendered); also first contentful paint and bytes transferred. Cold (empty cache) and warm (the
// service worker's cache, a later visit) each measured RUNS times; medians and ranges printed.
import { startEdge } from "../support/edge.mjs";
import { launchBrowser } from "../support/browser.mjs";

const RUNS = Number(process.env.TTI_RUNS || 5);
const SLOW_4G = { offline: false, latency: 150, downloadThroughput: (1.6 * 1024 * 1024) / 8, uploadThroughput: (750 * 1024) / 8 };

const median = (xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];
const range = (xs) => `${Math.min(...xs).toFixed(0)}–${Math.max(...xs).toFixed(0)}`;

async function measure(browser, url, selector, warm) {
  const context = await browser.newContext({ viewport: { width: 390, height: 844 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true });
  const page = await context.newPage();
  const cdp = await context.newCDPSession(page);
  await cdp.send("Network.enable");
  let bytes = 0;
  cdp.on("Network.loadingFinished", (e) => (bytes += e.encodedDataLength));
  if (warm) {
    // A first visit installs the service worker and fills its cache; the measured visit is the next one.
    await page.goto(url);
    await page.waitForSelector(selector, { state: "visible" });
    await page.evaluate(() => navigator.serviceWorker.ready);
    await page.goto("about:blank");
    bytes = 0;
  }
  await cdp.send("Network.emulateNetworkConditions", SLOW_4G);
  await cdp.send("Emulation.setCPUThrottlingRate", { rate: 4 });
  const t0 = Date.now();
  await page.goto(url, { waitUntil: "commit" });
  const input = await page.waitForSelector(`${selector}:enabled`, { state: "visible", timeout: 60_000 });
  const tti = Date.now() - t0;
  await input.focus();
  const fcp = await page.evaluate(() => performance.getEntriesByName("first-contentful-paint")[0]?.startTime ?? NaN);
  await context.close();
  return { tti, fcp, bytes };
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
      console.log(`  ${label.padEnd(26)} ${warm ? "warm (service worker)" : "cold (empty cache)   "}  interactive median ${median(tti).toFixed(0)} ms (${range(tti)})  FCP median ${median(fcp).toFixed(0)} ms  transferred ${kb.toFixed(0)} KB`);
    }
  }
} finally {
  await browser.close();
  await edge.stop();
}
