// The store rules over HTTP against the real worker, step by step where the access matrix (access.test.mjs) only
// sees one moment: a transfer moves the running health observation and its waiting alerts to the new health center
// (new reports raise alerts there, the old one is refused), a stopped observation restarted by the new health
// center moves there, the past health center keeps read access only, a clinic may delete its filing only until a
// health center has accepted (受理) it, and the スマホ入力ID reaches only the current health center's staff.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { startEdge } from "../support/edge.mjs";
import { Client, firstSignInAs } from "../support/softauthn.mjs";
import { freshKey, jstToday, patientCase } from "../support/notification.mjs";

const SHINJUKU = "HC13104";
const SETAGAYA = "HC13112";

let edge;
let doctor; // clinic_doctor, 新宿みなみクリニック (→ 新宿区保健所)
let hcA; // health_center_staff, 新宿区保健所
let hcB; // health_center_staff, 世田谷保健所
let adminB; // health_center_admin, 世田谷保健所
let pref; // prefecture_staff, 東京都
before(async () => {
  edge = await startEdge({ seedDemo: true });
  [doctor, hcA, hcB, adminB, pref] = await Promise.all([
    firstSignInAs(edge, "doctor@shinjuku-clinic.demo"),
    firstSignInAs(edge, "staff@shinjuku-hc.demo"),
    firstSignInAs(edge, "staff@setagaya-hc.demo"),
    firstSignInAs(edge, "admin@setagaya-hc.demo"),
    firstSignInAs(edge, "pref@tokyo.demo"),
  ]);
});
after(async () => {
  await edge?.stop();
});

const DOB = "1980-01-15";
const PATIENT_KEYS = ["face", "cough", "dyspnea", "fatigue", "nausea", "diarrhea", "consciousness", "cannot_eat", "no_urine"];
let n = 0;
/** Files a fresh patient (unique name, furigana and phone) by the Shinjuku clinic; returns { id, furigana }. */
async function fileOne(residence = "setagaya") {
  n += 1;
  const digits = String(n).padStart(3, "0");
  const kana = [...digits].map((d) => "アイウエオカキクケコ"[Number(d)]).join("");
  const furigana = `キソク カンジャ${kana}`;
  const r = await doctor.client.post("/api/notifications", {
    idempotency_key: freshKey(),
    notification: patientCase({ name: `規則 患者${digits}`, furigana, date_of_birth: DOB, phone: `090-3333-0${digits}`, residence }),
    acknowledged_warnings: [],
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return { id: r.body.id, furigana };
}
const accept = async (who, id) => assert.equal((await who.client.get(`/api/notifications/${id}`)).status, 200);
const startObs = (who, id, body = {}) =>
  who.client.post(`/api/cases/${id}/observation`, { kind: "patient", started_on: jstToday(), ends_on: "", household_of: "", ...body });
const transfer = (who, id, to = SETAGAYA) =>
  who.client.post(`/api/notifications/${id}/transfer`, { health_center_id: to, reason: "住所地の保健所へ移管" });
const queue = async (who) => {
  const r = await who.client.get("/api/observation/alerts");
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return r.body.alerts;
};
/** The patient's phone: signs in with the slip and sends one report (defaults: calm). */
async function phoneFor(sid, address) {
  const c = new Client(edge);
  const r = await c.post("/api/observe/signin", { smartphone_id: sid, date_of_birth: DOB }, { headers: { "cf-connecting-ip": address } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  return {
    report: async (person, over = {}) => {
      const res = await c.post("/api/observe/reports", { reports: [{
        client_id: randomBytes(12).toString("base64url"), person, date: jstToday(), slot: "morning", temperature: 36.6, spo2: 98,
        answers: Object.fromEntries(PATIENT_KEYS.map((k) => [k, "no"])), ...over,
      }] });
      assert.equal(res.status, 200, JSON.stringify(res.body));
      assert.equal(res.body.results[0].outcome, "accepted", JSON.stringify(res.body));
      return res.body.results[0];
    },
  };
}
const sidOf = async (who, id) => (await who.client.get(`/api/cases/${id}`)).body.smartphone_id;

test("a transfer moves the running observation and its waiting alerts; later reports alert the new health center only", async () => {
  const { id } = await fileOne();
  await accept(hcA, id);
  assert.equal((await startObs(hcA, id)).status, 200);
  const sid = await sidOf(hcA, id);
  assert.match(sid, /^\d{10}$/);
  const phone = await phoneFor(sid, "198.51.100.11");
  assert.equal((await phone.report(id, { spo2: 90 })).urgent, true);
  const before = (await queue(hcA)).find((a) => a.case_id === id && a.rule === "spo2_low");
  assert.ok(before, "the alert is in the first health center's queue before the transfer");
  assert.equal(before.urgency, 3);

  assert.equal((await transfer(hcA, id)).status, 200);
  // The waiting alert moved with the record.
  assert.ok(!(await queue(hcA)).some((a) => a.case_id === id), "gone from the old health center's queue");
  const moved = (await queue(hcB)).find((a) => a.id === before.id);
  assert.ok(moved, "in the new health center's queue");
  assert.equal(moved.case_id, id);
  assert.equal(moved.smartphone_id, sid, "the new health center sees the スマホ入力ID on the alert");
  // The phone keeps working; a new red flag raises its alert at the new health center.
  const again = await phone.report(id, { slot: "evening", spo2: 91 });
  assert.equal(again.urgent, true);
  const fresh = (await queue(hcB)).filter((a) => a.case_id === id && a.rule === "spo2_low");
  assert.equal(fresh.length, 2, JSON.stringify(fresh));
  assert.ok(!(await queue(hcA)).some((a) => a.case_id === id), "the new alert does not reach the old health center");
  // The old health center is refused; the new one handles both.
  for (const a of fresh) {
    const r = await hcA.client.post(`/api/observation/alerts/${a.id}/handle`, { note: "旧保健所" });
    assert.equal(r.status, 403, JSON.stringify(r.body));
    assert.equal(r.body.error.code, "FORBIDDEN");
  }
  for (const [i, a] of fresh.entries()) {
    const r = await (i ? adminB : hcB).client.post(`/api/observation/alerts/${a.id}/handle`, { note: "世田谷で電話確認" });
    assert.equal(r.status, 200, JSON.stringify(r.body));
    assert.equal(r.body.note, "世田谷で電話確認");
  }
  assert.ok(!(await queue(hcB)).some((a) => a.case_id === id && a.rule === "spo2_low"), "handled: out of the waiting queue");
  // The observation view: managed by the new health center only.
  const viewB = await hcB.client.get(`/api/cases/${id}/observation`);
  assert.equal(viewB.status, 200);
  assert.equal(viewB.body.can_manage, true);
  assert.equal(viewB.body.observation.stopped, false);
  const viewA = await hcA.client.get(`/api/cases/${id}/observation`);
  assert.equal(viewA.status, 200, "the past health center still reads it");
  assert.equal(viewA.body.can_manage, false);
  assert.ok(viewA.body.alerts.length >= 2 && viewA.body.alerts.every((a) => a.smartphone_id === ""), "no スマホ入力ID for the past health center");
  // Stopping is the new health center's now.
  assert.equal((await hcA.client.post(`/api/cases/${id}/observation/stop`)).status, 403);
  assert.equal((await hcB.client.post(`/api/cases/${id}/observation/stop`)).status, 200);
});

test("a stopped observation restarted by the new health center is theirs: the old one may not restart it, alerts go to the new one", async () => {
  const { id } = await fileOne();
  await accept(hcA, id);
  assert.equal((await startObs(hcA, id)).status, 200);
  const sid = await sidOf(hcA, id);
  assert.equal((await hcA.client.post(`/api/cases/${id}/observation/stop`)).status, 200);
  assert.equal((await transfer(hcA, id)).status, 200);
  const old = await startObs(hcA, id);
  assert.equal(old.status, 403, JSON.stringify(old.body));
  for (const who of [doctor, pref]) assert.equal((await startObs(who, id)).status, 403);
  const r = await startObs(hcB, id);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.can_manage, true);
  assert.equal(r.body.observation.stopped, false);
  const phone = await phoneFor(sid, "198.51.100.12");
  await phone.report(id, { answers: Object.fromEntries(PATIENT_KEYS.map((k) => [k, k === "consciousness" ? "yes" : "no"])) });
  assert.ok((await queue(hcB)).some((a) => a.case_id === id && a.rule === "consciousness"), "the new health center's queue");
  assert.ok(!(await queue(hcA)).some((a) => a.case_id === id), "not the old one's");
});

test("after a transfer: the past health center reads only; the new one edits, records status and may transfer; the clinic edits; the prefecture reads", async () => {
  const { id, furigana } = await fileOne();
  await accept(hcA, id);
  assert.equal((await transfer(hcA, id)).status, 200);
  const rec = (await hcB.client.get(`/api/cases/${id}`)).body;
  assert.equal(rec.health_center_id, SETAGAYA);
  assert.equal(rec.can_edit && rec.can_change_status && rec.can_delete, true);
  assert.match(rec.smartphone_id, /^\d{10}$/);
  for (const [who, name] of [[hcA, "past health center"], [doctor, "filing clinic"], [pref, "prefecture"]]) {
    const r = await who.client.get(`/api/cases/${id}`);
    assert.equal(r.status, 200, name);
    assert.equal(r.body.smartphone_id, "", `${name}: no スマホ入力ID`);
    assert.equal(r.body.can_change_status, false, name);
    assert.equal(r.body.can_delete, false, `${name}: accepted, so only the managing health center deletes`);
    assert.equal(r.body.can_edit, who === doctor, name);
  }
  // Writes at the current version: refused to the past health center and the prefecture.
  let v = rec.version;
  for (const who of [hcA, pref]) {
    const r = await who.client.put(`/api/cases/${id}/tabs/basic`, { version: v, data: { insurer: "旧" } });
    assert.equal(r.status, 403, JSON.stringify(r.body));
    const s = await who.client.post(`/api/cases/${id}/status`, { version: v, status: "admitted", date: jstToday() });
    assert.equal(s.status, 403, JSON.stringify(s.body));
  }
  let r = await doctor.client.put(`/api/cases/${id}/tabs/basic`, { version: v, data: { insurer: "協会けんぽ" } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  v = r.body.version;
  r = await hcB.client.put(`/api/cases/${id}/tabs/basic`, { version: v, data: { insurer: "国保" } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  v = r.body.version;
  r = await hcB.client.post(`/api/cases/${id}/status`, { version: v, status: "admitted", date: jstToday() });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  v = r.body.version;
  // Transfer: the past health center may not send it on (or back); the new one may.
  assert.equal((await transfer(hcA, id, SHINJUKU)).status, 403);
  // Delete: not the past health center, not the clinic (accepted), not the prefecture.
  const del = await doctor.client.post(`/api/cases/${id}/delete`, { version: v });
  assert.equal(del.status, 403);
  assert.equal(del.body.error.code, "MANAGED_BY_HEALTH_CENTER");
  for (const who of [hcA, pref]) {
    const d = await who.client.post(`/api/cases/${id}/delete`, { version: v });
    assert.equal(d.status, 403);
    assert.equal(d.body.error.code, "FORBIDDEN");
  }
  // Search: each sees the record, the スマホ入力ID only the current health center.
  for (const [who, shown] of [[hcB, true], [doctor, false], [pref, false]]) {
    const s = await who.client.post("/api/cases/search", { criteria: { furigana } });
    assert.equal(s.status, 200, JSON.stringify(s.body));
    const item = s.body.items.find((i) => i.id === id);
    assert.ok(item, "found");
    if (shown) assert.match(item.smartphone_id, /^\d{10}$/);
    else assert.equal(item.smartphone_id, "");
  }
  const past = await hcA.client.post("/api/cases/search", { criteria: { furigana } });
  assert.equal(past.status, 200);
  assert.ok(past.body.items.every((i) => i.smartphone_id === ""), "the past health center never gets the ID");
  assert.equal((await transfer(hcB, id, SHINJUKU)).status, 200, "the new health center may transfer it on");
});

test("deletion: the clinic until a health center accepts (受理) it; after that MANAGED_BY_HEALTH_CENTER and only the health center", async () => {
  // Not yet accepted: the clinic deletes it.
  const early = await fileOne("shinjuku");
  const e = (await doctor.client.get(`/api/cases/${early.id}`)).body;
  assert.equal(e.can_delete, true);
  const gone = await doctor.client.post(`/api/cases/${early.id}/delete`, { version: e.version });
  assert.equal(gone.status, 204, JSON.stringify(gone.body));
  assert.equal((await doctor.client.get(`/api/cases/${early.id}`)).status, 404);

  // The clinic opening its own notification (or the prefecture reading it) is no acceptance.
  const late = await fileOne("shinjuku");
  await accept(doctor, late.id);
  await accept(pref, late.id);
  assert.equal((await doctor.client.get(`/api/cases/${late.id}`)).body.can_delete, true, "still the clinic's to delete");
  // The health center's staff open it: accepted.
  await accept(hcA, late.id);
  const l = (await doctor.client.get(`/api/cases/${late.id}`)).body;
  assert.equal(l.can_delete, false);
  assert.equal(l.can_edit, true, "the clinic still edits it");
  const refused = await doctor.client.post(`/api/cases/${late.id}/delete`, { version: l.version });
  assert.equal(refused.status, 403, JSON.stringify(refused.body));
  assert.equal(refused.body.error.code, "MANAGED_BY_HEALTH_CENTER");
  assert.ok(refused.body.error.message.length > 0);
  assert.equal((await doctor.client.get(`/api/cases/${late.id}`)).status, 200, "nothing deleted");
  const byHc = await hcA.client.post(`/api/cases/${late.id}/delete`, { version: l.version });
  assert.equal(byHc.status, 204, JSON.stringify(byHc.body));
  assert.equal((await hcA.client.get(`/api/cases/${late.id}`)).status, 404);
});

test("household across areas: linked records appear only to viewers who may see them", async () => {
  // The holder: filed by the Shinjuku clinic. The member: filed by the Setagaya clinic, transferred to Shinjuku.
  const holder = await fileOne("shinjuku");
  const doctorB = await firstSignInAs(edge, "doctor@setagaya-clinic.demo");
  const m = await doctorB.client.post("/api/notifications", {
    idempotency_key: freshKey(),
    notification: patientCase({ name: "規則 同居", furigana: "キソク ドウキョ", date_of_birth: "1985-05-05", phone: "090-3333-9999" }),
    acknowledged_warnings: [],
  });
  assert.equal(m.status, 201, JSON.stringify(m.body));
  const member = m.body.id;
  assert.equal((await transfer(hcB, member, SHINJUKU)).status, 200);
  const holderSid = await sidOf(hcA, holder.id);
  assert.equal((await startObs(hcA, holder.id)).status, 200);
  const linked = await startObs(hcA, member, { kind: "contact", household_of: holderSid });
  assert.equal(linked.status, 200, JSON.stringify(linked.body));

  const membersFor = async (who) => {
    const r = await who.client.get(`/api/cases/${holder.id}/observation`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.observation.members;
  };
  const hcMembers = await membersFor(hcA);
  assert.deepEqual(hcMembers.map((x) => x.id), [member]);
  assert.match(hcMembers[0].smartphone_id, /^\d{10}$/);
  const prefMembers = await membersFor(pref);
  assert.deepEqual(prefMembers.map((x) => x.id), [member]);
  assert.equal(prefMembers[0].smartphone_id, "");
  assert.deepEqual(await membersFor(doctor), [], "the Shinjuku clinic cannot see the Setagaya clinic's patient");

  const holderFor = async (who) => {
    const r = await who.client.get(`/api/cases/${member}/observation`);
    assert.equal(r.status, 200, JSON.stringify(r.body));
    return r.body.observation.household_of;
  };
  assert.equal((await holderFor(hcA)).id, holder.id);
  assert.equal((await holderFor(hcA)).smartphone_id, holderSid);
  assert.equal((await holderFor(pref)).smartphone_id, "");
  assert.equal(await holderFor(doctorB), null, "the Setagaya clinic cannot see the Shinjuku clinic's patient");
  assert.equal(await holderFor(hcB), null, "nor can the member's past health center");
});
