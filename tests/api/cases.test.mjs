// Patient records over HTTP against the real worker (issue 8): search (criteria, kana forms, paging, scope, audit,
// and every query's plan answered from an index), the record with its tabs, tab edits and their validation,
// concurrent edits refused with the first change shown, the notification's edit, the status record and its
// transitions, recoverable delete, and records created before a notification then filed.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEdge } from "../support/edge.mjs";
import { firstSignInAs } from "../support/softauthn.mjs";
import { confirmedCase, freshKey, jstToday } from "../support/notification.mjs";

let edge;
let doctor;
let doctorSetagaya;
let hc;
let hcSetagaya;
let admin;
let pref;
before(async () => {
  edge = await startEdge({ seedDemo: true, vars: { BENCH_ROUTES: "1" } });
  [doctor, doctorSetagaya, hc, hcSetagaya, admin, pref] = await Promise.all([
    firstSignInAs(edge, "doctor@shinjuku-clinic.demo"),
    firstSignInAs(edge, "doctor@setagaya-clinic.demo"),
    firstSignInAs(edge, "staff@shinjuku-hc.demo"),
    firstSignInAs(edge, "staff@setagaya-hc.demo"),
    firstSignInAs(edge, "admin@shinjuku-hc.demo"),
    firstSignInAs(edge, "pref@tokyo.demo"),
  ]);
});
after(async () => {
  await edge?.stop();
});

const file = async (who, patient, extra = {}) => {
  const r = await who.client.post("/api/notifications", {
    idempotency_key: freshKey(),
    notification: confirmedCase({ patient }),
    acknowledged_warnings: [],
    ...extra,
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body;
};
const search = (who, criteria = {}, more = {}) => who.client.post("/api/cases/search", { criteria, ...more });
const names = (r) => r.body.items.map((i) => i.name);

test("a filing makes a patient record found by every criterion, in any kana form, only within the caller's scope", async () => {
  const filed = await file(doctor, { name: "検索 花子", furigana: "ケンサク ハナコ", date_of_birth: "1977-07-07" });
  const rec = await doctor.client.get(`/api/cases/${filed.id}`);
  assert.equal(rec.status, 200, JSON.stringify(rec.body));
  assert.equal(rec.body.status, "result_reported");
  assert.equal(rec.body.has_notification, true);
  assert.match(rec.body.smartphone_id, /^\d{10}$/);
  assert.equal(rec.body.tabs.id.name, "検索 花子");
  for (const criteria of [
    { name: "検索" },
    { name: "検索　花子" },
    { furigana: "けんさく" },
    { furigana: "ｹﾝｻｸ ﾊﾅｺ" },
    { furigana: "ケンサクハナコ" },
    { date_of_birth: "1977-07-07" },
    { smartphone_id: rec.body.smartphone_id },
    { pref_code: "13", furigana: "ケンサク" },
    { category: "confirmed_patient", furigana: "ケンサク" },
    { status: "result_reported", furigana: "ケンサク" },
    { filed_from: jstToday(), filed_to: jstToday(), furigana: "ケンサク" },
    { health_center_id: filed.health_center_id, furigana: "ケンサク" },
  ]) {
    for (const who of [doctor, hc, pref]) {
      const r = await search(who, criteria);
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.deepEqual(names(r), ["検索 花子"], `${JSON.stringify(criteria)} as ${who.user?.login_id ?? ""}`);
      assert.equal(r.body.count, 1);
    }
  }
  // Other clinics and health centers do not find it; national staff may not search.
  assert.deepEqual(names(await search(doctorSetagaya, { furigana: "ケンサク" })), []);
  assert.deepEqual(names(await search(hcSetagaya, { furigana: "ケンサク" })), []);
  const mhlw = await firstSignInAs(edge, "mhlw@national.demo");
  assert.equal((await search(mhlw, {})).status, 403);
  // Guessing the id of another clinic's record: 403.
  const guess = await doctorSetagaya.client.get(`/api/cases/${filed.id}`);
  assert.equal(guess.status, 403);
});

test("bad criteria are named; criteria never go in a URL; every search is audited", async () => {
  for (const [criteria, field] of [
    [{ date_of_birth: "1977-02-30" }, "date_of_birth"],
    [{ smartphone_id: "1234567890" }, "smartphone_id"],
    [{ phone: "03" }, "phone"],
    [{ name: "あ".repeat(101) }, "name"],
    [{ filed_from: "昨日" }, "filed_from"],
  ]) {
    const r = await search(hc, criteria);
    assert.equal(r.status, 422, JSON.stringify(criteria));
    assert.equal(r.body.error.code, "VALIDATION_FAILED");
    assert.equal(r.body.error.issues[0].field, field);
  }
  assert.equal((await hc.client.post("/api/cases/search", { criteria: { nonsense: 1 } })).status, 400);
  assert.equal((await hc.client.get("/api/cases/search")).status, 405);
  const log = await admin.client.get("/api/admin/audit");
  assert.ok(log.body.entries.some((e) => e.action === "case_search" && e.outcome === "ok"));
});

test("paging by cursor walks every record once, in filing and in name order", async () => {
  const kana = ["ア", "イ", "ウ", "エ", "オ", "カ", "キ"];
  for (let i = 0; i < 60; i++) {
    await file(doctor, { name: `頁 ${i}`, furigana: `ページ ${kana[i % 7]}${kana[Math.floor(i / 7) % 7]}${kana[Math.floor(i / 49)]}`, date_of_birth: "1990-01-01" });
  }
  for (const sort of ["filed_desc", "filed_asc", "name"]) {
    const seen = [];
    let cursor = null;
    let pages = 0;
    do {
      const r = await search(doctor, { furigana: "ページ" }, { sort, cursor });
      assert.equal(r.status, 200, JSON.stringify(r.body));
      assert.equal(r.body.count, 60);
      seen.push(...r.body.items);
      cursor = r.body.next_cursor;
      pages++;
    } while (cursor);
    assert.equal(pages, 2);
    assert.equal(new Set(seen.map((i) => i.id)).size, 60, sort);
    if (sort === "name") {
      const keys = seen.map((i) => i.furigana);
      assert.deepEqual(keys, [...keys].sort((a, b) => (a.replace(/\s/g, "") < b.replace(/\s/g, "") ? -1 : 1)));
    }
    if (sort === "filed_asc") assert.ok(seen.every((x, i) => i === 0 || seen[i - 1].filed_at <= x.filed_at));
  }
});

test("every search's plan is answered from an index of cases (no scan)", async () => {
  const combos = [
    {},
    { name: "山田" },
    { furigana: "やまだ" },
    { date_of_birth: "1980-01-15" },
    { phone: "03-1234-5678" },
    { pref_code: "13" },
    { category: "suspected_patient" },
    { status: "died" },
    { smartphone_id: "0000000000" },
    { hc_own_id: "HC-1" },
    { filed_from: "2024-01-01", filed_to: "2024-01-31" },
    { health_center_id: "HC13104" },
    { furigana: "やまだ", date_of_birth: "1980-01-15" },
    { name: "山田", phone: "0312345678" },
    { status: "admitted", filed_from: "2024-01-01", filed_to: "2024-12-31" },
    { category: "confirmed_patient", status: "died" },
    { phone: "0312345678", date_of_birth: "1980-01-15" },
  ];
  let checked = 0;
  for (const who of [doctor, hc, pref]) {
    for (const criteria of combos) {
      for (const sort of ["filed_desc", "name"]) {
        if (criteria.smartphone_id) criteria.smartphone_id = "0000000000";
        const r = await who.client.post("/api/bench/explain", { criteria, sort });
        assert.equal(r.status, 200, `${JSON.stringify(criteria)} ${JSON.stringify(r.body)}`);
        for (const q of r.body.queries) {
          const onCases = q.plan.filter((d) => /\b(cases|c)\b/.test(d) && !/health_centers|\bh\b/.test(d.split(" USING")[0]));
          assert.ok(onCases.length > 0, `${q.sql}\n${q.plan.join("\n")}`);
          for (const d of q.plan) {
            assert.ok(!/^SCAN (c|cases)\b/.test(d), `full scan for ${JSON.stringify(criteria)} ${sort}:\n${q.sql}\n${q.plan.join("\n")}`);
          }
          assert.ok(onCases.every((d) => /USING (COVERING )?INDEX|USING INTEGER PRIMARY KEY|MULTI-INDEX OR|INDEX \d/.test(d) || /^INDEX/.test(d)),
            `${q.plan.join("\n")}`);
          // The most selective criterion drives the query.
          const driver = criteria.smartphone_id ? /smartphone_id=\?/ : criteria.hc_own_id ? /cases_hc_own/
            : criteria.phone ? /cases_phone .*cases_phone2|INTEGER PRIMARY KEY/s : criteria.date_of_birth ? /cases_dob/
            : criteria.furigana ? /_kana \(\w+=\? AND furigana_key>\?/ : criteria.name ? /_name \(\w+=\? AND name_key>\?/ : /./;
          assert.match(q.plan.join("\n"), driver, `${JSON.stringify(criteria)}\n${q.sql}\n${q.plan.join("\n")}`);
          checked++;
          if (process.env.SHOW_PLANS) console.log(q.sql, "\n ", q.plan.join("\n  "));
        }
      }
    }
  }
  assert.equal(checked, 3 * combos.length * 2 * 2);
});
