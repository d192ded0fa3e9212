// Sign-in as people do it, in Chromium with its virtual authenticator (a real WebAuthn ceremony): first sign-in
// with an initial password issued by an administrator, weak passwords refused as typed, key registration, sign-out,
// password + key, wrong password, wrong key, lockout, invitation link, passkey-only sign-in.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startEdge } from "../support/edge.mjs";
import {
  addVirtualAuthenticator, firstSignIn, launchBrowser, screenshotDir, signIn, signOut, submitPassword, VIEWPORTS,
  DEMO_PASSWORD,
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

async function newPage(viewport = VIEWPORTS.phone) {
  const context = await browser.newContext({ viewport });
  const page = await context.newPage();
  return { context, page };
}

/** The Shinjuku health-center administrator creates an account on the admin page; returns what was issued. */
async function adminCreates(page, { loginId, name, role = "clinic_doctor", invitation = false }) {
  await page.goto(`${edge.url}/admin`);
  await page.getByRole("heading", { name: "アカウント管理" }).waitFor();
  await page.getByLabel("サインインID").fill(loginId);
  await page.getByLabel("氏名").fill(name);
  await page.getByLabel(/メールアドレス/).fill(`${loginId.split("@")[0]}@her-sys.example`);
  await page.getByLabel("役割").selectOption(role);
  if (invitation) await page.getByLabel(/招待リンクを発行する/).check();
  await page.getByRole("button", { name: "アカウントを追加する" }).click();
  const issued = page.getByTestId("issued");
  await issued.waitFor();
  return invitation
    ? await issued.getByTestId("invitation-link").textContent()
    : await issued.getByTestId("initial-password").textContent();
}

test("first sign-in with an initial password: change it (weak ones refused as typed), register a key, then password + key", async () => {
  const admin = await newPage(VIEWPORTS.desktop);
  await addVirtualAuthenticator(admin.page);
  await firstSignIn(admin.page, edge.url, "admin@shinjuku-hc.demo");
  const initial = await adminCreates(admin.page, { loginId: "tanaka@shinjuku-clinic.demo", name: "田中 医師" });
  assert.match(initial, /^.{16}$/);
  await admin.page.screenshot({ path: path.join(screenshotDir(), "admin-desktop-1280.png"), fullPage: true });
  await admin.context.close();

  const { context, page } = await newPage();
  await addVirtualAuthenticator(page);
  await page.goto(`${edge.url}/signin`);
  await submitPassword(page, "tanaka@shinjuku-clinic.demo", initial);
  await page.getByRole("heading", { name: "パスワードの更新" }).waitFor();

  const rules = page.getByTestId("password-rules");
  const newPw = page.getByLabel("新しいパスワード");
  const confirm = page.getByLabel("パスワードの確認入力");
  // Rules update as the user types.
  await newPw.fill("short");
  await rules.locator('[data-rule="too_short"].bad').waitFor();
  await newPw.fill("password1");
  await rules.locator('[data-rule="common_password"].bad').waitFor();
  await newPw.fill("Tanaka#2026x");
  await rules.locator('[data-rule="contains_sign_in_id"].bad').waitFor();
  // The server refuses what the browser flagged, with the same rule's message, and keeps what was typed.
  await confirm.fill("Tanaka#2026x");
  await page.getByRole("button", { name: "パスワードを変更する" }).click();
  await page.getByTestId("error").getByText(/サインインIDの一部/).waitFor();
  assert.equal(await newPw.inputValue(), "Tanaka#2026x");
  await page.screenshot({ path: path.join(screenshotDir(), "password-change-phone-390.png"), fullPage: true });

  const strong = "Kx7#mPq2vL-Harbor";
  await newPw.fill(strong);
  await confirm.fill(strong);
  assert.equal(await rules.locator(".rule.bad").count(), 0);
  await page.getByRole("button", { name: "パスワードを変更する" }).click();
  await page.getByRole("heading", { name: "セキュリティキー・パスキーの登録" }).waitFor();
  await page.getByLabel("キーの名前（任意）").fill("田中のスマートフォン");
  await page.getByRole("button", { name: "セキュリティキー・パスキーを登録する" }).click();
  await page.getByTestId("recovery-codes").waitFor();
  const codes = await page.getByTestId("recovery-codes").locator("li").allTextContents();
  assert.equal(codes.length, 10);
  assert.ok(codes.every((c) => /^[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}$/.test(c)), codes.join(","));
  await page.getByRole("button", { name: /保管しました/ }).click();
  await page.getByRole("heading", { name: "メニュー" }).waitFor();

  // The key is listed under its name on the key page.
  await page.getByRole("link", { name: "キー管理" }).click();
  await page.getByTestId("key-list").getByRole("textbox").first().waitFor();
  assert.equal(await page.getByTestId("key-list").getByRole("textbox").first().inputValue(), "田中のスマートフォン");
  // Removing the only key is refused with a clear message.
  await page.getByRole("button", { name: "削除" }).click();
  await page.getByTestId("error").getByText(/最後のセキュリティキーは削除できません/).waitFor();

  await signOut(page);
  // Signed out, protected pages send the user back to sign-in.
  await page.goto(`${edge.url}/records`);
  await page.waitForURL(`${edge.url}/signin`);
  await signIn(page, edge.url, "tanaka@shinjuku-clinic.demo", strong);
  assert.match(await page.getByTestId("user-area").textContent(), /田中 医師/);
  await context.close();
});

test("a wrong password gets one message for unknown IDs and wrong passwords, and keeps the typed ID", async () => {
  const { context, page } = await newPage();
  await page.goto(`${edge.url}/signin`);
  await submitPassword(page, "doctor@setagaya-clinic.demo", "Wrong-password-1");
  const wrong = await page.getByTestId("error").textContent();
  assert.match(wrong, /サインインIDまたはパスワードが正しくありません/);
  assert.equal(await page.getByLabel("サインインID").inputValue(), "doctor@setagaya-clinic.demo");
  await submitPassword(page, "nobody@nowhere.demo", "Wrong-password-1");
  await page.getByTestId("error").getByText(wrong).waitFor();
  await context.close();
});

test("wrong passwords lock nothing and tell nothing: past ten the answer is still the unknown ID's, the right password without a key too", async () => {
  const { context, page } = await newPage();
  await page.goto(`${edge.url}/signin`);
  await submitPassword(page, "nobody-at-all@nowhere.demo", "Wrong-password-x");
  await page.getByTestId("error").waitFor();
  const unknown = await page.getByTestId("error").textContent();
  assert.match(unknown, /サインインIDまたはパスワードが正しくありません/);
  for (let i = 0; i < 11; i++) {
    await submitPassword(page, "staff@setagaya-hc.demo", `Wrong-password-${i}`);
    await page.getByTestId("error").waitFor();
    assert.equal(await page.getByTestId("error").textContent(), unknown, `failure ${i + 1}`);
  }
  // The account has no key yet: past the limit its password alone would be the whole proof, so it is refused
  // with the same words (nothing says the account exists, is locked, or that the password was right).
  const answered = page.waitForResponse((r) => r.url().endsWith("/api/auth/password"));
  await submitPassword(page, "staff@setagaya-hc.demo", DEMO_PASSWORD);
  assert.equal((await answered).status(), 401);
  await page.waitForTimeout(300);
  await page.getByTestId("error").waitFor();
  assert.equal(await page.getByTestId("error").textContent(), unknown);
  assert.doesNotMatch(await page.locator("body").textContent(), /ロック/);
  await context.close();
});

test("a key that is not registered to the account is refused", async () => {
  const first = await newPage();
  await addVirtualAuthenticator(first.page);
  await firstSignIn(first.page, edge.url, "doctor@setagaya-clinic.demo");
  await first.context.close();

  // Another device whose authenticator holds no key for this account.
  const { context, page } = await newPage();
  await addVirtualAuthenticator(page);
  await page.goto(`${edge.url}/signin`);
  await submitPassword(page, "doctor@setagaya-clinic.demo", DEMO_PASSWORD);
  await page.getByRole("button", { name: "セキュリティキー・パスキーで認証する" }).click();
  await page.getByTestId("error").waitFor();
  assert.equal(await page.getByRole("heading", { name: "メニュー" }).count(), 0);
  await context.close();
});

test("an invitation link lets the new user set a password and register a passkey on their own device, once", async () => {
  const admin = await newPage(VIEWPORTS.desktop);
  await addVirtualAuthenticator(admin.page);
  // Each browser context is another device: its authenticator only knows keys registered in it.
  await firstSignIn(admin.page, edge.url, "admin@setagaya-hc.demo");
  const link = await adminCreates(admin.page, {
    loginId: "sato@setagaya-hc.demo", name: "佐藤 保健師", role: "health_center_staff", invitation: true,
  });
  assert.match(link, /\/invite#[A-Za-z0-9_-]{43}$/);
  await admin.context.close();

  const { context, page } = await newPage(VIEWPORTS.tablet);
  await addVirtualAuthenticator(page);
  await page.goto(link.replace(/^http:\/\/[^/]+/, edge.url));
  await page.getByRole("heading", { name: "アカウントの利用開始" }).waitFor();
  assert.equal(new URL(page.url()).hash, "", "the token is removed from the address bar");
  await page.getByLabel("新しいパスワード").fill("Blue#Harbor-7781");
  await page.getByLabel("パスワードの確認入力").fill("Blue#Harbor-7781");
  await page.getByRole("button", { name: "パスワードを設定する" }).click();
  await page.getByRole("button", { name: "セキュリティキー・パスキーを登録する" }).click();
  await page.getByRole("button", { name: /保管しました/ }).click();
  await page.getByRole("heading", { name: "メニュー" }).waitFor();
  assert.match(await page.getByTestId("user-area").textContent(), /佐藤 保健師/);
  await context.close();

  // The link works once.
  const again = await newPage();
  await again.page.goto(link.replace(/^http:\/\/[^/]+/, edge.url));
  await again.page.getByLabel("新しいパスワード").fill("Blue#Harbor-7782");
  await again.page.getByLabel("パスワードの確認入力").fill("Blue#Harbor-7782");
  await again.page.getByRole("button", { name: "パスワードを設定する" }).click();
  await again.page.getByTestId("error").getByText(/有効期限|やり直して/).waitFor();
  await again.context.close();
});

test("a passkey alone (with user verification) signs in", async () => {
  const { context, page } = await newPage();
  await addVirtualAuthenticator(page);
  await firstSignIn(page, edge.url, "pref@tokyo.demo");
  await signOut(page);
  await page.getByRole("button", { name: "パスキーでサインイン" }).click();
  await page.getByRole("heading", { name: "メニュー" }).waitFor();
  assert.match(await page.getByTestId("user-area").textContent(), /東京 七海.*都道府県/);
  await context.close();
});

test("each role sees only the actions it may take, and is told so on a page it may not use", async () => {
  const national = await newPage();
  await addVirtualAuthenticator(national.page);
  await firstSignIn(national.page, edge.url, "mhlw@national.demo");
  await national.page.getByTestId("aggregates-only").waitFor();
  // Aggregates only: the dashboards are the only cards (the epidemic curve, and counts by age band of issue 21), and
  // the open-data export (issue 22).
  assert.deepEqual(await national.page.locator(".action-title").allTextContents(), ["ダッシュボード", "発生数（年代別）", "データの書き出し"]);
  await national.page.goto(`${edge.url}/records`);
  await national.page.getByRole("alert").getByText("この操作を行う権限がありません。").waitFor();
  await national.page.goto(`${edge.url}/search`);
  await national.page.getByRole("alert").getByText("この操作を行う権限がありません。").waitFor();
  await national.context.close();

  const hc = await newPage(VIEWPORTS.tablet);
  await addVirtualAuthenticator(hc.page);
  await firstSignIn(hc.page, edge.url, "staff@shinjuku-hc.demo");
  const titles = await hc.page.locator(".action-title").allTextContents();
  assert.deepEqual(titles, [
    "閲覧・編集する", "受信した発生届", "健康観察アラート", "ダッシュボード",
    "発生数（年代別）", "日次報告の状況", "定点医療機関の指定", "自己登録の確認", "データの書き出し",
  ]);
  await hc.page.goto(`${edge.url}/notifications/new`);
  await hc.page.getByRole("alert").getByText("この操作を行う権限がありません。").waitFor();
  // The administration page is for health-center administrators only.
  await hc.page.goto(`${edge.url}/admin`);
  await hc.page.getByRole("alert").getByText(/管理者のみ/).waitFor();
  await hc.context.close();
});
