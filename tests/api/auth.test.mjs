// Sign-in over HTTP against the real worker (wrangler dev, local D1 and KV, demo data): password step, first key
// registration with recovery codes, assertions (replay, tampering, counters), lockout and unlock, recovery codes,
// accounts created by an administrator (initial password or invitation), the password policy, passkey-only
// sign-in, key management, the audit chain, cookie attributes and the Origin check. The authenticator is
// tests/support/softauthn.mjs (ES256 in node:crypto), on the origin the edge sees as its own.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEdge } from "../support/edge.mjs";
import {
  Client,
  DEMO_PASSWORD,
  DEMO_USERS,
  FLAGS,
  SoftAuthenticator,
  authenticatorFor,
  firstSignInAs,
  registerKey,
  signIn,
  stepUp,
  tamperSignature,
} from "../support/softauthn.mjs";
import { inviteToken, loggedMails, waitForMail } from "../support/mail.mjs";

let edge;
before(async () => {
  edge = await startEdge({ seedDemo: true });
});
after(async () => {
  await edge?.stop();
});

const b64url = (s) => Buffer.from(s).toString("base64url");
const GOOD_PASSWORD = "Kx7#mQ2$vLp9";

function assertError(r, status, code, where = "") {
  assert.equal(r.status, status, `${where} status; body ${JSON.stringify(r.body)}`);
  assert.equal(r.body?.error?.code, code, `${where} code; body ${JSON.stringify(r.body)}`);
  assert.equal(typeof r.body.error.message, "string");
  assert.ok(r.body.error.message.length > 0);
}

/** Password step only: returns the client holding the pending cookie, and the step. */
async function passwordStep(loginId, password = DEMO_PASSWORD, client = new Client(edge)) {
  const r = await client.post("/api/auth/password", { login_id: loginId, password });
  assert.equal(r.status, 200, `password step for ${loginId}: ${JSON.stringify(r.body)}`);
  return { client, step: r.body };
}

/** Every audit entry an administrator may see, following `next_before`, newest first. */
async function allAuditEntries(client) {
  const all = [];
  let before = "";
  for (;;) {
    const page = await client.get(`/api/admin/audit${before}`);
    assert.equal(page.status, 200, JSON.stringify(page.body));
    all.push(...page.body.entries);
    if (page.body.next_before == null) return all;
    before = `?before=${page.body.next_before}`;
  }
}

const submitAssertion = (client, assertion) =>
  client.post("/api/auth/webauthn", { credential_json: JSON.stringify(assertion) });

// Shared across tests, in file order.
let doctor; // the Shinjuku clinic doctor's first sign-in
let admin; // the Shinjuku health-center administrator

test("password step: an unknown sign-in ID and a wrong password get the same 401 INVALID_CREDENTIALS body", async () => {
  const c = new Client(edge);
  const unknown = await c.post("/api/auth/password", { login_id: "nobody@nowhere.demo", password: DEMO_PASSWORD });
  const wrong = await c.post("/api/auth/password", { login_id: DEMO_USERS.doctor_setagaya.login_id, password: "Wrong-Pass-2026" });
  const empty = await c.post("/api/auth/password", { login_id: "", password: "" });
  for (const [r, what] of [[unknown, "unknown id"], [wrong, "wrong password"], [empty, "empty"]]) {
    assertError(r, 401, "INVALID_CREDENTIALS", what);
    assert.equal(r.headers.getSetCookie().length, 0, `${what}: no cookie`);
  }
  assert.deepEqual(unknown.body, wrong.body, "no hint whether the ID exists");
  assert.deepEqual(empty.body, wrong.body);
  assert.equal(unknown.body.error.reason, undefined);
  // A malformed body is a 400, not a sign-in failure.
  assertError(await c.post("/api/auth/password", "{not json"), 400, "BAD_REQUEST");
  assertError(await c.post("/api/auth/password", { login_id: "x" }), 400, "BAD_REQUEST");
});

test("first sign-in: password, then the first key gives 10 recovery codes and a session; /api/me shows role and area", async () => {
  const { client, step } = await passwordStep(DEMO_USERS.doctor_shinjuku.login_id);
  assert.deepEqual(step, { next: "register_credential" });
  assert.ok(client.cookie("__Host-hs_pending"), "pending cookie after the password");
  assert.equal(client.cookie("__Host-hs_session"), undefined, "no session after the password alone");
  assertError(await client.get("/api/me"), 401, "UNAUTHENTICATED", "pending is not signed in");
  // The assertion step is not open to an account without a key.
  assertError(await client.post("/api/auth/webauthn/options"), 409, "SIGN_IN_STEP_REQUIRED");

  const authenticator = authenticatorFor(edge, DEMO_USERS.doctor_shinjuku.login_id);
  const reg = await registerKey(client, authenticator, "テスト用キー");
  const o = reg.options;
  assert.equal(o.rp.id, "localhost", "RP_ID from the configuration");
  assert.equal(o.user.id, b64url(DEMO_USERS.doctor_shinjuku.id), "user.id = base64url of the user id");
  assert.equal(o.user.name, DEMO_USERS.doctor_shinjuku.login_id);
  assert.equal(o.attestation, "none");
  assert.ok(o.pubKeyCredParams.some((p) => p.alg === -7));
  assert.deepEqual(o.excludeCredentials, []);
  assert.equal(reg.recovery_codes.length, 10);
  for (const code of reg.recovery_codes) assert.match(code, /^[2-9A-HJ-NP-Z]{5}-[2-9A-HJ-NP-Z]{5}$/);
  assert.equal(new Set(reg.recovery_codes).size, 10);
  assert.equal(reg.me.user_id, DEMO_USERS.doctor_shinjuku.id);
  assert.ok(client.cookie("__Host-hs_session"), "session cookie");
  assert.equal(client.cookie("__Host-hs_pending"), undefined, "pending cookie cleared");

  const me = await client.get("/api/me");
  assert.equal(me.status, 200);
  assert.equal(me.body.role, "clinic_doctor");
  assert.equal(me.body.login_id, DEMO_USERS.doctor_shinjuku.login_id);
  assert.equal(me.body.area_name, "新宿みなみクリニック");
  assert.deepEqual(me.body.jurisdiction, {
    kind: "institution",
    institution_id: "inst_demo_shinjuku",
    health_center_id: "HC13104",
    pref_code: "13",
  });
  const creds = await client.get("/api/me/credentials");
  assert.equal(creds.status, 200);
  assert.equal(creds.body.credentials.length, 1);
  assert.equal(creds.body.credentials[0].id, reg.credentialId);
  assert.equal(creds.body.credentials[0].name, "テスト用キー");

  // The pending sign-in was used up: registering a second "first key" with it is refused.
  const stale = new Client(edge);
  const p2 = await passwordStep(DEMO_USERS.doctor_shinjuku.login_id, DEMO_PASSWORD, stale);
  assert.equal(p2.step.next, "webauthn", "once a key exists, the second factor is an assertion");
  assertError(await stale.post("/api/auth/credentials/options"), 409, "SIGN_IN_STEP_REQUIRED", "no second first key");

  doctor = { client, authenticator, recoveryCodes: reg.recovery_codes, credentialId: reg.credentialId };
});

test("session and pending cookies are __Host- cookies: HttpOnly, Secure, SameSite=Strict, Path=/, no Domain; sign-out clears them", async () => {
  const c = new Client(edge);
  await signIn(edge, DEMO_USERS.doctor_shinjuku.login_id, DEMO_PASSWORD, { client: c });
  const pending = (await new Client(edge).post("/api/auth/password", {
    login_id: DEMO_USERS.doctor_shinjuku.login_id,
    password: DEMO_PASSWORD,
  })).headers.getSetCookie();
  assert.equal(pending.length, 1);
  for (const line of [pending[0], c.setCookies.get("__Host-hs_session")]) {
    const attrs = line.split(";").map((s) => s.trim().toLowerCase());
    assert.ok(attrs.includes("httponly"), line);
    assert.ok(attrs.includes("samesite=strict"), line);
    assert.ok(attrs.includes("path=/"), line);
    // __Host-: Secure, Path=/ and no Domain, or the browser drops it (browsers count http://localhost as secure).
    assert.ok(attrs.includes("secure"), line);
    assert.ok(!attrs.some((a) => a.startsWith("domain")), line);
    assert.match(line, /^__Host-hs_(session|pending)=[A-Za-z0-9_-]{40,}/, "a long random token");
  }
  assert.match(pending[0], /Max-Age=300\b/, "pending lasts as long as a challenge");
  assert.match(c.setCookies.get("__Host-hs_session"), /Max-Age=43200\b/, "absolute session lifetime 12 h");

  const out = await c.post("/api/auth/signout");
  assert.equal(out.status, 204);
  const cleared = out.headers.getSetCookie();
  for (const name of ["__Host-hs_session", "__Host-hs_pending"]) {
    const line = cleared.find((l) => l.startsWith(`${name}=`));
    assert.ok(line, `${name} cleared`);
    assert.match(line, /^__Host-[a-z_]+=;/);
    assert.match(line, /Max-Age=0\b/);
    assert.match(line, /HttpOnly/);
  }
});

test("sign-out ends the session on the server, not only the cookie", async () => {
  const s = await signIn(edge, DEMO_USERS.doctor_shinjuku.login_id, DEMO_PASSWORD);
  const cookie = s.cookie;
  assert.equal((await s.client.get("/api/me")).status, 200);
  assert.equal((await s.client.post("/api/auth/signout")).status, 204);
  assertError(await s.client.get("/api/me", { cookie }), 401, "UNAUTHENTICATED", "old cookie after sign-out");
  assertError(await s.client.get("/api/me/credentials", { cookie }), 401, "UNAUTHENTICATED");
  // Signing out again (or without any session) is harmless.
  assert.equal((await s.client.post("/api/auth/signout", {}, { cookie })).status, 204);
  assert.equal((await new Client(edge).post("/api/auth/signout")).status, 204);
});

test("second sign-in needs the password and then an assertion with the registered key", async () => {
  const { client, step } = await passwordStep(DEMO_USERS.doctor_shinjuku.login_id);
  assert.equal(step.next, "webauthn");
  const o = JSON.parse(step.options_json);
  assert.equal(o.rpId, "localhost");
  assert.deepEqual(o.allowCredentials, [{ type: "public-key", id: doctor.credentialId }]);
  assert.equal(o.userVerification, "preferred");
  assert.match(o.challenge, /^[A-Za-z0-9_-]{43}$/);
  assertError(await client.get("/api/me"), 401, "UNAUTHENTICATED", "password alone is not a session");
  // The assertion alone, without the password step, is refused.
  const assertion = doctor.authenticator.get(o);
  assertError(await submitAssertion(new Client(edge), assertion), 409, "SIGN_IN_STEP_REQUIRED", "no pending");
  const done = await submitAssertion(client, assertion);
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.equal(done.body.next, "done");
  assert.equal(done.body.me.user_id, DEMO_USERS.doctor_shinjuku.id);
  assert.equal((await client.get("/api/me")).status, 200);
  const creds = await client.get("/api/me/credentials");
  assert.ok(creds.body.credentials[0].last_used_at, "last use recorded");
});

test("a replayed assertion or a reused challenge fails with CHALLENGE_EXPIRED; a lower counter with sign_count_regressed", async () => {
  const first = await passwordStep(DEMO_USERS.doctor_shinjuku.login_id);
  const used = doctor.authenticator.get(first.step.options_json);
  assert.equal((await submitAssertion(first.client, used)).status, 200);

  const second = await passwordStep(DEMO_USERS.doctor_shinjuku.login_id);
  // The very same assertion again.
  assertError(await submitAssertion(second.client, used), 400, "CHALLENGE_EXPIRED", "replay");
  // A fresh signature (higher counter) over the used challenge.
  const reSigned = doctor.authenticator.get(first.step.options_json);
  assertError(await submitAssertion(second.client, reSigned), 400, "CHALLENGE_EXPIRED", "reused challenge");
  // A challenge issued for passkey-only sign-in (no user) does not serve another user's two-step sign-in.
  const passkeyOptions = (await new Client(edge).post("/api/auth/passkey/options")).body.options_json;
  const crossed = doctor.authenticator.get({ ...JSON.parse(passkeyOptions), allowCredentials: [] });
  assertError(await submitAssertion(second.client, crossed), 400, "CHALLENGE_EXPIRED", "passkey challenge");
  // A valid signature whose counter does not grow: a cloned authenticator.
  const cloned = doctor.authenticator.get(second.step.options_json, { signCount: 1 });
  const r = await submitAssertion(second.client, cloned);
  assertError(r, 401, "WEBAUTHN_FAILED", "regressed counter");
  assert.equal(r.body.error.reason, "sign_count_regressed");
  assertError(await second.client.get("/api/me"), 401, "UNAUTHENTICATED");
  // A new challenge and the genuine key still work.
  const again = await second.client.post("/api/auth/webauthn/options");
  assert.equal(again.status, 200);
  const ok = await submitAssertion(second.client, doctor.authenticator.get(again.body.options_json));
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
});

test("a tampered signature, a foreign origin or another key fail with WEBAUTHN_FAILED and a precise reason", async () => {
  const { client } = await passwordStep(DEMO_USERS.doctor_shinjuku.login_id);
  const fresh = async () => (await client.post("/api/auth/webauthn/options")).body.options_json;

  const tampered = tamperSignature(doctor.authenticator.get(await fresh()));
  let r = await submitAssertion(client, tampered);
  assertError(r, 401, "WEBAUTHN_FAILED", "tampered");
  assert.equal(r.body.error.reason, "bad_signature");

  r = await submitAssertion(client, doctor.authenticator.get(await fresh(), { origin: "https://evil.example" }));
  assertError(r, 401, "WEBAUTHN_FAILED", "origin");
  assert.equal(r.body.error.reason, "origin_mismatch");

  r = await submitAssertion(client, doctor.authenticator.get(await fresh(), { type: "webauthn.create" }));
  assertError(r, 401, "WEBAUTHN_FAILED", "ceremony type");
  assert.equal(r.body.error.reason, "wrong_ceremony_type");

  // A key registered to somebody else (here: a stranger's authenticator with its own key).
  const stranger = new SoftAuthenticator({ origin: edge.api });
  const strangerCred = stranger.create({
    challenge: b64url("x"), rp: { id: "localhost" }, user: { id: b64url("u_x") }, pubKeyCredParams: [{ alg: -7 }],
  });
  r = await submitAssertion(client, stranger.get(await fresh(), { credentialId: strangerCred.id }));
  assertError(r, 401, "WEBAUTHN_FAILED", "unknown key");
  assert.equal(r.body.error.reason, "unknown_credential");

  assertError(await client.get("/api/me"), 401, "UNAUTHENTICATED", "no session after failures");
  const ok = await submitAssertion(client, doctor.authenticator.get(await fresh()));
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.next, "done");
});

test("recovery code: signs in once instead of a key, never twice; case and separators do not matter", async () => {
  const [code0, code1] = doctor.recoveryCodes;
  const a = await passwordStep(DEMO_USERS.doctor_shinjuku.login_id);
  const r = await a.client.post("/api/auth/recovery", { code: code0 });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.next, "done");
  assert.equal(r.body.me.user_id, DEMO_USERS.doctor_shinjuku.id);
  assert.equal((await a.client.get("/api/me")).status, 200);
  // The code stands in for a lost key: this session may register a replacement at once (no step-up with the lost
  // key, which would be impossible), once.
  const replacement = await a.client.post("/api/auth/credentials/options");
  assert.equal(replacement.status, 200, JSON.stringify(replacement.body));

  const b = await passwordStep(DEMO_USERS.doctor_shinjuku.login_id);
  assertError(await b.client.post("/api/auth/recovery", { code: code0 }), 401, "INVALID_CREDENTIALS", "second use");
  assertError(await b.client.post("/api/auth/recovery", { code: "AAAAA-BBBBB" }), 401, "INVALID_CREDENTIALS", "made up");
  assertError(await b.client.get("/api/me"), 401, "UNAUTHENTICATED");
  const sloppy = ` ${code1.replace("-", "").toLowerCase()} `;
  const ok = await b.client.post("/api/auth/recovery", { code: sloppy });
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  // Without the password step, a code is worth nothing.
  assertError(await new Client(edge).post("/api/auth/recovery", { code: doctor.recoveryCodes[2] }), 409, "SIGN_IN_STEP_REQUIRED");
});

test("passkey-only sign-in: discoverable credential, user verification required, userHandle checked", async () => {
  const c = new Client(edge);
  const opts = await c.post("/api/auth/passkey/options");
  assert.equal(opts.status, 200);
  const o = JSON.parse(opts.body.options_json);
  assert.deepEqual(o.allowCredentials, []);
  assert.equal(o.userVerification, "required");
  assert.equal(o.rpId, "localhost");
  const cred = doctor.authenticator.credentials.get(doctor.credentialId);
  assert.equal(cred.userHandle, b64url(DEMO_USERS.doctor_shinjuku.id));

  // No user verification (presence only): refused.
  let r = await c.post("/api/auth/passkey", {
    credential_json: JSON.stringify(doctor.authenticator.get(o, { flags: FLAGS.UP })),
  });
  assertError(r, 401, "WEBAUTHN_FAILED", "UV missing");
  assert.equal(r.body.error.reason, "user_verification_missing");

  // Somebody else's user handle.
  const o2 = JSON.parse((await c.post("/api/auth/passkey/options")).body.options_json);
  r = await c.post("/api/auth/passkey", {
    credential_json: JSON.stringify(doctor.authenticator.get(o2, { userHandle: b64url(DEMO_USERS.mhlw.id) })),
  });
  assertError(r, 401, "WEBAUTHN_FAILED", "userHandle");
  assert.equal(r.body.error.reason, "user_handle_mismatch");
  assertError(await c.get("/api/me"), 401, "UNAUTHENTICATED");

  const o3 = JSON.parse((await c.post("/api/auth/passkey/options")).body.options_json);
  const assertion = doctor.authenticator.get(o3);
  assert.equal(assertion.response.userHandle, b64url(DEMO_USERS.doctor_shinjuku.id));
  r = await c.post("/api/auth/passkey", { credential_json: JSON.stringify(assertion) });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.next, "done");
  assert.equal(r.body.me.user_id, DEMO_USERS.doctor_shinjuku.id);
  assert.ok(c.cookie("__Host-hs_session"));
  assert.equal((await c.get("/api/me")).body.role, "clinic_doctor");
  // The same assertion twice.
  assertError(
    await new Client(edge).post("/api/auth/passkey", { credential_json: JSON.stringify(assertion) }),
    400,
    "CHALLENGE_EXPIRED",
    "passkey replay",
  );
});

test("key management: a second key can be added, renamed and removed; the last key cannot be removed", async () => {
  const s = await signIn(edge, DEMO_USERS.doctor_shinjuku.login_id, DEMO_PASSWORD);
  const c = s.client;
  // The registration options exclude the key the user has, so the same authenticator refuses to re-register.
  await stepUp(c, s.authenticator);
  const opts = JSON.parse((await c.post("/api/auth/credentials/options")).body.options_json);
  assert.deepEqual(opts.excludeCredentials.map((x) => x.id), [doctor.credentialId]);
  const spare = new SoftAuthenticator({ origin: edge.api });
  const added = await registerKey(c, spare, "予備キー");
  assert.deepEqual(added.recovery_codes ?? [], [], "recovery codes are issued with the first key only");
  let list = (await c.get("/api/me/credentials")).body.credentials;
  assert.equal(list.length, 2);

  assert.equal((await c.patch(`/api/me/credentials/${added.credentialId}`, { name: "  机の引き出しのキー  " })).status, 204);
  list = (await c.get("/api/me/credentials")).body.credentials;
  assert.equal(list.find((k) => k.id === added.credentialId).name, "机の引き出しのキー");
  assertError(await c.patch(`/api/me/credentials/${added.credentialId}`, { name: "   " }), 422, "VALIDATION_FAILED");
  assertError(await c.patch("/api/me/credentials/nope", { name: "x" }), 404, "NOT_FOUND");

  // Another user cannot rename or remove this user's keys.
  const other = await firstSignInAs(edge, "hc_staff_shinjuku");
  assertError(await other.client.patch(`/api/me/credentials/${added.credentialId}`, { name: "盗った" }), 404, "NOT_FOUND");
  assertError(await other.client.delete(`/api/me/credentials/${other.credentialId}`), 409, "LAST_CREDENTIAL");
  assert.equal((await c.get("/api/me/credentials")).body.credentials.length, 2, "untouched by the other user");

  // The spare key signs in too.
  const p = await passwordStep(DEMO_USERS.doctor_shinjuku.login_id);
  assert.equal(JSON.parse(p.step.options_json).allowCredentials.length, 2);
  assert.equal((await submitAssertion(p.client, spare.get(p.step.options_json, { credentialId: added.credentialId }))).status, 200);

  assert.equal((await c.delete(`/api/me/credentials/${doctor.credentialId}`)).status, 204);
  assertError(await c.delete(`/api/me/credentials/${added.credentialId}`), 409, "LAST_CREDENTIAL");
  list = (await c.get("/api/me/credentials")).body.credentials;
  assert.deepEqual(list.map((k) => k.id), [added.credentialId]);
  // The removed key no longer signs in.
  const q = await passwordStep(DEMO_USERS.doctor_shinjuku.login_id);
  const r = await submitAssertion(q.client, doctor.authenticator.get(q.step.options_json, { credentialId: doctor.credentialId }));
  assertError(r, 401, "WEBAUTHN_FAILED");
  assert.equal(r.body.error.reason, "unknown_credential");
  doctor.authenticator = spare;
  doctor.credentialId = added.credentialId;
  assert.equal((await submitAssertion(q.client, spare.get((await q.client.post("/api/auth/webauthn/options")).body.options_json))).status, 200);
});

test("removing a key that is not one of the caller's is NOT_FOUND (not LAST_CREDENTIAL), and removes nothing", async () => {
  const owner = await signIn(edge, DEMO_USERS.doctor_shinjuku.login_id, DEMO_PASSWORD, { authenticator: doctor.authenticator });
  const [ownerKey] = (await owner.client.get("/api/me/credentials")).body.credentials;
  const other = await signIn(edge, DEMO_USERS.hc_staff_shinjuku.login_id, DEMO_PASSWORD);
  assert.equal((await other.client.get("/api/me/credentials")).body.credentials.length, 1, "the other user has one key");
  const refused = await other.client.delete(`/api/me/credentials/${ownerKey.id}`);
  assert.equal((await owner.client.get("/api/me/credentials")).body.credentials.length, 1, "the owner's key is still there");
  assertError(refused, 404, "NOT_FOUND", "somebody else's key");
  assertError(await other.client.delete("/api/me/credentials/no-such-key"), 404, "NOT_FOUND", "no such key");
});

test("wrong passwords never lock: past 10 at a sign-in ID every answer is the unknown ID's 401, the right password without a key too; the area's admin's unlock clears it", async () => {
  const login = DEMO_USERS.staff_shinjuku.login_id;
  const c = new Client(edge);
  const unknown = await c.post("/api/auth/password", { login_id: "nobody-lockout@nowhere.demo", password: "Wrong-0-Pass" });
  assertError(unknown, 401, "INVALID_CREDENTIALS", "unknown");
  for (let i = 1; i <= 12; i++) {
    const r = await c.post("/api/auth/password", { login_id: login, password: `Wrong-${i}-Pass` });
    assertError(r, 401, "INVALID_CREDENTIALS", `failure ${i}`);
    assert.deepEqual(r.body, unknown.body, `failure ${i}: like an unknown ID`);
  }
  // The account has no key yet: past the limit its password alone would be the whole proof, so it is refused alike.
  const right = await c.post("/api/auth/password", { login_id: login, password: DEMO_PASSWORD });
  assertError(right, 401, "INVALID_CREDENTIALS", "right password past the limit, no key");
  assert.deepEqual(right.body, unknown.body, "no hint that the password was right");
  assert.equal(c.cookie("__Host-hs_pending"), undefined);

  admin = await firstSignInAs(edge, "hc_admin_shinjuku");
  const list = await admin.client.get("/api/admin/accounts");
  assert.equal(list.status, 200);
  const row = list.body.accounts.find((a) => a.id === DEMO_USERS.staff_shinjuku.id);
  assert.equal(row.locked, false, "wrong passwords lock no account");

  // Another area's administrator may not unlock.
  const setagaya = await firstSignInAs(edge, "hc_admin_setagaya");
  assertError(await setagaya.client.post(`/api/admin/accounts/${DEMO_USERS.staff_shinjuku.id}/unlock`), 403, "FORBIDDEN", "other area");
  const unlocked = await admin.client.post(`/api/admin/accounts/${DEMO_USERS.staff_shinjuku.id}/unlock`);
  assert.equal(unlocked.status, 200, JSON.stringify(unlocked.body));
  assert.equal(unlocked.body.account.locked, false);
  const s = await signIn(edge, login, DEMO_PASSWORD);
  assert.deepEqual(s.steps, ["register_credential"]);
  assert.equal(s.me.role, "clinic_staff");
});

test("admin-created account with an initial password: first sign-in must change it; weak passwords get PASSWORD_POLICY", async () => {
  const created = await admin.client.post("/api/admin/accounts", {
    login_id: "nurse@shinjuku-clinic.demo",
    display_name: "看護 九子",
    email: "nurse@shinjuku-clinic.demo",
    role: "clinic_staff",
    institution_id: "inst_demo_shinjuku",
    delivery: "initial_password",
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const { account, initial_password } = created.body;
  assert.equal(typeof initial_password, "string");
  assert.equal(initial_password.length, 16);
  assert.equal(created.body.invitation_path, undefined);
  assert.equal(account.role, "clinic_staff");
  assert.equal(account.must_change_password, true);
  assert.equal(account.credential_count, 0);
  assert.equal(account.area_name, "新宿みなみクリニック");
  // The same sign-in ID twice is a conflict.
  const dup = await admin.client.post("/api/admin/accounts", {
    login_id: "nurse@shinjuku-clinic.demo", display_name: "重複", email: "dup@her-sys.example", role: "clinic_staff",
    institution_id: "inst_demo_shinjuku", delivery: "initial_password",
  });
  assertError(dup, 409, "CONFLICT");

  const login = "nurse@shinjuku-clinic.demo";
  const { client, step } = await passwordStep(login, initial_password);
  assert.deepEqual(step, { next: "change_password" });
  // Neither a key nor an assertion before the password is changed.
  assertError(await client.post("/api/auth/credentials/options"), 409, "SIGN_IN_STEP_REQUIRED");
  assertError(await client.post("/api/auth/webauthn/options"), 409, "SIGN_IN_STEP_REQUIRED");

  const change = (new_password, { current = initial_password, confirmation = new_password } = {}) =>
    client.post("/api/auth/password/change", { current_password: current, new_password, confirmation });
  const rules = (r) => r.body.error.rules.map((x) => x.rule);
  const cases = [
    ["Ab1!", ["too_short"]],
    ["abcdefgh", ["too_few_character_classes"]],
    ["P@ssw0rd", ["common_password"]],
    ["Shinjuku#2026x", ["contains_sign_in_id"]],
    [initial_password, ["same_as_current"]],
    ["Kx7#mQ2$vLp9 ", ["disallowed_character"]],
  ];
  for (const [pw, expected] of cases) {
    const r = await change(pw);
    assertError(r, 422, "PASSWORD_POLICY", pw);
    assert.deepEqual(rules(r), expected, `${pw}: ${JSON.stringify(r.body.error.rules)}`);
  }
  let r = await change("ab", {});
  assert.deepEqual(rules(r), ["too_short", "too_few_character_classes"], "every broken rule at once");
  assert.deepEqual(r.body.error.rules[0], { rule: "too_short", min: 8, actual: 2 });
  r = await change("Shinjuku#2026x");
  assert.deepEqual(r.body.error.rules, [{ rule: "contains_sign_in_id", part: "shinjuku" }]);
  r = await change(GOOD_PASSWORD, { confirmation: "Kx7#mQ2$vLp8" });
  assert.deepEqual(rules(r), ["confirmation_mismatch"]);
  assertError(await change(GOOD_PASSWORD, { current: "Not-The-Initial-1" }), 401, "INVALID_CREDENTIALS", "wrong current");

  r = await change(GOOD_PASSWORD);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body, { next: "register_credential" });
  const reg = await registerKey(client, authenticatorFor(edge, login));
  assert.equal(reg.recovery_codes.length, 10);
  assert.equal(reg.me.login_id, login);
  assert.equal((await client.get("/api/me")).body.role, "clinic_staff");
  // The initial password is gone; the new one works with the key.
  assertError(await new Client(edge).post("/api/auth/password", { login_id: login, password: initial_password }), 401, "INVALID_CREDENTIALS");
  const again = await signIn(edge, login, GOOD_PASSWORD);
  assert.deepEqual(again.steps, ["webauthn"]);
});

test("admin reset revokes keys and sessions and e-mails a one-time link to the person (never to the admin); deactivation ends sessions", async () => {
  const login = "nurse@shinjuku-clinic.demo";
  const s = await signIn(edge, login, GOOD_PASSWORD);
  const id = s.me.user_id;
  const seen = loggedMails(edge).length;
  const reset = await admin.client.post(`/api/admin/accounts/${id}/reset`);
  assert.equal(reset.status, 200, JSON.stringify(reset.body));
  assert.equal(reset.body.account.must_change_password, true);
  assert.equal(reset.body.account.credential_count, 0);
  assert.equal(reset.body.initial_password, undefined, "the administrator gets no password");
  assert.equal(reset.body.reset_link_sent_to, "n***@shinjuku-clinic.demo");
  assertError(await s.client.get("/api/me"), 401, "UNAUTHENTICATED", "session ended by reset");
  assertError(await new Client(edge).post("/api/auth/password", { login_id: login, password: GOOD_PASSWORD }), 401, "INVALID_CREDENTIALS");
  const mail = await waitForMail(edge, "nurse@shinjuku-clinic.demo", "再設定", seen);
  const fresh = new SoftAuthenticator({ origin: edge.api });
  const c = new Client(edge);
  const accepted = await c.post("/api/invitations/accept", { token: inviteToken(mail), new_password: "Tz4%hW8!nRq2", confirmation: "Tz4%hW8!nRq2" });
  assert.deepEqual(accepted.body, { next: "register_credential" });
  const reg = await registerKey(c, fresh);
  assert.equal(reg.recovery_codes.length, 10);
  const s2 = { client: c };

  const off = await admin.client.post(`/api/admin/accounts/${id}/deactivate`);
  assert.equal(off.status, 200);
  assert.equal(off.body.account.status, "deactivated");
  assertError(await s2.client.get("/api/me"), 401, "UNAUTHENTICATED", "session ended by deactivation");
  assertError(await new Client(edge).post("/api/auth/password", { login_id: login, password: "Tz4%hW8!nRq2" }), 403, "ACCOUNT_DISABLED");
  const passkey = new Client(edge);
  const o = (await passkey.post("/api/auth/passkey/options")).body.options_json;
  assertError(await passkey.post("/api/auth/passkey", { credential_json: JSON.stringify(fresh.get(o)) }), 403, "ACCOUNT_DISABLED", "passkey");
  assert.equal((await admin.client.post(`/api/admin/accounts/${id}/reactivate`)).status, 200);
  const back = await signIn(edge, login, "Tz4%hW8!nRq2", { authenticator: fresh });
  assert.deepEqual(back.steps, ["webauthn"]);
});

test("invitation: the link's token sets the user's own password, then a key; it works once", async () => {
  const created = await admin.client.post("/api/admin/accounts", {
    login_id: "epi@shinjuku-hc.demo",
    display_name: "疫学 十子",
    email: "epi@her-sys.example",
    role: "health_center_staff",
    delivery: "invitation",
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  assert.equal(created.body.initial_password, undefined, "no password is shown for an invitation");
  const path = created.body.invitation_path;
  assert.match(path, /^\/invite#[A-Za-z0-9_-]{40,}$/);
  assert.ok(created.body.invitation_expires_at > Date.now() + 71 * 3600 * 1000);
  const token = path.slice(path.indexOf("#") + 1);

  const c = new Client(edge);
  const accept = (new_password, confirmation = new_password, t = token) =>
    c.post("/api/invitations/accept", { token: t, new_password, confirmation });
  let r = await accept("epi");
  assertError(r, 422, "PASSWORD_POLICY", "weak password keeps the link usable");
  assert.ok(r.body.error.rules.some((x) => x.rule === "too_short"));
  assert.ok(r.body.error.rules.some((x) => x.rule === "contains_sign_in_id"));
  r = await accept(GOOD_PASSWORD, "mismatch");
  assert.deepEqual(r.body.error.rules.map((x) => x.rule), ["confirmation_mismatch"]);
  r = await accept(GOOD_PASSWORD, GOOD_PASSWORD, "not-a-token");
  assertError(r, 400, "CHALLENGE_EXPIRED", "unknown token");
  assert.equal(r.body.error.reason, "invitation");

  r = await accept(GOOD_PASSWORD);
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.deepEqual(r.body, { next: "register_credential" });
  assert.ok(c.cookie("__Host-hs_pending"));
  const reg = await registerKey(c, authenticatorFor(edge, "epi@shinjuku-hc.demo"));
  assert.equal(reg.recovery_codes.length, 10);
  assert.equal(reg.me.role, "health_center_staff");
  assert.equal(reg.me.area_name, "新宿区保健所");

  r = await new Client(edge).post("/api/invitations/accept", { token, new_password: "Other#Pass77", confirmation: "Other#Pass77" });
  assertError(r, 400, "CHALLENGE_EXPIRED", "second use");
  assert.equal(r.body.error.reason, "invitation");
  const s = await signIn(edge, "epi@shinjuku-hc.demo", GOOD_PASSWORD);
  assert.deepEqual(s.steps, ["webauthn"]);
});

test("audit: the chain verifies with a non-zero count; the admin's log shows sign-ins of their area only", async () => {
  const v = await admin.client.get("/api/admin/audit/verify");
  assert.equal(v.status, 200);
  assert.equal(v.body.valid, true, JSON.stringify(v.body));
  assert.ok(v.body.entries > 20, JSON.stringify(v.body));
  assert.equal(v.body.first_bad_seq, null);

  const entries = await allAuditEntries(admin.client);
  assert.ok(entries.length > 0);
  const seqs = entries.map((e) => e.seq);
  assert.deepEqual(seqs, [...seqs].sort((a, b) => b - a), "newest first");
  const shinjuku = new Set(Object.values(DEMO_USERS).filter((u) => u.login_id.includes("shinjuku")).map((u) => u.id));
  const signIns = entries.filter((e) => e.action === "sign_in" && e.outcome === "ok");
  assert.ok(signIns.some((e) => e.actor_user_id === DEMO_USERS.doctor_shinjuku.id), "the clinic doctor's sign-in");
  assert.ok(signIns.some((e) => e.actor_user_id === DEMO_USERS.hc_admin_shinjuku.id), "the admin's own sign-in");
  assert.ok(entries.some((e) => e.action === "sign_in_password" && e.outcome === "failure_throttled"), "past the ID's limit");
  assert.ok(entries.some((e) => e.action === "account_unlock" && e.target === DEMO_USERS.staff_shinjuku.id));
  for (const e of entries) {
    if (e.actor_user_id?.startsWith("u_demo_")) assert.ok(shinjuku.has(e.actor_user_id), `foreign entry ${JSON.stringify(e)}`);
    assert.doesNotMatch(JSON.stringify(e), /Demo-Hersys|@/, "no passwords or sign-in IDs in the log");
  }
  // The Setagaya admin's page holds Setagaya's entries (the failed password of the Setagaya doctor).
  const setagaya = await signIn(edge, DEMO_USERS.hc_admin_setagaya.login_id, DEMO_PASSWORD);
  const theirs = await allAuditEntries(setagaya.client);
  assert.ok(theirs.some((e) => e.target === DEMO_USERS.doctor_setagaya.id && e.outcome === "failure"));
  assert.ok(theirs.every((e) => !shinjuku.has(e.actor_user_id ?? "")));
  // Paging: `before` gives older entries only.
  const older = await admin.client.get(`/api/admin/audit?before=${seqs[2]}`);
  assert.ok(older.body.entries.every((e) => e.seq < seqs[2]));
});

test("an administrator's lock stops a sign-in half way at the assertion and recovery steps", async () => {
  const login = "epi@shinjuku-hc.demo";
  const { client, step } = await passwordStep(login, GOOD_PASSWORD);
  assert.equal(step.next, "webauthn");
  const id = (await admin.client.get("/api/admin/accounts")).body.accounts.find((a) => a.login_id === login).id;
  assert.equal((await admin.client.post(`/api/admin/accounts/${id}/lock`)).status, 200);
  const authenticator = authenticatorFor(edge, login);
  assertError(await submitAssertion(client, authenticator.get(step.options_json)), 423, "ACCOUNT_LOCKED", "assertion");
  assertError(await client.post("/api/auth/recovery", { code: "AAAAA-BBBBB" }), 423, "ACCOUNT_LOCKED", "recovery");
  assertError(await new Client(edge).post("/api/auth/password", { login_id: login, password: GOOD_PASSWORD }), 423, "ACCOUNT_LOCKED");
  assert.equal(client.cookie("__Host-hs_session"), undefined);
  assert.equal((await admin.client.post(`/api/admin/accounts/${id}/unlock`)).status, 200);
  // The lock ended the half-done sign-in: after the unlock it starts over from the password.
  assertError(await client.post("/api/auth/webauthn/options"), 409, "SIGN_IN_STEP_REQUIRED", "old pending after unlock");
  const again = await passwordStep(login, GOOD_PASSWORD);
  assert.equal((await submitAssertion(again.client, authenticator.get(again.step.options_json))).status, 200, "after unlock");
});

test("an administrator's lock ends the sessions the account already has", async () => {
  const login = "epi@shinjuku-hc.demo";
  const { client, step } = await passwordStep(login, GOOD_PASSWORD);
  assert.equal((await submitAssertion(client, authenticatorFor(edge, login).get(step.options_json))).status, 200);
  assert.equal((await client.get("/api/me")).status, 200);
  const id = (await admin.client.get("/api/admin/accounts")).body.accounts.find((a) => a.login_id === login).id;
  assert.equal((await admin.client.post(`/api/admin/accounts/${id}/lock`)).status, 200);
  assertError(await client.get("/api/me"), 401, "UNAUTHENTICATED", "session after lock");
  assert.equal((await admin.client.post(`/api/admin/accounts/${id}/unlock`)).status, 200);
  assertError(await client.get("/api/me"), 401, "UNAUTHENTICATED", "a lock's end does not revive old sessions");
});

test("an administrator's lock stops a first sign-in half way: no first key and no session (ACCOUNT_LOCKED)", async () => {
  const setagaya = await signIn(edge, DEMO_USERS.hc_admin_setagaya.login_id, DEMO_PASSWORD);
  const target = DEMO_USERS.hc_staff_setagaya;
  const { client, step } = await passwordStep(target.login_id);
  assert.deepEqual(step, { next: "register_credential" });
  assert.equal((await setagaya.client.post(`/api/admin/accounts/${target.id}/lock`)).status, 200);
  try {
    // Refused at the options or at the registration, either way before a key is stored or a session starts.
    let r = await client.post("/api/auth/credentials/options");
    if (r.status === 200) {
      const credential = new SoftAuthenticator({ origin: edge.api }).create(r.body.options_json);
      r = await client.post("/api/auth/credentials", { credential_json: JSON.stringify(credential) });
    }
    const signedIn = client.cookie("__Host-hs_session") !== undefined;
    const keys = (await setagaya.client.get("/api/admin/accounts")).body.accounts.find((a) => a.id === target.id).credential_count;
    assertError(r, 423, "ACCOUNT_LOCKED", "first key while locked");
    assert.equal(signedIn, false, "no session for a locked account");
    assert.equal(keys, 0, "no key stored for a locked account");
  } finally {
    await setagaya.client.post(`/api/admin/accounts/${target.id}/unlock`);
  }
});

test("an administrator's lock stops a first sign-in at the password change (ACCOUNT_LOCKED)", async () => {
  const setagaya = await signIn(edge, DEMO_USERS.hc_admin_setagaya.login_id, DEMO_PASSWORD);
  const created = await setagaya.client.post("/api/admin/accounts", {
    login_id: "newbie@setagaya-hc.demo", display_name: "新人 十一", email: "newbie@her-sys.example", role: "health_center_staff", delivery: "initial_password",
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const { client, step } = await passwordStep("newbie@setagaya-hc.demo", created.body.initial_password);
  assert.deepEqual(step, { next: "change_password" });
  assert.equal((await setagaya.client.post(`/api/admin/accounts/${created.body.account.id}/lock`)).status, 200);
  const r = await client.post("/api/auth/password/change", {
    current_password: created.body.initial_password, new_password: GOOD_PASSWORD, confirmation: GOOD_PASSWORD,
  });
  assertError(r, 423, "ACCOUNT_LOCKED", "password change while locked");
});

test("passkey-only sign-in without a userHandle is refused (WebAuthn §7.2 step 6: the user was not identified)", async () => {
  const c = new Client(edge);
  const o = (await c.post("/api/auth/passkey/options")).body.options_json;
  const assertion = doctor.authenticator.get(o, { userHandle: null });
  assert.equal(assertion.response.userHandle, undefined);
  const r = await c.post("/api/auth/passkey", { credential_json: JSON.stringify(assertion) });
  assertError(r, 401, "WEBAUTHN_FAILED", "no userHandle");
  assert.equal(c.cookie("__Host-hs_session"), undefined);
});

test("a credential ID registered to one account cannot be registered to another (409 CONFLICT); the owner keeps it", async () => {
  const { client, step } = await passwordStep(DEMO_USERS.doctor_setagaya.login_id);
  assert.deepEqual(step, { next: "register_credential" });
  const thief = new SoftAuthenticator({ origin: edge.api });
  const opts = (await client.post("/api/auth/credentials/options")).body.options_json;
  const claimed = thief.create(opts, { credentialId: doctor.credentialId });
  assert.equal(claimed.id, doctor.credentialId);
  assertError(await client.post("/api/auth/credentials", { credential_json: JSON.stringify(claimed) }), 409, "CONFLICT");
  assert.equal(client.cookie("__Host-hs_session"), undefined, "no session from a refused key");
  // The owner still signs in with it; a passkey assertion by the claimant's key is refused.
  const owner = await signIn(edge, DEMO_USERS.doctor_shinjuku.login_id, DEMO_PASSWORD, { authenticator: doctor.authenticator });
  assert.equal(owner.me.user_id, DEMO_USERS.doctor_shinjuku.id);
  const pc = new Client(edge);
  const po = (await pc.post("/api/auth/passkey/options")).body.options_json;
  const forged = await pc.post("/api/auth/passkey", { credential_json: JSON.stringify(thief.get(po, { credentialId: claimed.id })) });
  assertError(forged, 401, "WEBAUTHN_FAILED");
  // The claimant can still register a key of their own with the same pending sign-in.
  const reg = await registerKey(client, authenticatorFor(edge, DEMO_USERS.doctor_setagaya.login_id));
  assert.equal(reg.recovery_codes.length, 10);
});

test("state-changing requests from a foreign Origin (or none) are refused with 403 ORIGIN_MISMATCH", async () => {
  const login = { login_id: DEMO_USERS.hc_staff_setagaya.login_id, password: DEMO_PASSWORD };
  const c = new Client(edge);
  for (const origin of ["https://evil.example", `http://127.0.0.1:${edge.port}`, `http://localhost:${edge.port + 1}`, "null", null]) {
    const r = await c.post("/api/auth/password", login, { origin });
    assertError(r, 403, "ORIGIN_MISMATCH", String(origin));
    assert.equal(r.headers.getSetCookie().length, 0);
  }
  // With a valid session cookie too: no account is created, no key removed, no sign-out.
  const before = (await admin.client.get("/api/admin/accounts")).body.accounts.length;
  const create = await admin.client.post(
    "/api/admin/accounts",
    { login_id: "csrf@shinjuku-hc.demo", display_name: "偽", role: "health_center_staff", delivery: "initial_password" },
    { origin: "https://evil.example" },
  );
  assertError(create, 403, "ORIGIN_MISMATCH");
  assert.equal((await admin.client.get("/api/admin/accounts")).body.accounts.length, before);
  assertError(await admin.client.delete(`/api/me/credentials/${admin.credentialId}`, { origin: "https://evil.example" }), 403, "ORIGIN_MISMATCH");
  assertError(await admin.client.post("/api/auth/signout", {}, { origin: "https://evil.example" }), 403, "ORIGIN_MISMATCH");
  assert.equal((await admin.client.get("/api/me")).status, 200, "still signed in");
  // GET needs no Origin.
  assert.equal((await admin.client.get("/api/me", { headers: { origin: "https://evil.example" } })).status, 200);
  // And the right Origin passes.
  assert.equal((await c.post("/api/auth/password", login)).status, 200);
});

test("50 failed sign-ins from one address within 15 minutes refuse that address (429 TOO_MANY_ATTEMPTS), not others", async () => {
  // wrangler dev passes `cf-connecting-ip` through; on Cloudflare the platform sets it.
  const from = { headers: { "cf-connecting-ip": "203.0.113.50" } };
  const c = new Client(edge);
  const good = { login_id: DEMO_USERS.pref_tokyo.login_id, password: DEMO_PASSWORD };
  // Unknown IDs and wrong passwords both count.
  for (let i = 0; i < 50; i++) {
    const bad = i % 10 ? { login_id: `nobody${i}@nowhere.demo`, password: "x" } : { ...good, password: `Wrong-${i}` };
    assertError(await c.post("/api/auth/password", bad, from), 401, "INVALID_CREDENTIALS", `failure ${i + 1}`);
  }
  assertError(await c.post("/api/auth/password", { login_id: "nobody@nowhere.demo", password: "x" }, from), 429, "TOO_MANY_ATTEMPTS");
  assertError(await c.post("/api/auth/password", { ...good, login_id: DEMO_USERS.mhlw.login_id }, from), 429, "TOO_MANY_ATTEMPTS", "right password");
  const elsewhere = await c.post("/api/auth/password", { ...good, login_id: DEMO_USERS.mhlw.login_id }, { headers: { "cf-connecting-ip": "203.0.113.51" } });
  assert.equal(elsewhere.status, 200, "another address is not affected");
});

// ---- issue 20: throttles counted before the check, enumeration, anonymous writes, base64url ------------------------

/** Rows of a query on the running edge's core database (the shards' audit entries forwarded first). */
const d1 = (sql) => edge.d1(sql);

const from = (address) => ({ headers: { "cf-connecting-ip": address } });
const tally = (responses) => responses.reduce((t, r) => ({ ...t, [r.status]: (t[r.status] ?? 0) + 1 }), {});

/** A new health-center account of Shinjuku with its key and recovery codes (first sign-in done). */
async function newAccountWithKey(login) {
  const adm = await signIn(edge, DEMO_USERS.hc_admin_shinjuku.login_id, DEMO_PASSWORD);
  const created = await adm.client.post("/api/admin/accounts", {
    login_id: login, display_name: "試験 二十", email: `${login.replace("@", ".")}@her-sys.example`,
    role: "health_center_staff", delivery: "initial_password",
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const s = await signIn(edge, login, created.body.initial_password, { newPassword: GOOD_PASSWORD });
  return { ...s, id: created.body.account.id, adm };
}

test("60 simultaneous wrong passwords from one address: exactly 50 are checked (401), 10 refused (429); the right password from it is refused too", async () => {
  const address = "198.51.100.60";
  const all = await Promise.all(Array.from({ length: 60 }, (_, i) =>
    new Client(edge).post("/api/auth/password", { login_id: `parallel${i}@nowhere.demo`, password: "Wrong-Pass-1" }, from(address))));
  assert.deepEqual(tally(all), { 401: 50, 429: 10 });
  for (const r of all) assertError(r, r.status, r.status === 401 ? "INVALID_CREDENTIALS" : "TOO_MANY_ATTEMPTS");
  const right = await new Client(edge).post("/api/auth/password", { login_id: DEMO_USERS.mhlw.login_id, password: DEMO_PASSWORD }, from(address));
  assertError(right, 429, "TOO_MANY_ATTEMPTS", "right password after the limit");
  // Anonymous failures: 50 audit rows for the address, then one summarising row, then none (61 failures in all).
  const rows = d1(`SELECT action, outcome FROM audit_log WHERE client_address = '${address}'`);
  assert.equal(rows.length, 51, JSON.stringify(tally(rows.map((r) => ({ status: r.outcome })))));
  assert.equal(rows.filter((r) => r.action === "anonymous_failures" && r.outcome === "capped").length, 1);
  const [counter] = d1(`SELECT count FROM observe_failures WHERE key = 'audit:${address}'`);
  assert.equal(counter.count, 61, "the failures past the cap are counted, not logged");
});

test("50 simultaneous wrong passwords at one sign-in ID from 50 addresses: all answer like an unknown ID, 10 are counted as failures; the owner with password and key still signs in, a recovery code does not", async () => {
  const login = "target20@shinjuku-hc.test";
  const owner = await newAccountWithKey(login);
  const unknown = await new Client(edge).post("/api/auth/password", { login_id: "ghost20@nowhere.test", password: "Wrong-Pass-1" }, from("198.51.100.250"));
  const all = await Promise.all(Array.from({ length: 50 }, (_, i) =>
    new Client(edge).post("/api/auth/password", { login_id: login, password: `Wrong-${i}-Pass` }, from(`198.51.100.${100 + i}`))));
  for (const r of all) {
    assertError(r, 401, "INVALID_CREDENTIALS");
    assert.deepEqual(r.body, unknown.body, "indistinguishable from an unknown ID");
    assert.equal(r.headers.getSetCookie().length, 0);
  }
  // An unknown ID past its limit answers the same too.
  for (let i = 0; i < 12; i++) {
    const r = await new Client(edge).post("/api/auth/password", { login_id: "ghost20@nowhere.test", password: "Wrong-Pass-1" }, from(`198.51.100.${200 + i}`));
    assert.deepEqual([r.status, r.body], [401, unknown.body]);
  }
  const entries = (await allAuditEntries(owner.adm.client)).filter((e) => e.target === owner.id && e.action === "sign_in_password");
  assert.equal(entries.filter((e) => e.outcome === "failure").length, 10, "at most the limit checked as plain failures");
  assert.equal(entries.filter((e) => e.outcome === "failure_throttled").length, 40);

  // The owner: the right password leads only to the key step, and only a key finishes it.
  const { client, step } = await passwordStep(login, GOOD_PASSWORD, new Client(edge));
  assert.equal(step.next, "webauthn");
  assertError(await client.post("/api/auth/recovery", { code: owner.recoveryCodes[0] }), 401, "INVALID_CREDENTIALS", "recovery code past the limit");
  assert.equal(client.cookie("__Host-hs_session"), undefined);
  const done = await submitAssertion(client, owner.authenticator.get(step.options_json));
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.equal(done.body.me.user_id, owner.id);
  // Signed in: the ID's count starts afresh, and the password alone works as before (a recovery code is accepted).
  const again = await passwordStep(login, GOOD_PASSWORD, new Client(edge));
  assert.equal((await again.client.post("/api/auth/recovery", { code: owner.recoveryCodes[0] })).status, 200);
});

test("a credential id whose last character has non-zero trailing bits names the same key (passkey and second step)", async () => {
  const login = "bits20@shinjuku-hc.test";
  const owner = await newAccountWithKey(login);
  const flipLastBits = (id) => {
    const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_";
    assert.equal(Buffer.from(id, "base64url").length % 3, 2, "the last character has 2 unused bits");
    const last = alphabet.indexOf(id.at(-1));
    return id.slice(0, -1) + alphabet[last | 0b11];
  };
  const odd = flipLastBits(owner.credentialId);
  assert.notEqual(odd, owner.credentialId);
  assert.deepEqual(Buffer.from(odd, "base64url"), Buffer.from(owner.credentialId, "base64url"));

  // Passkey-only sign-in.
  const pc = new Client(edge);
  const po = (await pc.post("/api/auth/passkey/options")).body.options_json;
  const assertion = owner.authenticator.get(po);
  const r = await pc.post("/api/auth/passkey", { credential_json: JSON.stringify({ ...assertion, id: odd, rawId: odd }) });
  assert.equal(r.status, 200, JSON.stringify(r.body));
  assert.equal(r.body.me.user_id, owner.id);
  // The second step after the password, with padding as well.
  const { client, step } = await passwordStep(login, GOOD_PASSWORD, new Client(edge));
  const second = owner.authenticator.get(step.options_json);
  const padded = await submitAssertion(client, { ...second, id: odd, rawId: `${odd}=` });
  assert.equal(padded.status, 200, JSON.stringify(padded.body));
  // Text that is not base64url at all stays a 400.
  const bad = new Client(edge);
  const bo = (await bad.post("/api/auth/passkey/options")).body.options_json;
  const broken = owner.authenticator.get(bo);
  assertError(await bad.post("/api/auth/passkey", { credential_json: JSON.stringify({ ...broken, id: "a+b", rawId: "a+b" }) }), 400, "BAD_REQUEST");
});

test("option challenges made without a session: expired ones are purged as new ones are made; each address gets 60 per 10 minutes", async () => {
  d1("INSERT INTO webauthn_challenges (challenge, user_id, purpose, expires_at) VALUES ('expired-challenge-20', NULL, 'authenticate', 1000)");
  assert.equal(d1("SELECT COUNT(*) AS n FROM webauthn_challenges WHERE expires_at <= 1000")[0].n, 1);
  assert.equal((await new Client(edge).post("/api/auth/passkey/options", {}, from("198.51.100.70"))).status, 200);
  assert.equal(d1("SELECT COUNT(*) AS n FROM webauthn_challenges WHERE expires_at <= 1000")[0].n, 0, "expired challenge purged");

  const before = d1("SELECT COUNT(*) AS n FROM webauthn_challenges")[0].n;
  const all = await Promise.all(Array.from({ length: 70 }, () => new Client(edge).post("/api/auth/passkey/options", {}, from("198.51.100.71"))));
  assert.deepEqual(tally(all), { 200: 60, 429: 10 });
  for (const r of all.filter((r) => r.status === 429)) assertError(r, 429, "TOO_MANY_ATTEMPTS");
  assert.equal(d1("SELECT COUNT(*) AS n FROM webauthn_challenges")[0].n - before, 60, "no challenge stored past the cap");
  assert.equal((await new Client(edge).post("/api/auth/passkey/options", {}, from("198.51.100.72"))).status, 200, "another address");
});

test("an IPv6 client is throttled by its /64: rotating the low 64 bits does not get more attempts", async () => {
  const all = await Promise.all(Array.from({ length: 55 }, (_, i) =>
    new Client(edge).post("/api/auth/password", { login_id: `v6-${i}@nowhere.demo`, password: "Wrong-Pass-1" }, from(`2001:db8:20:20::${(i + 1).toString(16)}`))));
  assert.deepEqual(tally(all), { 401: 50, 429: 5 });
  const other = await new Client(edge).post("/api/auth/password", { login_id: "v6-x@nowhere.demo", password: "Wrong-Pass-1" }, from("2001:db8:20:21::1"));
  assertError(other, 401, "INVALID_CREDENTIALS", "another /64");
});

// Last in the file: it uses up the limit of the address the other tests share.
test("x-real-ip is not trusted: requests that vary only it share one throttle bucket", async () => {
  const all = [];
  for (let i = 0; i < 55; i++) {
    all.push(await new Client(edge).post("/api/auth/password", { login_id: `realip-${i}@nowhere.demo`, password: "Wrong-Pass-1" },
      { headers: { "x-real-ip": `192.0.2.${i + 1}` } }));
  }
  const t = tally(all);
  assert.ok((t[429] ?? 0) >= 5, JSON.stringify(t));
  assert.ok((t[401] ?? 0) <= 50, JSON.stringify(t));
});
