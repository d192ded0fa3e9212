// FHIR R4 documents of notifications (issue 22) over HTTP against the real worker: notifications filed through the
// API that together hold every option of the form (every category, symptom, method, specimen, result, certainty,
// risk factor, severity, yes/no answer and vaccination status, domestic and abroad areas, a guardian for a minor,
// and the limited form of 2022-09-26 with each of its groups, filed with the server clock on 2022-10-01), plus every
// demo record, are fetched from GET /api/cases/{id}/fhir and validated by an independent validator
// (tests/fhir/validate.py: the PyPI package fhir.resources, R4B models, in the venv `cargo xtask setup` makes); the
// fields it reads back (name, kana, birth date, diagnosis date, each test's method, specimen, date and result) are
// compared with what was stored, and every value the stored notification holds is found in its document. The
// validator is shown to refuse broken documents. Then who may read the endpoint, and that each read is audited.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { existsSync, mkdtempSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { fileURLToPath } from "node:url";
import { SHARDS, startEdge } from "../support/edge.mjs";
import { firstSignInAs } from "../support/softauthn.mjs";
import { confirmedCase, freshKey, jstDate, jstToday, patientCase, RESIDENCES } from "../support/notification.mjs";

// The records of this file (all 東京都) live in the shard of 東京都.
const TOKYO = { db: SHARDS.tokyo };

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
/** The validator's interpreter: the venv `cargo xtask setup` creates (FHIR_PYTHON overrides). */
const PYTHON = process.env.FHIR_PYTHON ?? path.join(ROOT, "target/fhir-venv/bin/python");
const VALIDATOR = path.join(ROOT, "tests/fhir/validate.py");

// The options of the form (shared/src/notification/options.rs), by JSON key.
const OPTIONS = {
  category: ["confirmed_patient", "asymptomatic_carrier", "suspected_patient", "deceased_patient", "suspected_deceased"],
  sex: ["male", "female"],
  symptom: ["fever", "cough", "acute_respiratory_other_than_cough", "pneumonia_findings", "severe_pneumonia", "ards",
    "multiple_organ_failure", "fatigue", "headache", "nausea_vomiting", "diarrhoea", "conjunctivitis", "smell_taste_disorder"],
  method: ["isolation", "nucleic_acid", "antigen_qualitative", "antigen_quantitative"],
  specimen: ["sputum", "tracheal_aspirate", "bronchoalveolar_lavage", "pharyngeal_swab", "nasal_aspirate", "nasal_swab",
    "nasopharyngeal_swab", "stool", "saliva", "autopsy_material", "other"],
  result: ["positive", "negative", "other"],
  certainty: ["confirmed", "presumed"],
  vaccination: ["yes", "no", "unknown"],
  yesNo: ["yes", "no"],
  riskFactor: ["malignant_tumour", "copd", "chronic_kidney_disease", "hypertension", "diabetes", "dyslipidaemia", "obesity", "smoking_history"],
  severity: ["mild", "moderate_i", "moderate_ii", "severe"],
  group: ["aged_65_or_over", "needs_admission", "risk_needs_treatment_drug", "risk_needs_new_oxygen", "pregnant"],
};
const YES_NO_ITEMS = ["hospitalised", "risk_factors_present", "immunocompromised", "pregnant", "admission_needed", "telemedicine"];

let edge;
const who = {};
/** Filed in this run: id → what was sent. */
const filed = new Map();
let documents = []; // { id, doc, body }
let readBack = new Map(); // record id → the validator's read-back

function validate(docs) {
  const dir = mkdtempSync(path.join(tmpdir(), "fhir-"));
  const file = path.join(dir, "docs.ndjson");
  writeFileSync(file, docs.map((d) => JSON.stringify(d)).join("\n") + "\n");
  const r = spawnSync(PYTHON, [VALIDATOR, file], { encoding: "utf8", maxBuffer: 64 << 20 });
  if (r.error) throw new Error(`the validator did not run (${PYTHON}: run \`cargo xtask setup\`): ${r.error.message}`);
  const out = r.stdout.split("\n").filter(Boolean).map((l) => JSON.parse(l));
  return { status: r.status, out, err: r.stderr };
}

/** Files `notification` as `alias`, acknowledging whatever warnings it is answered (they are not the subject here). */
async function fileAs(alias, notification) {
  const key = freshKey();
  let r = await who[alias].client.post("/api/notifications", { idempotency_key: key, notification, acknowledged_warnings: [] });
  if (r.status === 422 && r.body.error.code === "WARNINGS_UNACKNOWLEDGED") {
    const ack = [...new Set(r.body.error.issues.map((i) => i.code))];
    r = await who[alias].client.post("/api/notifications", { idempotency_key: key, notification, acknowledged_warnings: ack });
  }
  assert.equal(r.status, 201, `${notification.patient?.name}: ${JSON.stringify(r.body)}`);
  filed.set(r.body.id, notification);
  return r.body.id;
}

const today = jstToday();
const ago = (n) => jstDate(-n);
const test1 = (method, specimen, result, extra = {}) => ({ method, specimen, specimen_date: today, result, ...extra });
let phones = 0;
const person = (name, furigana, date_of_birth, extra) =>
  patientCase({ name, furigana, date_of_birth, phone: `090-7100-${String(1000 + ++phones)}` }, extra);

/** The full-form notifications that together hold every option (filed with today's date). */
function coverage() {
  const nonConfirmed = { onset_date: null };
  return {
    everything: person("全項 一郎", "ゼンコウ イチロウ", "1970-04-01", {
      patient: { current_location_same_as_address: false, current_location: RESIDENCES.setagaya },
      symptoms: { present: OPTIONS.symptom, spo2_percent: 93, other: "筋肉痛" },
      tests: [
        test1("nucleic_acid", "sputum", "positive"),
        test1("isolation", "other", "positive", { specimen_other: "胸水" }),
        test1("antigen_qualitative", "nasal_swab", "negative"),
        test1("antigen_quantitative", "saliva", "positive"),
      ],
      infection_date: ago(5),
      onset_date: ago(2),
      infection: {
        route: { certainty: "confirmed", droplet: "家族内の会食", contact: "ドアノブ", other: "経路不明の接触" },
        area: {
          certainty: "confirmed",
          domestic: [{ prefecture: "東京都", municipality: "新宿区" }, { prefecture: "大阪府", municipality: "大阪市" }],
          abroad: [{ country: "フランス", detail: "パリ" }],
          departure_date: ago(20), entry_date: ago(10),
        },
      },
      vaccination: [
        { status: "yes", age: 51, vaccine_type: "mRNA", manufacturer: "ファイザー", date: "2021-07-01" },
        { status: "yes", vaccine_unknown: true, date_unknown: true },
        { status: "no" },
      ],
      other: {
        hospitalised: "yes", admission_date: today, hospital_name: "都立広尾病院", risk_factors_present: "yes",
        risk_factors: OPTIONS.riskFactor, risk_factor_other: "気管支喘息", immunocompromised: "yes", pregnant: "no",
        severity: "moderate_ii", admission_needed: "yes", telemedicine: "yes",
      },
    }),
    minor: person("保護 さくら", "ホゴ サクラ", "2015-06-01", {
      category: "asymptomatic_carrier",
      ...nonConfirmed,
      patient: { sex: "female", occupation: "小学生" },
      guardian: { name: "保護 花子", address: { ...RESIDENCES.shinjuku, phone: "090-7199-0001" } },
      symptoms: { present: [], none: true },
      tests: [
        test1("nucleic_acid", "tracheal_aspirate", "positive"),
        test1("nucleic_acid", "bronchoalveolar_lavage", "negative"),
        test1("nucleic_acid", "pharyngeal_swab", "positive"),
        test1("nucleic_acid", "nasal_aspirate", "positive"),
      ],
      infection: {
        route: { certainty: "presumed", contact: "" },
        area: { certainty: "presumed", abroad: [{ country: "大韓民国", detail: "ソウル" }], departure_date: ago(9), entry_date: ago(3) },
      },
      vaccination: [{ status: "unknown" }, {}, {}],
      other: { severity: "mild", pregnant: "no" },
    }),
    suspected: person("疑似 次郎", "ギジ ジロウ", "1988-08-08", {
      category: "suspected_patient",
      ...nonConfirmed,
      tests: [test1("nucleic_acid", "nasopharyngeal_swab", "other"), test1("nucleic_acid", "stool", "negative")],
      other: { severity: "moderate_i", admission_needed: "yes" },
    }),
    deceased: person("死亡 三郎", "シボウ サブロウ", "1940-01-01", {
      category: "deceased_patient",
      ...nonConfirmed,
      death_date: today,
      tests: [test1("nucleic_acid", "autopsy_material", "positive")],
      other: { severity: "severe" },
    }),
    suspectedDeceased: person("疑死 四郎", "ギシ シロウ", "1945-02-02", {
      category: "suspected_deceased",
      ...nonConfirmed,
      death_date: today,
      tests: [test1("nucleic_acid", "nasal_swab", "other")],
    }),
  };
}

/** The limited form of 2022-09-26, one notification per group (the clock on 2022-10-01). */
function limited() {
  const day = "2022-10-01";
  const one = (group, name, furigana, dob, sex = "male") => {
    const n = confirmedCase({
      version: "2022-09-26",
      report_date: day, first_visit_date: day, diagnosis_date: day, onset_date: day,
      tests: [test1("nucleic_acid", "nasopharyngeal_swab", "positive", { specimen_date: day })],
      patient: { name, furigana, sex, date_of_birth: dob, address: { ...RESIDENCES.shinjuku, phone: `090-7200-${String(1000 + ++phones)}` } },
    });
    if (sex === "female") n.other.pregnant = group === "pregnant" ? "yes" : "no";
    n.target_groups = { [group]: true };
    return n;
  };
  return [
    one("aged_65_or_over", "限定 高齢", "ゲンテイ コウレイ", "1950-05-01"),
    one("needs_admission", "限定 入院", "ゲンテイ ニュウイン", "1990-03-03"),
    one("risk_needs_treatment_drug", "限定 治療薬", "ゲンテイ チリョウヤク", "1990-03-04"),
    one("risk_needs_new_oxygen", "限定 酸素", "ゲンテイ サンソ", "1990-03-05"),
    one("pregnant", "限定 妊婦", "ゲンテイ ニンプ", "1990-03-06", "female"),
  ];
}

const ids = {};

before(async () => {
  edge = await startEdge({ seedDemo: true, seedRecords: true });
  for (const alias of ["doctor_shinjuku", "doctor_setagaya", "hc_staff_shinjuku", "hc_staff_setagaya", "pref_tokyo", "followup_tokyo", "mhlw"]) {
    who[alias] = await firstSignInAs(edge, alias);
  }
  for (const [name, n] of Object.entries(coverage())) ids[name] = await fileAs("doctor_shinjuku", n);
  // 2022-10-01 10:00 JST: the limited form's days.
  await edge.setClock(Date.parse("2022-10-01T01:00:00Z") - Date.now());
  ids.limited = [];
  for (const n of limited()) ids.limited.push(await fileAs("doctor_shinjuku", n));
  await edge.setClock(0);
});
after(async () => {
  await edge?.setClock(0).catch(() => {});
  await edge?.stop();
});

/** Every scalar of a JSON value (strings and numbers; booleans are structure). */
function leaves(v, out = []) {
  if (typeof v === "string" && v.trim() !== "") out.push(v);
  else if (typeof v === "number") out.push(v);
  else if (Array.isArray(v)) v.forEach((x) => leaves(x, out));
  else if (v && typeof v === "object") Object.values(v).forEach((x) => leaves(x, out));
  return out;
}

test("the filed notifications together hold every option of the form", () => {
  const bodies = [...filed.keys()].map((id) => JSON.parse(edge.d1(`SELECT body FROM notifications WHERE id = '${id}'`, TOKYO)[0].body));
  const seen = (f) => new Set(bodies.flatMap(f).filter((x) => x !== undefined && x !== null));
  const covers = (what, got, all) => assert.deepEqual(all.filter((o) => !got.has(o)), [], `${what} not covered`);
  covers("category", seen((b) => [b.category]), OPTIONS.category);
  covers("sex", seen((b) => [b.patient.sex]), OPTIONS.sex);
  covers("symptom", seen((b) => b.symptoms.present ?? []), OPTIONS.symptom);
  covers("method", seen((b) => b.tests.map((t) => t.method)), OPTIONS.method);
  covers("specimen", seen((b) => b.tests.map((t) => t.specimen)), OPTIONS.specimen);
  covers("result", seen((b) => b.tests.map((t) => t.result)), OPTIONS.result);
  covers("route certainty", seen((b) => [b.infection?.route?.certainty]), OPTIONS.certainty);
  covers("area certainty", seen((b) => [b.infection?.area?.certainty]), OPTIONS.certainty);
  covers("vaccination", seen((b) => b.vaccination.map((d) => d.status)), OPTIONS.vaccination);
  covers("risk factor", seen((b) => b.other.risk_factors ?? []), OPTIONS.riskFactor);
  covers("severity", seen((b) => [b.other.severity]), OPTIONS.severity);
  for (const item of YES_NO_ITEMS) covers(item, seen((b) => [b.other[item]]), OPTIONS.yesNo);
  covers("group", seen((b) => Object.entries(b.target_groups ?? {}).filter(([, v]) => v).map(([k]) => k)), OPTIONS.group);
  assert.ok(bodies.some((b) => b.symptoms.none), "症状なし");
  assert.ok(bodies.some((b) => b.symptoms.other), "その他の症状");
  assert.ok(bodies.some((b) => b.guardian?.name), "a guardian");
  assert.ok(bodies.some((b) => b.infection?.area?.domestic?.length && b.infection?.area?.abroad?.length), "domestic and abroad");
  assert.ok(bodies.some((b) => !b.patient.current_location_same_as_address), "another current location");
  assert.equal(bodies.filter((b) => b.version === "2022-09-26").length, 5);
});

test("every filed record's FHIR document (demo records and the coverage set) validates and reads back what was filed", async () => {
  const rows = edge.d1("SELECT c.id, n.body FROM cases c JOIN notifications n ON n.id = c.id WHERE c.filed = 1 AND c.deleted_at IS NULL ORDER BY c.id", TOKYO);
  assert.ok(rows.length >= filed.size + 20, `${rows.length} filed records`);
  for (const id of filed.keys()) assert.ok(rows.some((r) => r.id === id), id);
  documents = [];
  for (const row of rows) {
    const r = await who.pref_tokyo.client.get(`/api/cases/${row.id}/fhir`);
    assert.equal(r.status, 200, `${row.id}: ${JSON.stringify(r.body)}`);
    assert.match(r.headers.get("content-type"), /^application\/fhir\+json/);
    assert.equal(r.headers.get("cache-control"), "no-store");
    documents.push({ id: row.id, doc: r.body, body: JSON.parse(row.body) });
  }
  const v = validate(documents.map((d) => d.doc));
  assert.equal(v.status, 0, v.err);
  assert.match(v.err, new RegExp(`validated ${documents.length} document\\(s\\), 0 failed`));
  assert.equal(v.out.length, documents.length);
  readBack = new Map(v.out.map((o) => [o.record_id, o]));
  for (const { id, doc, body } of documents) {
    const got = readBack.get(id);
    assert.ok(got, id);
    const p = body.patient ?? {};
    const orNull = (x) => (x === undefined || x === null || x === "" ? null : x);
    assert.equal(got.name, orNull(p.name), `${id} name`);
    assert.equal(got.kana, orNull(p.furigana), `${id} kana`);
    assert.equal(got.birth_date, orNull(p.date_of_birth), `${id} birth date`);
    assert.equal(got.diagnosis_date, orNull(body.diagnosis_date), `${id} diagnosis date`);
    assert.equal(got.category, orNull(body.category), `${id} category`);
    const suspected = ["suspected_patient", "suspected_deceased"].includes(body.category);
    assert.equal(got.verification, suspected ? "provisional" : "confirmed", `${id} verification`);
    assert.deepEqual(
      got.tests.map((t) => [t.method, t.specimen, t.specimen_date, t.result]),
      (body.tests ?? []).map((t) => [orNull(t.method), orNull(t.specimen), orNull(t.specimen_date), orNull(t.result)]),
      `${id} tests`,
    );
    // Nothing the form holds is missing: every text, date, number and option key of the stored notification is in
    // its document.
    const text = JSON.stringify(doc);
    for (const leaf of leaves(body)) {
      const needle = typeof leaf === "number" ? String(leaf) : JSON.stringify(leaf).slice(1, -1);
      assert.ok(text.includes(needle), `${id}: ${leaf} is not in the document`);
    }
  }
  console.log(`fhir: ${documents.length} documents validated (${filed.size} filed here, ${documents.length - filed.size} demo)`);
});

test("the coverage set reads back in detail: LOINC per method, the limited form's groups, admission, the guardian", () => {
  const get = (id) => documents.find((d) => d.id === id).doc;
  const all = readBack.get(ids.everything);
  assert.deepEqual(all.tests.map((t) => t.loinc), ["94309-2", "94763-0", "97097-0", "96119-3"]);
  assert.equal(all.encounter, true);
  assert.ok(all.link_ids.includes("infection-area.abroad.country"));
  assert.ok(all.link_ids.includes("vaccination.dose-2.date-unknown"));
  const patient = get(ids.everything).entry.find((e) => e.resource.resourceType === "Patient").resource;
  assert.deepEqual(patient.address.map((a) => [a.use, a.state, a.city]), [["home", "東京都", "新宿区"], ["temp", "東京都", "世田谷区"]]);
  const minor = get(ids.minor).entry.find((e) => e.resource.resourceType === "Patient").resource;
  assert.equal(minor.contact[0].relationship[0].coding[0].code, "GUARD");
  assert.equal(minor.contact[0].name.text, "保護 花子");
  assert.equal(readBack.get(ids.minor).encounter, false);
  for (const [i, id] of ids.limited.entries()) {
    const qr = get(id).entry.find((e) => e.resource.resourceType === "QuestionnaireResponse").resource;
    assert.ok(qr.questionnaire.endsWith("|2022-09-26"));
    const groups = qr.item.find((x) => x.linkId === "target-groups");
    assert.deepEqual(groups.answer.map((a) => a.valueCoding.code), [OPTIONS.group[i]]);
  }
});

test("the validator refuses broken documents (a wrong member deep in a resource, a dangling reference, no Composition first, an empty string)", async () => {
  const r = await who.hc_staff_shinjuku.client.get(`/api/cases/${ids.everything}/fhir`);
  assert.equal(r.status, 200);
  const good = r.body;
  const again = await who.hc_staff_shinjuku.client.get(`/api/cases/${ids.everything}/fhir`);
  assert.deepEqual(again.body, good, "deterministic");
  const mutate = (f) => {
    const d = structuredClone(good);
    f(d);
    return d;
  };
  const find = (d, type) => d.entry.find((e) => e.resource.resourceType === type).resource;
  const cases = [
    ["an unknown member in the Patient", (d) => { find(d, "Patient").nickname = "x"; }, /Patient/],
    ["a coding that is not a list, in an Observation", (d) => { find(d, "Observation").code.coding = "94309-2"; }, /Observation/],
    ["an impossible date in the Specimen", (d) => { find(d, "Specimen").collection.collectedDateTime = "2022-13-45"; }, /Specimen/],
    ["a dangling reference", (d) => { find(d, "Condition").subject.reference = "urn:uuid:00000000-0000-4000-8000-000000000000"; }, /does not resolve/],
    ["the Patient first", (d) => { d.entry.reverse(); }, /first entry of a document must be a Composition/],
    ["an empty name", (d) => { find(d, "Patient").name[0].text = ""; }, /Patient/],
    ["no identifier", (d) => { delete d.identifier; }, /identifier/],
  ];
  for (const [what, f, message] of cases) {
    const v = validate([good, mutate(f)]);
    assert.equal(v.status, 1, `${what}: ${v.err}`);
    assert.match(v.err, /validated 2 document\(s\), 1 failed/, what);
    assert.match(v.err, message, what);
    assert.equal(v.out.length, 1, `${what}: the good one still read back`);
  }
});

test("who may read a record's FHIR document, each read audited", async () => {
  const id = ids.everything; // filed by the Shinjuku clinic for a Shinjuku resident
  const get = (alias, rid = id) => who[alias].client.get(`/api/cases/${rid}/fhir`);
  const expect = { doctor_shinjuku: 200, hc_staff_shinjuku: 200, pref_tokyo: 200, doctor_setagaya: 403, hc_staff_setagaya: 403, mhlw: 403, followup_tokyo: 403 };
  for (const [alias, status] of Object.entries(expect)) {
    const r = await get(alias);
    assert.equal(r.status, status, `${alias}: ${JSON.stringify(r.body).slice(0, 200)}`);
    if (status === 403) assert.equal(r.body.error.code, "FORBIDDEN", alias);
    else assert.equal(r.body.resourceType, "Bundle", alias);
    assert.equal(r.headers.get("cache-control"), "no-store");
  }
  const unknown = await get("hc_staff_shinjuku", "n_no_such_record");
  assert.equal(unknown.status, 404);
  assert.equal(unknown.body.error.code, "NOT_FOUND");
  // A record made before its notification (manual 4.5) has no document.
  const made = await who.doctor_shinjuku.client.post("/api/cases", {
    idempotency_key: freshKey(), health_center_id: "HC13104",
    id: { name: "事前 登録", furigana: "ジゼン トウロク", date_of_birth: "1985-03-03", sex: "女" },
  });
  assert.equal(made.status, 201, JSON.stringify(made.body));
  for (const alias of ["doctor_shinjuku", "hc_staff_shinjuku"]) {
    const none = await get(alias, made.body.id);
    assert.equal(none.status, 404, `${alias}: ${JSON.stringify(none.body)}`);
    assert.equal(none.body.error.code, "NOT_FOUND");
  }
  // Read only: another method is refused.
  assert.equal((await who.pref_tokyo.client.post(`/api/cases/${id}/fhir`, {})).status, 405);
  // Audited: each read with its outcome, by id only.
  const log = edge.d1("SELECT actor_user_id, target, outcome FROM audit_log WHERE action = 'fhir_read'");
  const has = (user, target, outcome) => log.some((e) => e.actor_user_id === `u_demo_${user}` && e.target === target && e.outcome === outcome);
  for (const [alias, status] of Object.entries(expect)) assert.ok(has(alias, id, status === 200 ? "ok" : "forbidden"), `${alias} audited`);
  assert.ok(has("hc_staff_shinjuku", made.body.id, "not_found"));
  assert.ok(log.every((e) => !/太郎|一郎|ゼンコウ/.test(JSON.stringify(e))), "nothing personal in the audit rows");
});

test("the validator's interpreter is the one setup installs", () => {
  assert.ok(existsSync(PYTHON), `${PYTHON}: run cargo xtask setup`);
  const r = spawnSync(PYTHON, ["-c", "import fhir.resources, fhir.resources.R4B.bundle; print(fhir.resources.__version__)"], { encoding: "utf8" });
  assert.equal(r.status, 0, r.stderr);
  assert.match(r.stdout.trim(), /^8\.3\.0$/);
});
