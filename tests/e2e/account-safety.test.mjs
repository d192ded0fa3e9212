// In Chromium with its virtual authenticator (real WebAuthn ceremonies): adding a second key on the key page first
// proves the account again with the registered key (the step-up), then registers the new key, and the person is
// told by e-mail; an administrator's action on another administrator waits in 承認待ち, and prefecture staff reach
// that list from their menu and approve it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startEdge } from "../support/edge.mjs";
import { addVirtualAuthenticator, firstSignIn, launchBrowser, screenshotDir, VIEWPORTS, watchErrors } from "../support/browser.mjs";
import { Client } from "../support/softauthn.mjs";
import { inviteToken, loggedMails, waitForMail } from "../support/mail.mjs";

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

test("the key page adds a second key after a step-up with the first key; the person gets an e-mail", async () => {
  const context = await browser.newContext({ viewport: VIEWPORTS.phone });
  const page = await context.newPage();
  const errors = watchErrors(page);
  const first = await addVirtualAuthenticator(page);
  await firstSignIn(page, edge.url, "staff@setagaya-hc.demo");
  errors.length = 0;
  // The step-up asserts with the first key; before the new key is made, the phone's authenticator is swapped for a
  // second one (a single authenticator would refuse to make a key it already holds, by excludeCredentials).
  let asserted = 0;
  first.cdp.on("WebAuthn.credentialAsserted", () => asserted++);
  let second;
  await page.route("**/api/auth/credentials/options", async (route) => {
    await first.cdp.send("WebAuthn.removeVirtualAuthenticator", { authenticatorId: first.authenticatorId });
    second = await addVirtualAuthenticator(page);
    await route.continue();
  });
  await page.goto(`${edge.url}/account`);
  await page.getByTestId("key-list").getByRole("textbox").first().waitFor();
  await page.getByRole("button", { name: "キーを追加する" }).click();
  await page.getByText(/追加の前に本人確認をします/).waitFor();
  await page.screenshot({ path: path.join(screenshotDir(), "account-add-key-phone-390.png"), fullPage: true });
  const seen = loggedMails(edge).length;
  await page.getByLabel("キーの名前（任意）").fill("予備のキー");
  const stepUp = page.waitForResponse((r) => r.url().endsWith("/api/me/step-up") && r.request().method() === "POST");
  const registered = page.waitForResponse((r) => r.url().endsWith("/api/auth/credentials") && r.request().method() === "POST");
  await page.getByRole("button", { name: "セキュリティキー・パスキーを登録する" }).click();
  assert.equal((await stepUp).status(), 200, "the step-up happened");
  assert.equal((await registered).status(), 200, "then the key was registered");
  assert.equal(asserted, 1, "the step-up was an assertion with the first key");
  await page.getByTestId("key-list").getByRole("textbox").nth(1).waitFor();
  const names = await page.getByTestId("key-list").getByRole("textbox").evaluateAll((els) => els.map((e) => e.value));
  assert.ok(names.includes("予備のキー"), names.join(","));
  const { credentials } = await second.cdp.send("WebAuthn.getCredentials", { authenticatorId: second.authenticatorId });
  assert.equal(credentials.length, 1, "the new key is on the second authenticator");
  const mail = await waitForMail(edge, "staff.setagaya-hc@her-sys.example", "セキュリティキーが追加されました", seen);
  assert.match(mail.text, /予備のキー/);
  assert.deepEqual(errors, []);
  await context.close();
});

test("an action on another administrator waits in 承認待ち; prefecture staff open it from their menu and approve it", async () => {
  // Setagaya's administrator and the prefecture's staff, each signed in in their own browser.
  const admin = await browser.newContext({ viewport: VIEWPORTS.phone });
  const page = await admin.newPage();
  await addVirtualAuthenticator(page);
  await firstSignIn(page, edge.url, "admin@setagaya-hc.demo");
  const prefContext = await browser.newContext({ viewport: VIEWPORTS.phone });
  const p = await prefContext.newPage();
  await addVirtualAuthenticator(p);
  await firstSignIn(p, edge.url, "pref@tokyo.demo");
  const cookieOf = async (context) => (await context.cookies(edge.url)).map((c) => `${c.name}=${c.value}`).join("; ");
  const adminCookie = await cookieOf(admin);
  const prefCookie = await cookieOf(prefContext);
  const api = (cookie) => ({ post: (path, body = {}) => new Client(edge).post(path, body, { cookie }), get: (path) => new Client(edge).get(path, { cookie }) });

  // A second administrator of Setagaya (requested by Setagaya's administrator, approved by the prefecture, over the API).
  const seen = loggedMails(edge).length;
  const asked = await api(adminCookie).post("/api/admin/accounts", {
    login_id: "admin2@setagaya-hc.demo", display_name: "管理 次席", email: "admin2@setagaya.example", role: "health_center_admin", delivery: "invitation",
  });
  assert.equal(asked.status, 202, JSON.stringify(asked.body));
  assert.equal((await api(prefCookie).post(`/api/admin/requests/${asked.body.pending_request.id}/approve`)).status, 200);
  assert.ok(inviteToken(await waitForMail(edge, "admin2@setagaya.example", "招待", seen)));

  // In the browser, Setagaya's administrator locks the second administrator: a request, not a lock.
  const errors = watchErrors(page);
  await page.goto(`${edge.url}/admin`);
  const row = page.locator('tr[data-login-id="admin2@setagaya-hc.demo"]');
  await row.getByRole("button", { name: "ロック", exact: true }).click();
  await page.getByTestId("admin-notice").getByText(/承認待ちになりました/).waitFor();
  assert.match(await row.locator(".status").textContent(), /初回サインイン待ち|利用中/, "not locked");
  const pending = page.getByTestId("approvals").locator(".request-row");
  await pending.first().getByText(/依頼した方と対象の方は承認できません/).waitFor();
  await page.screenshot({ path: path.join(screenshotDir(), "admin-approvals-phone-390.png"), fullPage: true });
  // Reset of a clinic account: the answer names only the masked address.
  const clinic = page.locator('tr[data-login-id="doctor@setagaya-clinic.demo"]');
  await clinic.getByRole("button", { name: "リセット" }).click();
  await page.getByTestId("admin-notice").getByText(/d\*\*\*@her-sys\.example/).waitFor();
  assert.equal(await page.getByTestId("issued").count(), 0, "no password or link shown");
  assert.deepEqual(errors, []);

  // Prefecture staff: 承認待ち in the menu, approve.
  await p.goto(`${edge.url}/`);
  await p.getByRole("link", { name: "承認待ち" }).click();
  await p.getByRole("heading", { name: "承認待ち" }).waitFor();
  const req = p.getByTestId("approvals").locator(".request-row").filter({ hasText: "admin2@setagaya-hc.demo" }).filter({ hasText: "ロック" });
  await req.waitFor();
  // The approver sees where the account's mail goes (a requester's own address would show here).
  assert.match(await req.getByTestId("request-email").textContent(), /送付先メール：\S+@\S+/);
  await p.screenshot({ path: path.join(screenshotDir(), "pref-approvals-phone-390.png"), fullPage: true });
  await req.getByRole("button", { name: "承認する" }).click();
  await req.waitFor({ state: "detached" });
  const list = (await api(adminCookie).get("/api/admin/accounts")).body.accounts;
  assert.equal(list.find((a) => a.login_id === "admin2@setagaya-hc.demo").locked, true, "locked after the approval");
  await admin.close();
  await prefContext.close();
});
