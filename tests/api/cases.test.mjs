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
  // The スマホ入力ID is a credential: the filing clinic does not see it, the managing health center does.
  assert.equal(rec.body.smartphone_id, "");
  const atHc = await hc.client.get(`/api/cases/${filed.id}`);
  assert.match(atHc.body.smartphone_id, /^\d{10}$/);
  assert.equal(rec.body.tabs.id.name, "検索 花子");
  for (const criteria of [
    { name: "検索" },
    { name: "検索　花子" },
    { furigana: "けんさく" },
    { furigana: "ｹﾝｻｸ ﾊﾅｺ" },
    { furigana: "ケンサクハナコ" },
    { date_of_birth: "1977-07-07" },
    { smartphone_id: atHc.body.smartphone_id },
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
  // Another prefecture's criteria find nothing.
  for (const who of [doctor, hc, pref]) {
    assert.deepEqual(names(await search(who, { pref_code: "27", furigana: "ケンサク" })), []);
  }
  assert.deepEqual(names(await search(pref, { health_center_id: "HC01101" })), []);
  assert.deepEqual(names(await search(hc, { health_center_id: "HC13112", furigana: "ケンサク" })), []);
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

test("tabs are edited with validation by path; a second editor's save is refused with the first change shown", async () => {
  const filed = await file(doctor, { name: "編集 一郎", furigana: "ヘンシュウ イチロウ" });
  let rec = (await hc.client.get(`/api/cases/${filed.id}`)).body;
  assert.equal(rec.can_edit, true);
  const v = rec.version;
  // Bad values: each named at its path; nothing is saved.
  const bad = await hc.client.put(`/api/cases/${filed.id}/tabs/medical`, {
    version: v,
    data: { admission_date: "2024-05-03", discharge_date: "2024-05-01", xray: "たぶん" },
  });
  assert.equal(bad.status, 422);
  assert.deepEqual(bad.body.error.issues.map((i) => i.field).sort(), ["discharge_date", "xray"]);
  const badTests = await hc.client.put(`/api/cases/${filed.id}/tabs/tests`, { version: v, data: { tests: [{ lab: "検査所" }] } });
  assert.equal(badTests.status, 422);
  assert.ok(badTests.body.error.issues.some((i) => i.field === "tests.0.specimen_date"));
  assert.equal((await hc.client.put(`/api/cases/${filed.id}/tabs/nonsense`, { version: v, data: {} })).status, 404);
  // The health center saves 基礎情報; the clinic, still on the old version, is refused and told what changed.
  const first = await hc.client.put(`/api/cases/${filed.id}/tabs/basic`, {
    version: v,
    data: { insurer: "協会けんぽ", welfare: ["生活保護"], smoking: "無" },
  });
  assert.equal(first.status, 200, JSON.stringify(first.body));
  assert.equal(first.body.version, v + 1);
  assert.equal(first.body.tabs.basic.insurer, "協会けんぽ");
  const second = await doctor.client.put(`/api/cases/${filed.id}/tabs/basic`, { version: v, data: { insurer: "国保" } });
  assert.equal(second.status, 409);
  assert.equal(second.body.error.code, "EDIT_CONFLICT");
  assert.equal(second.body.error.conflict.version, v + 1);
  assert.match(second.body.error.conflict.changes[0].what, /基礎情報: .*医療保険証 保険者/);
  assert.ok(second.body.error.conflict.updated_by_name);
  rec = (await doctor.client.get(`/api/cases/${filed.id}`)).body;
  assert.equal(rec.tabs.basic.insurer, "協会けんぽ");
  // Concurrent saves of one version: exactly one wins.
  const race = await Promise.all([
    hc.client.put(`/api/cases/${filed.id}/tabs/medical`, { version: rec.version, data: { hospital: "A病院" } }),
    doctor.client.put(`/api/cases/${filed.id}/tabs/medical`, { version: rec.version, data: { hospital: "B病院" } }),
  ]);
  assert.deepEqual(race.map((r) => r.status).sort(), [200, 409]);
  // ID管理 edits move the search keys.
  rec = (await hc.client.get(`/api/cases/${filed.id}`)).body;
  const id = await hc.client.put(`/api/cases/${filed.id}/tabs/id`, {
    version: rec.version,
    data: { ...rec.tabs.id, furigana: "かいめい いちろう", hc_own_id: "SJK-0001", phone2: "090-1111-2222" },
  });
  assert.equal(id.status, 200, JSON.stringify(id.body));
  assert.deepEqual(names(await search(hc, { furigana: "カイメイ" })), ["編集 一郎"]);
  assert.deepEqual(names(await search(hc, { hc_own_id: "SJK-0001" })), ["編集 一郎"]);
  assert.deepEqual(names(await search(hc, { phone: "09011112222" })), ["編集 一郎"]);
  assert.deepEqual(names(await search(hc, { furigana: "ヘンシュウ" })), []);
  // 記録 lists every change with who.
  const hist = (await hc.client.get(`/api/cases/${filed.id}`)).body.history;
  assert.deepEqual(hist.map((h) => h.what.split(":")[0]), ["発生届を提出", "基礎情報", "医療", "ID管理"]);
  // The prefecture reads but does not edit.
  const p = await pref.client.get(`/api/cases/${filed.id}`);
  assert.equal(p.status, 200);
  assert.equal(p.body.can_edit, false);
  assert.equal((await pref.client.put(`/api/cases/${filed.id}/tabs/basic`, { version: p.body.version, data: {} })).status, 403);
});

test("the notification is edited through the same checks as a filing and keeps its previous version", async () => {
  const filed = await file(doctor, { name: "届出 編集", furigana: "トドケデ ヘンシュウ" });
  const rec = (await doctor.client.get(`/api/cases/${filed.id}`)).body;
  const n = (await doctor.client.get(`/api/notifications/${filed.id}`)).body.notification;
  const bad = structuredClone(n);
  bad.patient.furigana = "Todokede";
  const r1 = await doctor.client.put(`/api/cases/${filed.id}/notification`, { version: rec.version, notification: bad });
  assert.equal(r1.status, 422);
  assert.ok(r1.body.error.issues.some((i) => i.field === "patient.furigana"));
  const good = structuredClone(n);
  good.patient.name = "届出 修正";
  const r2 = await doctor.client.put(`/api/cases/${filed.id}/notification`, { version: rec.version, notification: good });
  assert.equal(r2.status, 200, JSON.stringify(r2.body));
  assert.equal(r2.body.name, "届出 修正");
  assert.equal((await doctor.client.get(`/api/notifications/${filed.id}`)).body.notification.patient.name, "届出 修正");
  assert.equal(r2.body.history.at(-1).what, "発生届を編集");
  const stale = await hc.client.put(`/api/cases/${filed.id}/notification`, { version: rec.version, notification: n });
  assert.equal(stale.status, 409);
  assert.equal(stale.body.error.conflict.changes.at(-1).what, "発生届を編集");
});

test("the status record follows the allowed transitions; health centers change it, clinics see it", async () => {
  const filed = await file(doctor, { name: "状態 遷移", furigana: "ジョウタイ センイ" });
  let rec = (await hc.client.get(`/api/cases/${filed.id}`)).body;
  assert.equal(rec.status, "result_reported");
  assert.equal(rec.status_entries.length, 1);
  const change = (who, version, status, extra = {}) =>
    who.client.post(`/api/cases/${filed.id}/status`, { version, status, date: jstToday(), ...extra });
  assert.equal((await change(doctor, rec.version, "admitted")).status, 403);
  const skip = await change(hc, rec.version, "became_severe");
  assert.equal(skip.status, 422);
  assert.equal(skip.body.error.code, "TRANSITION_NOT_ALLOWED");
  let r = await change(hc, rec.version, "admitted", { place: "hospital", severity: "moderate_ii", comment: "A病院へ" });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await change(hc, r.body.version, "became_severe");
  assert.equal(r.body.status, "became_severe");
  // A mistake is withdrawn, not hidden: the one before becomes current again.
  const last = r.body.status_entries.at(-1);
  r = await hc.client.post(`/api/cases/${filed.id}/status/withdraw`, { version: r.body.version, seq: last.seq });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.status, "admitted");
  assert.equal(r.body.status_entries.at(-1).withdrawn, true);
  r = await change(hc, r.body.version, "died");
  assert.equal(r.body.status, "died");
  for (const s of ["admitted", "released", "specimen_collected"]) {
    const after = await change(hc, r.body.version, s);
    assert.equal(after.status, 422, s);
  }
  assert.equal((await change(hc, r.body.version, "died", { date: "2024-02-30" })).status, 422);
  rec = (await doctor.client.get(`/api/cases/${filed.id}`)).body;
  assert.equal(rec.status, "died");
  assert.equal(rec.can_change_status, false);
  assert.deepEqual(names(await search(hc, { status: "died", furigana: "ジョウタイ" })), ["状態 遷移"]);
});

test("delete takes a record out of every list; only the area's administrator sees and restores it", async () => {
  const filed = await file(doctor, { name: "削除 復元", furigana: "サクジョ フクゲン" });
  const rec = (await doctor.client.get(`/api/cases/${filed.id}`)).body;
  assert.equal((await doctorSetagaya.client.post(`/api/cases/${filed.id}/delete`, { version: rec.version })).status, 403);
  assert.equal((await doctor.client.post(`/api/cases/${filed.id}/delete`, { version: rec.version - 1 })).status, 409);
  const del = await doctor.client.post(`/api/cases/${filed.id}/delete`, { version: rec.version });
  assert.equal(del.status, 204);
  for (const who of [doctor, hc, pref]) {
    assert.deepEqual(names(await search(who, { furigana: "サクジョ" })), []);
  }
  assert.equal((await doctor.client.get(`/api/cases/${filed.id}`)).status, 404);
  assert.equal((await hc.client.get(`/api/notifications/${filed.id}`)).status, 404);
  assert.ok(!(await hc.client.get("/api/notifications")).body.items.some((i) => i.id === filed.id));
  assert.equal((await hc.client.get("/api/cases/deleted")).status, 403);
  assert.equal((await hcSetagaya.client.post(`/api/cases/${filed.id}/restore`, {})).status, 403);
  const list = await admin.client.get("/api/cases/deleted");
  assert.equal(list.status, 200);
  const item = list.body.items.find((i) => i.summary.id === filed.id);
  assert.ok(item);
  assert.ok(item.deleted_by_name);
  const restored = await admin.client.post(`/api/cases/${filed.id}/restore`, {});
  assert.equal(restored.status, 200, JSON.stringify(restored.body));
  assert.deepEqual(restored.body.history.slice(-2).map((h) => h.what), ["削除", "復元"]);
  assert.deepEqual(names(await search(hc, { furigana: "サクジョ" })), ["削除 復元"]);
  assert.equal((await admin.client.post(`/api/cases/${filed.id}/restore`, {})).status, 409);
  const log = (await admin.client.get("/api/admin/audit")).body.entries;
  for (const action of ["case_delete", "case_restore"]) {
    assert.ok(log.some((e) => e.action === action && e.target === filed.id && e.outcome === "ok"), action);
  }
});

test("before a notification: ID管理 → 検査 (pending) → the filing completes the same record", async () => {
  const key = freshKey();
  const hcs = (await doctor.client.get("/api/health-centers")).body.health_centers;
  const own = hcs.find((h) => h.id === "HC13104") ?? hcs[0];
  const noName = await doctor.client.post("/api/cases", { idempotency_key: freshKey(), health_center_id: own.id, id: { furigana: "ナナシ" } });
  assert.equal(noName.status, 422);
  assert.equal(noName.body.error.issues[0].field, "name");
  assert.equal((await hc.client.post("/api/cases", { idempotency_key: freshKey(), health_center_id: own.id, id: { name: "x" } })).status, 403);
  const body = { idempotency_key: key, health_center_id: own.id, id: { name: "事前 登録", furigana: "じぜん とうろく", date_of_birth: "1985-03-03", sex: "女" } };
  const created = await doctor.client.post("/api/cases", body);
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const again = await doctor.client.post("/api/cases", body);
  assert.equal(again.body.id, created.body.id);
  assert.equal(again.body.replayed, true);
  const id = created.body.id;
  let rec = (await doctor.client.get(`/api/cases/${id}`)).body;
  assert.equal(rec.has_notification, false);
  assert.equal(rec.can_file, true);
  assert.equal(rec.status, null);
  assert.deepEqual(names(await search(doctor, { furigana: "ジゼン" })), ["事前 登録"]);
  // The test record needs 検体採取日, 外来機関 and 検査1; a pending result is その他.
  const t = await doctor.client.put(`/api/cases/${id}/tabs/tests`, {
    version: rec.version,
    data: { tests: [{ specimen_date: jstToday(), outpatient_institution: "新宿クリニック", result: "その他", method1: "検体から核酸増幅法（PCR 法　LAMP 法など）による病原体遺伝子の検出", specimen1: "唾液" }] },
  });
  assert.equal(t.status, 200, JSON.stringify(t.body));
  assert.equal(t.body.status, "specimen_collected");
  // Positive: the notification is filed onto the same record.
  const n = confirmedCase({ patient: { name: "事前 登録", furigana: "ジゼン トウロク", date_of_birth: "1985-03-03" } });
  const filed = await doctor.client.post("/api/notifications", { idempotency_key: freshKey(), notification: n, acknowledged_warnings: [], case_id: id });
  assert.equal(filed.status, 201, JSON.stringify(filed.body));
  assert.equal(filed.body.id, id);
  rec = (await doctor.client.get(`/api/cases/${id}`)).body;
  assert.equal(rec.has_notification, true);
  assert.equal(rec.status, "result_reported");
  assert.equal(rec.tabs.tests.tests.length, 1);
  assert.deepEqual(rec.status_entries.map((s) => s.status), ["specimen_collected", "result_reported"]);
  assert.deepEqual(names(await search(hc, { furigana: "ジゼン" })), ["事前 登録"]);
  // Filing it twice, or another clinic filing onto it, is refused.
  const twice = await doctor.client.post("/api/notifications", { idempotency_key: freshKey(), notification: n, acknowledged_warnings: [], case_id: id });
  assert.equal(twice.status, 409);
  const other = await doctorSetagaya.client.post("/api/notifications", { idempotency_key: freshKey(), notification: n, acknowledged_warnings: [], case_id: id });
  assert.equal(other.status, 403);
});
