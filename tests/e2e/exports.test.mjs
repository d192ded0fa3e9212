// Exports in Chromium (issue 22): the export page (/exports) per role and the record's 「FHIR形式で保存」.
//
// Three notifications are filed through the API by the Shinjuku clinic's staff (patients in 新宿区, so the 新宿区
// health center manages them). The health center's staff open the page from the menu, see CSV and FHIR only, preview
// (the count shown is the three records, with the scope, the file name and the downloads left), download the CSV in
// UTF-8 with BOM and in Shift_JIS with 和暦 dates (each file decoded and a filed patient's row found), and the FHIR
// NDJSON (one Bundle per line); a date range the edge refuses is shown at its field with the choice kept; a download
// past the hourly limit (429) is shown at the button with its message; nothing personal is left in the browser's
// storage. Screenshots at 390, 820 and 1280 px before and after the preview, during and after a download. The
// prefecture downloads open data (no personal data in it); national staff see only オープンデータ; the clinic's doctor
// sees only FHIR (its own filings) and saves one record's FHIR document from the record page as <届出番号>.fhir.json.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import path from "node:path";
import { startEdge } from "../support/edge.mjs";
import { launchBrowser, screenshotDir, signedInSessions, VIEWPORTS } from "../support/browser.mjs";
import { Client, firstSignInAs } from "../support/softauthn.mjs";
import { patientCase, freshKey, jstDate } from "../support/notification.mjs";
import { dumpStorage } from "../support/storage.mjs";

const PATIENTS = [
  { name: "輸出 花子", furigana: "ユシュツ ハナコ", date_of_birth: "1980-01-15", phone: "090-4444-0001" },
  { name: "輸出 次郎", furigana: "ユシュツ ジロウ", date_of_birth: "1975-06-30", phone: "090-4444-0002" },
  { name: "輸出 三郎", furigana: "ユシュツ サブロウ", date_of_birth: "2001-11-03", phone: "090-4444-0003" },
];

let edge;
let browser;
const filed = [];
before(async () => {
  edge = await startEdge({ seedDemo: true });
  browser = await launchBrowser();
  const clinic = await firstSignInAs(edge, "staff_shinjuku");
  for (const p of PATIENTS) {
    const r = await new Client(edge).request("POST", "/api/notifications",
      { idempotency_key: freshKey(), notification: patientCase(p), acknowledged_warnings: [] }, { cookie: clinic.cookie });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    filed.push({ id: r.body.id, number: r.body.number });
  }
});
after(async () => {
  await browser?.close();
  await edge?.stop();
});

const as = signedInSessions(() => browser, () => edge.url, VIEWPORTS.desktop);
const shot = (page, name) => page.screenshot({ path: path.join(screenshotDir(), `${name}.png`), fullPage: true });
const kindsShown = async (page) =>
  (await page.locator('input[name="export-kind"]').evaluateAll((els) => els.map((e) => e.value))).sort();

async function openExports(page) {
  await page.goto(`${edge.url}/exports`);
  await page.getByTestId("exports-page").waitFor();
  await page.getByTestId("export-preview-button").waitFor();
}

/** 件数を確認, then the count shown. */
async function preview(page) {
  await page.getByTestId("export-preview-button").click();
  const count = page.getByTestId("preview-count");
  await count.waitFor();
  return Number(await count.getAttribute("data-count"));
}

/** ダウンロード: the saved file's name and bytes, after the page says it saved it. */
async function download(page) {
  const [file] = await Promise.all([page.waitForEvent("download"), page.getByTestId("export-download").click()]);
  const bytes = readFileSync(await file.path());
  await page.getByTestId("export-done").waitFor();
  return { name: file.suggestedFilename(), bytes };
}

test("a health center previews, then downloads CSV (UTF-8 with BOM, Shift_JIS with 和暦) and FHIR; refusals at their field", async () => {
  const { page, errors } = await as("staff@shinjuku-hc.demo", VIEWPORTS.desktop);
  // From the menu's card.
  await page.goto(edge.url);
  await page.getByRole("link", { name: /データの書き出し/ }).click();
  await page.getByTestId("exports-page").waitFor();
  assert.deepEqual(await kindsShown(page), ["csv", "fhir"], "a health center: CSV and FHIR, no open data");
  assert.equal(await page.getByTestId("export-from").inputValue(), jstDate(-29), "default: the last 30 days");
  assert.equal(await page.getByTestId("export-to").inputValue(), jstDate(0));
  assert.equal(await page.getByTestId("export-download").count(), 0, "nothing to download before the count is seen");
  await shot(page, "exports-1280-before");

  // The count first: the three records this health center manages, its scope, the file name, the downloads left.
  assert.equal(await preview(page), 3);
  assert.match(await page.getByTestId("preview-count").textContent(), /^3 件$/);
  assert.match(await page.getByTestId("preview-scope").textContent(), /新宿/);
  const csvName = await page.getByTestId("preview-file").textContent();
  assert.match(csvName, /\.csv$/);
  assert.match(await page.getByTestId("preview-remaining").textContent(), /あと \d+ 回/);
  await shot(page, "exports-1280-preview");

  // UTF-8 with BOM (the default), ISO dates.
  const utf8 = await download(page);
  assert.equal(utf8.name, csvName);
  assert.deepEqual([...utf8.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "UTF-8 with a byte-order mark");
  const text = new TextDecoder("utf-8").decode(utf8.bytes);
  const row = text.split(/\r?\n/).find((l) => l.includes("輸出 花子"));
  assert.ok(row, `a filed patient's row in:\n${text.slice(0, 400)}`);
  assert.ok(row.includes("1980-01-15"), row);
  assert.equal(await page.getByTestId("export-progress-rows").textContent(), "3 / 3 件");
  assert.equal(await page.locator(".export-progress progress").getAttribute("value"), "3");
  await shot(page, "exports-1280-downloaded");

  // Shift_JIS (CP932) with 和暦 dates: a changed choice needs the count again.
  await page.getByTestId("encoding-cp932").check();
  await page.getByTestId("dates-wareki").check();
  assert.equal(await page.getByTestId("export-download").count(), 0, "the previous count no longer applies");
  assert.equal(await preview(page), 3);
  const sjis = await download(page);
  assert.notDeepEqual([...sjis.bytes.subarray(0, 3)], [0xef, 0xbb, 0xbf], "no BOM in Shift_JIS");
  assert.throws(() => new TextDecoder("utf-8", { fatal: true }).decode(sjis.bytes), "not UTF-8");
  const sjisText = new TextDecoder("shift_jis").decode(sjis.bytes);
  const sjisRow = sjisText.split(/\r?\n/).find((l) => l.includes("輸出 花子"));
  assert.ok(sjisRow, `a filed patient's row in:\n${sjisText.slice(0, 400)}`);
  assert.ok(sjisRow.includes("昭和55年1月15日"), sjisRow);

  // FHIR: one document Bundle per line.
  await page.getByTestId("kind-fhir").check();
  assert.equal(await page.getByTestId("encoding-cp932").count(), 0, "CSV's options only for CSV");
  assert.equal(await preview(page), 3);
  const fhir = await download(page);
  const lines = new TextDecoder().decode(fhir.bytes).split("\n").filter((l) => l.trim());
  assert.equal(lines.length, 3);
  for (const l of lines) {
    const b = JSON.parse(l);
    assert.equal(b.resourceType, "Bundle");
    assert.equal(b.type, "document");
  }

  // A range the edge refuses (the start after the end): shown at its date field, the choice kept.
  await page.getByTestId("kind-csv").check();
  await page.getByTestId("export-from").fill(jstDate(0));
  await page.getByTestId("export-to").fill(jstDate(-7));
  await page.getByTestId("export-preview-button").click();
  const refusal = page.locator('[data-testid="error-from"], [data-testid="error-to"]');
  await refusal.first().waitFor();
  assert.ok((await refusal.first().textContent()).length > 0);
  assert.equal(await page.getByTestId("export-from").inputValue(), jstDate(0));
  assert.equal(await page.getByTestId("export-to").inputValue(), jstDate(-7));
  assert.equal(await page.getByTestId("kind-csv").isChecked(), true);
  assert.equal(await page.getByTestId("dates-wareki").isChecked(), true);
  await shot(page, "exports-1280-refused");
  // An empty date is refused at the field before anything is sent.
  await page.getByTestId("export-from").fill("");
  await page.getByTestId("export-preview-button").click();
  await page.getByTestId("error-from").getByText("開始日を入力してください。").waitFor();
  assert.deepEqual(errors.filter((e) => !/status of 4\d\d/.test(e)), []);
});

test("the export page at 390 and 820 px: before and after the preview, during and after a download", async () => {
  for (const [width, viewport] of [[820, VIEWPORTS.tablet], [390, VIEWPORTS.phone]]) {
    const { page } = await as("staff@shinjuku-hc.demo", viewport);
    await openExports(page);
    await shot(page, `exports-${width}-before`);
    // Large touch targets: every choice and button at least 44 px high, the page no wider than the screen.
    for (const el of await page.locator(".exports-page .radio-card, .exports-page .button, .exports-page input[type=date]").all()) {
      const box = await el.boundingBox();
      assert.ok(box.height >= 44, `${await el.textContent()} ${JSON.stringify(box)}`);
    }
    assert.ok(await page.evaluate(() => document.documentElement.scrollWidth <= window.innerWidth), "no sideways scroll");
    assert.equal(await preview(page), 3);
    await shot(page, `exports-${width}-preview`);
    // A slow network, so the progress can be seen while the rows arrive.
    const cdp = await page.context().newCDPSession(page);
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 400, downloadThroughput: 600, uploadThroughput: -1 });
    const saved = page.waitForEvent("download");
    await page.getByTestId("export-download").click();
    await page.getByTestId("export-progress").waitFor();
    await shot(page, `exports-${width}-downloading`);
    await saved;
    await page.getByTestId("export-done").waitFor();
    await cdp.send("Network.emulateNetworkConditions", { offline: false, latency: 0, downloadThroughput: -1, uploadThroughput: -1 });
    await cdp.detach();
    assert.equal(await page.getByTestId("export-progress-rows").textContent(), "3 / 3 件");
    await shot(page, `exports-${width}-downloaded`);
  }
});

test("past the hourly limit a download is refused at the button with its message; nothing personal stays in the browser", async () => {
  const { page } = await as("staff@shinjuku-hc.demo", VIEWPORTS.desktop);
  await openExports(page);
  assert.equal(await preview(page), 3);
  // A file that arrives short (a stream cut off, or a record deleted or moved away meanwhile) is not saved, and the
  // page says how many rows came of how many.
  await page.route("**/api/exports/download", async (route) => {
    const response = await route.fetch();
    const lines = (await response.text()).split("\r\n");
    assert.equal(lines.length, 5, "header, 3 rows and the last line end");
    await route.fulfill({ response, body: `${lines.slice(0, 3).join("\r\n")}\r\n` });
  });
  let saved = false;
  page.on("download", () => { saved = true; });
  await page.getByTestId("export-download").click();
  const short = page.getByTestId("export-incomplete");
  await short.waitFor();
  assert.match(await short.textContent(), /2 件しか受け取れなかったため（全 3 件）、ファイルは保存していません/);
  assert.equal(saved, false, "a short file is not saved");
  await page.unroute("**/api/exports/download");
  // The rest of this hour's downloads, used up from the same session.
  const statuses = await page.evaluate(async () => {
    const out = [];
    for (let i = 0; i < 100; i++) {
      const to = new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
      const r = await fetch("/api/exports/download", {
        method: "POST", credentials: "same-origin", headers: { "content-type": "application/json" },
        body: JSON.stringify({ kind: "csv", from: to, to }),
      });
      await r.arrayBuffer();
      out.push(r.status);
      if (r.status === 429) break;
    }
    return out;
  });
  assert.equal(statuses.at(-1), 429, `a limit is reached: ${statuses.join(",")}`);
  await page.getByTestId("export-download").click();
  const refusal = page.getByTestId("export-error");
  await refusal.waitFor();
  assert.ok((await refusal.textContent()).length > 5, await refusal.textContent());
  assert.equal(await page.getByTestId("export-done").count(), 0, "nothing said to be saved");
  await page.getByTestId("preview-remaining").getByText("あと 0 回").waitFor();
  assert.equal(await page.getByTestId("export-download").isDisabled(), true);
  assert.equal(await page.getByTestId("kind-csv").isChecked(), true, "the choice stays");
  await shot(page, "exports-1280-limit");
  // The downloads were kept in memory only: no patient's name anywhere the browser stores for the origin.
  const stored = JSON.stringify(await dumpStorage(page));
  for (const p of PATIENTS) assert.ok(!stored.includes(p.name) && !stored.includes(p.furigana), `${p.name} stored`);
});

test("the prefecture downloads open data (no personal data); national staff see only オープンデータ", async () => {
  const { page } = await as("pref@tokyo.demo", VIEWPORTS.desktop);
  await openExports(page);
  assert.deepEqual(await kindsShown(page), ["csv", "fhir", "open_data"]);
  assert.equal(await preview(page), 3, "the prefecture's records");
  await page.getByTestId("kind-open_data").check();
  assert.equal(await page.getByTestId("layout-daily").isChecked(), true);
  const rows = await preview(page);
  assert.equal(await page.getByTestId("preview-remaining").count(), 0, "open data has no personal-data limit");
  const file = await download(page);
  const text = new TextDecoder().decode(file.bytes).replace(/^\uFEFF/, "");
  const lines = text.split(/\r?\n/).filter((l) => l.trim());
  assert.equal(lines.length - 1, rows, `a header and ${rows} rows:\n${text.slice(0, 400)}`);
  for (const p of PATIENTS) assert.ok(!text.includes(p.name), "no personal data in open data");
  await shot(page, "exports-pref-open-data");

  const national = await as("mhlw@national.demo", VIEWPORTS.phone);
  await national.page.goto(edge.url);
  await national.page.getByRole("link", { name: /データの書き出し/ }).click();
  await national.page.getByTestId("exports-page").waitFor();
  assert.deepEqual(await kindsShown(national.page), ["open_data"]);
  assert.equal(await national.page.getByTestId("kind-open_data").isChecked(), true);
  await preview(national.page);
  await shot(national.page, "exports-390-national");
});

test("a clinic's doctor sees only FHIR of its own filings, and saves one record's FHIR document from the record page", async () => {
  const { page } = await as("doctor@shinjuku-clinic.demo", VIEWPORTS.desktop);
  await openExports(page);
  assert.deepEqual(await kindsShown(page), ["fhir"]);
  assert.equal(await preview(page), 3, "the clinic's own filings");
  await shot(page, "exports-1280-clinic");

  const { id, number } = filed[0];
  await page.goto(`${edge.url}/records/${id}`);
  const save = page.getByTestId("save-fhir");
  await save.waitFor();
  assert.equal(await save.textContent(), "FHIR形式で保存");
  const [file] = await Promise.all([page.waitForEvent("download"), save.click()]);
  assert.equal(file.suggestedFilename(), `${number}.fhir.json`);
  const bundle = JSON.parse(readFileSync(await file.path(), "utf8"));
  assert.equal(bundle.resourceType, "Bundle");
  assert.equal(bundle.type, "document");
  assert.ok(JSON.stringify(bundle).includes("ユシュツ"), "the patient's kana in the document");
  await page.getByTestId("fhir-message").getByText(/を保存しました/).waitFor();
  await shot(page, "exports-record-fhir");
});
