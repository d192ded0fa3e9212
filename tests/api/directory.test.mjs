// The health-center directory (issue 23) over HTTP against the real worker: who may read and change it (prefecture
// staff their prefecture's centers and municipalities, a health center's administrator their own contact details,
// nobody else), field-by-field checks that keep what was stored, municipalities that move only inside the
// prefecture and never leave one without a center, CSV export and an all-or-nothing import with per-row, per-column
// messages (a re-import of an export changes nothing), routing that honours a reassigned municipality (a filing's
// residence and a self-registration), the transfer answer for a center without an e-mail address, the phones the
// patient's phone and the alert queue get, and the audit entries of all of it.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { SHARDS, startEdge } from "../support/edge.mjs";
import { Client, firstSignInAs } from "../support/softauthn.mjs";
import { freshKey, jstToday, patientCase } from "../support/notification.mjs";

const SHINJUKU = "HC13104";
const SETAGAYA = "HC13112";
const CHIYODA_HC = "HC13101";
const CHIYODA = "131016"; // 千代田区
const HEADER = "保健所ID,保健所名,郵便番号,住所,電話番号,通知メールアドレス,管轄市区町村コード";

let edge;
let pref; // prefecture_staff, 東京都
let adminA; // health_center_admin, 新宿区保健所
let staffA; // health_center_staff, 新宿区保健所
let doctor; // clinic_doctor, 新宿みなみクリニック
let mhlw; // national_staff
before(async () => {
  edge = await startEdge({ seedDemo: true });
  [pref, adminA, staffA, doctor, mhlw] = await Promise.all([
    firstSignInAs(edge, "pref@tokyo.demo"),
    firstSignInAs(edge, "admin@shinjuku-hc.demo"),
    firstSignInAs(edge, "staff@shinjuku-hc.demo"),
    firstSignInAs(edge, "doctor@shinjuku-clinic.demo"),
    firstSignInAs(edge, "mhlw@national.demo"),
  ]);
});
after(async () => {
  await edge?.stop();
});

function expectError(r, status, code, what = "") {
  assert.equal(r.status, status, `${what} ${JSON.stringify(r.body)}`);
  assert.equal(r.body?.error?.code, code, what);
  return r.body.error;
}
const directory = async (who) => {
  const r = await who.client.get("/api/directory");
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body;
};
const centerOf = async (id) => (await directory(pref)).centers.find((c) => c.id === id);
const contact = (c) => ({ postal_code: c.postal_code, address: c.address, phone: c.phone, email: c.email });
const auditOf = (action) => edge.d1(`SELECT outcome, target, pref_code, health_center_id, actor_user_id FROM audit_log WHERE action = '${action}' ORDER BY seq`);
const exportCsv = async () => {
  // The bytes as sent (a text decoder would drop the BOM this checks), decoded keeping it.
  const r = await fetch(`${edge.api}/api/directory/csv`, { headers: { cookie: pref.cookie } });
  const bytes = new Uint8Array(await r.arrayBuffer());
  const text = new TextDecoder("utf-8", { ignoreBOM: true }).decode(bytes);
  assert.equal(r.status, 200, text.slice(0, 200));
  return { text, headers: r.headers };
};

test("prefecture staff see every center of the prefecture from the reference table with the caveat; an administrator their own; others are refused", async () => {
  const d = await directory(pref);
  assert.equal(d.prefecture, "東京都");
  assert.equal(d.manages_prefecture, true);
  assert.match(d.caveat, /利用許諾/);
  assert.ok(d.centers.length >= 30, `${d.centers.length} Tokyo centers`);
  assert.ok(d.centers.every((c) => c.id.startsWith("HC13")));
  const chiyoda = d.centers.find((c) => c.id === CHIYODA_HC);
  assert.ok(chiyoda, "a reference center with no row in the store yet is listed");
  assert.deepEqual(chiyoda.municipalities.map((m) => m.code), [CHIYODA]);
  assert.equal(chiyoda.email, "");
  const shinjuku = d.centers.find((c) => c.id === SHINJUKU);
  assert.equal(shinjuku.phone, "03-5555-0104");
  assert.deepEqual(shinjuku.municipalities, [{ code: "131041", name: "新宿区" }]);
  // Every municipality of Tokyo has exactly one center.
  const codes = d.centers.flatMap((c) => c.municipalities.map((m) => m.code));
  assert.equal(new Set(codes).size, codes.length);

  const own = await directory(adminA);
  assert.equal(own.manages_prefecture, false);
  assert.deepEqual(own.centers.map((c) => c.id), [SHINJUKU]);

  for (const who of [staffA, doctor, mhlw]) expectError(await who.client.get("/api/directory"), 403, "FORBIDDEN", who.me?.role);
  expectError(await new Client(edge).get("/api/directory"), 401, "UNAUTHENTICATED");
  const refused = auditOf("directory_read").filter((e) => e.outcome === "forbidden");
  assert.equal(refused.length, 3, JSON.stringify(refused));
});

test("an edit is checked field by field; a refused one changes nothing", async () => {
  const before = await centerOf(SHINJUKU);
  const bad = expectError(await pref.client.put(`/api/directory/${SHINJUKU}`, {
    name: " ", postal_code: "12", address: "a\nb", phone: "03-12", email: "hokenjo@", municipalities: ["131041"],
  }), 422, "VALIDATION_FAILED");
  assert.deepEqual(bad.issues.map((i) => i.field), ["name", "postal_code", "address", "phone", "email"]);
  assert.ok(bad.issues.every((i) => /[ぁ-んァ-ン一-龥]/.test(i.message)), "Japanese messages");
  assert.deepEqual(await centerOf(SHINJUKU), before);
  // Not this form at all: refused whole.
  expectError(await pref.client.put(`/api/directory/${SHINJUKU}`, { phone: "03-1111-2222" }), 400, "BAD_REQUEST");
  expectError(await pref.client.put(`/api/directory/${SHINJUKU}`, { ...contact(before), extra: 1 }), 400, "BAD_REQUEST");
  assert.deepEqual(await centerOf(SHINJUKU), before);
  assert.ok(auditOf("directory_edit").some((e) => e.outcome === "invalid" && e.target === SHINJUKU));
});

test("a health center's administrator edits their own contact details only", async () => {
  const r = await adminA.client.put(`/api/directory/${SHINJUKU}`, {
    postal_code: "１６０-００２２", address: "東京都新宿区新宿5-18-21 第二庁舎", phone: "03-5555-0999", email: "new@hc13104.her-sys.example",
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.postal_code, "1600022", "normalised");
  assert.equal(r.body.phone, "03-5555-0999");
  assert.equal(r.body.name, "新宿区保健所", "the name is the prefecture's");
  assert.equal(r.body.updated_by_name, "管理 四郎");
  assert.ok(r.body.updated_at > 0);
  // Name, municipalities or another center: refused.
  const body = contact(r.body);
  expectError(await adminA.client.put(`/api/directory/${SHINJUKU}`, { ...body, name: "新宿保健所" }), 403, "FORBIDDEN");
  expectError(await adminA.client.put(`/api/directory/${SHINJUKU}`, { ...body, municipalities: ["131041"] }), 403, "FORBIDDEN");
  expectError(await adminA.client.put(`/api/directory/${SETAGAYA}`, body), 403, "FORBIDDEN");
  expectError(await adminA.client.get("/api/directory/csv"), 403, "FORBIDDEN");
  expectError(await adminA.client.post("/api/directory/csv", { csv: HEADER }), 403, "FORBIDDEN");
  expectError(await staffA.client.put(`/api/directory/${SHINJUKU}`, body), 403, "FORBIDDEN");
  // Prefecture staff: not another prefecture's center; an unknown id is not found.
  expectError(await pref.client.put("/api/directory/HC14201", body), 403, "FORBIDDEN");
  expectError(await pref.client.put("/api/directory/HC99999", body), 404, "NOT_FOUND");
  const entries = auditOf("directory_edit");
  assert.ok(entries.some((e) => e.outcome === "ok" && e.actor_user_id === "u_demo_hc_admin_shinjuku" && e.health_center_id === SHINJUKU && e.pref_code === "13"));
  // The five refused edits above (another center's, a name, municipalities, staff, another prefecture's).
  assert.ok(entries.filter((e) => e.outcome === "forbidden").length >= 5, JSON.stringify(entries.map((e) => e.outcome)));
  // Put the demo's phone back for the tests below.
  assert.equal((await adminA.client.put(`/api/directory/${SHINJUKU}`, { ...body, phone: "03-5555-0104", email: "notice@hc13104.her-sys.example" })).status, 200);
});

test("municipalities move only between the prefecture's centers and none is left without one", async () => {
  const setagaya = await centerOf(SETAGAYA);
  const keep = setagaya.municipalities.map((m) => m.code);
  // Leaving 世田谷区 without a center.
  let e = expectError(await pref.client.put(`/api/directory/${SETAGAYA}`, { ...contact(setagaya), municipalities: [] }), 422, "VALIDATION_FAILED");
  assert.deepEqual(e.issues.map((i) => [i.field, i.code]), [["municipalities", "municipality_unassigned"]]);
  assert.match(e.issues[0].message, /世田谷区（131121）/);
  // Another prefecture's municipality (横浜市), a malformed code, a 北方領土 village (no center).
  e = expectError(await pref.client.put(`/api/directory/${SETAGAYA}`, { ...contact(setagaya), municipalities: [...keep, "141003", "13abc", "016951"] }), 422, "VALIDATION_FAILED");
  assert.deepEqual(e.issues.map((i) => i.code), ["municipality_not_in_prefecture", "municipality_not_in_prefecture", "municipality_not_in_prefecture"]);
  assert.deepEqual((await centerOf(SETAGAYA)).municipalities.map((m) => m.code), keep, "nothing changed");
});

test("routing honours a reassigned municipality: a filing's residence and a self-registration go to the new center", async () => {
  const file = async (name) => {
    const r = await doctor.client.post("/api/notifications", {
      idempotency_key: freshKey(),
      notification: patientCase({ name, furigana: "ルーティング テスト", phone: `090-7777-${String(Math.floor(Math.random() * 9000) + 1000)}`, residence: "chiyoda" }),
      acknowledged_warnings: [],
    });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    return r.body;
  };
  const first = await file("経路 一郎");
  assert.equal(first.residence_health_center_name, "千代田保健所", "the reference table");

  const setagaya = await centerOf(SETAGAYA);
  const r = await pref.client.put(`/api/directory/${SETAGAYA}`, {
    ...contact(setagaya), name: setagaya.name, municipalities: [...setagaya.municipalities.map((m) => m.code), CHIYODA],
  });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body.municipalities.map((m) => m.code), [CHIYODA, "131121"]);
  assert.deepEqual((await centerOf(CHIYODA_HC)).municipalities, [], "moved away");
  assert.deepEqual(edge.d1(`SELECT code, health_center_id, pref_code FROM municipality_assignments`), [{ code: CHIYODA, health_center_id: SETAGAYA, pref_code: "13" }]);

  const second = await file("経路 二郎");
  assert.equal(second.residence_health_center_name, "世田谷保健所", "the administrator's assignment");
  const rec = await doctor.client.get(`/api/notifications/${second.id}`);
  assert.equal(rec.body.residence_health_center_id, SETAGAYA);

  const reg = await new Client(edge).post("/api/self-registrations", {
    client_key: `dir-${randomBytes(8).toString("hex")}`, consent_version: "2022-09-26.1", name: "経路 三郎", furigana: "ケイロ サブロウ",
    date_of_birth: "1990-01-01", sex: "男", phone: "090-4444-0101", postal_code: "1000014", municipality_code: CHIYODA,
    address: "東京都千代田区永田町1-7-1", result_kind: "antigen_kit", result_date: "2022-10-01", clinic_name: "",
  }, { headers: { "cf-connecting-ip": "192.0.2.77" } });
  assert.equal(reg.status, 201, JSON.stringify(reg.body));
  const [row] = edge.d1(`SELECT health_center_id FROM self_registrations WHERE receipt = '${reg.body.receipt}'`, { db: SHARDS.tokyo });
  assert.equal(row?.health_center_id, SETAGAYA);
});

test("CSV export: UTF-8 with BOM, one row per center; re-importing it changes nothing", async () => {
  const { text, headers } = await exportCsv();
  assert.ok(text.startsWith(`\ufeff${HEADER}\r\n`));
  assert.match(headers.get("content-type"), /^text\/csv; charset=utf-8/);
  assert.match(headers.get("content-disposition"), /hokenjo-13\.csv/);
  const lines = text.trimEnd().split("\r\n");
  const d = await directory(pref);
  assert.equal(lines.length - 1, d.centers.length);
  assert.equal(headers.get("x-export-count"), String(d.centers.length));
  assert.ok(lines.includes(`${SHINJUKU},新宿区保健所,1600022,東京都新宿区新宿5-18-21 第二庁舎,03-5555-0104,notice@hc13104.her-sys.example,131041`), lines.find((l) => l.startsWith(SHINJUKU)));
  const stamps = edge.d1("SELECT id, updated_at FROM health_centers ORDER BY id");
  const r = await pref.client.post("/api/directory/csv", { csv: text });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body, { rows: d.centers.length, changed: 0 });
  assert.deepEqual(edge.d1("SELECT id, updated_at FROM health_centers ORDER BY id"), stamps, "nothing written");
  assert.equal(auditOf("directory_import").at(-1).outcome, "unchanged");
  assert.equal(auditOf("directory_export").at(-1).outcome, "ok");
});

test("CSV import: any problem refuses the whole file with every row's and column's message; nothing saved", async () => {
  const { text } = await exportCsv();
  const lines = text.replace(/^\ufeff/, "").trimEnd().split("\r\n");
  const i = (id) => lines.findIndex((l) => l.startsWith(`${id},`));
  const edited = [...lines];
  // A good change (would be saved if the file were whole) …
  edited[i(SHINJUKU)] = edited[i(SHINJUKU)].replace("03-5555-0104", "03-5555-7777");
  // … and problems in three rows: a bad phone and e-mail; a municipality twice (also in Setagaya's row) and one of
  // another prefecture; an unknown center.
  edited[i(CHIYODA_HC)] = `${CHIYODA_HC},千代田保健所,,,0312,mail@,`;
  edited[i("HC13105")] = edited[i("HC13105")].replace(/,([0-9 ]+)$/, ",$1 131121 141003");
  edited.push("HC99999,存在しない保健所,,,,,");
  const r = await pref.client.post("/api/directory/csv", { csv: `\ufeff${edited.join("\r\n")}\r\n` });
  const e = expectError(r, 422, "VALIDATION_FAILED");
  const rowOf = (id) => i(id) + 1; // line numbers: the header is line 1
  const fields = e.issues.map((x) => x.field);
  assert.ok(fields.includes(`rows[${rowOf(CHIYODA_HC)}].phone`), JSON.stringify(fields));
  assert.ok(fields.includes(`rows[${rowOf(CHIYODA_HC)}].email`));
  assert.ok(e.issues.some((x) => x.code === "municipality_twice" && x.message.startsWith(`${Math.max(rowOf("HC13105"), rowOf(SETAGAYA))}行目「管轄市区町村コード」`)), JSON.stringify(e.issues));
  assert.ok(e.issues.some((x) => x.code === "municipality_not_in_prefecture" && /141003/.test(x.message)));
  assert.ok(e.issues.some((x) => x.code === "unknown_health_center" && x.field === `rows[${edited.length}].id`));
  assert.equal((await centerOf(SHINJUKU)).phone, "03-5555-0104", "the good row was not saved either");
  assert.equal(auditOf("directory_import").at(-1).outcome, "invalid");

  // A header that is not ours, a short row, an open quote, an empty file.
  for (const [csv, code] of [["a,b\r\n", "csv_header"], [`${HEADER}\r\nHC13104,x\r\n`, "csv_columns"], [`${HEADER}\r\n"HC13104,x`, "csv_quote"], ["", "csv_empty"]]) {
    const bad = expectError(await pref.client.post("/api/directory/csv", { csv }), 422, "VALIDATION_FAILED", code);
    assert.equal(bad.issues[0].code, code);
  }
  // A center listed whose municipality appears nowhere else: left without a center.
  const dropped = [...lines];
  dropped[i(SHINJUKU)] = dropped[i(SHINJUKU)].replace(/,131041$/, ",");
  const left = expectError(await pref.client.post("/api/directory/csv", { csv: dropped.join("\r\n") }), 422, "VALIDATION_FAILED");
  assert.deepEqual(left.issues.map((x) => [x.field, x.code]), [[`rows[${rowOf(SHINJUKU)}].municipalities`, "municipality_unassigned"]]);
});

test("CSV import: a good file saves what differs, moves municipalities, and may list only some centers", async () => {
  const { text } = await exportCsv();
  const lines = text.replace(/^\ufeff/, "").trimEnd().split("\r\n");
  const row = (id) => lines.find((l) => l.startsWith(`${id},`));
  // Only three rows: Shinjuku's phone changes; 千代田区 goes back from Setagaya to 千代田保健所, which gets an e-mail
  // address and a quoted address with a comma; a formula-looking cell stays text.
  const csv = [
    HEADER,
    row(SHINJUKU).replace("03-5555-0104", "03-5555-7777"),
    row(SETAGAYA).replace(`,${CHIYODA} 131121`, ",131121"),
    `${CHIYODA_HC},千代田保健所,102-8688,"東京都千代田区九段南1-2-1, 3階",03-5211-8000,chiyoda@hc.example.lg.jp,${CHIYODA}`,
  ].join("\r\n");
  const r = await pref.client.post("/api/directory/csv", { csv });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body, { rows: 3, changed: 2 }, "Setagaya only loses a municipality");
  const d = await directory(pref);
  const get = (id) => d.centers.find((c) => c.id === id);
  assert.equal(get(SHINJUKU).phone, "03-5555-7777");
  assert.equal(get(CHIYODA_HC).address, "東京都千代田区九段南1-2-1, 3階");
  assert.equal(get(CHIYODA_HC).postal_code, "1028688");
  assert.deepEqual(get(CHIYODA_HC).municipalities.map((m) => m.code), [CHIYODA]);
  assert.deepEqual(get(SETAGAYA).municipalities.map((m) => m.code), ["131121"]);
  const last = auditOf("directory_import").at(-1);
  assert.equal(last.outcome, "ok");
  assert.equal(last.pref_code, "13");
  // Back to the demo phone; the same file again changes nothing.
  assert.equal((await pref.client.post("/api/directory/csv", { csv: csv.replace("03-5555-7777", "03-5555-0104") })).body.changed, 1);
  assert.deepEqual((await pref.client.post("/api/directory/csv", { csv: csv.replace("03-5555-7777", "03-5555-0104") })).body, { rows: 3, changed: 0 });
});

test("odd CSV content gets a 4xx with a stable code or is taken as text, never a 5xx", async () => {
  const { text: saved } = await exportCsv();
  const odd = ["\u0000", "\u202Eevil", "=HYPERLINK(\"x\")", "' OR 1=1 --", "𠮷".repeat(300), "x".repeat(70 * 1024)];
  for (const s of odd) {
    for (const csv of [s, `${HEADER}\r\n${SHINJUKU},${s},,,,,131041`, `${HEADER}\r\n${s},a,,,,,`]) {
      const r = await pref.client.post("/api/directory/csv", { csv });
      assert.ok(r.status < 500, `${r.status} ${JSON.stringify(r.body).slice(0, 200)}`);
      if (r.status >= 400) assert.match(r.body.error.code, /^[A-Z_]+$/);
    }
  }
  expectError(await pref.client.post("/api/directory/csv", { csv: "x".repeat(600 * 1024) }), 413, "PAYLOAD_TOO_LARGE");
  expectError(await pref.client.post("/api/directory/csv", { text: HEADER }), 400, "BAD_REQUEST");
  // Odd text that is acceptable (an RTL mark in a name) was taken as text; the saved export puts everything back.
  assert.equal((await pref.client.post("/api/directory/csv", { csv: saved })).status, 200);
  const back = await centerOf(SHINJUKU);
  assert.equal(back.name, "新宿区保健所");
  assert.equal(back.phone, "03-5555-0104");
});

test("a transfer to a center without an e-mail address says so, with its phone; the transfer list marks it", async () => {
  const setagaya = await centerOf(SETAGAYA);
  assert.equal((await pref.client.put(`/api/directory/${SETAGAYA}`, { ...contact(setagaya), email: "" })).status, 200);
  const list = await staffA.client.get("/api/health-centers");
  const target = list.body.health_centers.find((h) => h.id === SETAGAYA);
  assert.deepEqual(target, { id: SETAGAYA, name: "世田谷保健所", has_email: false, phone: "03-5555-0112" });
  assert.equal(list.body.health_centers.find((h) => h.id === SHINJUKU).has_email, true);
  assert.ok(list.body.health_centers.every((h) => !("email" in h)), "the address itself is not sent");

  const filed = await doctor.client.post("/api/notifications", {
    idempotency_key: freshKey(), notification: patientCase({ name: "移管 警告", furigana: "イカン ケイコク", phone: "090-7777-0001", residence: "setagaya" }), acknowledged_warnings: [],
  });
  assert.equal(filed.status, 201, JSON.stringify(filed.body));
  const t = await staffA.client.post(`/api/notifications/${filed.body.id}/transfer`, { health_center_id: SETAGAYA, reason: "住所地" });
  assert.equal(t.status, 200, JSON.stringify(t.body));
  assert.deepEqual(t.body, { health_center_id: SETAGAYA, health_center_name: "世田谷保健所", email_missing: true, phone: "03-5555-0112" });
  assert.equal((await pref.client.put(`/api/directory/${SETAGAYA}`, contact(setagaya))).status, 200, "the demo address back");
});

test("phones where people need them: the patient's phone gets the managing center's number; the queue card the person's, to the managing staff only", async () => {
  const filed = await doctor.client.post("/api/notifications", {
    idempotency_key: freshKey(), notification: patientCase({ name: "電話 花子", furigana: "デンワ ハナコ", date_of_birth: "1985-05-05", phone: "090-8888-1234" }), acknowledged_warnings: [],
  });
  assert.equal(filed.status, 201, JSON.stringify(filed.body));
  const id = filed.body.id;
  assert.equal((await staffA.client.get(`/api/notifications/${id}`)).status, 200);
  const rec = await staffA.client.get(`/api/cases/${id}`);
  assert.equal(rec.body.health_center_phone, "03-5555-0104", "the slip's number");
  const started = await staffA.client.post(`/api/cases/${id}/observation`, { kind: "patient", started_on: jstToday(), ends_on: "", household_of: "" });
  assert.equal(started.status, 200, JSON.stringify(started.body));
  const phone = new Client(edge);
  const me = await phone.post("/api/observe/signin", { smartphone_id: rec.body.smartphone_id, date_of_birth: "1985-05-05" }, { headers: { "cf-connecting-ip": "192.0.2.78" } });
  assert.equal(me.status, 200, JSON.stringify(me.body));
  assert.equal(me.body.health_center_phone, "03-5555-0104");
  const keys = ["face", "cough", "dyspnea", "fatigue", "nausea", "diarrhea", "consciousness", "cannot_eat", "no_urine"];
  const sent = await phone.post("/api/observe/reports", { reports: [{
    client_id: randomBytes(12).toString("base64url"), person: id, date: jstToday(), slot: "morning", temperature: 36.6, spo2: 90,
    answers: Object.fromEntries(keys.map((k) => [k, "no"])),
  }] });
  assert.equal(sent.status, 200, JSON.stringify(sent.body));
  const queue = await staffA.client.get("/api/observation/alerts");
  const card = queue.body.alerts.find((a) => a.case_id === id);
  assert.equal(card?.phone, "09088881234", JSON.stringify(card));
  // The filing clinic reads the record's alerts, without the phone (as without the スマホ入力ID).
  const clinicView = await doctor.client.get(`/api/cases/${id}/observation`);
  if (clinicView.status === 200) assert.ok(clinicView.body.alerts.every((a) => a.phone === ""), JSON.stringify(clinicView.body.alerts));
});
