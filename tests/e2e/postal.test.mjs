// Postal codes shared by several municipalities (issue 18, point 1) and the ID管理 form's postal fill (point 7), in
// Chromium at 390 px and 1280 px: 6180000 (京都府乙訓郡大山崎町 and 大阪府三島郡島本町) asks which; the hidden
// municipality code follows the choice and the address text; choosing 島本町 files a notification stored with
// 273015 whose residence note names 大阪府茨木保健所, not 京都府乙訓保健所. The ID管理 form before a notification
// fills 住所 from 1600023.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startEdge } from "../support/edge.mjs";
import {
  addVirtualAuthenticator, firstSignIn, launchBrowser, screenshotDir, VIEWPORTS, watchErrors,
} from "../support/browser.mjs";

let edge;
let browser;
before(async () => {
  edge = await startEdge({ seedDemo: true });
  browser = await launchBrowser();
});
after(async () => {
  if (process.env.EDGE_LOG) console.log(edge?.log());
  await browser?.close();
  await edge?.stop();
});

// One signed-in doctor (a demo account registers its key once); each test sets its screen width.
let session;
async function signedIn(viewport) {
  if (!session) {
    const context = await browser.newContext({ viewport });
    const page = await context.newPage();
    const errors = watchErrors(page);
    await addVirtualAuthenticator(page);
    await firstSignIn(page, edge.url, "doctor@shinjuku-clinic.demo");
    session = { context, page, errors };
  }
  await session.page.setViewportSize(viewport);
  session.errors.length = 0;
  return session;
}

async function valueOf(locator, ok, timeout = 10000) {
  const end = Date.now() + timeout;
  let v = "";
  while (Date.now() < end) {
    v = await locator.inputValue().catch(() => "");
    if (ok(v)) return v;
    await new Promise((r) => setTimeout(r, 100));
  }
  assert.fail(`value never matched: ${JSON.stringify(v)}`);
}

const shot = (page, name) => page.screenshot({ path: path.join(screenshotDir(), `${name}.png`), fullPage: true });

/** The button of a municipality in a choice group, and whether it is marked chosen. */
const pressed = (button) => button.getAttribute("aria-pressed");

for (const [name, viewport] of [["phone", VIEWPORTS.phone], ["desktop", VIEWPORTS.desktop]]) {
  test(`6180000 asks which municipality (${viewport.width} px); choosing 島本町 files 273015, noted to the Osaka health center`, async () => {
    const { page, errors } = await signedIn(viewport);
    await page.goto(`${edge.url}/notifications/new`);
    await page.locator('[data-testid="notification-form"][data-draft-checked="true"]').waitFor();
    const choose = (p, label) => page.locator(`[data-path="${p}"]`).getByRole("button", { name: label, exact: true }).click();
    await choose("category", "患者（確定例）");
    await page.getByLabel("当該者氏名", { exact: true }).fill(`島本 花子${name}`);
    await page.getByLabel("フリガナ", { exact: true }).fill("しまもと はなこ");
    await choose("patient.sex", "女");
    await page.getByLabel("生年月日", { exact: true }).fill("S60.4.1");
    await page.getByLabel("職業", { exact: true }).fill("会社員");
    await page.getByLabel("住所 郵便番号", { exact: true }).fill("6180000");

    // Two municipalities: the form asks, and fills neither on its own.
    const group = page.getByTestId("postal-choice-patient.address");
    await group.waitFor();
    const oyamazaki = group.locator('button[data-code="263036"]');
    const shimamoto = group.locator('button[data-code="273015"]');
    assert.match(await oyamazaki.textContent(), /京都府.*乙訓郡大山崎町/);
    assert.match(await shimamoto.textContent(), /大阪府.*三島郡島本町/);
    assert.equal(await pressed(oyamazaki), "false");
    assert.equal(await pressed(shimamoto), "false");
    for (const b of [oyamazaki, shimamoto]) {
      const box = await b.boundingBox();
      assert.ok(box.height >= 48 && box.width >= 150, `touch target ${JSON.stringify(box)}`);
    }
    const address = page.getByLabel("住所", { exact: true });
    assert.equal(await address.inputValue(), "");
    await group.evaluate((el) => el.scrollIntoView({ block: "center" }));
    await page.screenshot({ path: path.join(screenshotDir(), `postal-choice-${name}.png`) });

    // The code follows what the address text says: typed as 大山崎町, then corrected to 島本町 by the choice.
    await address.fill("京都府乙訓郡大山崎町円明寺");
    await page.waitForFunction(() => document.querySelector('[data-code="263036"]')?.getAttribute("aria-pressed") === "true");
    await shimamoto.click();
    const filled = await valueOf(address, (v) => v.startsWith("大阪府三島郡島本町"));
    assert.equal(filled, "大阪府三島郡島本町");
    assert.equal(await pressed(shimamoto), "true");
    assert.equal(await pressed(oyamazaki), "false");
    await group.evaluate((el) => el.scrollIntoView({ block: "center" }));
    await page.screenshot({ path: path.join(screenshotDir(), `postal-chosen-${name}.png`) });
    await address.fill(`${filled}山崎1-1`);
    // Text naming neither municipality leaves no code chosen; naming 島本町 again chooses it.
    await address.fill("大阪府高槻市");
    await page.waitForFunction(() => document.querySelector('[data-code="273015"]')?.getAttribute("aria-pressed") === "false");
    await address.fill("大阪府三島郡島本町山崎1-1");
    await page.waitForFunction(() => document.querySelector('[data-code="273015"]')?.getAttribute("aria-pressed") === "true");

    await page.getByLabel("住所 電話番号", { exact: true }).fill("090-1234-5678");
    await choose("symptoms.present", "発熱");
    await choose("tests[0].method", "核酸増幅法（PCR・LAMP等）");
    await choose("tests[0].specimen", "鼻咽頭拭い液");
    await choose("tests[0].result", "陽性");
    const today = await page.getByLabel("診断（検案）年月日", { exact: true }).inputValue();
    await page.getByLabel("初診年月日", { exact: true }).fill(today);
    await page.getByLabel("発病年月日", { exact: true }).fill(today);
    await choose("other.severity", "軽症");
    await page.getByTestId("all-no").click();
    await choose("vaccination[0].status", "不明");
    await page.getByTestId("to-confirm").click();
    await page.getByTestId("confirm").waitFor();
    if (await page.getByTestId("ack-warnings").count()) await page.getByTestId("ack-warnings").click();
    await page.getByTestId("submit").click();
    await page.getByTestId("filed").waitFor();
    const done = await page.getByTestId("filed").textContent();
    assert.match(done, /住所地の保健所\s*大阪府茨木保健所/);
    assert.doesNotMatch(done, /乙訓/);
    await shot(page, `postal-filed-${name}`);

    // As stored: the chosen municipality and its health center.
    const href = await page.getByRole("link", { name: "届出内容を表示・印刷" }).getAttribute("href");
    const id = href.split("/").pop();
    const record = await page.evaluate(async (id) => (await fetch(`/api/notifications/${id}`)).json(), id);
    assert.equal(record.notification.patient.address.municipality_code, "273015");
    assert.equal(record.notification.patient.address.text, "大阪府三島郡島本町山崎1-1");
    assert.equal(record.residence_health_center_name, "大阪府茨木保健所");
    assert.deepEqual(errors, []);
  });
}

for (const [name, viewport] of [["phone", VIEWPORTS.phone], ["desktop", VIEWPORTS.desktop]]) {
  test(`the ID管理 form before a notification fills 住所 from its 郵便番号 (${viewport.width} px)`, async () => {
    const { page, errors } = await signedIn(viewport);
    await page.goto(`${edge.url}/pre-notification`);
    await page.getByTestId("pre-form").waitFor();
    const postal = page.getByLabel("郵便番号", { exact: true });
    const address = page.getByLabel("住所", { exact: true });
    await postal.fill("1600023");
    await valueOf(address, (v) => v === "東京都新宿区西新宿");
    assert.match(await page.getByTestId("postal-note").textContent(), /東京都新宿区西新宿 を補いました/);
    // 番地など typed after it stay when the code is typed again.
    await address.fill("東京都新宿区西新宿二丁目8番1号");
    await postal.fill("160-0023");
    await page.waitForTimeout(300);
    assert.equal(await address.inputValue(), "東京都新宿区西新宿二丁目8番1号");
    // A shared code asks here too; the choice fills 住所.
    await postal.fill("6180000");
    const group = page.getByTestId("postal-choice");
    await group.waitFor();
    await group.evaluate((el) => el.scrollIntoView({ block: "center" }));
    await page.screenshot({ path: path.join(screenshotDir(), `postal-id-choice-${name}.png`) });
    await group.locator('button[data-code="263036"]').click();
    await valueOf(address, (v) => v === "京都府乙訓郡大山崎町");
    assert.equal(await group.locator('button[data-code="263036"]').getAttribute("aria-pressed"), "true");
    assert.deepEqual(errors, []);
  });
}
