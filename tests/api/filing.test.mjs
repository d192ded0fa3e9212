// Filing over HTTP against the real worker: idempotent submit (repeats, concurrent duplicates, a key reused with
// other content), the edge's own validation and warnings, routing with the residence's health center noted,
// receipt on opening, transfer, duplicates across clinics, notice e-mails by the scheduled handler, and the audit
// chain intact after concurrent filings.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEdge } from "../support/edge.mjs";
import { firstSignInAs } from "../support/softauthn.mjs";
import { confirmedCase, freshKey } from "../support/notification.mjs";

let edge;
let doctor;
let doctorSetagaya;
let hcShinjuku;
let hcSetagaya;
let admin;
before(async () => {
  edge = await startEdge({ seedDemo: true });
  [doctor, doctorSetagaya, hcShinjuku, hcSetagaya, admin] = await Promise.all([
    firstSignInAs(edge, "doctor@shinjuku-clinic.demo"),
    firstSignInAs(edge, "doctor@setagaya-clinic.demo"),
    firstSignInAs(edge, "staff@shinjuku-hc.demo"),
    firstSignInAs(edge, "staff@setagaya-hc.demo"),
    firstSignInAs(edge, "admin@shinjuku-hc.demo"),
  ]);
});
after(async () => {
  await edge?.stop();
});

const file = (who, notification, key = freshKey(), acknowledged_warnings = []) =>
  who.client.post("/api/notifications", { idempotency_key: key, notification, acknowledged_warnings });

test("a repeated submit returns the first result and never a second record; another body under the same key is refused", async () => {
  const key = freshKey();
  const n = confirmedCase({ patient: { name: "重複 送信" } });
  const first = await file(doctor, n, key);
  assert.equal(first.status, 201, JSON.stringify(first.body));
  assert.equal(first.body.replayed, false);
  const again = await file(doctor, n, key);
  assert.equal(again.status, 200);
  assert.equal(again.body.id, first.body.id);
  assert.equal(again.body.number, first.body.number);
  assert.equal(again.body.replayed, true);
  const other = await file(doctor, confirmedCase({ patient: { name: "別人 です" } }), key);
  assert.equal(other.status, 409);
  assert.equal(other.body.error.code, "IDEMPOTENCY_KEY_REUSED");
  // Ten concurrent submits of one key (a double tap on a bad connection): one record.
  const burstKey = freshKey();
  const burst = await Promise.all(Array.from({ length: 10 }, () => file(doctor, confirmedCase({ patient: { name: "連打 太郎" } }), burstKey)));
  assert.ok(burst.every((r) => r.status === 201 || r.status === 200), burst.map((r) => r.status).join());
  assert.equal(new Set(burst.map((r) => r.body.id)).size, 1);
  const list = await doctor.client.get("/api/notifications");
  assert.equal(list.body.items.filter((i) => i.patient_name === "連打 太郎").length, 1);
});

test("the edge validates again: errors name their fields; warnings must be acknowledged", async () => {
  const bad = confirmedCase({ category: null, patient: { furigana: "Yamada", date_of_birth: "2999-01-01" } });
  const r = await file(doctor, bad);
  assert.equal(r.status, 422);
  assert.equal(r.body.error.code, "VALIDATION_FAILED");
  const fields = r.body.error.issues.map((i) => i.field);
  for (const f of ["category", "patient.furigana", "patient.date_of_birth"]) assert.ok(fields.includes(f), `${f} in ${fields}`);
  assert.ok(r.body.error.issues.every((i) => i.severity === "error" && i.message.length > 0));

  const warned = confirmedCase({ patient: { occupation: "" } });
  const w = await file(doctor, warned);
  assert.equal(w.status, 422);
  assert.equal(w.body.error.code, "WARNINGS_UNACKNOWLEDGED");
  assert.deepEqual(w.body.error.issues.map((i) => [i.code, i.field]), [["recommended", "patient.occupation"]]);
  const ok = await file(doctor, warned, freshKey(), ["recommended"]);
  assert.equal(ok.status, 201, JSON.stringify(ok.body));
});

test("only clinics file; a notification goes to the clinic's health center and notes the residence's", async () => {
  const refused = await file(hcShinjuku, confirmedCase());
  assert.equal(refused.status, 403);
  // A Setagaya resident diagnosed in Shinjuku: filed to Shinjuku, Setagaya noted as the transfer candidate.
  const resident = confirmedCase({ patient: { name: "世田谷 在住", address: { postal_code: "1540017", municipality_code: "131121", text: "東京都世田谷区世田谷四丁目21番27号" } } });
  const r = await file(doctor, resident);
  assert.equal(r.status, 201, JSON.stringify(r.body));
  assert.equal(r.body.health_center_id, "HC13104");
  assert.equal(r.body.health_center_name, "新宿区保健所");
  assert.equal(r.body.residence_health_center_name, "世田谷保健所");
  assert.match(r.body.routing_reason, /新宿みなみクリニック/);
  assert.match(r.body.routing_reason, /世田谷保健所/);
  assert.equal(r.body.delivery, "pending");

  // The health center sees it unread; opening it marks it received; the clinic sees who received it.
  const inbox = await hcShinjuku.client.get("/api/notifications");
  const item = inbox.body.items.find((i) => i.id === r.body.id);
  assert.equal(item.received_at, null);
  assert.ok(inbox.body.unread >= 1);
  assert.equal(inbox.body.items.findIndex((i) => i.received_at !== null) === -1 || inbox.body.items.findIndex((i) => i.received_at !== null) > inbox.body.items.findIndex((i) => i.id === r.body.id), true, "unread first");
  const opened = await hcShinjuku.client.get(`/api/notifications/${r.body.id}`);
  assert.equal(opened.status, 200);
  assert.ok(opened.body.received_at > 0);
  assert.equal(opened.body.can_transfer, true);
  const seen = await doctor.client.get(`/api/notifications/${r.body.id}`);
  assert.equal(seen.body.received_by_name, "保健 三郎");
  assert.equal(seen.body.can_transfer, false);
  assert.deepEqual(seen.body.history.map((e) => e.kind), ["routed", "received"]);
  // Other clinics and other health centers cannot open it.
  assert.equal((await doctorSetagaya.client.get(`/api/notifications/${r.body.id}`)).status, 403);
  assert.equal((await hcSetagaya.client.get(`/api/notifications/${r.body.id}`)).status, 403);

  // Transfer: only the health center holding it; a reason is required; both sides see the history.
  assert.equal((await doctor.client.post(`/api/notifications/${r.body.id}/transfer`, { health_center_id: "HC13112", reason: "住所地" })).status, 403);
  const noReason = await hcShinjuku.client.post(`/api/notifications/${r.body.id}/transfer`, { health_center_id: "HC13112", reason: " " });
  assert.equal(noReason.status, 422);
  const moved = await hcShinjuku.client.post(`/api/notifications/${r.body.id}/transfer`, { health_center_id: "HC13112", reason: "住所地の保健所へ" });
  assert.equal(moved.status, 204);
  assert.equal((await hcShinjuku.client.post(`/api/notifications/${r.body.id}/transfer`, { health_center_id: "HC13112", reason: "again" })).status, 403);
  const there = await hcSetagaya.client.get("/api/notifications");
  assert.equal(there.body.items.find((i) => i.id === r.body.id).received_at, null, "unread at the new health center");
  const atSetagaya = await hcSetagaya.client.get(`/api/notifications/${r.body.id}`);
  assert.deepEqual(atSetagaya.body.history.map((e) => e.kind), ["routed", "received", "transferred", "received"]);
  assert.equal(atSetagaya.body.history[2].from_health_center_name, "新宿区保健所");
  assert.equal(atSetagaya.body.history[2].reason, "住所地の保健所へ");
  const stillReadable = await hcShinjuku.client.get(`/api/notifications/${r.body.id}`);
  assert.equal(stillReadable.status, 200);
  assert.equal(stillReadable.body.health_center_name, "世田谷保健所");
});

test("possible duplicates: the clinic's own with id and name, another clinic's at the same health center by number only", async () => {
  const n = confirmedCase({ patient: { name: "同一 人物", furigana: "ドウイツ ジンブツ", date_of_birth: "1975-05-05", address: { phone: "080-1111-2222" } } });
  const own = await file(doctor, n);
  assert.equal(own.status, 201);
  const q = { furigana: "どういつじんぶつ", date_of_birth: "1975-05-05" };
  const mine = await doctor.client.post("/api/notifications/duplicates", q);
  assert.equal(mine.body.candidates.length, 1);
  assert.equal(mine.body.candidates[0].id, own.body.id);
  assert.equal(mine.body.candidates[0].patient_name, "同一 人物");
  assert.equal(mine.body.candidates[0].matched, "furigana_and_birth");
  const byPhone = await doctor.client.post("/api/notifications/duplicates", { phone: "08011112222", date_of_birth: "1975-05-05" });
  assert.equal(byPhone.body.candidates[0].matched, "phone_and_birth");
  // Setagaya's clinic files to Setagaya: Shinjuku's record is neither its own nor at its health center.
  const other = await doctorSetagaya.client.post("/api/notifications/duplicates", q);
  assert.equal(other.body.candidates.length, 0);
  // A second Shinjuku clinic user (clinic staff) of the same institution sees it with its id.
  const staff = await firstSignInAs(edge, "staff@shinjuku-clinic.demo");
  const same = await staff.client.post("/api/notifications/duplicates", q);
  assert.equal(same.body.candidates[0].id, own.body.id);
  const badDate = await doctor.client.post("/api/notifications/duplicates", { furigana: "x", date_of_birth: "not a date" });
  assert.equal(badDate.status, 422);
});

test("the scheduled handler sends the notice e-mails; the record says so", async () => {
  const r = await file(doctor, confirmedCase({ patient: { name: "通知 確認" } }));
  const sched = await fetch(`${edge.api}/cdn-cgi/local/scheduled`);
  assert.equal(sched.status, 200);
  let delivery = "";
  for (let i = 0; i < 50 && delivery !== "sent"; i++) {
    delivery = (await doctor.client.get(`/api/notifications/${r.body.id}`)).body.delivery;
    if (delivery !== "sent") await new Promise((res) => setTimeout(res, 100));
  }
  assert.equal(delivery, "sent");
});

test("drafts: each user has a stable key of their own", async () => {
  const a = await doctor.client.get("/api/me/draft-key");
  const b = await doctor.client.get("/api/me/draft-key");
  const c = await doctorSetagaya.client.get("/api/me/draft-key");
  assert.equal(a.body.key, b.body.key);
  assert.notEqual(a.body.key, c.body.key);
  assert.equal(Buffer.from(a.body.key, "base64url").length, 32);
});

test("doctor lists belong to their institution", async () => {
  const added = await doctor.client.post("/api/institution/doctors", { name: "追加 医師" });
  assert.equal(added.status, 201);
  const theirs = await doctorSetagaya.client.delete(`/api/institution/doctors/${added.body.id}`);
  assert.equal(theirs.status, 404);
  const profile = await doctor.client.get("/api/institution");
  assert.ok(profile.body.doctors.some((d) => d.name === "追加 医師"));
  assert.equal(profile.body.own_doctor_name, "新宿 一郎");
  assert.equal((await doctor.client.delete(`/api/institution/doctors/${added.body.id}`)).status, 204);
  assert.equal((await doctor.client.post("/api/institution/doctors", { name: "a\u202Eb" })).status, 422);
});

test("forty concurrent filings: all filed, numbers unique, the audit chain sealed and intact", async () => {
  const results = await Promise.all(Array.from({ length: 40 }, (_, i) => file(i % 2 ? doctor : doctorSetagaya, confirmedCase({ patient: { name: `同時 ${i}` } }))));
  assert.ok(results.every((r) => r.status === 201), results.map((r) => `${r.status}`).join());
  assert.equal(new Set(results.map((r) => r.body.number)).size, 40);
  const v = await admin.client.get("/api/admin/audit/verify");
  assert.equal(v.status, 200);
  assert.equal(v.body.valid, true, JSON.stringify(v.body));
  assert.ok(v.body.entries > 40);
});

test("two transfers at once: one takes effect, the other is refused, never both", async () => {
  const r = await file(doctor, confirmedCase({ patient: { name: "移管 競合" } }));
  const both = await Promise.all([0, 1].map((i) =>
    hcShinjuku.client.post(`/api/notifications/${r.body.id}/transfer`, { health_center_id: "HC13112", reason: `同時 ${i}` })));
  const statuses = both.map((x) => x.status).sort();
  assert.equal(statuses[0], 204, statuses.join());
  assert.ok([403, 409].includes(statuses[1]), statuses.join());
  const rec = await hcSetagaya.client.get(`/api/notifications/${r.body.id}`);
  assert.equal(rec.body.history.filter((e) => e.kind === "transferred").length, 1);
});
