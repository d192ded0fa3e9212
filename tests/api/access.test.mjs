// The access-control matrix over HTTP against the real worker (each answer's security headers and cookie flags
// checked too): every endpoint of edge/src/routes/mod.rs (method +
// path, with real own-area and other-area ids) × every demo user (each signed in once with the software
// authenticator) plus no session, a forged session cookie, a signed-out session cookie and a pending sign-in
// (password proven, no second factor). Each cell is the expected status, and the error code for errors.
// Rows run in order (later rows rely on earlier ones: the spare key added in one row is renamed and removed in the
// next); within a row the columns run concurrently.
// The store-rule rows (near the end) use records made in before(): one transferred from Shinjuku to Setagaya after
// Shinjuku accepted it and raised two 緊急 alerts from the patient's phone, one accepted and one not yet accepted
// (deletion by the filing clinic), and a household linked across two clinics' areas.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { randomBytes } from "node:crypto";
import { startEdge } from "../support/edge.mjs";
import {
  Client,
  DEMO_PASSWORD,
  DEMO_USERS,
  SoftAuthenticator,
  firstSignInAs,
  signIn,
} from "../support/softauthn.mjs";
import { loggedMails, waitForMail } from "../support/mail.mjs";
import { confirmedCase, freshKey, patientCase } from "../support/notification.mjs";
import { driveRecord } from "../support/drive.mjs";

const SHINJUKU = "HC13104";
const SETAGAYA = "HC13112";
const HC_OF = {
  doctor_shinjuku: SHINJUKU, staff_shinjuku: SHINJUKU, hc_staff_shinjuku: SHINJUKU, hc_admin_shinjuku: SHINJUKU,
  doctor_setagaya: SETAGAYA, hc_staff_setagaya: SETAGAYA, hc_admin_setagaya: SETAGAYA,
  pref_tokyo: null, followup_tokyo: null, mhlw: null,
};
const ADMIN_OF = { [SHINJUKU]: "hc_admin_shinjuku", [SETAGAYA]: "hc_admin_setagaya" };

let edge;
/** name → { name, kind: "user"|"anonymous"|"forged"|"signed_out"|"pending", cookie, user?, alias?, ... } */
const columns = [];
/** Accounts created for the account actions (so that reset/deactivate never hit a column's own account). */
const targets = {};

before(async () => {
  edge = await startEdge({ seedDemo: true });
  const signedIn = await Promise.all(Object.keys(DEMO_USERS).map((alias) => firstSignInAs(edge, alias)));
  for (const [i, alias] of Object.keys(DEMO_USERS).entries()) {
    const s = signedIn[i];
    assert.equal(s.me.user_id, DEMO_USERS[alias].id);
    columns.push({
      name: alias, kind: "user", alias, user: DEMO_USERS[alias], cookie: s.cookie, hc: HC_OF[alias],
      isAdmin: DEMO_USERS[alias].role === "health_center_admin", ownKey: s.credentialId, authenticator: s.authenticator,
    });
  }
  columns.push({ name: "anonymous", kind: "anonymous", cookie: null });
  columns.push({ name: "forged", kind: "forged", cookie: `__Host-hs_session=${randomBytes(32).toString("base64url")}` });
  // A real administrator's session cookie after sign-out.
  const gone = await signIn(edge, DEMO_USERS.hc_admin_shinjuku.login_id, DEMO_PASSWORD);
  assert.equal((await gone.client.post("/api/auth/signout")).status, 204);
  columns.push({ name: "signed_out", kind: "signed_out", cookie: gone.cookie });
  // Password proven, second factor not: only the sign-in steps are open.
  const pending = new Client(edge);
  const step = await pending.post("/api/auth/password", { login_id: DEMO_USERS.mhlw.login_id, password: DEMO_PASSWORD });
  assert.equal(step.body.next, "webauthn");
  columns.push({ name: "pending", kind: "pending", cookie: pending.cookie("__Host-hs_pending") });

  // Targets for the account actions, one of each kind in each area, created by that area's administrator.
  const admins = Object.fromEntries(columns.filter((c) => c.isAdmin).map((c) => [c.hc, c]));
  const create = async (hc, key, role, institution_id) => {
    const r = await new Client(edge).post(
      "/api/admin/accounts",
      { login_id: `target-${key}@matrix.demo`, display_name: `対象 ${key}`, email: `target-${key}@matrix.demo`, role, institution_id, delivery: "initial_password" },
      { cookie: admins[hc].cookie },
    );
    assert.equal(r.status, 201, JSON.stringify(r.body));
    targets[key] = { id: r.body.account.id, hc };
  };
  await Promise.all([
    create(SHINJUKU, "sj_hc", "health_center_staff"),
    create(SHINJUKU, "sj_clinic", "clinic_doctor", "inst_demo_shinjuku"),
    create(SETAGAYA, "sg_hc", "health_center_staff"),
    create(SETAGAYA, "sg_clinic", "clinic_staff", "inst_demo_setagaya"),
  ]);
  await adminTargets(admins);
  // A notification filed by the Shinjuku clinic (routed to the Shinjuku health center).
  const doctor = columns.find((c) => c.name === "doctor_shinjuku");
  const filed = await new Client(edge).post(
    "/api/notifications",
    { idempotency_key: freshKey(), notification: confirmedCase(), acknowledged_warnings: [] },
    { cookie: doctor.cookie },
  );
  assert.equal(filed.status, 201, JSON.stringify(filed.body));
  targets.notification = filed.body.id;
  // One filed by the Setagaya clinic (routed to the Setagaya health center).
  const doctorSetagaya = columns.find((c) => c.name === "doctor_setagaya");
  const filedSetagaya = await new Client(edge).post(
    "/api/notifications",
    { idempotency_key: freshKey(), notification: confirmedCase({ patient: { name: "世田谷 受診" } }), acknowledged_warnings: [] },
    { cookie: doctorSetagaya.cookie },
  );
  assert.equal(filedSetagaya.status, 201, JSON.stringify(filedSetagaya.body));
  targets.notificationSetagaya = filedSetagaya.body.id;
  await storeRuleRecords();
  await selfRegistrationTargets();
});

/** A self-registration (issue 21) from the public page, with a Shinjuku address and the fields the check wants. */
const selfRegistration = (n, extra = {}) => ({
  client_key: randomBytes(18).toString("base64url"), consent_version: "2022-09-26.1",
  name: `自己 登録${n}`, furigana: "ジコ トウロク", date_of_birth: "1999-09-09", sex: "男", phone: `090-3333-${String(n).padStart(4, "0")}`,
  postal_code: "1600022", municipality_code: "131041", address: "東京都新宿区新宿1-1-1", result_kind: "antigen_kit",
  result_date: "2022-10-02", clinic_name: "", ...extra,
});
/** A client address per column for the public POST (the per-address throttle is not what this row checks). */
const addressOf = (c) => ({ "cf-connecting-ip": `198.51.100.${120 + columns.indexOf(c)}` });

/**
 * Self-registrations (Shinjuku residence): `srPending` (pending), `srRejected` (rejected by Shinjuku's health
 * center), `srCase` (the record made when the Tokyo follow-up center confirmed one: only its slip is the follow-up
 * center's).
 */
async function selfRegistrationTargets() {
  const ids = {};
  for (const [key, n] of [["srPending", 1], ["srRejected", 2], ["srConfirmed", 3]]) {
    const r = await new Client(edge).post("/api/self-registrations", selfRegistration(n), { headers: { "cf-connecting-ip": `198.51.100.${10 + n}` } });
    assert.equal(r.status, 201, JSON.stringify(r.body));
    ids[key] = r.body.receipt;
  }
  const list = await as("followup_tokyo", "GET", "/api/self-registrations");
  assert.equal(list.status, 200, JSON.stringify(list.body));
  for (const [key, receipt] of Object.entries(ids)) targets[key] = list.body.items.find((i) => i.receipt === receipt).id;
  let r = await as("hc_staff_shinjuku", "POST", `/api/self-registrations/${targets.srRejected}/reject`, { reason: "本人確認ができない" });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await as("followup_tokyo", "POST", `/api/self-registrations/${targets.srConfirmed}/confirm`, {});
  assert.equal(r.status, 200, JSON.stringify(r.body));
  targets.srCase = r.body.case_id;
}

/**
 * A second administrator of Shinjuku (`targets.sj_admin`: requested by Shinjuku's administrator, approved by the
 * prefecture), and two requests on that account waiting for a decision (`targets.unlockRequest`,
 * `targets.rejectRequest`: harmless unlocks).
 */
async function adminTargets(admins) {
  const prefCookie = columns.find((c) => c.name === "pref_tokyo").cookie;
  const seen = loggedMails(edge).length;
  const asked = await new Client(edge).post(
    "/api/admin/accounts",
    { login_id: "target-admin@matrix.demo", display_name: "対象 管理者", email: "target-admin@matrix.demo", role: "health_center_admin", delivery: "invitation" },
    { cookie: admins[SHINJUKU].cookie },
  );
  assert.equal(asked.status, 202, JSON.stringify(asked.body));
  const approved = await new Client(edge).post(`/api/admin/requests/${asked.body.pending_request.id}/approve`, {}, { cookie: prefCookie });
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  targets.sj_admin = { id: approved.body.account.id, hc: SHINJUKU };
  await waitForMail(edge, "target-admin@matrix.demo", "招待", seen);
  for (const key of ["unlockRequest", "rejectRequest"]) {
    const r = await new Client(edge).post(`/api/admin/accounts/${targets.sj_admin.id}/unlock`, {}, { cookie: admins[SHINJUKU].cookie });
    assert.equal(r.status, 202, JSON.stringify(r.body));
    targets[key] = r.body.pending_request.id;
  }
}

/** Column `c` proves, with its own key, that it holds the account (before adding a key). */
async function stepUpAs(c) {
  const o = await new Client(edge).post("/api/me/step-up/options", {}, { cookie: c.cookie });
  assert.equal(o.status, 200, JSON.stringify(o.body));
  const assertion = c.authenticator.get(o.body.options_json, { credentialId: c.ownKey });
  const r = await new Client(edge).post("/api/me/step-up", { credential_json: JSON.stringify(assertion) }, { cookie: c.cookie });
  assert.equal(r.status, 200, JSON.stringify(r.body));
}

/** `who` (a column name) calls the edge with their session. */
const as = (who, method, path, body) =>
  new Client(edge).request(method, path, body, { cookie: columns.find((c) => c.name === who).cookie });
const fileAs = async (who, person) => {
  const r = await as(who, "POST", "/api/notifications", { idempotency_key: freshKey(), notification: patientCase(person), acknowledged_warnings: [] });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  return r.body.id;
};
const PATIENT_ANSWERS = ["face", "cough", "dyspnea", "fatigue", "nausea", "diarrhea", "consciousness", "cannot_eat", "no_urine"];

/**
 * The records of the store rules (transfer, acceptance, household across areas):
 * - `transferred`: filed by the Shinjuku clinic, accepted (受理) by Shinjuku's health center, observed there, two
 *   waiting 緊急 alerts from the phone (SpO₂ 90, 息苦しさ), then transferred to Setagaya.
 * - `unaccepted`: filed by the Shinjuku clinic, never opened by its health center; `accepted`: opened (受理).
 * - `holder` (filed by the Shinjuku clinic) and `member` (filed by the Setagaya clinic, transferred to Shinjuku):
 *   Shinjuku's health center links the member to the holder's phone (同居者).
 */
async function storeRuleRecords() {
  const T = (targets.transferred = await fileAs("doctor_shinjuku", {
    name: "移管 一郎", furigana: "イカン イチロウ", date_of_birth: "1980-01-15", phone: "090-2222-0001", residence: "setagaya",
  }));
  assert.equal((await as("hc_staff_shinjuku", "GET", `/api/notifications/${T}`)).status, 200);
  const rec = await as("hc_staff_shinjuku", "GET", `/api/cases/${T}`);
  assert.match(rec.body.smartphone_id, /^\d{10}$/, "the managing health center sees the スマホ入力ID");
  let r = await as("hc_staff_shinjuku", "POST", `/api/cases/${T}/observation`, { kind: "patient", started_on: todayJst(), ends_on: "", household_of: "" });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const phone = new Client(edge);
  r = await phone.post("/api/observe/signin", { smartphone_id: rec.body.smartphone_id, date_of_birth: "1980-01-15" },
    { headers: { "cf-connecting-ip": "198.51.100.201" } });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await phone.post("/api/observe/reports", { reports: [{
    client_id: randomBytes(12).toString("base64url"), person: T, date: todayJst(), slot: "morning", temperature: 36.9, spo2: 90,
    answers: Object.fromEntries(PATIENT_ANSWERS.map((k) => [k, k === "dyspnea" ? "yes" : "no"])),
  }] });
  assert.equal(r.body?.results?.[0]?.outcome, "accepted", JSON.stringify(r.body));
  const obs = await as("hc_staff_shinjuku", "GET", `/api/cases/${T}/observation`);
  targets.alertSpo2 = obs.body.alerts.find((a) => a.rule === "spo2_low")?.id;
  targets.alertDyspnea = obs.body.alerts.find((a) => a.rule === "dyspnea")?.id;
  assert.ok(targets.alertSpo2 && targets.alertDyspnea, JSON.stringify(obs.body.alerts));
  r = await as("hc_staff_shinjuku", "POST", `/api/notifications/${T}/transfer`, { health_center_id: SETAGAYA, reason: "住所地の保健所へ移管" });
  assert.equal(r.status, 200, JSON.stringify(r.body));

  targets.unaccepted = await fileAs("doctor_shinjuku", { name: "未受理 三郎", furigana: "ミジュリ サブロウ", phone: "090-2222-0004" });
  targets.accepted = await fileAs("doctor_shinjuku", { name: "受理済 四郎", furigana: "ジュリズミ シロウ", phone: "090-2222-0005" });
  assert.equal((await as("hc_staff_shinjuku", "GET", `/api/notifications/${targets.accepted}`)).status, 200);

  const H = (targets.holder = await fileAs("doctor_shinjuku", { name: "同居 主", furigana: "ドウキョ アルジ", phone: "090-2222-0002" }));
  const M = (targets.member = await fileAs("doctor_setagaya", { name: "同居 家族", furigana: "ドウキョ カゾク", phone: "090-2222-0003" }));
  r = await as("hc_staff_setagaya", "POST", `/api/notifications/${M}/transfer`, { health_center_id: SHINJUKU, reason: "同居の家族と同じ保健所へ" });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  const holderSid = (await as("hc_staff_shinjuku", "GET", `/api/cases/${H}`)).body.smartphone_id;
  assert.match(holderSid, /^\d{10}$/);
  r = await as("hc_staff_shinjuku", "POST", `/api/cases/${H}/observation`, { kind: "patient", started_on: todayJst(), ends_on: "", household_of: "" });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  r = await as("hc_staff_shinjuku", "POST", `/api/cases/${M}/observation`, { kind: "contact", started_on: todayJst(), ends_on: "", household_of: holderSid });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.observation.household_of?.id, H);
}
after(async () => {
  await edge?.stop();
});

// ---- expectations ---------------------------------------------------------------------------------------------------

const ok = (status = 200) => String(status);
const err = (status, code) => `${status} ${code}`;
const UNAUTHENTICATED = err(401, "UNAUTHENTICATED");
const FORBIDDEN = err(403, "FORBIDDEN");
const STEP = err(409, "SIGN_IN_STEP_REQUIRED");

/** Any signed-in user: `allowed`; anything else: 401. */
const signedIn = (allowed) => (c) => (c.kind === "user" ? allowed : UNAUTHENTICATED);
/** Health-center administrators (any area): `allowed`; other users 403; no session 401. */
const anyAdmin = (allowed) => (c) => (c.kind !== "user" ? UNAUTHENTICATED : c.isAdmin ? allowed : FORBIDDEN);
/** Only the administrator of `hc` gets `allowed` (null: nobody); other administrators and users 403; no session 401. */
const adminOf = (hc, allowed = ok()) => (c) =>
  c.kind !== "user" ? UNAUTHENTICATED : c.isAdmin && c.hc === hc ? allowed : FORBIDDEN;
const everyone = (outcome) => () => outcome;
const todayJst = () => new Date(Date.now() + 9 * 3600_000).toISOString().slice(0, 10);
const MANAGED = err(403, "MANAGED_BY_HEALTH_CENTER");
/** A clinic column's institution. */
const instOf = (c) => (c.name === "doctor_setagaya" ? "inst_demo_setagaya" : CLINIC_SJ_NAMES.includes(c.name) ? "inst_demo_shinjuku" : undefined);
const CLINIC_SJ_NAMES = ["doctor_shinjuku", "staff_shinjuku"];
/** Roles with no record lists or search: national staff (aggregates only) and the follow-up center (issue 21). */
const NO_RECORDS = ["national_staff", "follow_up_center"];
const CLINIC_SJ = ["doctor_shinjuku", "staff_shinjuku"];
const HC_SJ = ["hc_staff_shinjuku", "hc_admin_shinjuku"];
const HC_SG = ["hc_staff_setagaya", "hc_admin_setagaya"];
/** Who reviews a Shinjuku resident's self-registration: Shinjuku's health center and Tokyo's follow-up center. */
const REVIEWS_SJ = [...HC_SJ, "followup_tokyo"];
/** Only reviewers (health centers, follow-up centers) get `allowed`; other users 403; no session 401. */
const reviewers = (names, allowed) => (c) => (c.kind !== "user" ? UNAUTHENTICATED : names.includes(c.name) ? allowed : FORBIDDEN);
/** Who may read the transferred record: the filing clinic, both health centers it has been at, the prefecture. */
const READS_TRANSFERRED = [...CLINIC_SJ, ...HC_SJ, ...HC_SG, "pref_tokyo"];
// Once Setagaya has opened (accepted: 受理) the transferred notification, the past health center reads it no more.
const READS_ACCEPTED_TRANSFER = [...CLINIC_SJ, ...HC_SG, "pref_tokyo"];
const HC_BY_NAME = { 新宿区保健所: SHINJUKU, 世田谷保健所: SETAGAYA };
/** The スマホ入力ID is a credential: ten digits for the managing health center's staff, "" for everyone else. */
const sidShownOnlyTo = (shown, sid) => (shown ? /^\d{10}$/.test(sid ?? "") : sid === "");

// ---- rows -------------------------------------------------------------------------------------------------------------

const garbageRegistration = () => {
  const a = new SoftAuthenticator({ origin: "http://localhost" });
  return a.create({ challenge: "AAAA", rp: { id: "localhost" }, user: { id: "dXNlcg" }, pubKeyCredParams: [{ alg: -7 }] });
};
const strangerAssertion = () => {
  const a = new SoftAuthenticator({ origin: "http://localhost" });
  a.create({ challenge: "AAAA", rp: { id: "localhost" }, user: { id: "dXNlcg" }, pubKeyCredParams: [{ alg: -7 }] });
  return a.get({ challenge: "AAAA", rpId: "localhost" });
};
/** A key that belongs to somebody else than column `c`. */
const othersKey = (c) => columns.find((x) => x.kind === "user" && x !== c && x.alias !== c.alias).ownKey;

const shinjukuIds = new Set(Object.values(DEMO_USERS).filter((u) => u.login_id.includes("shinjuku")).map((u) => u.id));
const setagayaIds = new Set(Object.values(DEMO_USERS).filter((u) => u.login_id.includes("setagaya")).map((u) => u.id));
const ownAreaOnly = (c, ids) => {
  const [own, foreign] = c.hc === SHINJUKU ? [shinjukuIds, setagayaIds] : [setagayaIds, shinjukuIds];
  return ids.some((id) => own.has(id)) && !ids.some((id) => foreign.has(id));
};

/**
 * Each row: method, path (string, or (col) => string with `pathName` for the title), optional label, body (value or
 * (col) => value, may be async), expect (col) => "status" or "status CODE", and optionally check(col, response) →
 * true when a 2xx body is what that column may see.
 */
const rows = [
  { method: "GET", path: "/api/health", expect: everyone(ok()) },
  {
    method: "POST", path: "/api/auth/password", label: "unknown sign-in id",
    body: { login_id: "nobody@matrix.demo", password: "Wrong-Pass-2026" },
    expect: everyone(err(401, "INVALID_CREDENTIALS")),
  },
  {
    method: "POST", path: "/api/auth/password/change",
    body: { current_password: DEMO_PASSWORD, new_password: "Kx7#mQ2$vLp9", confirmation: "Kx7#mQ2$vLp9" },
    // Only a pending first sign-in with an initial password may change it here (none of the columns).
    expect: everyone(STEP),
  },
  {
    method: "POST", path: "/api/auth/credentials/options",
    // Signed-in users may add a key after a step-up (none yet here); a pending sign-in only when the account has
    // none yet (mhlw has one).
    expect: (c) => (c.kind === "user" ? err(403, "STEP_UP_REQUIRED") : STEP),
  },
  {
    method: "POST", path: "/api/auth/credentials", label: "register a spare key",
    body: async (c) => {
      if (c.kind !== "user") return { credential_json: JSON.stringify(garbageRegistration()) };
      await stepUpAs(c);
      const r = await new Client(edge).post("/api/auth/credentials/options", {}, { cookie: c.cookie });
      c.spareAuthenticator = new SoftAuthenticator({ origin: edge.api });
      const cred = c.spareAuthenticator.create(r.body.options_json);
      c.spareKey = cred.id;
      return { credential_json: JSON.stringify(cred), name: "予備" };
    },
    expect: (c) => (c.kind === "user" ? ok() : STEP),
    check: (c, r) => r.body.me.user_id === c.user.id && !r.body.recovery_codes,
  },
  { method: "POST", path: "/api/me/step-up/options", expect: signedIn(ok()), check: (c, r) => JSON.parse(r.body.options_json).allowCredentials.some((k) => k.id === c.ownKey) },
  {
    method: "POST", path: "/api/me/step-up", label: "another account's key",
    body: async (c) => {
      if (c.kind !== "user") return { credential_json: JSON.stringify(strangerAssertion()) };
      const o = (await new Client(edge).post("/api/me/step-up/options", {}, { cookie: c.cookie })).body.options_json;
      const other = columns.find((x) => x.kind === "user" && x.alias !== c.alias);
      return { credential_json: JSON.stringify(other.authenticator.get(o, { credentialId: other.ownKey })) };
    },
    expect: signedIn(err(401, "WEBAUTHN_FAILED")),
  },
  {
    method: "POST", path: "/api/auth/webauthn/options",
    expect: (c) => (c.kind === "pending" ? ok() : STEP),
  },
  {
    method: "POST", path: "/api/auth/webauthn", label: "malformed credential",
    body: { credential_json: "{}" },
    expect: (c) => (c.kind === "pending" ? err(400, "BAD_REQUEST") : STEP),
  },
  { method: "POST", path: "/api/auth/passkey/options", expect: everyone(ok()) },
  {
    method: "POST", path: "/api/auth/passkey", label: "unregistered key",
    body: () => ({ credential_json: JSON.stringify(strangerAssertion()) }),
    expect: everyone(err(401, "WEBAUTHN_FAILED")),
  },
  {
    method: "POST", path: "/api/auth/recovery", label: "wrong code",
    body: { code: "AAAAA-BBBBB" },
    expect: (c) => (c.kind === "pending" ? err(401, "INVALID_CREDENTIALS") : STEP),
  },
  {
    method: "POST", path: "/api/invitations/accept", label: "unknown token",
    body: { token: "bm90LWEtdG9rZW4", new_password: "Kx7#mQ2$vLp9", confirmation: "Kx7#mQ2$vLp9" },
    expect: everyone(err(400, "CHALLENGE_EXPIRED")),
  },
  {
    method: "GET", path: "/api/me", expect: signedIn(ok()),
    check: (c, r) => r.body.user_id === c.user.id && r.body.role === c.user.role,
  },
  {
    method: "GET", path: "/api/me/credentials", expect: signedIn(ok()),
    check: (c, r) => r.body.credentials.map((k) => k.id).sort().join() === [c.ownKey, c.spareKey].sort().join(),
  },
  {
    method: "PATCH", path: (c) => `/api/me/credentials/${c.spareKey ?? "x"}`, pathName: "/api/me/credentials/{id}", label: "own spare key",
    body: { name: "改名" }, expect: signedIn(ok(204)),
  },
  {
    method: "PATCH", path: (c) => `/api/me/credentials/${othersKey(c)}`, pathName: "/api/me/credentials/{id}", label: "another user's key",
    body: { name: "乗っ取り" }, expect: signedIn(err(404, "NOT_FOUND")),
  },
  {
    method: "DELETE", path: (c) => `/api/me/credentials/${othersKey(c)}`, pathName: "/api/me/credentials/{id}", label: "another user's key",
    expect: signedIn(err(404, "NOT_FOUND")),
  },
  {
    method: "DELETE", path: (c) => `/api/me/credentials/${c.spareKey ?? "x"}`, pathName: "/api/me/credentials/{id}", label: "own spare key",
    expect: signedIn(ok(204)),
  },
  {
    method: "DELETE", path: (c) => `/api/me/credentials/${c.ownKey ?? "x"}`, pathName: "/api/me/credentials/{id}", label: "own last key",
    expect: signedIn(err(409, "LAST_CREDENTIAL")),
  },
  {
    method: "GET", path: "/api/admin/accounts", expect: anyAdmin(ok()),
    check: (c, r) => ownAreaOnly(c, r.body.accounts.map((a) => a.id)),
  },
  {
    method: "GET", path: "/api/admin/institutions", expect: anyAdmin(ok()),
    check: (c, r) => {
      const ids = r.body.institutions.map((i) => i.id);
      return ids.includes(c.hc === SHINJUKU ? "inst_demo_shinjuku" : "inst_demo_setagaya")
        && !ids.includes(c.hc === SHINJUKU ? "inst_demo_setagaya" : "inst_demo_shinjuku");
    },
  },
  {
    method: "POST", path: "/api/admin/institutions",
    body: (c) => ({ name: `行列クリニック ${c.name}`, address: "東京都", phone: "03-0000-0000" }),
    expect: anyAdmin(ok(201)),
  },
  {
    method: "POST", path: "/api/admin/accounts", label: "health-center staff of own area",
    body: (c) => ({ login_id: `hc-${c.name}@matrix.demo`, display_name: "行列 職員", email: `hc-${c.name}@matrix.demo`, role: "health_center_staff", delivery: "invitation" }),
    expect: anyAdmin(ok(201)),
  },
  {
    method: "POST", path: "/api/admin/accounts", label: "clinic doctor at a Shinjuku clinic",
    body: (c) => ({ login_id: `sj-${c.name}@matrix.demo`, display_name: "行列 医師", email: `sj-${c.name}@matrix.demo`, role: "clinic_doctor", institution_id: "inst_demo_shinjuku", delivery: "initial_password" }),
    expect: adminOf(SHINJUKU, ok(201)),
  },
  {
    method: "POST", path: "/api/admin/accounts", label: "clinic staff at a Setagaya clinic",
    body: (c) => ({ login_id: `sg-${c.name}@matrix.demo`, display_name: "行列 職員", email: `sg-${c.name}@matrix.demo`, role: "clinic_staff", institution_id: "inst_demo_setagaya", delivery: "invitation" }),
    expect: adminOf(SETAGAYA, ok(201)),
  },
  ...["prefecture_staff", "national_staff"].map((role) => ({
    method: "POST", path: "/api/admin/accounts", label: role,
    body: (c) => ({ login_id: `${role}-${c.name}@matrix.demo`, display_name: "行列", email: `${role}-${c.name}@matrix.demo`, role, delivery: "initial_password" }),
    expect: anyAdmin(FORBIDDEN),
  })),
  {
    method: "POST", path: "/api/admin/accounts", label: "an administrator of own health center: a request",
    body: (c) => ({ login_id: `admin-${c.name}@matrix.demo`, display_name: "行列 管理者", email: `admin-${c.name}@matrix.demo`, role: "health_center_admin", delivery: "invitation" }),
    expect: anyAdmin(ok(202)),
    check: (c, r) => r.body.pending_request.action === "create" && r.body.pending_request.health_center_id === c.hc && !r.body.account,
  },
  // Unlock (harmless) on the demo accounts themselves: own area vs other area, and accounts above any health center.
  // On an administrator's account: never by that administrator (self), and by an administrator of another area not
  // at all.
  ...Object.entries(DEMO_USERS).map(([alias, u]) => ({
    method: "POST", path: `/api/admin/accounts/${u.id}/unlock`, label: alias,
    expect: u.role === "health_center_admin" || !HC_OF[alias] ? anyAdmin(FORBIDDEN) : adminOf(HC_OF[alias]),
  })),
  // Administrator on administrator: the second administrator of Shinjuku, by Shinjuku's administrator: 202, a
  // request, not done.
  ...["lock", "unlock", "reset", "deactivate", "reactivate"].map((action) => ({
    method: "POST", path: () => `/api/admin/accounts/${targets.sj_admin.id}/${action}`, pathName: `/api/admin/accounts/{id}/${action}`,
    label: "another administrator of Shinjuku",
    expect: adminOf(SHINJUKU, ok(202)),
    check: (c, r) => r.body.pending_request.target_user_id === targets.sj_admin.id && r.body.pending_request.action === action
      && r.body.pending_request.status === "pending" && !r.body.account,
  })),
  {
    method: "GET", path: "/api/admin/requests",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : c.isAdmin || c.name === "pref_tokyo" ? ok() : FORBIDDEN),
    check: (c, r) => r.body.requests.length > 0 && r.body.requests.every((x) => (c.hc ? x.health_center_id === c.hc : x.health_center_id.startsWith("HC13"))),
  },
  {
    method: "POST", path: () => `/api/admin/requests/${targets.unlockRequest}/approve`, pathName: "/api/admin/requests/{id}/approve",
    label: "an unlock of Shinjuku's second administrator, requested by Shinjuku's administrator",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : c.name === "pref_tokyo" ? ok()
      : c.name === "hc_admin_shinjuku" ? err(403, "SECOND_APPROVER_REQUIRED") : FORBIDDEN),
    check: (c, r) => r.body.request.status === "approved" && r.body.account.id === targets.sj_admin.id,
  },
  {
    method: "POST", path: () => `/api/admin/requests/${targets.rejectRequest}/reject`, pathName: "/api/admin/requests/{id}/reject",
    label: "the same, rejected",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : c.name === "pref_tokyo" ? ok()
      : c.name === "hc_admin_shinjuku" ? err(403, "SECOND_APPROVER_REQUIRED") : FORBIDDEN),
    check: (c, r) => r.body.request.status === "rejected" && !r.body.account,
  },
  {
    method: "POST", path: "/api/admin/requests/req_no_such/approve", label: "unknown request",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : c.isAdmin || c.name === "pref_tokyo" ? err(404, "NOT_FOUND") : FORBIDDEN),
  },
  // Every action on accounts created for the purpose, in an order that leaves them usable.
  ...["lock", "unlock", "reset", "deactivate", "reactivate"].flatMap((action) =>
    ["sj_hc", "sj_clinic", "sg_hc", "sg_clinic"].map((key) => ({
      method: "POST", path: () => `/api/admin/accounts/${targets[key].id}/${action}`, pathName: `/api/admin/accounts/{id}/${action}`,
      label: `${key === "sj_hc" || key === "sg_hc" ? "health-center staff" : "clinic user"} of ${key.startsWith("sj") ? "Shinjuku" : "Setagaya"}`,
      expect: (c) => adminOf(targets[key].hc)(c),
      check: (c, r) => r.body.account.id === targets[key].id && r.body.initial_password === undefined
        && (action !== "reset" || r.body.reset_link_sent_to === "t***@matrix.demo"),
    }))),
  {
    method: "POST", path: () => `/api/admin/accounts/${targets.sj_hc.id}/promote`, pathName: "/api/admin/accounts/{id}/promote", label: "unknown action",
    expect: anyAdmin(err(404, "NOT_FOUND")),
  },
  {
    method: "POST", path: "/api/admin/accounts/u_no_such_user/unlock", label: "unknown account",
    expect: anyAdmin(err(404, "NOT_FOUND")),
  },
  {
    // The area's own entries, and — from elsewhere — only refused attempts on the area's records (so the
    // administrators responsible for a record see who tried to reach it), each a record they may open.
    method: "GET", path: "/api/admin/audit", expect: anyAdmin(ok()),
    check: (c, r) => {
      const foreign = c.hc === SHINJUKU ? setagayaIds : shinjukuIds;
      const fromElsewhere = r.body.entries.filter((e) => foreign.has(e.actor_user_id));
      return ownAreaOnly(c, r.body.entries.filter((e) => !fromElsewhere.includes(e)).map((e) => e.actor_user_id).filter(Boolean))
        && fromElsewhere.every((e) => e.outcome === "forbidden" && e.target_is_record && e.actor_name === null);
    },
  },
  {
    // Filters travel in the body: only refusals, and each administrator still sees their own area's log only.
    method: "POST", path: "/api/admin/audit", label: "refusals only", body: { outcome: "refused" }, expect: anyAdmin(ok()),
    check: (c, r) => r.body.entries.length > 0
      && r.body.entries.every((e) => !e.actor_name || (c.hc === SHINJUKU ? shinjukuIds : setagayaIds).has(e.actor_user_id))
      && r.body.entries.every((e) => !["ok", "success"].includes(e.outcome)),
  },
  {
    method: "POST", path: "/api/admin/audit", label: "unknown action", body: { action: "drop_table" },
    expect: anyAdmin(err(422, "VALIDATION_FAILED")),
  },
  {
    method: "GET", path: "/api/admin/audit/verify", expect: anyAdmin(ok()),
    check: (c, r) => r.body.valid === true && r.body.entries > 0,
  },
  // ---- notifications (issue 7) ----
  {
    method: "GET", path: "/api/notifications",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : NO_RECORDS.includes(c.user.role) ? FORBIDDEN : ok()),
    check: (c, r) => {
      const has = r.body.items.some((i) => i.id === targets.notification);
      const sees = ["doctor_shinjuku", "staff_shinjuku", "hc_staff_shinjuku", "hc_admin_shinjuku", "pref_tokyo"].includes(c.name);
      return has === sees;
    },
  },
  {
    method: "POST", path: "/api/notifications", label: "a complete confirmed case",
    body: () => ({ idempotency_key: freshKey(), notification: confirmedCase(), acknowledged_warnings: [] }),
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : ["clinic_doctor", "clinic_staff"].includes(c.user.role) ? ok(201) : FORBIDDEN),
    check: (c, r) => r.body.health_center_id === c.hc && /^\d{8}$/.test(r.body.number),
  },
  {
    method: "GET", path: () => `/api/notifications/${targets.notification}`, pathName: "/api/notifications/{id}", label: "filed in Shinjuku",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED
      : ["doctor_shinjuku", "staff_shinjuku", "hc_staff_shinjuku", "hc_admin_shinjuku", "pref_tokyo"].includes(c.name) ? ok() : FORBIDDEN),
    check: (c, r) => r.body.id === targets.notification && r.body.notification.patient.name === "山田 太郎",
  },
  {
    method: "GET", path: () => `/api/notifications/${targets.notificationSetagaya}`, pathName: "/api/notifications/{id}", label: "filed in Setagaya",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED
      : ["doctor_setagaya", "hc_staff_setagaya", "hc_admin_setagaya", "pref_tokyo"].includes(c.name) ? ok() : FORBIDDEN),
    check: (c, r) => r.body.id === targets.notificationSetagaya && r.body.health_center_id === SETAGAYA
      && r.body.can_transfer === (c.hc === SETAGAYA && c.user.role.startsWith("health_center")),
  },
  {
    method: "DELETE", path: () => `/api/notifications/${targets.notification}`, pathName: "/api/notifications/{id}", label: "no such method",
    expect: everyone(err(405, "METHOD_NOT_ALLOWED")),
  },
  {
    method: "GET", path: "/api/notifications/n_no_such_record", pathName: "/api/notifications/{id}", label: "unknown id",
    // One record path for cases and notifications: national staff are refused before anything is looked up.
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : c.user.role === "national_staff" ? FORBIDDEN : err(404, "NOT_FOUND")),
  },
  {
    method: "POST", path: () => `/api/notifications/${targets.notification}/transfer`, pathName: "/api/notifications/{id}/transfer",
    label: "to an unknown health center", body: { health_center_id: "HC_NONE", reason: "確認" },
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : c.hc === SHINJUKU && c.user.role.startsWith("health_center") ? err(422, "VALIDATION_FAILED") : FORBIDDEN),
  },
  {
    method: "POST", path: () => `/api/notifications/${targets.notificationSetagaya}/transfer`, pathName: "/api/notifications/{id}/transfer",
    label: "Setagaya's, without a reason", body: { health_center_id: SHINJUKU, reason: " " },
    // Only staff of the record's current health center get as far as the reason.
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : c.hc === SETAGAYA && c.user.role.startsWith("health_center") ? err(422, "VALIDATION_FAILED") : FORBIDDEN),
  },
  {
    method: "POST", path: "/api/notifications/duplicates", body: { furigana: "やまだ たろう", date_of_birth: "1980-01-15" },
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : ["clinic_doctor", "clinic_staff"].includes(c.user.role) ? ok() : FORBIDDEN),
    // The Shinjuku clinic sees its own filing with its id; Setagaya's clinic sees nothing of Shinjuku's.
    check: (c, r) => (c.hc === SHINJUKU
      ? r.body.candidates.some((x) => x.id === targets.notification)
      : r.body.candidates.every((x) => x.id === undefined || x.id === null || x.id !== targets.notification)),
  },
  {
    method: "GET", path: "/api/health-centers",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : c.user.role === "national_staff" ? FORBIDDEN : ok()),
  },
  // ---- the health-center directory (issue 23): the prefecture's staff keep it, a health center's administrator
  // their own center's contact details; national staff and everyone else are refused ----
  {
    method: "GET", path: "/api/directory",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : ["prefecture_staff", "health_center_admin"].includes(c.user.role) ? ok() : FORBIDDEN),
    check: (c, r) => (c.user.role === "prefecture_staff"
      ? r.body.manages_prefecture && r.body.centers.length > 20 && r.body.centers.every((h) => h.id.startsWith("HC13"))
      : !r.body.manages_prefecture && r.body.centers.length === 1 && r.body.centers[0].id === c.hc),
  },
  {
    method: "PUT", path: `/api/directory/${SETAGAYA}`, pathName: "/api/directory/{id}", label: "Setagaya's contact details as they are",
    body: { postal_code: "1540017", address: "東京都世田谷区世田谷4-22-35（デモ）", phone: "03-5555-0112", email: "notice@hc13112.her-sys.example" },
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : ["pref_tokyo", "hc_admin_setagaya"].includes(c.name) ? ok() : FORBIDDEN),
    check: (c, r) => r.body.id === SETAGAYA && r.body.name === "世田谷保健所" && r.body.phone === "03-5555-0112",
  },
  {
    method: "PUT", path: "/api/directory/HC14201", pathName: "/api/directory/{id}", label: "a center of another prefecture",
    body: { postal_code: "", address: "", phone: "", email: "" },
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : FORBIDDEN),
  },
  {
    method: "GET", path: "/api/directory/csv",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : c.user.role === "prefecture_staff" ? ok() : FORBIDDEN),
    check: (c, r) => typeof r.body === "string" ? r.body.replace(/^\ufeff/, "").startsWith("保健所ID") : true,
  },
  {
    method: "POST", path: "/api/directory/csv", label: "a file that is not the directory", body: { csv: "a,b\r\n1,2\r\n" },
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : c.user.role === "prefecture_staff" ? err(422, "VALIDATION_FAILED") : FORBIDDEN),
  },
  {
    method: "GET", path: "/api/institution",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : ["clinic_doctor", "clinic_staff"].includes(c.user.role) ? ok() : FORBIDDEN),
  },
  {
    method: "POST", path: "/api/institution/doctors", body: (c) => ({ name: `行列 医師 ${c.name}` }),
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : ["clinic_doctor", "clinic_staff"].includes(c.user.role) ? ok(201) : FORBIDDEN),
  },
  {
    method: "DELETE", path: "/api/institution/doctors/d_demo_setagaya_1", pathName: "/api/institution/doctors/{id}", label: "a Setagaya doctor",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : c.name === "doctor_setagaya" ? ok(204)
      : ["clinic_doctor", "clinic_staff"].includes(c.user.role) ? err(404, "NOT_FOUND") : FORBIDDEN),
  },
  {
    method: "GET", path: "/api/me/draft-key", expect: signedIn(ok()),
    check: (c, r) => /^[A-Za-z0-9_-]{43}$/.test(r.body.key),
  },
  // ---- patient records (issue 8) ----
  {
    method: "POST", path: "/api/cases/search", body: { criteria: {} },
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : NO_RECORDS.includes(c.user.role) ? FORBIDDEN : ok()),
    check: (c, r) => {
      const ids = r.body.items.map((i) => i.id);
      const seesShinjuku = ["doctor_shinjuku", "staff_shinjuku", "hc_staff_shinjuku", "hc_admin_shinjuku", "pref_tokyo"].includes(c.name);
      const seesSetagaya = ["doctor_setagaya", "hc_staff_setagaya", "hc_admin_setagaya", "pref_tokyo"].includes(c.name);
      return ids.includes(targets.notification) === seesShinjuku && ids.includes(targets.notificationSetagaya) === seesSetagaya;
    },
  },
  {
    method: "GET", path: "/api/cases/search", label: "criteria never in a URL", expect: everyone(err(405, "METHOD_NOT_ALLOWED")),
  },
  {
    method: "GET", path: () => `/api/cases/${targets.notification}`, pathName: "/api/cases/{id}", label: "filed in Shinjuku",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED
      : ["doctor_shinjuku", "staff_shinjuku", "hc_staff_shinjuku", "hc_admin_shinjuku", "pref_tokyo"].includes(c.name) ? ok() : FORBIDDEN),
    check: (c, r) => r.body.id === targets.notification
      && r.body.can_edit === ["doctor_shinjuku", "staff_shinjuku", "hc_staff_shinjuku", "hc_admin_shinjuku"].includes(c.name)
      && r.body.can_change_status === ["hc_staff_shinjuku", "hc_admin_shinjuku"].includes(c.name),
  },
  {
    method: "GET", path: () => `/api/cases/${targets.notificationSetagaya}`, pathName: "/api/cases/{id}", label: "filed in Setagaya",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED
      : ["doctor_setagaya", "hc_staff_setagaya", "hc_admin_setagaya", "pref_tokyo"].includes(c.name) ? ok() : FORBIDDEN),
  },
  {
    method: "GET", path: "/api/cases/n_no_such_record", pathName: "/api/cases/{id}", label: "unknown id",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : c.user.role === "national_staff" ? FORBIDDEN : err(404, "NOT_FOUND")),
  },
  // ---- FHIR documents (issue 22): whoever reads the record, except national staff and the follow-up center ----
  {
    method: "GET", path: () => `/api/cases/${targets.notification}/fhir`, pathName: "/api/cases/{id}/fhir", label: "filed in Shinjuku",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED
      : ["doctor_shinjuku", "staff_shinjuku", "hc_staff_shinjuku", "hc_admin_shinjuku", "pref_tokyo"].includes(c.name) ? ok() : FORBIDDEN),
    check: (c, r) => r.body.resourceType === "Bundle" && r.body.type === "document"
      && r.headers.get("content-type").startsWith("application/fhir+json"),
  },
  {
    method: "GET", path: () => `/api/cases/${targets.notificationSetagaya}/fhir`, pathName: "/api/cases/{id}/fhir", label: "filed in Setagaya",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED
      : ["doctor_setagaya", "hc_staff_setagaya", "hc_admin_setagaya", "pref_tokyo"].includes(c.name) ? ok() : FORBIDDEN),
  },
  {
    method: "GET", path: "/api/cases/n_no_such_record/fhir", pathName: "/api/cases/{id}/fhir", label: "unknown id",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED
      : ["national_staff", "follow_up_center"].includes(c.user.role) ? FORBIDDEN : err(404, "NOT_FOUND")),
  },
  {
    method: "POST", path: () => `/api/cases/${targets.notification}/fhir`, pathName: "/api/cases/{id}/fhir", label: "read only",
    expect: everyone(err(405, "METHOD_NOT_ALLOWED")),
  },
  {
    method: "PUT", path: () => `/api/cases/${targets.notification}/tabs/basic`, pathName: "/api/cases/{id}/tabs/{tab}",
    label: "Shinjuku's, from a stale version", body: { version: 0, data: { insurer: "行列" } },
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED
      : ["doctor_shinjuku", "staff_shinjuku", "hc_staff_shinjuku", "hc_admin_shinjuku"].includes(c.name) ? err(409, "EDIT_CONFLICT") : FORBIDDEN),
  },
  {
    method: "PUT", path: () => `/api/cases/${targets.notificationSetagaya}/notification`, pathName: "/api/cases/{id}/notification",
    label: "Setagaya's, from a stale version", body: { version: 0, notification: confirmedCase() },
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED
      : ["doctor_setagaya", "hc_staff_setagaya", "hc_admin_setagaya"].includes(c.name) ? err(409, "EDIT_CONFLICT") : FORBIDDEN),
  },
  {
    method: "POST", path: () => `/api/cases/${targets.notification}/status`, pathName: "/api/cases/{id}/status",
    label: "Shinjuku's, from a stale version", body: { version: 0, status: "admitted", date: "2024-01-01" },
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED
      : ["hc_staff_shinjuku", "hc_admin_shinjuku"].includes(c.name) ? err(409, "EDIT_CONFLICT") : FORBIDDEN),
  },
  {
    method: "POST", path: () => `/api/cases/${targets.notification}/status/withdraw`, pathName: "/api/cases/{id}/status/withdraw",
    label: "Shinjuku's, from a stale version", body: { version: 0, seq: 1 },
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED
      : ["hc_staff_shinjuku", "hc_admin_shinjuku"].includes(c.name) ? err(409, "EDIT_CONFLICT") : FORBIDDEN),
  },
  {
    method: "POST", path: () => `/api/cases/${targets.notificationSetagaya}/delete`, pathName: "/api/cases/{id}/delete",
    label: "Setagaya's, from a stale version", body: { version: 0 },
    // Setagaya accepted it (opened it) above: from then on deleting it is the health center's.
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED
      : c.name === "doctor_setagaya" ? err(403, "MANAGED_BY_HEALTH_CENTER")
      : ["hc_staff_setagaya", "hc_admin_setagaya"].includes(c.name) ? err(409, "EDIT_CONFLICT") : FORBIDDEN),
  },
  {
    method: "POST", path: () => `/api/cases/${targets.notification}/restore`, pathName: "/api/cases/{id}/restore",
    label: "Shinjuku's, not deleted",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : c.name === "hc_admin_shinjuku" ? err(409, "CONFLICT") : FORBIDDEN),
  },
  {
    method: "GET", path: "/api/cases/deleted",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : c.isAdmin ? ok() : FORBIDDEN),
    check: (c, r) => Array.isArray(r.body.items),
  },
  {
    method: "POST", path: "/api/cases", label: "before a notification",
    body: (c) => ({ idempotency_key: freshKey(), health_center_id: c.hc ?? SHINJUKU, id: { name: `行列 ${c.name}` } }),
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : ["clinic_doctor", "clinic_staff"].includes(c.user.role) ? ok(201) : FORBIDDEN),
    // The record exists; its スマホ入力ID stays with the health center that manages it (a credential).
    check: (c, r) => /^n_/.test(r.body.id) && r.body.smartphone_id === "",
  },
  // ---- drive-through sync (issue 9) ----
  {
    method: "POST", path: "/api/sync", label: "a drive-through record",
    body: (c) => ({ protocol: 1, records: [driveRecord(1, { prefix: `行列同期 ${c.name}`, healthCenterId: c.hc ?? SHINJUKU })] }),
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : ["clinic_doctor", "clinic_staff"].includes(c.user.role) ? ok() : FORBIDDEN),
    check: (c, r) => r.body.results.length === 1 && r.body.results[0].outcome === "applied",
  },
  { method: "GET", path: "/api/sync", label: "records never in a URL", expect: everyone(err(405, "METHOD_NOT_ALLOWED")) },
  {
    method: "POST", path: "/api/me/device-key", body: { device_id: "matrix-device-000001" }, label: "drive-through mode",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : ["clinic_doctor", "clinic_staff"].includes(c.user.role) ? ok() : FORBIDDEN),
    check: (c, r) => /^[A-Za-z0-9_-]{43}$/.test(r.body.key),
  },
  // ---- health observation (issue 10) ----
  {
    method: "POST", path: () => `/api/cases/${targets.notification}/observation`, pathName: "/api/cases/{id}/observation",
    label: "start Shinjuku's", body: () => ({ kind: "patient", started_on: todayJst(), ends_on: "", household_of: "" }),
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : ["hc_staff_shinjuku", "hc_admin_shinjuku"].includes(c.name) ? ok() : FORBIDDEN),
    check: (c, r) => r.body.observation?.kind === "patient" && r.body.can_manage === true,
  },
  {
    method: "GET", path: () => `/api/cases/${targets.notification}/observation`, pathName: "/api/cases/{id}/observation",
    label: "Shinjuku's timeline",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED
      : ["doctor_shinjuku", "staff_shinjuku", "hc_staff_shinjuku", "hc_admin_shinjuku", "pref_tokyo"].includes(c.name) ? ok() : FORBIDDEN),
    check: (c, r) => r.body.can_manage === ["hc_staff_shinjuku", "hc_admin_shinjuku"].includes(c.name),
  },
  {
    method: "POST", path: () => `/api/cases/${targets.notificationSetagaya}/observation/stop`,
    pathName: "/api/cases/{id}/observation/stop", label: "Setagaya's",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : ["hc_staff_setagaya", "hc_admin_setagaya"].includes(c.name) ? ok() : FORBIDDEN),
  },
  {
    method: "GET", path: "/api/observation/alerts", label: "the triage queue",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : ["health_center_staff", "health_center_admin"].includes(c.user.role) ? ok() : FORBIDDEN),
    check: (c, r) => Array.isArray(r.body.alerts),
  },
  {
    method: "POST", path: "/api/observation/alerts/a_no_such_alert/handle", pathName: "/api/observation/alerts/{id}/handle",
    label: "unknown alert", body: { note: "行列" },
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED
      : ["health_center_staff", "health_center_admin"].includes(c.user.role) ? err(404, "NOT_FOUND") : FORBIDDEN),
  },
  // ---- store rules: a transferred record, deletion after acceptance, household links across areas ----
  // `transferred` (filed by the Shinjuku clinic, accepted and observed at Shinjuku, moved to Setagaya): the filing
  // clinic reads and edits; the past health center (Shinjuku) only reads, until Setagaya accepts it (the row of
  // GET /api/notifications/{id} below: Shinjuku's columns come first, then Setagaya's opening accepts it); Setagaya
  // manages; the prefecture reads.
  {
    method: "GET", path: () => `/api/cases/${targets.transferred}`, pathName: "/api/cases/{id}", label: "transferred Shinjuku → Setagaya",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : READS_TRANSFERRED.includes(c.name) ? ok() : FORBIDDEN),
    check: (c, r) => r.body.id === targets.transferred && r.body.health_center_id === SETAGAYA
      && r.body.can_edit === [...CLINIC_SJ, ...HC_SG].includes(c.name)
      && r.body.can_change_status === HC_SG.includes(c.name)
      && r.body.can_delete === HC_SG.includes(c.name)
      && r.body.can_file === false
      && sidShownOnlyTo(HC_SG.includes(c.name), r.body.smartphone_id),
  },
  {
    method: "GET", path: () => `/api/notifications/${targets.transferred}`, pathName: "/api/notifications/{id}", label: "transferred Shinjuku → Setagaya",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : READS_TRANSFERRED.includes(c.name) ? ok() : FORBIDDEN),
    check: (c, r) => r.body.health_center_id === SETAGAYA && r.body.can_transfer === HC_SG.includes(c.name),
  },
  {
    method: "PUT", path: () => `/api/cases/${targets.transferred}/tabs/basic`, pathName: "/api/cases/{id}/tabs/{tab}",
    label: "transferred, from a stale version", body: { version: 0, data: { insurer: "行列" } },
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : [...CLINIC_SJ, ...HC_SG].includes(c.name) ? err(409, "EDIT_CONFLICT") : FORBIDDEN),
  },
  {
    method: "PUT", path: () => `/api/cases/${targets.transferred}/notification`, pathName: "/api/cases/{id}/notification",
    label: "transferred, from a stale version", body: { version: 0, notification: confirmedCase() },
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : [...CLINIC_SJ, ...HC_SG].includes(c.name) ? err(409, "EDIT_CONFLICT") : FORBIDDEN),
  },
  {
    method: "POST", path: () => `/api/cases/${targets.transferred}/status`, pathName: "/api/cases/{id}/status",
    label: "transferred, from a stale version", body: { version: 0, status: "admitted", date: "2024-01-01" },
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : HC_SG.includes(c.name) ? err(409, "EDIT_CONFLICT") : FORBIDDEN),
  },
  {
    method: "POST", path: () => `/api/notifications/${targets.transferred}/transfer`, pathName: "/api/notifications/{id}/transfer",
    label: "transferred, again to an unknown health center", body: { health_center_id: "HC_NONE", reason: "確認" },
    // Only the new health center gets as far as the target; the past one may no longer transfer it.
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : HC_SG.includes(c.name) ? err(422, "VALIDATION_FAILED") : FORBIDDEN),
  },
  {
    method: "GET", path: () => `/api/cases/${targets.transferred}/observation`, pathName: "/api/cases/{id}/observation",
    label: "transferred and accepted: the observation and its alerts (no longer the past health center's)",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : READS_ACCEPTED_TRANSFER.includes(c.name) ? ok() : FORBIDDEN),
    check: (c, r) => r.body.can_manage === HC_SG.includes(c.name)
      && r.body.observation?.kind === "patient" && r.body.observation.stopped === false
      && [targets.alertSpo2, targets.alertDyspnea].every((id) => r.body.alerts.some((a) => a.id === id))
      && r.body.alerts.every((a) => sidShownOnlyTo(HC_SG.includes(c.name), a.smartphone_id)),
  },
  {
    method: "POST", path: "/api/cases/search", label: "スマホ入力ID only to the record's current health center", body: { criteria: {} },
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : NO_RECORDS.includes(c.user.role) ? FORBIDDEN : ok()),
    check: (c, r) => {
      const t = r.body.items.find((i) => i.id === targets.transferred);
      const mustSee = [...CLINIC_SJ, ...HC_SG, "pref_tokyo"].includes(c.name);
      if (mustSee !== Boolean(t) && !HC_SJ.includes(c.name)) return false;
      // Every record listed: the ID is there exactly when the column is staff of the record's current health center.
      return r.body.items.every((i) =>
        sidShownOnlyTo(c.user.role.startsWith("health_center") && HC_BY_NAME[i.health_center_name] === c.hc, i.smartphone_id));
    },
  },
  {
    method: "GET", path: "/api/observation/alerts", label: "after a transfer: the new health center's queue",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : ["health_center_staff", "health_center_admin"].includes(c.user.role) ? ok() : FORBIDDEN),
    check: (c, r) => {
      const moved = [targets.alertSpo2, targets.alertDyspnea].map((id) => r.body.alerts.find((a) => a.id === id));
      if (HC_SG.includes(c.name)) return moved.every((a) => a && a.case_id === targets.transferred && /^\d{10}$/.test(a.smartphone_id));
      return moved.every((a) => a === undefined) && !r.body.alerts.some((a) => a.case_id === targets.transferred);
    },
  },
  {
    method: "POST", path: (c) => `/api/observation/alerts/${c.name === "hc_admin_setagaya" ? targets.alertDyspnea : targets.alertSpo2}/handle`,
    pathName: "/api/observation/alerts/{id}/handle", label: "transferred record's alert (Setagaya's administrator: the other one)",
    body: (c) => ({ note: `行列 ${c.name}` }),
    // The new health center handles them; the past one is refused though the alert was raised there.
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : HC_SG.includes(c.name) ? ok() : FORBIDDEN),
    check: (c, r) => r.body.handled_at > 0 && r.body.note === `行列 ${c.name}`,
  },
  {
    method: "POST", path: () => `/api/cases/${targets.transferred}/observation`, pathName: "/api/cases/{id}/observation",
    label: "restart the transferred record's", body: () => ({ kind: "patient", started_on: todayJst(), ends_on: "", household_of: "" }),
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : HC_SG.includes(c.name) ? ok() : FORBIDDEN),
    check: (c, r) => r.body.observation?.kind === "patient" && r.body.can_manage === true,
  },
  {
    method: "POST", path: () => `/api/cases/${targets.transferred}/delete`, pathName: "/api/cases/{id}/delete",
    label: "transferred (accepted), from a stale version", body: { version: 0 },
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : HC_SG.includes(c.name) ? err(409, "EDIT_CONFLICT")
      : CLINIC_SJ.includes(c.name) ? MANAGED : FORBIDDEN),
  },
  {
    method: "POST", path: () => `/api/cases/${targets.accepted}/delete`, pathName: "/api/cases/{id}/delete",
    label: "accepted (受理) by Shinjuku, from a stale version", body: { version: 0 },
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : HC_SJ.includes(c.name) ? err(409, "EDIT_CONFLICT")
      : CLINIC_SJ.includes(c.name) ? MANAGED : FORBIDDEN),
  },
  {
    method: "POST", path: () => `/api/cases/${targets.unaccepted}/delete`, pathName: "/api/cases/{id}/delete",
    label: "not yet accepted, from a stale version", body: { version: 0 },
    // Before acceptance the filing clinic may still delete (so a stale version is what stops it).
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : [...HC_SJ, ...CLINIC_SJ].includes(c.name) ? err(409, "EDIT_CONFLICT") : FORBIDDEN),
  },
  {
    method: "GET", path: () => `/api/cases/${targets.unaccepted}`, pathName: "/api/cases/{id}", label: "not yet accepted",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : [...CLINIC_SJ, ...HC_SJ, "pref_tokyo"].includes(c.name) ? ok() : FORBIDDEN),
    check: (c, r) => r.body.can_delete === [...CLINIC_SJ, ...HC_SJ].includes(c.name) && sidShownOnlyTo(HC_SJ.includes(c.name), r.body.smartphone_id),
  },
  {
    method: "GET", path: () => `/api/cases/${targets.accepted}`, pathName: "/api/cases/{id}", label: "accepted (受理)",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : [...CLINIC_SJ, ...HC_SJ, "pref_tokyo"].includes(c.name) ? ok() : FORBIDDEN),
    check: (c, r) => r.body.can_delete === HC_SJ.includes(c.name) && r.body.can_edit === [...CLINIC_SJ, ...HC_SJ].includes(c.name),
  },
  // Household across areas: the holder (Shinjuku clinic's) and the member (Setagaya clinic's, moved to Shinjuku).
  {
    method: "GET", path: () => `/api/cases/${targets.holder}/observation`, pathName: "/api/cases/{id}/observation",
    label: "holder: a member from another clinic's area",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : [...CLINIC_SJ, ...HC_SJ, "pref_tokyo"].includes(c.name) ? ok() : FORBIDDEN),
    check: (c, r) => {
      const members = r.body.observation?.members ?? [];
      const seesMember = [...HC_SJ, "pref_tokyo"].includes(c.name);
      return r.body.observation?.kind === "patient"
        && members.map((m) => m.id).join() === (seesMember ? targets.member : "")
        && members.every((m) => sidShownOnlyTo(HC_SJ.includes(c.name), m.smartphone_id));
    },
  },
  {
    method: "GET", path: () => `/api/cases/${targets.member}/observation`, pathName: "/api/cases/{id}/observation",
    label: "member: reports through a holder of another clinic",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED
      : ["doctor_setagaya", ...HC_SG, ...HC_SJ, "pref_tokyo"].includes(c.name) ? ok() : FORBIDDEN),
    check: (c, r) => {
      const h = r.body.observation?.household_of;
      const seesHolder = [...HC_SJ, "pref_tokyo"].includes(c.name);
      return r.body.observation?.kind === "contact" && r.body.can_manage === HC_SJ.includes(c.name)
        && (seesHolder ? h?.id === targets.holder && sidShownOnlyTo(HC_SJ.includes(c.name), h.smartphone_id) : h === null);
    },
  },
  {
    method: "GET", path: "/api/dashboard",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : ["clinic_doctor", "clinic_staff", "follow_up_center"].includes(c.user.role) ? FORBIDDEN : ok()),
    check: (c, r) => r.body.curve.length === 28,
  },
  // Counts by age band (issue 21): clinics report for their own institution; health centers and the prefecture list
  // who reported and designate sentinel sites (health centers, in their area); dashboards by the dashboard's area.
  {
    method: "GET", path: "/api/daily-totals/2022-10-01", pathName: "/api/daily-totals/{day}",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : c.user.role.startsWith("clinic") ? ok() : FORBIDDEN),
    check: (c, r) => r.body.institution_id === instOf(c) && r.body.notified.length === 12,
  },
  {
    method: "PUT", path: "/api/daily-totals/2022-10-01", pathName: "/api/daily-totals/{day}", label: "own clinic",
    body: { counts: { "0": 1 } },
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : c.user.role.startsWith("clinic") ? ok() : FORBIDDEN),
    check: (c, r) => r.body.report.total === 1 && r.body.report.version === 1,
  },
  {
    method: "PUT", path: "/api/daily-totals/2022-10-01", pathName: "/api/daily-totals/{day}", label: "naming another clinic",
    body: (c) => ({ institution_id: instOf(c) === "inst_demo_setagaya" ? "inst_demo_shinjuku" : "inst_demo_setagaya", counts: { "0": 2 } }),
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : c.user.role.startsWith("clinic") ? err(403, "OTHER_INSTITUTION") : FORBIDDEN),
  },
  {
    method: "GET", path: "/api/daily-totals/status/2022-10-01", pathName: "/api/daily-totals/status/{day}",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : [...HC_SJ, ...HC_SG, "pref_tokyo"].includes(c.name) ? ok() : FORBIDDEN),
    check: (c, r) => {
      const ids = r.body.clinics.map((x) => x.institution_id);
      const own = c.hc === SHINJUKU ? "inst_demo_shinjuku" : c.hc === SETAGAYA ? "inst_demo_setagaya" : null;
      return own ? ids.includes(own) && ids.every((i) => r.body.clinics.find((x) => x.institution_id === i).health_center_id === c.hc)
        : ids.includes("inst_demo_shinjuku") && ids.includes("inst_demo_setagaya");
    },
  },
  {
    method: "GET", path: "/api/sentinel/sites",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : [...HC_SJ, ...HC_SG, "pref_tokyo"].includes(c.name) ? ok() : FORBIDDEN),
    check: (c, r) => r.body.sites.every((s) => !c.hc || s.health_center_id === c.hc),
  },
  {
    method: "POST", path: "/api/sentinel/sites", label: "a Shinjuku clinic (Shinjuku's administrator: a Tuesday)",
    body: (c) => ({ institution_id: "inst_demo_shinjuku", from_week: c.name === "hc_admin_shinjuku" ? "2023-05-09" : "2023-05-08" }),
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : c.name === "hc_staff_shinjuku" ? ok(201)
      : c.name === "hc_admin_shinjuku" ? err(422, "NOT_WEEK_START") : FORBIDDEN),
  },
  {
    method: "GET", path: "/api/sentinel/reports/2023-05-08", pathName: "/api/sentinel/reports/{week}",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : c.user.role.startsWith("clinic") ? ok() : FORBIDDEN),
    check: (c, r) => r.body.designated === (instOf(c) === "inst_demo_shinjuku"),
  },
  {
    method: "PUT", path: "/api/sentinel/reports/2023-05-08", pathName: "/api/sentinel/reports/{week}", body: { counts: { "0-9": 1 } },
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : CLINIC_SJ.includes(c.name) ? ok()
      : c.name === "doctor_setagaya" ? err(403, "NOT_SENTINEL_SITE") : FORBIDDEN),
    check: (c, r) => r.body.report.total === 1,
  },
  {
    method: "POST", path: "/api/sentinel/sites/inst_demo_shinjuku/end", pathName: "/api/sentinel/sites/{institution}/end",
    label: "Shinjuku's administrator: a week that is no date",
    body: (c) => ({ last_week: c.name === "hc_admin_shinjuku" ? "x" : "2023-05-15" }),
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : c.name === "hc_staff_shinjuku" ? ok(204)
      : c.name === "hc_admin_shinjuku" ? err(422, "VALIDATION_FAILED") : FORBIDDEN),
  },
  {
    method: "GET", path: "/api/counts?from=2022-10-01&to=2022-10-01", pathName: "/api/counts",
    // Clinics and the follow-up center have no dashboard (as for /api/dashboard).
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : c.user.role.startsWith("clinic") || c.user.role === "follow_up_center" ? FORBIDDEN : ok()),
    check: (c, r) => r.body.days.length === 1 && r.body.days[0].daily_totals[0] === (c.hc === SHINJUKU ? 1 : c.hc === SETAGAYA ? 1 : 2)
      && r.body.area === (c.hc ? "health_center" : c.name === "pref_tokyo" ? "prefecture" : "nation"),
  },
  // The phone's endpoints answer only the phone's own session (a staff session is no session there).
  { method: "GET", path: "/api/observe/me", expect: everyone(UNAUTHENTICATED) },
  { method: "POST", path: "/api/observe/reports", body: { reports: [] }, expect: everyone(UNAUTHENTICATED) },
  {
    method: "POST", path: "/api/observe/signin", label: "unknown スマホ入力ID",
    // One ID per column: the per-ID throttle must not be what answers.
    body: (c) => ({ smartphone_id: String(1000000000 + columns.indexOf(c) * 104729), date_of_birth: "1980-01-01" }),
    expect: everyone(err(401, "OBSERVE_SIGN_IN_FAILED")),
  },
  { method: "POST", path: "/api/observe/passkey/options", label: "needs the phone's session", expect: everyone(UNAUTHENTICATED) },
  {
    method: "POST", path: "/api/observe/passkey", label: "needs the phone's session",
    body: () => ({ credential_json: JSON.stringify(garbageRegistration()) }), expect: everyone(UNAUTHENTICATED),
  },
  { method: "POST", path: "/api/observe/passkey/signin/options", expect: everyone(ok()) },
  {
    method: "POST", path: "/api/observe/passkey/signin", label: "unregistered key",
    body: () => ({ credential_json: JSON.stringify(strangerAssertion()) }),
    expect: everyone(err(401, "WEBAUTHN_FAILED")),
  },
  { method: "GET", path: "/api/observe/signin", label: "never in a URL", expect: everyone(err(405, "METHOD_NOT_ALLOWED")) },
  { method: "POST", path: "/api/observe/signout", expect: everyone(ok(204)) },
  // Self-registration of positives (issue 21): the public page and the review queue.
  {
    method: "POST", path: "/api/self-registrations", label: "public: anyone, a receipt only",
    body: (c) => selfRegistration(100 + columns.indexOf(c)), headers: addressOf, expect: everyone(ok(201)),
    check: (c, r) => Object.keys(r.body).join() === "receipt",
  },
  {
    method: "GET", path: "/api/self-registrations",
    expect: reviewers([...HC_SJ, ...HC_SG, "followup_tokyo"], ok()),
    check: (c, r) => r.body.items.some((i) => i.id === targets.srPending) === REVIEWS_SJ.includes(c.name),
  },
  {
    method: "GET", path: () => `/api/self-registrations/${targets.srPending}`, pathName: "/api/self-registrations/{id}",
    expect: reviewers(REVIEWS_SJ, ok()),
    check: (c, r) => r.body.summary.status === "pending",
  },
  {
    method: "POST", path: () => `/api/self-registrations/${targets.srPending}/reject`, pathName: "/api/self-registrations/{id}/reject",
    label: "without a reason", body: { reason: " " }, expect: reviewers(REVIEWS_SJ, err(422, "REASON_REQUIRED")),
  },
  {
    method: "POST", path: () => `/api/self-registrations/${targets.srRejected}/confirm`, pathName: "/api/self-registrations/{id}/confirm",
    label: "already rejected", expect: reviewers(REVIEWS_SJ, err(409, "REQUEST_CLOSED")),
  },
  {
    method: "POST", path: () => `/api/self-registrations/${targets.srRejected}/reject`, pathName: "/api/self-registrations/{id}/reject",
    label: "already rejected", body: { reason: "再度" }, expect: reviewers(REVIEWS_SJ, err(409, "REQUEST_CLOSED")),
  },
  {
    method: "GET", path: () => `/api/cases/${targets.srCase}`, pathName: "/api/cases/{id}",
    label: "a record the follow-up center's confirmation made: its slip",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : [...HC_SJ, "pref_tokyo", "followup_tokyo"].includes(c.name) ? ok() : FORBIDDEN),
    check: (c, r) => sidShownOnlyTo([...HC_SJ, "followup_tokyo"].includes(c.name), r.body.smartphone_id)
      && r.body.can_edit === HC_SJ.includes(c.name),
  },
  {
    method: "GET", path: () => `/api/cases/${targets.srCase}/observation`, pathName: "/api/cases/{id}/observation",
    label: "a record the follow-up center's confirmation made",
    expect: (c) => (c.kind !== "user" ? UNAUTHENTICATED : [...HC_SJ, "pref_tokyo", "followup_tokyo"].includes(c.name) ? ok() : FORBIDDEN),
    check: (c, r) => r.body.observation?.kind === "patient" && r.body.can_manage === HC_SJ.includes(c.name),
  },
  // Exports (issue 22): FHIR for clinics (own filings), health centers and the prefecture; CSV for health centers and
  // the prefecture; open data for the prefecture and the nation. Everyone else FORBIDDEN (audited).
  ...["fhir", "csv", "open_data"].flatMap((kind) => {
    const allowed = {
      fhir: (c) => c.user.role.startsWith("clinic") || c.user.role.startsWith("health_center") || c.name === "pref_tokyo",
      csv: (c) => c.user.role.startsWith("health_center") || c.name === "pref_tokyo",
      open_data: (c) => c.name === "pref_tokyo" || c.name === "mhlw",
    }[kind];
    const expect = (c) => (c.kind !== "user" ? UNAUTHENTICATED : allowed(c) ? ok() : FORBIDDEN);
    const body = { kind, from: "2022-10-01", to: "2022-10-01" };
    return [
      {
        method: "POST", path: "/api/exports/preview", label: kind, body, expect,
        check: (c, r) => r.body.kind === kind && typeof r.body.count === "number" && r.body.scope.length > 0,
      },
      {
        method: "POST", path: "/api/exports/download", label: kind, body, expect,
        check: (c, r) => /^\d+$/.test(r.headers.get("x-export-count") ?? "") && /^exp_/.test(r.headers.get("x-export-id") ?? "")
          && /^attachment; filename="/.test(r.headers.get("content-disposition") ?? ""),
      },
    ];
  }),
  { method: "GET", path: "/api/exports/download", label: "criteria never in a URL", expect: everyone(err(405, "METHOD_NOT_ALLOWED")) },
  { method: "GET", path: "/api/bench/memory", label: "disabled outside tests and benchmarks", expect: everyone(err(404, "NOT_FOUND")) },
  { method: "POST", path: "/api/bench/select-all", label: "disabled outside tests and benchmarks", expect: everyone(err(404, "NOT_FOUND")) },
  { method: "POST", path: "/api/bench/export-plan", label: "disabled outside tests and benchmarks", expect: everyone(err(404, "NOT_FOUND")) },
  { method: "POST", path: "/api/bench/explain", label: "disabled outside tests and benchmarks", expect: everyone(err(404, "NOT_FOUND")) },
  { method: "POST", path: "/api/bench/insert", label: "disabled outside the benchmark", expect: everyone(err(404, "NOT_FOUND")) },
  // Last: it ends the columns' sessions.
  { method: "POST", path: "/api/auth/signout", expect: everyone(ok(204)) },
];

const rowName = (r) => `${r.method} ${r.pathName ?? r.path}${r.label ? ` (${r.label})` : ""}`;

/** The security headers and cookie flags every /api answer must carry (edge/src/security.rs, session.rs). */
function headerCheck(h) {
  const problems = [];
  const csp = h.get("content-security-policy") ?? "";
  if (!/default-src 'self'/.test(csp) || !/frame-ancestors 'none'/.test(csp) || /unsafe-inline/.test(csp)) problems.push("csp");
  if (!/max-age=\d+/.test(h.get("strict-transport-security") ?? "")) problems.push("hsts");
  if (h.get("x-content-type-options") !== "nosniff") problems.push("nosniff");
  if (h.get("cache-control") !== "no-store") problems.push("no-store");
  if (h.get("referrer-policy") !== "no-referrer") problems.push("referrer");
  for (const line of h.getSetCookie()) {
    if (!/; HttpOnly/.test(line) || !/; SameSite=Strict/.test(line) || !/; Path=\//.test(line)) problems.push(`cookie ${line.split("=")[0]}`);
  }
  return problems;
}

async function cell(row, c) {
  const path = typeof row.path === "function" ? row.path(c) : row.path;
  const body = typeof row.body === "function" ? await row.body(c) : row.body;
  const r = await new Client(edge).request(row.method, path, body ?? (row.method === "POST" || row.method === "PATCH" ? {} : undefined), {
    cookie: c.cookie, headers: row.headers ? row.headers(c) : {},
  });
  let outcome = r.status >= 200 && r.status < 300 ? String(r.status) : `${r.status} ${r.body?.error?.code}`;
  const headerProblems = headerCheck(r.headers);
  if (headerProblems.length) outcome += ` bad headers: ${headerProblems.join(", ")}`;
  if (r.status < 300 && row.check && !row.check(c, r)) outcome += ` unexpected body ${JSON.stringify(r.body).slice(0, 300)}`;
  return outcome;
}

let checks = 0;
test("access matrix", async (t) => {
  console.log(`access matrix: ${rows.length} endpoint rows × ${columns.length} principals = ${rows.length * columns.length} checks`);
  console.log(`  principals: ${columns.map((c) => c.name).join(", ")}`);
  for (const row of rows) {
    await t.test(rowName(row), async () => {
      const expected = {};
      const actual = {};
      const outcomes = await Promise.all(columns.map((c) => cell(row, c)));
      columns.forEach((c, i) => {
        expected[c.name] = row.expect(c);
        actual[c.name] = outcomes[i];
      });
      checks += columns.length;
      assert.deepEqual(actual, expected);
    });
  }
});

test("after the matrix: every session ended by its sign-out, the audit chain intact", async () => {
  assert.equal(checks, rows.length * columns.length);
  for (const c of columns.filter((x) => x.kind === "user")) {
    const r = await new Client(edge).get("/api/me", { cookie: c.cookie });
    assert.equal(r.status, 401, c.name);
  }
  const admin = await signIn(edge, DEMO_USERS.hc_admin_shinjuku.login_id, DEMO_PASSWORD);
  const v = await admin.client.get("/api/admin/audit/verify");
  assert.equal(v.body.valid, true, JSON.stringify(v.body));
  assert.ok(v.body.entries > rows.length, JSON.stringify(v.body));
});

test("an administrator cannot act on their own account (not even unlock or reactivate, nor by request)", async () => {
  const admin = await firstSignInAs(edge, "admin@shinjuku-hc.demo");
  for (const action of ["lock", "unlock", "reset", "deactivate", "reactivate"]) {
    const r = await admin.client.post(`/api/admin/accounts/${admin.user.id}/${action}`);
    assert.equal(r.status, 403, `${action}: ${JSON.stringify(r.body)}`);
    assert.equal(r.body.error.code, "FORBIDDEN");
    assert.equal(r.body.error.reason, "self");
  }
  assert.equal((await admin.client.get("/api/me")).status, 200, "still signed in");
});
