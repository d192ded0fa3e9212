// Self-registration of positives (issue 21 item 4) over HTTP against the real worker, its clock moved to
// 2022-10-03 10:00 JST (the limited regime): the public POST /api/self-registrations (only a receipt back, every field
// refused by name, the regime's dates, replays and the same person stored once, the per-address throttle counted
// first), the review queue (health centers their center's, the follow-up center its prefecture's; everyone else 403),
// confirm (record + observation + the slip's スマホ入力ID, the phone signs in) and reject (a reason), each decided once,
// and an audit log without personal data.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { startEdge } from "../support/edge.mjs";
import { insertRecord } from "../support/shards.mjs";
import { Client, DEMO_PASSWORD, firstSignInAs, signIn } from "../support/softauthn.mjs";
import { freshKey } from "../support/notification.mjs";

const CONSENT = "2022-09-26.1";
const NOW = Date.parse("2022-10-03T01:00:00Z"); // 10:00 JST

let edge;
const who = {};
let ipSeq = 0;
/** A fresh client address per call, so the per-address throttle is met only where a test means to. */
const freshIp = () => ({ headers: { "cf-connecting-ip": `198.18.${Math.floor(++ipSeq / 250)}.${(ipSeq % 250) + 1}` } });
let phoneSeq = 1000;

function registration(overrides = {}) {
  phoneSeq += 1;
  return {
    client_key: randomBytes(18).toString("base64url"),
    consent_version: CONSENT,
    name: "自己 登録",
    furigana: "じこ とうろく",
    date_of_birth: "1998-04-01",
    sex: "女",
    phone: `090-0000-${String(phoneSeq).padStart(4, "0")}`,
    postal_code: "160-0022",
    municipality_code: "131041",
    address: "東京都新宿区新宿1-1-1",
    result_kind: "antigen_kit",
    result_date: "2022-10-02",
    clinic_name: "",
    ...overrides,
  };
}

const anon = () => new Client(edge);
const submit = (body, opts = freshIp()) => anon().post("/api/self-registrations", body, opts);
/** A count over every database (the core and each shard): "stored once", "nothing stored" anywhere. */
const total = (sql) => edge.d1All(sql).reduce((n, r) => n + r.n, 0);
const rows = (where = "1=1") => total(`SELECT COUNT(*) AS n FROM self_registrations WHERE ${where}`);

before(async () => {
  edge = await startEdge({ seedDemo: true });
  await edge.setClock(NOW - Date.now());
  // Another prefecture's follow-up center (神奈川県), with the demo password.
  edge.d1(
    "INSERT INTO users (id, login_id, display_name, email, role, pref_code, password_hash, must_change_password, created_at, updated_at) " +
      "SELECT 'u_fuc_kanagawa', 'followup@kanagawa.test', '神奈川 支援', 'followup.kanagawa@her-sys.example', 'follow_up_center', '14', " +
      "password_hash, 0, created_at, updated_at FROM users WHERE id = 'u_demo_pref_tokyo'",
  );
  const [fuc, hcSj, hcSg, doctor, pref, mhlw, fuc14] = await Promise.all([
    firstSignInAs(edge, "followup_tokyo"),
    firstSignInAs(edge, "hc_staff_shinjuku"),
    firstSignInAs(edge, "hc_staff_setagaya"),
    firstSignInAs(edge, "doctor_shinjuku"),
    firstSignInAs(edge, "pref_tokyo"),
    firstSignInAs(edge, "mhlw"),
    signIn(edge, "followup@kanagawa.test", DEMO_PASSWORD),
  ]);
  Object.assign(who, { fuc, hcSj, hcSg, doctor, pref, mhlw, fuc14 });
});
after(async () => {
  if (process.env.SHOW_EDGE_LOG) console.log(edge?.log().split("\n").filter((l) => /rror|panic|D1|SQL|constraint/i.test(l)).slice(-40).join("\n"));
  await edge?.stop();
});

test("a valid registration answers 201 with only a receipt, and reaches its residence's health center and the follow-up center", async () => {
  const body = registration({ name: "受付 太郎", furigana: "ウケツケ タロウ" });
  const r = await submit(body);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.deepEqual(Object.keys(r.body), ["receipt"]);
  assert.match(r.body.receipt, /^R[2-9A-Z]{5}-[2-9A-Z]{5}$/);
  assert.doesNotMatch(JSON.stringify(r.body), /受付|ウケツケ|090/);
  const inQueue = async (c) => (await c.client.get("/api/self-registrations")).body.items.some((i) => i.receipt === r.body.receipt);
  assert.equal(await inQueue(who.fuc), true, "the prefecture's follow-up center");
  assert.equal(await inQueue(who.hcSj), true, "the residence's health center");
  assert.equal(await inQueue(who.hcSg), false, "another health center");
  assert.equal(await inQueue(who.fuc14), false, "another prefecture's follow-up center");
  const item = (await who.fuc.client.get("/api/self-registrations")).body.items.find((i) => i.receipt === r.body.receipt);
  assert.equal(item.status, "pending");
  assert.equal(item.furigana, "ウケツケ　タロウ", "furigana normalised (full-width space)");
  assert.equal(item.health_center_name, "新宿区保健所");
  // A Setagaya address goes to Setagaya.
  const sg = await submit(registration({ postal_code: "154-0017", municipality_code: "131121", address: "東京都世田谷区世田谷4-21-27" }));
  assert.equal(sg.status, 201, JSON.stringify(sg.body));
  assert.equal(await inQueue(who.hcSg).then(() => true), true);
  const sgList = (await who.hcSg.client.get("/api/self-registrations")).body.items;
  assert.ok(sgList.some((i) => i.receipt === sg.body.receipt));
});

test("every field is refused by name with a Japanese message, and nothing is stored", async () => {
  const before = rows();
  const cases = [
    ["client_key", { client_key: "short" }],
    ["consent_version", { consent_version: "" }],
    ["consent_version", { consent_version: "1999-01-01" }],
    ["name", { name: " " }],
    ["name", { name: "あ".repeat(61) }],
    ["name", { name: "a\u0000b" }],
    ["furigana", { furigana: "" }],
    ["furigana", { furigana: "Yamada" }],
    ["date_of_birth", { date_of_birth: "" }],
    ["date_of_birth", { date_of_birth: "1998/04/01" }],
    ["date_of_birth", { date_of_birth: "2022-10-04" }],
    ["date_of_birth", { date_of_birth: "1890-01-01" }],
    ["sex", { sex: "" }],
    ["sex", { sex: "male" }],
    ["phone", { phone: "" }],
    ["phone", { phone: "12-34" }],
    ["postal_code", { postal_code: "" }],
    ["postal_code", { postal_code: "16-00220" }],
    ["municipality_code", { municipality_code: "" }],
    ["municipality_code", { municipality_code: "131040" }],
    ["address", { address: "" }],
    ["address", { address: "x".repeat(201) }],
    ["result_kind", { result_kind: "pcr" }],
    ["clinic_name", { result_kind: "clinic_diagnosis", clinic_name: "" }],
    ["result_date", { result_date: "" }],
    ["result_date", { result_date: "2022-13-01" }],
  ];
  for (const [field, change] of cases) {
    const r = await submit(registration(change));
    assert.equal(r.status, 422, `${field} ${JSON.stringify(change).slice(0, 40)}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, "VALIDATION_FAILED");
    assert.deepEqual(r.body.error.issues.map((i) => i.field), [field], JSON.stringify(r.body.error.issues));
    assert.match(r.body.error.issues[0].message, /[\u3040-\u30ff\u4e00-\u9fff]/);
  }
  // Wrong JSON types: a 400 with a stable code, not a 5xx.
  const typed = await submit({ ...registration(), name: 5, phone: [] });
  assert.equal(typed.status, 400);
  assert.equal(typed.body.error.code, "BAD_REQUEST");
  // An address whose health center does not use the system (a real municipality elsewhere): refused at the field.
  const elsewhere = await submit(registration({ postal_code: "060-0001", municipality_code: "011011", address: "北海道札幌市中央区北一条西" }));
  assert.equal(elsewhere.status, 422, JSON.stringify(elsewhere.body));
  assert.deepEqual(elsewhere.body.error.issues.map((i) => i.field), ["municipality_code"]);
  assert.equal(rows(), before);
});

test("the result date must be a day of the limited regime (2022-09-26 to 2023-05-07) and not in the future", async () => {
  for (const [date, ok] of [["2022-09-25", false], ["2022-09-26", true], ["2022-10-03", true], ["2022-10-04", false]]) {
    const r = await submit(registration({ result_date: date }));
    if (ok) {
      assert.equal(r.status, 201, `${date}: ${JSON.stringify(r.body)}`);
    } else {
      assert.equal(r.status, 422, `${date}: ${JSON.stringify(r.body)}`);
      assert.deepEqual(r.body.error.issues.map((i) => i.field), ["result_date"]);
    }
  }
  // Before birth.
  const baby = await submit(registration({ date_of_birth: "2022-10-01", result_date: "2022-09-30" }));
  assert.equal(baby.status, 422);
  assert.equal(baby.body.error.issues[0].code, "before_birth");
  // After the regime: a clock in 2023-05-10 refuses 2023-05-08 and accepts 2023-05-07.
  await edge.setClock(Date.parse("2023-05-10T01:00:00Z") - Date.now());
  try {
    const late = await submit(registration({ result_date: "2023-05-08" }));
    assert.equal(late.status, 422);
    assert.equal(late.body.error.issues[0].code, "outside_regime");
    const last = await submit(registration({ result_date: "2023-05-07" }));
    assert.equal(last.status, 201, JSON.stringify(last.body));
  } finally {
    await edge.setClock(NOW - Date.now());
  }
});

test("a replay (the same client_key, 20 at once) stores one row and answers the same receipt", async () => {
  const body = registration({ name: "再送 花子", furigana: "サイソウ ハナコ" });
  const answers = await Promise.all(Array.from({ length: 20 }, () => submit(body)));
  for (const a of answers) assert.ok([200, 201].includes(a.status), JSON.stringify(a.body));
  assert.equal(answers.filter((a) => a.status === 201).length, 1);
  assert.equal(new Set(answers.map((a) => a.body.receipt)).size, 1);
  for (const a of answers) assert.deepEqual(Object.keys(a.body), ["receipt"]);
  assert.equal(rows(`client_key = '${body.client_key}'`), 1);
  assert.equal(rows("name = '再送 花子'"), 1);
});

test("the same person registering again (another page, kana and phone spelled differently) is stored once", async () => {
  const first = registration({ name: "二重 次郎", furigana: "にじゅう じろう", phone: "090-7777-0001" });
  const a = await submit(first);
  assert.equal(a.status, 201);
  const again = { ...first, client_key: randomBytes(18).toString("base64url"), furigana: "ﾆｼﾞｭｳ ｼﾞﾛｳ", phone: "09077770001", name: "二重　次郎" };
  const b = await submit(again);
  assert.equal(b.status, 200, JSON.stringify(b.body));
  assert.equal(b.body.receipt, a.body.receipt);
  assert.equal(rows("phone = '09077770001'"), 1);
  // Twenty other pages of the same person at once: still one row.
  const many = await Promise.all(Array.from({ length: 20 }, () => submit({ ...again, client_key: randomBytes(18).toString("base64url") })));
  for (const m of many) assert.equal(m.body.receipt, a.body.receipt, JSON.stringify(m.body));
  assert.equal(rows("phone = '09077770001'"), 1);
});

test("a flood from one address: 10 an hour, counted first (15 in parallel → 10 stored, 5 refused 429)", async () => {
  const from = { headers: { "cf-connecting-ip": "203.0.113.99" } };
  const before = rows();
  const answers = await Promise.all(
    Array.from({ length: 15 }, (_, i) => submit(registration({ name: `洪水 ${i}`, furigana: "コウズイ" }), from)),
  );
  const statuses = answers.map((a) => a.status).sort();
  assert.equal(statuses.filter((s) => s === 201).length, 10, statuses.join(","));
  const refused = answers.filter((a) => a.status === 429);
  assert.equal(refused.length, 5);
  for (const r of refused) assert.equal(r.body.error.code, "TOO_MANY_ATTEMPTS");
  assert.equal(rows() - before, 10);
  // Invalid attempts count too: the address stays refused; another address is not.
  assert.equal((await submit(registration(), from)).status, 429);
  assert.equal((await submit(registration())).status, 201);
});

test("confirm makes the record with health observation and the slip; the phone signs in; a second decision is refused", async () => {
  const body = registration({ name: "確認 三郎", furigana: "カクニン サブロウ", date_of_birth: "2000-02-02", phone: "080-1111-2222" });
  const receipt = (await submit(body)).body.receipt;
  const item = (await who.fuc.client.get("/api/self-registrations?status=pending")).body.items.find((i) => i.receipt === receipt);
  const opened = await who.fuc.client.get(`/api/self-registrations/${item.id}`);
  assert.equal(opened.status, 200);
  assert.equal(opened.body.phone, "08011112222");
  assert.equal(opened.body.existing_case, false);
  // The follow-up center may not read a record it did not make (before its confirmation: none).
  const casesBefore = total("SELECT COUNT(*) AS n FROM cases");

  const [c1, c2] = await Promise.all([
    who.fuc.client.post(`/api/self-registrations/${item.id}/confirm`, {}),
    who.hcSj.client.post(`/api/self-registrations/${item.id}/confirm`, {}),
  ]);
  const won = [c1, c2].filter((c) => c.status === 200);
  const lost = [c1, c2].filter((c) => c.status !== 200);
  assert.equal(won.length, 1, `${c1.status} ${JSON.stringify(c1.body)} / ${c2.status} ${JSON.stringify(c2.body)}`);
  assert.equal(lost[0].status, 409);
  assert.equal(lost[0].body.error.code, "REQUEST_CLOSED");
  assert.equal(total("SELECT COUNT(*) AS n FROM cases"), casesBefore + 1, "one record, not two");
  const confirmer = won[0] === c1 ? who.fuc : who.hcSj;
  const conf = won[0].body;
  assert.equal(conf.linked, false);
  assert.match(conf.smartphone_id, /^\d{10}$/);
  assert.equal(conf.observation_started_on, "2022-10-03");
  assert.equal(conf.observation_ends_on, "2022-10-11");
  assert.equal(conf.health_center_name, "新宿区保健所");

  // The record: managed by the residence's health center, not a notification; observation running.
  const rec = await who.hcSj.client.get(`/api/cases/${conf.case_id}`);
  assert.equal(rec.status, 200);
  assert.equal(rec.body.name, "確認 三郎");
  assert.equal(rec.body.smartphone_id, conf.smartphone_id, "the managing health center has the ID");
  assert.equal(rec.body.has_notification, false);
  const obs = await who.hcSj.client.get(`/api/cases/${conf.case_id}/observation`);
  assert.equal(obs.body.observation.kind, "patient");
  // The slip for the confirmer: the follow-up center reads the record it made (for the slip) when it confirmed.
  const slipRec = await confirmer.client.get(`/api/cases/${conf.case_id}`);
  assert.equal(slipRec.status, 200);
  assert.equal(slipRec.body.smartphone_id, conf.smartphone_id);
  assert.equal((await confirmer.client.get(`/api/cases/${conf.case_id}/observation`)).status, 200);

  // The phone signs in with the slip's ID and the birth date.
  const phone = new Client(edge);
  const signed = await phone.post("/api/observe/signin", { smartphone_id: conf.smartphone_id, date_of_birth: "2000-02-02" }, freshIp());
  assert.equal(signed.status, 200, JSON.stringify(signed.body));
  assert.equal(signed.body.people[0].id, conf.case_id);
  assert.equal(signed.body.people[0].given_name, "三郎");

  // Decided once: confirm again, reject after.
  const again = await who.fuc.client.post(`/api/self-registrations/${item.id}/confirm`, {});
  assert.equal(again.status, 409);
  assert.equal(again.body.error.code, "REQUEST_CLOSED");
  const late = await who.fuc.client.post(`/api/self-registrations/${item.id}/reject`, { reason: "重複" });
  assert.equal(late.status, 409);
  const after = (await who.fuc.client.get(`/api/self-registrations/${item.id}`)).body;
  assert.equal(after.summary.status, "confirmed");
  assert.equal(after.case_id, conf.case_id);

  // The same person registering again once confirmed: answered with the first receipt, nothing stored.
  const again2 = await submit({ ...body, client_key: randomBytes(18).toString("base64url") });
  assert.equal(again2.status, 200);
  assert.equal(again2.body.receipt, receipt);
});

test("the follow-up center sees only the records its own confirmations made, and no other screen's data", async () => {
  // A record made by a clinic (before notification): not the follow-up center's.
  const made = await who.doctor.client.post("/api/cases", {
    idempotency_key: freshKey(), health_center_id: "HC13104", id: { name: "他人 四郎", furigana: "タニン シロウ", date_of_birth: "1990-01-01" },
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  for (const [method, path] of [
    ["GET", `/api/cases/${made.body.id}`],
    ["GET", `/api/cases/${made.body.id}/observation`],
    ["POST", "/api/cases/search"],
    ["GET", "/api/notifications"],
    ["GET", "/api/observation/alerts"],
    ["GET", "/api/admin/requests"],
    ["GET", "/api/admin/accounts"],
  ]) {
    const r = method === "GET" ? await who.fuc.client.get(path) : await who.fuc.client.post(path, { criteria: {} });
    assert.equal(r.status, 403, `${method} ${path}: ${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
  }
  // A record another follow-up account confirmed is not this one's either (the right follows the confirmer).
  const body = registration({ name: "他県 五郎", furigana: "タケン ゴロウ" });
  await submit(body);
  const item = (await who.hcSj.client.get("/api/self-registrations")).body.items.find((i) => i.name === "他県 五郎");
  const conf = await who.hcSj.client.post(`/api/self-registrations/${item.id}/confirm`, {});
  assert.equal(conf.status, 200);
  assert.equal((await who.fuc.client.get(`/api/cases/${conf.body.case_id}`)).status, 403);
});

test("a live record of the same person (a clinic registered them) is linked, not duplicated", async () => {
  const made = await who.doctor.client.post("/api/cases", {
    idempotency_key: freshKey(), health_center_id: "HC13104",
    id: { name: "既存 六子", furigana: "キソン ムツコ", date_of_birth: "1985-06-06", phone1: "090-6666-0006" },
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  await submit(registration({ name: "既存 六子", furigana: "きそん むつこ", date_of_birth: "1985-06-06", phone: "09066660006", result_kind: "clinic_diagnosis", clinic_name: "新宿みなみクリニック" }));
  const item = (await who.fuc.client.get("/api/self-registrations")).body.items.find((i) => i.name === "既存 六子");
  assert.equal((await who.fuc.client.get(`/api/self-registrations/${item.id}`)).body.existing_case, true);
  const before = total("SELECT COUNT(*) AS n FROM cases");
  const conf = await who.fuc.client.post(`/api/self-registrations/${item.id}/confirm`, {});
  assert.equal(conf.status, 200, JSON.stringify(conf.body));
  assert.equal(conf.body.linked, true);
  assert.equal(conf.body.case_id, made.body.id);
  assert.equal(total("SELECT COUNT(*) AS n FROM cases"), before);
  // A link opens nothing of a record the confirmation did not make (review finding: a registration typed with a
  // stranger's furigana, birth date and phone would otherwise open their record): no スマホ入力ID, no access, and the
  // record's observation is its own health center's to start.
  assert.equal(conf.body.smartphone_id, "");
  assert.equal((await who.fuc.client.get(`/api/cases/${made.body.id}`)).status, 403);
  assert.equal((await who.fuc.client.get(`/api/cases/${made.body.id}/observation`)).status, 403);
  assert.equal(total(`SELECT COUNT(*) AS n FROM observations WHERE case_id = '${made.body.id}'`), 0);
  // The record's own health center linking another registration of that person starts it and gets the ID.
  await submit(registration({ name: "既存 六子", furigana: "きそん むつこ", date_of_birth: "1985-06-06", phone: "09066660006", result_date: "2022-10-01", result_kind: "clinic_diagnosis", clinic_name: "新宿みなみクリニック" }));
  const second = (await who.hcSj.client.get("/api/self-registrations")).body.items.find((i) => i.name === "既存 六子" && i.status === "pending");
  const own = await who.hcSj.client.post(`/api/self-registrations/${second.id}/confirm`, {});
  assert.equal(own.status, 200, JSON.stringify(own.body));
  assert.equal(own.body.linked, true);
  assert.match(own.body.smartphone_id, /^\d{10}$/);
  const obs = await who.hcSj.client.get(`/api/cases/${made.body.id}/observation`);
  assert.equal(obs.body.observation.kind, "patient");
});

test("the dashboard counts a confirmed antigen-kit registrant once, and not at all when the record has a notification", async () => {
  const day = "2022-09-30";
  const counted = async () => {
    const r = await who.hcSj.client.get(`/api/counts?from=${day}&to=${day}`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.days[0].self_registered.reduce((a, b) => a + b, 0);
  };
  assert.equal(await counted(), 0);
  // One person, two registrations (the second a day later: a corrected date): one record, counted once.
  const person = { name: "計数 九子", furigana: "ケイスウ ココ", date_of_birth: "1990-09-09", phone: "090-9999-0909" };
  await submit(registration({ ...person, result_date: day }));
  await submit(registration({ ...person, result_date: "2022-10-01" }));
  const mine = (await who.hcSj.client.get("/api/self-registrations")).body.items.filter((i) => i.name === person.name);
  assert.equal(mine.length, 2);
  for (const item of mine) assert.equal((await who.hcSj.client.post(`/api/self-registrations/${item.id}/confirm`, {})).status, 200);
  assert.equal(total("SELECT COUNT(DISTINCT case_id) AS n FROM self_registrations WHERE name = '計数 九子'"), 1);
  assert.equal(await counted(), 1, "counted once, on the earliest result date");
  const later = await who.hcSj.client.get("/api/counts?from=2022-10-01&to=2022-10-01");
  const before = later.body.days[0].self_registered.reduce((a, b) => a + b, 0);
  // Once the record has a notification, the person is counted as notified, never again as self-registered.
  const caseId = edge.d1All("SELECT case_id FROM self_registrations WHERE name = '計数 九子' LIMIT 1")[0].case_id;
  insertRecord(edge, { id: caseId, sql: (seq) => `INSERT INTO notifications (seq, id, form_version, body, category, patient_name, furigana_key, date_of_birth, phone_digits, institution_id, filed_by_user_id, filed_at, pref_code, health_center_id, routing_reason) VALUES (${seq}, '${caseId}', '2022-09-26', '{}', 'confirmed_patient', 'x', 'x', '1990-09-09', '', 'inst_demo_shinjuku', 'u_demo_doctor_shinjuku', ${NOW}, '13', 'HC13104', 'test')` });
  assert.equal(await counted(), 0);
  const after = await who.hcSj.client.get("/api/counts?from=2022-10-01&to=2022-10-01");
  assert.equal(after.body.days[0].self_registered.reduce((a, b) => a + b, 0), before);
});

test("reject needs a reason; decided once", async () => {
  await submit(registration({ name: "却下 七郎", furigana: "キャッカ シチロウ" }));
  const item = (await who.hcSj.client.get("/api/self-registrations")).body.items.find((i) => i.name === "却下 七郎");
  for (const body of [{}, { reason: "" }, { reason: "   " }, { reason: "x".repeat(501) }]) {
    const r = await who.hcSj.client.post(`/api/self-registrations/${item.id}/reject`, body);
    assert.equal(r.status, 422, JSON.stringify(r.body));
    assert.equal(r.body.error.code, "REASON_REQUIRED");
    assert.equal(r.body.error.reason, "reason");
  }
  const ok = await who.hcSj.client.post(`/api/self-registrations/${item.id}/reject`, { reason: "本人確認ができないため" });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.summary.status, "rejected");
  assert.equal(ok.body.reject_reason, "本人確認ができないため");
  const again = await who.hcSj.client.post(`/api/self-registrations/${item.id}/reject`, { reason: "再度" });
  assert.equal(again.status, 409);
  assert.equal((await who.hcSj.client.post(`/api/self-registrations/${item.id}/confirm`, {})).status, 409);
  const rejected = (await who.hcSj.client.get("/api/self-registrations?status=rejected")).body.items;
  assert.ok(rejected.some((i) => i.id === item.id));
  assert.equal((await who.hcSj.client.get("/api/self-registrations?status=zombie")).status, 422);
});

test("another prefecture's follow-up center, another health center, clinics, prefecture and national staff are refused", async () => {
  await submit(registration({ name: "権限 八子", furigana: "ケンゲン ヤコ" }));
  const item = (await who.fuc.client.get("/api/self-registrations")).body.items.find((i) => i.name === "権限 八子");
  for (const [name, c] of [["fuc14", who.fuc14], ["hcSg", who.hcSg]]) {
    for (const [method, path] of [["GET", `/api/self-registrations/${item.id}`], ["POST", `/api/self-registrations/${item.id}/confirm`], ["POST", `/api/self-registrations/${item.id}/reject`]]) {
      const r = method === "GET" ? await c.client.get(path) : await c.client.post(path, { reason: "x" });
      assert.equal(r.status, 403, `${name} ${method} ${path}`);
    }
  }
  for (const [name, c] of [["doctor", who.doctor], ["pref", who.pref], ["mhlw", who.mhlw]]) {
    assert.equal((await c.client.get("/api/self-registrations")).status, 403, name);
    assert.equal((await c.client.get(`/api/self-registrations/${item.id}`)).status, 403, name);
    assert.equal((await c.client.post(`/api/self-registrations/${item.id}/confirm`, {})).status, 403, name);
  }
  assert.equal((await anon().get("/api/self-registrations")).status, 401);
  assert.equal((await anon().post(`/api/self-registrations/${item.id}/confirm`, {})).status, 401);
  assert.equal((await who.fuc.client.get("/api/self-registrations/sr_nope")).status, 404);
  // Still pending: none of the refusals decided it.
  assert.equal((await who.fuc.client.get(`/api/self-registrations/${item.id}`)).body.summary.status, "pending");
  // Without our Origin the public POST is refused like every POST.
  const foreign = await new Client(edge, { origin: "https://evil.example" }).post("/api/self-registrations", registration(), freshIp());
  assert.equal(foreign.status, 403);
  assert.equal(foreign.body.error.code, "ORIGIN_MISMATCH");
});

test("the audit log names ids and outcomes, never the person", async () => {
  const log = edge.d1("SELECT action, outcome, target, actor_role, detail FROM audit_log WHERE action LIKE 'self_registration%' OR actor_role = 'self_registrant'");
  assert.ok(log.some((e) => e.action === "self_registration_submit" && e.outcome === "ok"));
  assert.ok(log.some((e) => e.action === "self_registration_submit" && e.outcome === "replayed"));
  assert.ok(log.some((e) => e.action === "self_registration_submit" && e.outcome === "duplicate"));
  assert.ok(log.some((e) => e.action === "self_registration_submit" && e.outcome === "throttled_address"));
  assert.ok(log.some((e) => e.action === "self_registration_confirm"));
  assert.ok(log.some((e) => e.action === "self_registration_reject" && e.outcome === "ok"));
  const text = JSON.stringify(log);
  for (const personal of ["確認 三郎", "カクニン", "08011112222", "080-1111-2222", "2000-02-02", "新宿1-1-1", "本人確認ができない"]) {
    assert.ok(!text.includes(personal), `audit holds ${personal}`);
  }
});
