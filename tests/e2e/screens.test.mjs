// Every page of the app at phone (390 px), tablet (820 px) and desktop (1280 px) widths, as the user who would open
// it (issue 11): each is screenshotted for a person to look at (target/screenshots/screens-*.png), and checked for
// what a screenshot can hide: the page scrolls sideways (content wider than the screen), console errors, a page that
// never finished loading, or a visible button smaller than 44 px (touch targets).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startEdge } from "../support/edge.mjs";
import { launchBrowser, screenshotDir, signedInSessions, VIEWPORTS } from "../support/browser.mjs";

let edge;
let browser;
before(async () => {
  edge = await startEdge({ seedDemo: true, seedRecords: true });
  browser = await launchBrowser();
});
after(async () => {
  await browser?.close();
  await edge?.stop();
});

const as = signedInSessions(() => browser, () => edge.url, VIEWPORTS.phone);
const WIDTHS = [["phone", VIEWPORTS.phone], ["tablet", VIEWPORTS.tablet], ["desktop", VIEWPORTS.desktop]];
/** Console errors other than refusals a page shows on purpose (a 401 before sign-in, a 403 it explains). */
const unexpected = (errors) => errors.filter((e) => !/status of (401|403|404)/.test(e));

/** Loads `route` at each width, waits for `ready` (a selector), checks and screenshots it. */
async function visit(page, errors, name, route, ready) {
  const problems = [];
  for (const [label, size] of WIDTHS) {
    await page.setViewportSize(size);
    errors.length = 0;
    await page.goto(`${edge.url}${route}`);
    try {
      await page.locator(ready).first().waitFor({ timeout: 15_000 });
    } catch {
      problems.push(`${label}: never showed ${ready}`);
      await page.screenshot({ path: path.join(screenshotDir(), `screens-${name}-${label}.png`), fullPage: true });
      continue;
    }
    await page.waitForTimeout(150); // late layout (fonts, lists filled after the first paint)
    const m = await page.evaluate(() => {
      const small = [...document.querySelectorAll("button, a.button, [role=tab], input[type=submit]")]
        .filter((el) => {
          const r = el.getBoundingClientRect();
          return r.width > 0 && r.height > 0 && getComputedStyle(el).visibility !== "hidden" && r.height < 44;
        })
        .map((el) => `${el.tagName.toLowerCase()}「${(el.textContent || el.getAttribute("aria-label") || "").trim().slice(0, 20)}」${Math.round(el.getBoundingClientRect().height)}px`);
      return { scroll: document.documentElement.scrollWidth, width: window.innerWidth, small };
    });
    if (m.scroll > m.width + 1) problems.push(`${label}: scrolls sideways (${m.scroll} > ${m.width})`);
    if (m.small.length) problems.push(`${label}: small targets ${m.small.slice(0, 4).join(", ")}`);
    const errs = unexpected(errors);
    if (errs.length) problems.push(`${label}: console ${errs.slice(0, 2).join(" | ")}`);
    await page.screenshot({ path: path.join(screenshotDir(), `screens-${name}-${label}.png`), fullPage: true });
  }
  return problems;
}

const PAGES = {
  "doctor@shinjuku-clinic.demo": [
    ["clinic-menu", "/", "h1"],
    ["new-notification", "/notifications/new", "main h1"],
    ["pre-notification", "/pre-notification", "main h1"],
    ["drive", "/drive", "main h1, main h2"],
    ["clinic-filings", "/records", "main h1"],
    ["clinic-search", "/search", "main h1"],
    ["account", "/account", "main h1"],
  ],
  "staff@shinjuku-hc.demo": [
    ["hc-menu", "/", "h1"],
    ["hc-inbox", "/records", "main h1"],
    ["hc-search", "/search", "main h1"],
    ["hc-record", "/records/n_demo_026", "[data-testid=case-record]"],
    ["hc-record-observation", "/records/n_demo_026/observation", "[data-testid=panel-observation]"],
    ["hc-record-status", "/records/n_demo_026/status", "[data-testid=panel-status]"],
    ["hc-slip", "/records/n_demo_026/slip", "main h1, main h2"],
    ["hc-alerts", "/alerts", "main h1"],
    ["hc-dashboard", "/dashboard", "main h1"],
  ],
  "admin@shinjuku-hc.demo": [
    ["admin", "/admin", "main h1"],
    ["deleted", "/deleted", "main h1"],
  ],
  "pref@tokyo.demo": [["pref-dashboard", "/dashboard", "main h1"]],
};

test("every page at 390, 820 and 1280 px: no sideways scrolling, touch targets ≥ 44 px, no console errors", async () => {
  const problems = [];
  let shots = 0;
  // Before sign-in: the sign-in page, the patient's phone page, an unknown path.
  const context = await browser.newContext({ viewport: VIEWPORTS.phone });
  const page = await context.newPage();
  const errors = [];
  page.on("console", (m) => m.type() === "error" && errors.push(m.text()));
  for (const [name, route, ready] of [["signin", "/signin", "main h1"], ["observe", "/observe", "[data-testid=obs-signin]"], ["not-found", "/no/such/page", "main h1"]]) {
    problems.push(...(await visit(page, errors, name, route, ready)).map((p) => `${route} ${p}`));
    shots += WIDTHS.length;
  }
  await context.close();
  for (const [user, pages] of Object.entries(PAGES)) {
    const s = await as(user);
    for (const [name, route, ready] of pages) {
      problems.push(...(await visit(s.page, s.errors, name, route, ready)).map((p) => `${route} (${user}) ${p}`));
      shots += WIDTHS.length;
    }
  }
  console.log(`screens: ${shots} screenshots of ${shots / WIDTHS.length} pages in target/screenshots/screens-*.png`);
  assert.deepEqual(problems, []);
});
