// Administrators cannot take over accounts, and a session alone cannot add a key (issue 20, items 2 and 3), over
// HTTP against the real worker (wrangler dev, local D1/KV, demo data, the MAIL binding simulated and logged):
// - a reset sends a one-time link to the person's own address; the administrator's answer carries neither a
//   password nor the link; an account without an address cannot be reset; creating an account needs an address;
// - actions on an administrator's account, and creating one, wait for a second administrator of the same health
//   center or the prefecture (never the requester, never the target, never another prefecture);
// - adding a key needs a fresh step-up (an assertion with one of the account's own keys), spent by one
//   registration, and the person is told by e-mail.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { execFileSync } from "node:child_process";
import path from "node:path";
import { startEdge, ROOT } from "../support/edge.mjs";
import { hashPassword } from "../../edge/seed/demo.mjs";
import {
  Client,
  DEMO_PASSWORD,
  DEMO_USERS,
  SoftAuthenticator,
  firstSignInAs,
  registerKey,
  signIn,
  stepUp,
} from "../support/softauthn.mjs";
import { inviteToken, loggedMails, waitForMail } from "../support/mail.mjs";

const GOOD_PASSWORD = "Kx7#mQ2$vLp9";
let edge;
let admin; // Shinjuku's administrator
let setagaya; // Setagaya's administrator
let pref; // Tokyo's prefecture staff

before(async () => {
  edge = await startEdge({ seedDemo: true });
  [admin, setagaya, pref] = await Promise.all(
    ["hc_admin_shinjuku", "hc_admin_setagaya", "pref_tokyo"].map((a) => firstSignInAs(edge, a)),
  );
});
after(async () => {
  await edge?.stop();
});

function assertError(r, status, code, where = "") {
  assert.equal(r.status, status, `${where} status; body ${JSON.stringify(r.body)}`);
  assert.equal(r.body?.error?.code, code, `${where} code; body ${JSON.stringify(r.body)}`);
  assert.match(r.body.error.message, /[\u3040-\u30ff\u4e00-\u9fff]/, `${where}: a Japanese message`);
}

/** Runs SQL on the worker's local D1 (for states the API cannot make: an old account without an address). */
function sql(command) {
  execFileSync(path.join(ROOT, "node_modules/.bin/wrangler"), ["d1", "execute", "DB", "--local", "--persist-to", edge.state, "--command", command], {
    cwd: ROOT, stdio: "pipe", env: { ...process.env, WRANGLER_SEND_METRICS: "false", CI: "true" },
  });
}

/** A clinic account of Shinjuku's clinic, created by Shinjuku's administrator and signed in (password changed, key). */
async function newClinicUser(key, email = `${key}@her-sys.example`) {
  const login = `${key}@shinjuku-clinic.demo`;
  const created = await admin.client.post("/api/admin/accounts", {
    login_id: login, display_name: `試験 ${key}`, email, role: "clinic_staff", institution_id: "inst_demo_shinjuku", delivery: "initial_password",
  });
  assert.equal(created.status, 201, JSON.stringify(created.body));
  const s = await signIn(edge, login, created.body.initial_password, { newPassword: GOOD_PASSWORD });
  return { ...s, id: created.body.account.id, login, email };
}

// ---- item 2: resets reach the person ------------------------------------------------------------------------------

test("creating an account needs a valid e-mail address (VALIDATION_FAILED, reason email)", async () => {
  for (const email of [undefined, "", "   ", "no-at-sign", "a@localhost", "a b@x.example"]) {
    const r = await admin.client.post("/api/admin/accounts", {
      login_id: "noaddress@shinjuku-hc.demo", display_name: "宛先 なし", email, role: "health_center_staff", delivery: "invitation",
    });
    assertError(r, 422, "VALIDATION_FAILED", JSON.stringify(email));
    assert.equal(r.body.error.reason, "email");
  }
  const list = (await admin.client.get("/api/admin/accounts")).body.accounts;
  assert.ok(!list.some((a) => a.login_id === "noaddress@shinjuku-hc.demo"), "nothing created");
  assert.ok(list.every((a) => a.email.includes("@")), "every demo account has an address");
});

test("a reset sends a one-time link to the person's own address; the administrator sees neither password nor link", async () => {
  const u = await newClinicUser("reset-target");
  const seen = loggedMails(edge).length;
  const reset = await admin.client.post(`/api/admin/accounts/${u.id}/reset`);
  assert.equal(reset.status, 200, JSON.stringify(reset.body));
  assert.equal(reset.body.initial_password, undefined, "no password for the administrator");
  assert.equal(reset.body.invitation_path, undefined, "no link for the administrator");
  assert.ok(!JSON.stringify(reset.body).includes("/invite"), "no link anywhere in the answer");
  assert.equal(reset.body.reset_link_sent_to, "r***@her-sys.example");
  const hours = (reset.body.reset_link_expires_at - Date.now()) / 3600_000;
  assert.ok(hours > 23.9 && hours <= 24, `the link works 24 hours (${hours})`);
  assert.equal(reset.body.account.credential_count, 0);
  assert.equal(reset.body.account.must_change_password, true);
  // Sessions end; the old password no longer works, and nobody knows the new one.
  assertError(await u.client.get("/api/me"), 401, "UNAUTHENTICATED", "session ended by the reset");
  assertError(await new Client(edge).post("/api/auth/password", { login_id: u.login, password: GOOD_PASSWORD }), 401, "INVALID_CREDENTIALS");

  const mail = await waitForMail(edge, u.email, "再設定", seen);
  assert.match(mail.text, /試験 reset-target 様/);
  const token = inviteToken(mail);
  assert.ok(token && token.length >= 40, mail.text);
  assert.ok(!JSON.stringify(reset.body).includes(token));
  // The person sets a new password and registers a key through the link, once.
  const c = new Client(edge);
  const accepted = await c.post("/api/invitations/accept", { token, new_password: "Tz4%hW8!nRq2", confirmation: "Tz4%hW8!nRq2" });
  assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
  assert.deepEqual(accepted.body, { next: "register_credential" });
  const reg = await registerKey(c, new SoftAuthenticator({ origin: edge.api }));
  assert.equal(reg.recovery_codes.length, 10);
  assert.equal((await c.get("/api/me")).body.user_id, u.id);
  assertError(
    await new Client(edge).post("/api/invitations/accept", { token, new_password: "Qw8#zX3!mNp5", confirmation: "Qw8#zX3!mNp5" }),
    400, "CHALLENGE_EXPIRED", "the link works once",
  );
  const log = (await admin.client.post("/api/admin/audit", { action: "account_reset" })).body.entries;
  assert.ok(log.some((e) => e.target === u.id && e.outcome === "ok"), "the reset is audited");
});

test("an account without an e-mail address cannot be reset: 422 EMAIL_REQUIRED, its keys and sessions untouched", async () => {
  const u = await newClinicUser("old-account");
  sql(`UPDATE users SET email = '' WHERE id = '${u.id}'`);
  const r = await admin.client.post(`/api/admin/accounts/${u.id}/reset`);
  assertError(r, 422, "EMAIL_REQUIRED");
  assert.equal((await u.client.get("/api/me")).status, 200, "still signed in");
  const mine = (await admin.client.get("/api/admin/accounts")).body.accounts.find((a) => a.id === u.id);
  assert.equal(mine.credential_count, 1);
  const log = (await admin.client.post("/api/admin/audit", { action: "account_reset" })).body.entries;
  assert.ok(log.some((e) => e.target === u.id && e.outcome === "no_address"), "the refusal is audited");
});

// ---- item 2: a second approver for administrators' accounts -------------------------------------------------------

let admin2; // a second administrator of Shinjuku, created through a request

test("creating an administrator waits for a second approver; the prefecture approves; the invitation reaches only the new administrator", async () => {
  const seen = loggedMails(edge).length;
  const r = await admin.client.post("/api/admin/accounts", {
    login_id: "admin2@shinjuku-hc.demo", display_name: "管理 二番", email: "admin2@her-sys.example", role: "health_center_admin", delivery: "initial_password",
  });
  assert.equal(r.status, 202, JSON.stringify(r.body));
  const req = r.body.pending_request;
  assert.equal(req.action, "create");
  assert.equal(req.status, "pending");
  assert.equal(req.target_login_id, "admin2@shinjuku-hc.demo");
  assert.equal(r.body.initial_password, undefined);
  assert.ok(!(await admin.client.get("/api/admin/accounts")).body.accounts.some((a) => a.login_id === "admin2@shinjuku-hc.demo"), "not created yet");

  assertError(await admin.client.post(`/api/admin/requests/${req.id}/approve`), 403, "SECOND_APPROVER_REQUIRED", "the requester");
  assertError(await setagaya.client.post(`/api/admin/requests/${req.id}/approve`), 403, "FORBIDDEN", "another health center");
  assert.ok(!(await setagaya.client.get("/api/admin/requests")).body.requests.some((x) => x.id === req.id), "another health center does not see it");
  const staff = await firstSignInAs(edge, "hc_staff_shinjuku");
  assertError(await staff.client.get("/api/admin/requests"), 403, "FORBIDDEN", "staff");
  assertError(await staff.client.post(`/api/admin/requests/${req.id}/approve`), 403, "FORBIDDEN", "staff");

  const listed = (await pref.client.get("/api/admin/requests")).body.requests.find((x) => x.id === req.id);
  assert.equal(listed.can_decide, true);
  assert.equal(listed.requested_by_name, "管理 四郎");
  assert.equal(listed.health_center_name, "新宿区保健所");
  // Where the invitation will go is shown to the approver (an administrator could otherwise ask for a new
  // administrator at their own address and hold both accounts).
  assert.equal(listed.target_email, "admin2@her-sys.example");
  const ownView = (await admin.client.get("/api/admin/requests")).body.requests.find((x) => x.id === req.id);
  assert.equal(ownView.can_decide, false, "the requester sees it but cannot decide");

  const ok = await pref.client.post(`/api/admin/requests/${req.id}/approve`);
  assert.equal(ok.status, 200, JSON.stringify(ok.body));
  assert.equal(ok.body.request.status, "approved");
  assert.equal(ok.body.account.role, "health_center_admin");
  assert.equal(ok.body.account.area_name, "新宿区保健所");
  assert.ok(!JSON.stringify(ok.body).includes("/invite"), "the approver gets no link");
  assertError(await pref.client.post(`/api/admin/requests/${req.id}/approve`), 409, "REQUEST_CLOSED", "decided once");

  const mail = await waitForMail(edge, "admin2@her-sys.example", "招待", seen);
  const c = new Client(edge);
  const accepted = await c.post("/api/invitations/accept", { token: inviteToken(mail), new_password: GOOD_PASSWORD, confirmation: GOOD_PASSWORD });
  assert.equal(accepted.status, 200, JSON.stringify(accepted.body));
  const authenticator = new SoftAuthenticator({ origin: edge.api });
  await registerKey(c, authenticator);
  admin2 = { client: c, authenticator, id: ok.body.account.id, login: "admin2@shinjuku-hc.demo" };
  assert.equal((await c.get("/api/me")).body.role, "health_center_admin");

  const log = (await admin.client.post("/api/admin/audit", {})).body.entries.map((e) => `${e.action}:${e.outcome}`);
  for (const x of ["account_request:pending", "account_request_approve:second_approver_required", "account_request_approve:ok", "account_create:ok"]) {
    assert.ok(log.includes(x), `${x} in Shinjuku's log`);
  }
});

test("an administrator's action on another administrator is 202 pending, not done; requester and target cannot approve; another administrator or the prefecture can", async () => {
  assert.ok(admin2, "needs the second administrator");
  // Lock: pending; admin2 keeps working meanwhile.
  const lock = await admin.client.post(`/api/admin/accounts/${admin2.id}/lock`);
  assert.equal(lock.status, 202, JSON.stringify(lock.body));
  assert.equal(lock.body.pending_request.action, "lock");
  assert.equal(lock.body.pending_request.target_user_id, admin2.id);
  assert.equal((await admin2.client.get("/api/me")).status, 200, "not locked yet");
  const asTarget = (await admin2.client.get("/api/admin/requests")).body.requests.find((x) => x.id === lock.body.pending_request.id);
  assert.equal(asTarget.can_decide, false);
  assertError(await admin2.client.post(`/api/admin/requests/${lock.body.pending_request.id}/approve`), 403, "SECOND_APPROVER_REQUIRED", "the target");
  assertError(await admin2.client.post(`/api/admin/requests/${lock.body.pending_request.id}/reject`), 403, "SECOND_APPROVER_REQUIRED", "the target rejecting");
  assertError(await admin.client.post(`/api/admin/requests/${lock.body.pending_request.id}/approve`), 403, "SECOND_APPROVER_REQUIRED", "the requester");
  assertError(await admin.client.post(`/api/admin/requests/${lock.body.pending_request.id}/maybe`), 404, "NOT_FOUND", "unknown decision");
  assertError(await admin.client.post("/api/admin/requests/req_nope/approve"), 404, "NOT_FOUND", "unknown request");
  // The prefecture rejects: nothing happens.
  const rejected = await pref.client.post(`/api/admin/requests/${lock.body.pending_request.id}/reject`);
  assert.equal(rejected.status, 200, JSON.stringify(rejected.body));
  assert.equal(rejected.body.request.status, "rejected");
  assert.equal((await admin2.client.get("/api/me")).status, 200, "a rejected lock does nothing");

  // A reset of Shinjuku's first administrator, requested by admin2: the prefecture approves; the link goes to the
  // target's own address.
  const seen = loggedMails(edge).length;
  const reset = await admin2.client.post(`/api/admin/accounts/${DEMO_USERS.hc_admin_shinjuku.id}/reset`);
  assert.equal(reset.status, 202, JSON.stringify(reset.body));
  assert.equal((await admin.client.get("/api/me")).status, 200, "not reset yet");
  assertError(await admin.client.post(`/api/admin/requests/${reset.body.pending_request.id}/approve`), 403, "SECOND_APPROVER_REQUIRED", "the target");
  const done = await pref.client.post(`/api/admin/requests/${reset.body.pending_request.id}/approve`);
  assert.equal(done.status, 200, JSON.stringify(done.body));
  assert.equal(done.body.account.credential_count, 0);
  assert.ok(!JSON.stringify(done.body).includes("/invite"));
  assertError(await admin.client.get("/api/me"), 401, "UNAUTHENTICATED", "the reset ended the target's session");
  const mail = await waitForMail(edge, "admin.shinjuku-hc@her-sys.example", "再設定", seen);
  const c = new Client(edge);
  assert.equal((await c.post("/api/invitations/accept", { token: inviteToken(mail), new_password: GOOD_PASSWORD, confirmation: GOOD_PASSWORD })).status, 200);
  await registerKey(c, admin.authenticator);
  admin.client = c;

  // A creation requested by one administrator, approved by the other administrator of the same health center.
  const create = await admin.client.post("/api/admin/accounts", {
    login_id: "admin3@shinjuku-hc.demo", display_name: "管理 三番", email: "admin3@her-sys.example", role: "health_center_admin", delivery: "invitation",
  });
  assert.equal(create.status, 202, JSON.stringify(create.body));
  const approved = await admin2.client.post(`/api/admin/requests/${create.body.pending_request.id}/approve`);
  assert.equal(approved.status, 200, JSON.stringify(approved.body));
  assert.equal(approved.body.account.login_id, "admin3@shinjuku-hc.demo");
  // Lock admin3 by admin, approved by admin2: done, audited as admin2's.
  const lock3 = await admin.client.post(`/api/admin/accounts/${approved.body.account.id}/lock`);
  assert.equal(lock3.status, 202);
  const locked = await admin2.client.post(`/api/admin/requests/${lock3.body.pending_request.id}/approve`);
  assert.equal(locked.status, 200, JSON.stringify(locked.body));
  assert.equal(locked.body.account.locked, true);
  const entries = (await admin.client.post("/api/admin/audit", { action: "account_lock" })).body.entries;
  assert.ok(entries.some((e) => e.target === approved.body.account.id && e.actor_user_id === admin2.id && e.outcome === "ok"));
});

test("prefecture staff of another prefecture see and decide none of Tokyo's requests", async () => {
  const osaka = { id: "u_test_pref_osaka", login: "pref@osaka.test" };
  sql(
    "INSERT INTO users (id, login_id, display_name, email, role, pref_code, password_hash, must_change_password, created_at, updated_at) " +
      `VALUES ('${osaka.id}', '${osaka.login}', '大阪 府', 'pref.osaka@her-sys.example', 'prefecture_staff', '27', '${hashPassword(DEMO_PASSWORD)}', 0, 0, 0)`,
  );
  const other = await signIn(edge, osaka.login, DEMO_PASSWORD);
  const r = await admin.client.post(`/api/admin/accounts/${admin2.id}/deactivate`);
  assert.equal(r.status, 202, JSON.stringify(r.body));
  assert.ok(!(await other.client.get("/api/admin/requests")).body.requests.some((x) => x.id === r.body.pending_request.id));
  assertError(await other.client.post(`/api/admin/requests/${r.body.pending_request.id}/approve`), 403, "FORBIDDEN", "another prefecture");
  assert.equal((await admin2.client.get("/api/me")).status, 200, "not deactivated");
});

test("an administrator acts on their own account in no way (403, reason self), not even by request", async () => {
  for (const action of ["lock", "unlock", "reset", "deactivate", "reactivate"]) {
    const r = await admin2.client.post(`/api/admin/accounts/${admin2.id}/${action}`);
    assertError(r, 403, "FORBIDDEN", action);
    assert.equal(r.body.error.reason, "self");
  }
  assert.ok(!(await pref.client.get("/api/admin/requests")).body.requests.some((x) => x.requested_by === admin2.id && x.target_user_id === admin2.id));
});

// ---- item 3: adding a key needs a fresh step-up ---------------------------------------------------------------------

test("adding a key needs a step-up with one of the account's own keys; it is spent by one registration; the person is told by e-mail", async () => {
  const doctor = await firstSignInAs(edge, "doctor_shinjuku");
  const c = doctor.client;
  assertError(await c.post("/api/auth/credentials/options"), 403, "STEP_UP_REQUIRED", "options without step-up");
  const stray = new SoftAuthenticator({ origin: edge.api });
  const garbage = stray.create({ challenge: "AAAA", rp: { id: "localhost" }, user: { id: "dXNlcg" }, pubKeyCredParams: [{ alg: -7 }] });
  assertError(await c.post("/api/auth/credentials", { credential_json: JSON.stringify(garbage) }), 403, "STEP_UP_REQUIRED", "registration without step-up");

  // Another account's key does not step this session up.
  const options = (await c.post("/api/me/step-up/options")).body.options_json;
  assert.deepEqual(JSON.parse(options).allowCredentials.map((x) => x.id), [doctor.credentialId]);
  const otherKey = pref.authenticator.get(options, { credentialId: pref.credentialId });
  assertError(await c.post("/api/me/step-up", { credential_json: JSON.stringify(otherKey) }), 401, "WEBAUTHN_FAILED", "another account's key");
  assertError(await c.post("/api/auth/credentials/options"), 403, "STEP_UP_REQUIRED", "still no step-up");
  // The password does not stand in for a key the account has.
  assertError(await c.post("/api/me/step-up", { password: DEMO_PASSWORD }), 422, "VALIDATION_FAILED", "password with a key");
  assertError(await new Client(edge).post("/api/me/step-up/options"), 401, "UNAUTHENTICATED", "no session");

  const seen = loggedMails(edge).length;
  const up = await stepUp(c, doctor.authenticator);
  assert.ok(up.valid_until > Date.now() + 4 * 60_000 && up.valid_until <= Date.now() + 5 * 60_000 + 1000);
  const spare = new SoftAuthenticator({ origin: edge.api });
  const added = await registerKey(c, spare, "予備の鍵");
  assert.deepEqual(added.recovery_codes ?? [], []);
  assert.equal((await c.get("/api/me/credentials")).body.credentials.length, 2);
  const mail = await waitForMail(edge, "doctor.shinjuku-clinic@her-sys.example", "セキュリティキーが追加されました", seen);
  assert.match(mail.text, /新宿 一郎 様/);
  assert.match(mail.text, /予備の鍵/);
  assert.match(mail.text, /\d{4}年\d{2}月\d{2}日 \d{2}:\d{2}/);
  assert.match(mail.text, /管理者に連絡/);

  // Spent: the next key needs another step-up (the new key serves for it).
  assertError(await c.post("/api/auth/credentials/options"), 403, "STEP_UP_REQUIRED", "spent by one registration");
  await stepUp(c, spare, { credentialId: added.credentialId });
  assert.equal((await c.post("/api/auth/credentials/options")).status, 200);
  const log = (await admin.client.post("/api/admin/audit", { action: "credential_register" })).body.entries;
  assert.ok(log.some((e) => e.actor_user_id === doctor.me.user_id && e.outcome === "step_up_required"));
  const ups = (await admin.client.post("/api/admin/audit", { action: "step_up" })).body.entries;
  assert.ok(ups.some((e) => e.actor_user_id === doctor.me.user_id && e.outcome === "ok"));
});
