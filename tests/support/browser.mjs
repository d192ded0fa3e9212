// Launches Debian's Chromium through playwright-core, with the flags this closed network needs.
import { chromium } from "playwright-core";
import { mkdirSync } from "node:fs";
import path from "node:path";
import { ROOT } from "./edge.mjs";

export const VIEWPORTS = {
  phone: { width: 390, height: 844 },
  tablet: { width: 820, height: 1180 },
  "tablet-landscape": { width: 1180, height: 820 },
  desktop: { width: 1280, height: 800 },
};

export function launchBrowser() {
  return chromium.launch({
    executablePath: process.env.CHROMIUM_PATH || "/usr/bin/chromium",
    args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
      "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  });
}

export function screenshotDir() {
  const dir = process.env.SCREENSHOT_DIR || path.join(ROOT, "target/screenshots");
  mkdirSync(dir, { recursive: true });
  return dir;
}

/** Collects console errors and page errors (CSP violations show up as console errors). */
export function watchErrors(page) {
  const errors = [];
  page.on("console", (m) => {
    if (m.type() === "error") errors.push(m.text());
  });
  page.on("pageerror", (e) => errors.push(String(e)));
  return errors;
}

export const DEMO_PASSWORD = "Demo-Hersys-2026";

/** A platform authenticator with user verification and resident keys (a phone's or tablet's passkey). */
export async function addVirtualAuthenticator(page, options = {}) {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: {
      protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true,
      isUserVerified: true, automaticPresenceSimulation: true, ...options,
    },
  });
  return { cdp, authenticatorId };
}

/** Step 1 of the sign-in form. */
export async function submitPassword(page, loginId, password) {
  await page.getByLabel("サインインID").fill(loginId);
  await page.getByLabel("パスワード", { exact: true }).fill(password);
  await page.getByRole("button", { name: "サインイン", exact: true }).click();
}

/** First sign-in of a demo account (no key yet): password, register the key, keep the recovery codes. */
export async function firstSignIn(page, baseUrl, loginId, password = DEMO_PASSWORD) {
  await page.goto(`${baseUrl}/signin`);
  await submitPassword(page, loginId, password);
  await page.getByRole("button", { name: "セキュリティキー・パスキーを登録する" }).click();
  await page.getByTestId("recovery-codes").waitFor();
  const codes = await page.getByTestId("recovery-codes").locator("li").allTextContents();
  await page.getByRole("button", { name: /保管しました/ }).click();
  await page.getByRole("heading", { name: "メニュー" }).waitFor();
  return codes;
}

/** A later sign-in: password, then the registered key. */
export async function signIn(page, baseUrl, loginId, password = DEMO_PASSWORD) {
  await page.goto(`${baseUrl}/signin`);
  await submitPassword(page, loginId, password);
  await page.getByRole("button", { name: "セキュリティキー・パスキーで認証する" }).click();
  await page.getByRole("heading", { name: "メニュー" }).waitFor();
}

export async function signOut(page) {
  await page.getByRole("button", { name: "サインアウト" }).click();
  await page.getByRole("heading", { name: "サインイン" }).waitFor();
}

/**
 * One signed-in browser context per demo user, made on first use (the first sign-in registers the virtual key) and
 * reused after: `as(loginId, viewport)` → { context, page, errors } with the page resized to `viewport`.
 * `baseUrl` is read when a user is first signed in (the edge may start after this is made).
 */
export function signedInSessions(browser, baseUrl, defaultViewport = VIEWPORTS.desktop) {
  const sessions = new Map();
  return async function as(loginId, viewport = defaultViewport) {
    if (sessions.has(loginId)) {
      const s = sessions.get(loginId);
      await s.page.setViewportSize(viewport);
      return s;
    }
    const context = await browser().newContext({ viewport });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await addVirtualAuthenticator(page);
    await firstSignIn(page, baseUrl(), loginId);
    errors.length = 0;
    const s = { context, page, errors };
    sessions.set(loginId, s);
    return s;
  };
}
