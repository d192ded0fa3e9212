// The filing form never loses a value or blocks on one nobody can see (issue 18, points 2, 3 and 5), at 390 px and
// 1280 px: a value in a field that stops applying is set aside with a notice and 元に戻す (shared's conditional
// rule), and comes back when the field applies again; every finding's link reaches a visible control; SpO₂ typed as
// −1, 95.5, "abc" or "１０１" gets a message at its field and is kept as typed; every number and date field of the
// form, given unreadable input, shows a message at its field and keeps it (nothing dropped, 確認 refused); the
// 入力状況 chips count only sections seen, answered and error-free (0 on an empty form).
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import path from "node:path";
import { startEdge } from "../support/edge.mjs";
import { jstDate } from "../support/notification.mjs";
import {
  addVirtualAuthenticator, firstSignIn, launchBrowser, screenshotDir, VIEWPORTS, watchErrors,
} from "../support/browser.mjs";

let edge;
let browser;
let page;
let errors;
before(async () => {
  edge = await startEdge({ seedDemo: true });
  browser = await launchBrowser();
  const context = await browser.newContext({ viewport: VIEWPORTS.phone });
  page = await context.newPage();
  errors = watchErrors(page);
  await addVirtualAuthenticator(page);
  await firstSignIn(page, edge.url, "doctor@shinjuku-clinic.demo");
  errors.length = 0;
});
after(async () => {
  await browser?.close();
  await edge?.stop();
});

const WIDTHS = [["390", VIEWPORTS.phone], ["1280", VIEWPORTS.desktop]];
const shot = (name) => page.screenshot({ path: path.join(screenshotDir(), `${name}.png`), fullPage: true });
const field = (p) => page.locator(`[data-path="${p}"]`).first();
const input = (p) => field(p).locator("input.input");
const choose = (p, label) => field(p).getByRole("button", { name: label, exact: true }).click();
const iso8 = (iso) => iso.replaceAll("-", "");

/** A fresh form at this width: any draft of an earlier test discarded. */
async function openForm(viewport) {
  await page.setViewportSize(viewport);
  await page.goto(`${edge.url}/notifications/new`);
  await page.locator('[data-testid="notification-form"][data-draft-checked="true"]').waitFor();
  const restored = page.getByTestId("draft-restored");
  if (await restored.isVisible()) {
    await restored.getByRole("button", { name: "下書きを破棄" }).click();
    await restored.waitFor({ state: "detached" });
  }
}

/** Whatever has the focus is a visible control (not the page, not a hidden element). */
const focusIsVisibleControl = () => page.evaluate(() => {
  const a = document.activeElement;
  if (!a || a === document.body) return "nothing focused";
  if (a.offsetParent === null) return `hidden ${a.id || a.tagName}`;
  const r = a.getBoundingClientRect();
  if (r.bottom < 0 || r.top > window.innerHeight) return `off screen ${a.id || a.tagName}`;
  return "";
});

for (const [w, viewport] of WIDTHS) {
  test(`${w} px: a value in a field that stops applying is set aside with a notice and 元に戻す, never left to block 確認; every finding's link focuses a visible control`, async () => {
    await openForm(viewport);
    await choose("category", "患者（確定例）");
    const onset = jstDate(-3);
    await input("onset_date").fill(iso8(onset));
    await choose("category", "無症状病原体保有者");
    // The field is gone and its value is out of the notification, said where the change was made.
    assert.equal(await page.locator('[data-path="onset_date"]').count(), 0);
    const notice = field("category").getByTestId("set-aside");
    await notice.waitFor();
    const text = await notice.textContent();
    assert.match(text, /発病年月日/);
    assert.ok(text.includes(onset), text);
    assert.match(text, /患者（確定例）の場合のみ/);
    await notice.evaluate((e) => e.scrollIntoView({ block: "center" }));
    await page.screenshot({ path: path.join(screenshotDir(), `form-values-set-aside-${w}.png`) });

    // 確認: the findings never name the hidden field, and each link reaches a control the person can see.
    await page.getByTestId("to-confirm").click();
    const findings = page.getByTestId("findings");
    await findings.waitFor();
    assert.doesNotMatch(await findings.textContent(), /発病年月日/);
    const links = findings.locator("a");
    const n = await links.count();
    assert.ok(n > 0);
    for (let i = 0; i < n; i += 1) {
      const link = links.nth(i);
      assert.notEqual(await link.getAttribute("href"), "#", "a link that goes nowhere");
      await link.click();
      assert.equal(await focusIsVisibleControl(), "", `finding ${i}: ${await link.textContent()}`);
    }

    // 元に戻す reverts the change that hid it: the category and the value come back.
    await notice.getByTestId("undo-set-aside").click();
    await input("onset_date").waitFor();
    assert.equal(await input("onset_date").inputValue(), iso8(onset));
    assert.equal(await field("category").locator('button[data-value="confirmed_patient"]').getAttribute("aria-pressed"), "true");
    assert.equal(await page.getByTestId("set-aside").count(), 0);

    // A guardian: set aside when the patient turns out to be an adult, back by itself when a minor again.
    await input("patient.date_of_birth").fill("20150401");
    await input("guardian.name").fill("保護 花子");
    await input("patient.date_of_birth").fill("19800401");
    assert.equal(await page.locator('[data-path="guardian.name"]').count(), 0);
    assert.match(await field("patient.date_of_birth").getByTestId("set-aside").textContent(), /保護者氏名：保護 花子/);
    await input("patient.date_of_birth").fill("20150401");
    await input("guardian.name").waitFor();
    assert.equal(await input("guardian.name").inputValue(), "保護 花子");

    // A choice set aside reads by its printed label.
    await choose("patient.sex", "女");
    await choose("other.pregnant", "無");
    await choose("patient.sex", "男");
    assert.equal(await page.locator('[data-path="other.pregnant"]').count(), 0);
    assert.match(await field("patient.sex").getByTestId("set-aside").textContent(), /妊娠の有無：無/);

    // 死亡年月日 for a body, then a living patient: set aside, never an error.
    await choose("category", "感染症死亡者の死体");
    await input("death_date").fill(iso8(jstDate(-1)));
    await choose("category", "患者（確定例）");
    assert.equal(await page.locator('[data-path="death_date"]').count(), 0);
    assert.match(await field("category").getByTestId("set-aside").textContent(), /死亡年月日/);
    await page.getByTestId("to-confirm").click();
    assert.doesNotMatch(await page.getByTestId("findings").textContent(), /死亡年月日/);
    assert.deepEqual(errors, []);
  });

  test(`${w} px: SpO₂ typed as −1, 95.5, "abc" or "１０１" gets a message at its field and stays as typed; "９５" reads as 95`, async () => {
    await openForm(viewport);
    const spo2 = input("symptoms.spo2_percent");
    const message = field("symptoms.spo2_percent").locator(".field-error");
    for (const [typed, why] of [["-1", /0〜100/], ["−1", /0〜100/], ["95.5", /整数/], ["abc", /数字/], ["１０１", /0〜100/]]) {
      await spo2.fill(typed);
      await message.first().waitFor();
      const m = await message.first().textContent();
      assert.match(m, /酸素飽和度/, typed);
      assert.match(m, why, `${typed}: ${m}`);
      assert.equal(await spo2.inputValue(), typed, "kept as typed");
    }
    await spo2.fill("abc");
    await field("symptoms.spo2_percent").evaluate((e) => e.scrollIntoView({ block: "center" }));
    await page.screenshot({ path: path.join(screenshotDir(), `form-values-spo2-${w}.png`) });
    // 確認 is refused with the SpO₂ finding: the value is not dropped while the rest goes on.
    await page.getByTestId("to-confirm").click();
    assert.match(await page.getByTestId("findings").textContent(), /酸素飽和度/);
    assert.equal(await page.getByTestId("confirm").count(), 0);
    await spo2.fill("９５");
    assert.equal(await message.count(), 0);
    assert.doesNotMatch(await page.getByTestId("findings").textContent(), /酸素飽和度/);
  });

  test(`${w} px: every number and date field of the form, given unreadable input, shows a message at its field and keeps it`, async () => {
    await openForm(viewport);
    // Every conditional number and date field shown.
    await choose("category", "患者（確定例）");
    await choose("other.hospitalised", "有");
    await input("infection.area.abroad[0].country").fill("韓国");
    for (const d of [0, 1, 2]) await choose(`vaccination[${d}].status`, "有");
    await page.getByTestId("add-test").click();
    const paths = await page.locator('[data-kind="date"], [data-kind="number"]').evaluateAll(
      (els) => els.filter((e) => e.offsetParent !== null).map((e) => [e.dataset.path, e.dataset.kind]));
    const kinds = new Set(paths.map(([, k]) => k));
    assert.ok(kinds.has("date") && kinds.has("number"), JSON.stringify(paths));
    for (const p of ["report_date", "patient.date_of_birth", "symptoms.spo2_percent", "tests[0].specimen_date", "tests[1].specimen_date", "diagnosis_date",
      "first_visit_date", "onset_date", "infection_date", "other.admission_date", "infection.area.departure_date", "infection.area.entry_date",
      "vaccination[0].age", "vaccination[0].date", "vaccination[2].age", "vaccination[2].date"]) {
      assert.ok(paths.some(([q]) => q === p), `${p} is walked`);
    }
    const typed = new Map();
    for (const [p, kind] of paths) {
      for (const bad of kind === "date" ? ["abc", "2024-13-45", "３２月"] : ["abc", "1.5", "-3", "１２ｘ"]) {
        await input(p).fill(bad);
        const m = field(p).locator(".field-error");
        await m.first().waitFor({ timeout: 3000 }).catch(() => {});
        assert.ok(await m.count() > 0, `${p} = ${bad}: no message at the field`);
        typed.set(p, bad);
      }
    }
    await shot(`form-values-every-field-${w}`);
    // Nothing is dropped: another layout re-draws every input with what was typed.
    await page.getByTestId("legal-layout").click();
    for (const [p, bad] of typed) assert.equal(await input(p).inputValue(), bad, `${p} kept`);
    // 確認 lists each of them, linked to its field.
    await page.getByTestId("to-confirm").click();
    const linked = await page.getByTestId("findings").locator("a[data-field]").evaluateAll((as) => as.map((a) => a.dataset.field));
    for (const p of typed.keys()) assert.ok(linked.includes(p), `${p} among the findings`);
    assert.equal(await page.getByTestId("confirm").count(), 0);
    await page.getByRole("button", { name: "入力しやすい順" }).click();
  });

  test(`${w} px: the 入力状況 chips count 0 on an empty form and never a section with an error`, async () => {
    await openForm(viewport);
    const progress = page.getByTestId("progress");
    assert.match(await progress.textContent(), /入力状況 0\/8/);
    assert.equal(await page.locator(".progress-step.done").count(), 0);
    await page.getByTestId("no-symptoms").click();
    await page.waitForFunction(() => document.querySelector('[data-testid="progress"]')?.textContent.includes("1/8"));
    const symptoms = page.locator(".progress-step", { hasText: "症状（11）" });
    assert.match(await symptoms.getAttribute("class"), /done/);
    await input("symptoms.spo2_percent").fill("abc");
    await page.waitForFunction(() => document.querySelector('[data-testid="progress"]')?.textContent.includes("0/8"));
    assert.doesNotMatch(await symptoms.getAttribute("class"), /done/);
    await page.locator("nav.progress").screenshot({ path: path.join(screenshotDir(), `form-values-chips-${w}.png`) });
    await input("symptoms.spo2_percent").fill("97");
    await page.waitForFunction(() => document.querySelector('[data-testid="progress"]')?.textContent.includes("1/8"));
    // After 確認 on a nearly empty form, only sections without findings count.
    await page.getByTestId("to-confirm").click();
    const done = await page.locator(".progress-step.done").allTextContents();
    assert.ok(!done.some((t) => /類型|患者/.test(t)), JSON.stringify(done));
  });
}
