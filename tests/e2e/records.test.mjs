// Registered records in Chromium (manual 4.3–5.2): a clinic on a phone registers a person before a notification,
// records a pending test, marks it positive and files the notification pre-filled from what was entered; a health
// center on a desktop searches (kana in any form, sort, paging, criteria kept), moves the status record and
// withdraws a mistake, meets a colleague's earlier save as a conflict without losing its own input; the notification
// is edited; an administrator deletes and restores; a clinic guessing another clinic's record id is refused.
// Screenshots at 390, 820 and 1280 px.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startEdge } from "../support/edge.mjs";
import {
  launchBrowser, screenshotDir, signedInSessions, VIEWPORTS,
} from "../support/browser.mjs";

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

/** One signed-in browser per demo user (tests/support/browser.mjs). */
const as = signedInSessions(() => browser, () => edge.url, VIEWPORTS.phone);
const shot = (page, name) => page.screenshot({ path: path.join(screenshotDir(), `${name}.png`), fullPage: true });
const textOf = (page, id) => page.getByTestId(id).textContent();
const waitText = (page, id, text) =>
  page.waitForFunction(([i, t]) => document.querySelector(`[data-testid=${i}]`)?.textContent?.includes(t), [id, text]);
/** Console errors other than the API refusals a test provokes on purpose. */
const unexpected = (errors, allowed = []) => errors.filter((e) => !allowed.some((re) => re.test(e)));

let registeredId;
let registeredSid;

test("before a notification, on a phone: ID管理 → 検査 (pending, then positive) → 発生届 pre-filled → filed onto the same record", async () => {
  const { page, errors } = await as("doctor@shinjuku-clinic.demo", VIEWPORTS.phone);
  await page.goto(edge.url);
  await page.getByRole("link", { name: /発生届の提出前に使用する/ }).click();
  await page.getByTestId("pre-form").waitFor();
  // 確認 without a name is refused at the field; what was typed stays.
  await page.getByLabel("フリガナ").fill("やまだ はなこ");
  await page.getByTestId("pre-confirm").click();
  await page.getByTestId("findings").waitFor();
  assert.match(await textOf(page, "findings"), /氏名/);
  assert.equal(await page.getByLabel("フリガナ").inputValue(), "やまだ はなこ");
  await page.getByLabel("氏名（必須）").fill("山田 花子");
  await page.getByLabel("生年月日").fill("S60.3.3");
  await page.locator('[data-path="sex"]').getByRole("button", { name: "女" }).click();
  await page.getByLabel("郵便番号").fill("1600023");
  await page.getByLabel("住所", { exact: true }).fill("東京都新宿区西新宿二丁目8番1号");
  await page.getByLabel("電話番号1").fill("090-1111-2222");
  await page.getByTestId("pre-confirm").click();
  await page.getByTestId("pre-confirm-view").waitFor();
  assert.match(await textOf(page, "pre-confirm-view"), /山田 花子/);
  await shot(page, "pre-confirm-phone");
  await page.getByTestId("pre-register").click();
  await page.getByTestId("pre-done").waitFor();
  // The スマホ入力ID is not shown to the clinic (a credential for the patient's phone; the health center prints it).
  assert.doesNotMatch(await textOf(page, "pre-done"), /スマホ入力ID/);
  await page.getByRole("link", { name: "検査を登録する" }).click();
  await page.getByTestId("form-tests").waitFor();
  registeredId = page.url().split("/records/")[1].split("/")[0];
  const row = page.getByTestId("row-tests-0");
  assert.equal(await row.getByLabel("外来機関（必須）").inputValue(), "新宿みなみクリニック", "外来機関 defaults to the clinic");
  // 検査1 is required (manual 4.5 step 5).
  await page.getByTestId("confirm-tests").click();
  await page.getByTestId("findings").waitFor();
  assert.match(await textOf(page, "findings"), /検査1/);
  await row.getByLabel("検査1 検査方法（必須）").selectOption({ label: "検体から核酸増幅法（PCR 法　LAMP 法など）による病原体遺伝子の検出" });
  await row.getByLabel("検査1 検体").selectOption("鼻咽頭拭い液");
  await page.getByTestId("confirm-tests").click();
  await page.getByTestId("confirm-view-tests").waitFor();
  await page.getByTestId("save-tests").click();
  await page.getByTestId("saved-tests").waitFor();
  assert.equal(await textOf(page, "case-status"), "検体採取");
  await shot(page, "tests-saved-phone");
  // The result comes back positive.
  await page.getByTestId("edit-tests").click();
  await row.locator('[data-path="tests.0.result"]').getByRole("button", { name: "陽性", exact: true }).click();
  await row.locator('[data-path="tests.0.result1"]').getByRole("button", { name: "陽性", exact: true }).click();
  await page.getByTestId("confirm-tests").click();
  await page.getByTestId("confirm-view-tests").waitFor();
  await page.getByTestId("save-tests").click();
  await page.getByTestId("saved-tests").waitFor();
  // 発生届 tab: none yet → 発生届を作成する, pre-filled with what was entered.
  await page.getByTestId("tab-notification").click();
  await page.getByTestId("no-notification").waitFor();
  await page.getByTestId("create-notification").click();
  await page.getByTestId("notification-form").waitFor();
  const value = (label) => page.getByLabel(label, { exact: true }).inputValue();
  for (let i = 0; i < 50 && (await value("当該者氏名")) === ""; i++) await page.waitForTimeout(100);
  assert.equal(await value("当該者氏名"), "山田 花子");
  assert.equal(await value("フリガナ"), "ヤマダ　ハナコ");
  assert.match(await value("生年月日"), /1985.?03.?03|19850303/);
  assert.equal(await value("住所 郵便番号"), "1600023");
  assert.equal(await value("住所 電話番号"), "090-1111-2222");
  await shot(page, "filing-from-record-phone");
  const field = (n) => page.locator(`[data-path="${n}"]`);
  await field("category").getByRole("button", { name: "患者（確定例）", exact: true }).click();
  await field("symptoms.present").getByRole("button", { name: "発熱", exact: true }).click();
  const today = await value("診断（検案）年月日");
  await page.getByLabel("初診年月日", { exact: true }).fill(today);
  await page.getByLabel("発病年月日", { exact: true }).fill(today);
  await field("other.severity").getByRole("button", { name: "軽症", exact: true }).click();
  await page.getByTestId("all-no").click();
  await field("vaccination[0].status").getByRole("button", { name: "不明", exact: true }).click();
  await page.getByTestId("to-confirm").click();
  await page.getByTestId("confirm").waitFor();
  if (await page.getByTestId("ack-warnings").count()) await page.getByTestId("ack-warnings").check();
  await page.getByTestId("submit").click();
  await page.getByTestId("filed").waitFor();
  await page.getByRole("link", { name: "届出内容を表示・印刷" }).click();
  await page.getByTestId("record").waitFor();
  // The same record: its id, its スマホ入力ID, its test; the status moved on.
  assert.equal(page.url().split("/records/")[1].split("/")[0], registeredId);
  assert.equal(await page.getByTestId("case-smartphone-id").count(), 0, "the clinic sees no スマホ入力ID");
  assert.equal(await textOf(page, "case-status"), "検査結果報告");
  await page.getByTestId("tab-tests").click();
  assert.match(await textOf(page, "read-tests"), /陽性/);
  await page.getByTestId("tab-status").click();
  const history = await textOf(page, "change-history");
  for (const what of ["ID管理情報を登録", "検査", "発生届を提出"]) assert.match(history, new RegExp(what));
  await shot(page, "record-status-phone");
  assert.deepEqual(unexpected(errors), []);
});

test("a health center on a desktop: search in any kana form, sort, page; status record with a withdrawal; conflicts never overwrite", async () => {
  const { page, errors } = await as("staff@shinjuku-hc.demo", VIEWPORTS.desktop);
  await page.goto(edge.url);
  await page.getByRole("link", { name: /閲覧・編集する/ }).click();
  await page.getByTestId("search-page").waitFor();
  // All blank: every record of the health center (32 demo + the one filed above), paged by 50.
  await page.getByTestId("search-submit").click();
  await waitText(page, "result-count", "件");
  assert.equal(await textOf(page, "result-count"), "33件");
  assert.equal(await page.getByTestId("result-row").count(), 33);
  await shot(page, "search-all-desktop");
  // Furigana typed in half-width finds the full-width record; sorted by furigana.
  await page.getByLabel("フリガナ").fill("ﾔﾏﾀﾞ");
  await page.getByTestId("search-submit").click();
  await page.waitForFunction(() => {
    const names = [...document.querySelectorAll("[data-testid=result-name]")].map((e) => e.textContent);
    return names.length > 0 && names.every((n) => n.startsWith("山田")) && names.some((n) => n.startsWith("山田 花子"));
  });
  const names = await page.getByTestId("result-name").allTextContents();
  assert.ok(names.every((n) => n.startsWith("山田")), names.join());
  await page.getByLabel("並び順").selectOption("name");
  await page.waitForTimeout(300);
  // The health center sees the record's スマホ入力ID (read here as its own session would).
  registeredSid = await page.evaluate(
    async (id) => (await (await fetch(`/api/cases/${id}`, { credentials: "same-origin" })).json()).smartphone_id,
    registeredId,
  );
  assert.match(registeredSid, /^\d{10}$/);
  // A bad スマホ入力ID is caught at the field before anything is sent.
  await page.getByLabel("スマホ入力ID").fill("1234567890");
  await page.getByTestId("search-submit").click();
  await page.locator("#s-smartphone_id ~ .field-error").waitFor();
  await page.getByLabel("スマホ入力ID").fill(registeredSid);
  await page.getByLabel("フリガナ").fill("");
  await page.getByTestId("search-submit").click();
  await waitText(page, "result-count", "1件");
  await page.getByTestId("result-name").first().click();
  await page.getByTestId("case-record").waitFor();
  assert.equal(await textOf(page, "case-name"), "山田 花子");
  // 記録: only the allowed next states are offered; 入院 → 重症化した, then the mistake is withdrawn.
  await page.getByTestId("tab-status").click();
  const offered = await page.locator("#status-next option").allTextContents();
  assert.ok(offered.includes("入院") && !offered.includes("重症化した"), offered.join());
  await page.locator("#status-next").selectOption({ label: "入院" });
  await page.getByLabel("居所の区分").selectOption({ label: "医療機関" });
  await page.getByLabel("重症度").selectOption({ label: "中等症Ⅰ" });
  await page.getByLabel("コメント").fill("新宿病院へ入院");
  await page.getByTestId("status-submit").click();
  await waitText(page, "case-status", "入院");
  await page.locator("#status-next").selectOption({ label: "重症化した" });
  await page.getByTestId("status-submit").click();
  await waitText(page, "case-status", "重症化した");
  const current = page.locator('[data-testid=status-table] [data-current="true"]');
  assert.match(await current.textContent(), /重症化した/);
  assert.match(await textOf(page, "panel-status"), /ICUに入っている場合/);
  await page.getByTestId("withdraw-last").click();
  await page.getByTestId("withdraw-yes").click();
  await page.waitForFunction(() => document.querySelector("[data-testid=case-status]")?.textContent === "入院");
  assert.match(await textOf(page, "status-timeline"), /重症化した/, "a withdrawn entry stays, struck through");
  await shot(page, "record-status-desktop");
  // Conflict: the health center starts editing ID管理; the clinic saves first; the second save is refused with
  // the first change shown, the typed value kept, and saved after loading the latest.
  await page.getByTestId("tab-id").click();
  await page.getByTestId("edit-id").click();
  await page.getByLabel("保健所独自ID").fill("SJ-0001");
  const clinic = await as("doctor@shinjuku-clinic.demo", VIEWPORTS.phone);
  await clinic.page.goto(`${edge.url}/records/${registeredId}/id`);
  await clinic.page.getByTestId("edit-id").click();
  await clinic.page.getByLabel("電話番号2").fill("03-1234-5678");
  await clinic.page.getByTestId("confirm-id").click();
  await clinic.page.getByTestId("save-id").click();
  await clinic.page.getByTestId("saved-id").waitFor();
  await page.getByTestId("confirm-id").click();
  await page.getByTestId("save-id").click();
  await page.getByTestId("conflict").waitFor();
  assert.match(await textOf(page, "conflict"), /新宿 一郎/);
  assert.match(await textOf(page, "conflict-changes"), /電話番号2/);
  await shot(page, "record-conflict-desktop");
  await page.getByTestId("reload-latest").click();
  await page.getByTestId("reloaded").waitFor();
  await page.getByTestId("save-id").click();
  await page.getByTestId("saved-id").waitFor();
  const idTab = await textOf(page, "read-id");
  assert.match(idTab, /SJ-0001/, "the health center's own input survived");
  assert.match(idTab, /03-1234-5678/, "the clinic's earlier change survived");
  // Back to the list: the criteria are still there.
  await page.getByRole("link", { name: /登録情報一覧/ }).first().click();
  await page.getByTestId("search-page").waitFor();
  assert.equal(await page.getByLabel("スマホ入力ID").inputValue(), registeredSid);
  // The new 保健所独自ID finds it.
  await page.getByTestId("search-clear").click();
  await page.getByLabel("保健所独自ID").fill("SJ-0001");
  await page.getByTestId("search-submit").click();
  await waitText(page, "result-count", "1件");
  // Tablet and phone layouts of the list.
  await page.getByTestId("search-clear").click();
  await page.getByTestId("search-submit").click();
  await waitText(page, "result-count", "件");
  await page.setViewportSize(VIEWPORTS.tablet);
  await shot(page, "search-all-tablet");
  await page.setViewportSize(VIEWPORTS.phone);
  await shot(page, "search-all-phone");
  assert.deepEqual(unexpected(errors, [/status of 409/]), []);
  assert.deepEqual(unexpected(clinic.errors), []);
});

test("the notification is edited through the filing form; a record is deleted and an administrator restores it", async () => {
  const { page, errors } = await as("admin@shinjuku-hc.demo", VIEWPORTS.desktop);
  await page.goto(`${edge.url}/search`);
  await page.locator("#s-status").selectOption("waiting_low");
  await page.getByTestId("search-submit").click();
  await waitText(page, "result-count", "件");
  await page.getByTestId("result-name").first().click();
  await page.getByTestId("record").waitFor();
  const name = await textOf(page, "case-name");
  await page.getByTestId("edit-notification").click();
  await page.getByTestId("notification-form").waitFor();
  await page.getByLabel("職業", { exact: true }).fill("編集後の職業");
  await page.getByTestId("to-confirm").click();
  await page.getByTestId("confirm").waitFor();
  if (await page.getByTestId("ack-warnings").count()) await page.getByTestId("ack-warnings").check();
  await page.getByTestId("submit").click();
  await page.getByTestId("record").waitFor();
  await page.waitForFunction(() => document.querySelector("[data-testid=form-sheet]")?.textContent.includes("編集後の職業"));
  await page.getByTestId("tab-status").click();
  assert.match(await textOf(page, "change-history"), /発生届を編集/);
  // Delete: out of the list; the administrator finds it under 削除した記録 and restores it.
  await page.getByTestId("tab-notification").click();
  await page.getByTestId("delete-record").click();
  await page.getByTestId("delete-dialog").waitFor();
  await shot(page, "record-delete-dialog-desktop");
  await page.getByTestId("delete-yes").click();
  await page.getByTestId("flash").waitFor();
  await page.getByLabel("氏名").fill(name);
  await page.locator("#s-status").selectOption("");
  await page.getByTestId("search-submit").click();
  await page.getByTestId("no-results").waitFor();
  await page.goto(edge.url);
  await page.getByRole("link", { name: /削除した記録/ }).click();
  await page.getByTestId("deleted-list").waitFor();
  assert.match(await textOf(page, "deleted-list"), new RegExp(name));
  await shot(page, "deleted-desktop");
  await page.locator("[data-testid^=restore-]").first().click();
  await page.getByTestId("restored").waitFor();
  await page.goto(`${edge.url}/search`);
  await page.getByTestId("search-clear").click();
  await page.getByLabel("氏名").fill(name);
  await page.getByTestId("search-submit").click();
  await waitText(page, "result-count", "1件");
  assert.ok((await page.getByTestId("result-name").first().textContent()).startsWith(name));
  assert.deepEqual(unexpected(errors), []);
});

test("a clinic guessing another clinic's record id is refused, and the record shows at every width", async () => {
  // Setagaya's clinic tries a Shinjuku record (the demo ids are predictable; real ids are random).
  const setagaya = await as("doctor@setagaya-clinic.demo", VIEWPORTS.phone);
  await setagaya.page.goto(`${edge.url}/records/n_demo_001`);
  await setagaya.page.getByTestId("record-error").waitFor();
  assert.match(await textOf(setagaya.page, "record-error"), /権限/);
  assert.equal(await setagaya.page.getByTestId("case-record").count(), 0);
  await shot(setagaya.page, "record-forbidden-phone");
  assert.deepEqual(unexpected(setagaya.errors, [/status of 403/]), []);
  // The prefecture reads a record without edit buttons.
  const pref = await as("pref@tokyo.demo", VIEWPORTS.tablet);
  await pref.page.goto(`${edge.url}/records/n_demo_004`);
  await pref.page.getByTestId("case-record").waitFor();
  await pref.page.getByTestId("tab-basic").click();
  assert.equal(await pref.page.getByTestId("edit-basic").count(), 0);
  for (const [label, viewport] of Object.entries({ phone: VIEWPORTS.phone, tablet: VIEWPORTS.tablet, desktop: VIEWPORTS.desktop })) {
    await pref.page.setViewportSize(viewport);
    await pref.page.getByTestId("tab-medical").click();
    await shot(pref.page, `record-medical-${label}`);
  }
  assert.deepEqual(unexpected(pref.errors), []);
});
