// Everything that expires, tested by moving the worker's clock (PUT /api/test/clock, honoured only on a test edge:
// ENVIRONMENT = "test" and TEST_CLOCK = "1"; shared::config refuses TEST_CLOCK anywhere else, and BENCH_ROUTES in
// production, and the worker then answers nothing but CONFIGURATION_INVALID).
//
// Expiries covered: the staff session (30 minutes idle, 12 hours absolute), the pending password step (5 minutes),
// a WebAuthn challenge (5 minutes), the invitation link (72 hours), the phone's session (3 days), and the throttles
// of a sign-in ID (15 minutes) and a スマホ入力ID (30 minutes) running out. The device key's
// 12 hours on a tablet (the device's clock, forwards and backwards) are in tests/e2e/clock.test.mjs.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { startEdge } from "../support/edge.mjs";
import { Client, DEMO_PASSWORD, DEMO_USERS, firstSignInAs, signIn } from "../support/softauthn.mjs";

const MIN = 60_000;
const HOUR = 60 * MIN;

let edge;
let admin;
let hc;
before(async () => {
  edge = await startEdge({ seedDemo: true, seedRecords: true });
  [admin, hc] = await Promise.all([
    firstSignInAs(edge, "hc_admin_shinjuku"),
    firstSignInAs(edge, "hc_staff_shinjuku"),
  ]);
});
after(async () => {
  await edge?.stop();
});

/** Runs `fn` and puts the clock back, whatever happens. */
async function withClock(fn) {
  try {
    await fn();
  } finally {
    await edge.setClock(0);
  }
}

function expectError(r, status, code, what = "") {
  assert.equal(r.status, status, `${what}: ${JSON.stringify(r.body)}`);
  assert.equal(r.body?.error?.code, code, what);
}

// ---- configuration -------------------------------------------------------------------------------------------------

test("a configuration that lets the clock move outside a test, or bench routes in production, answers nothing but CONFIGURATION_INVALID", async () => {
  const production = { ENVIRONMENT: "production", RP_ID: "her-sys.example", ALLOWED_ORIGINS: "https://her-sys.example" };
  const cases = [
    [{ ...production, TEST_CLOCK: "1" }, /TEST_CLOCK is set outside a test environment/],
    [{ ENVIRONMENT: "development", TEST_CLOCK: "1" }, /TEST_CLOCK is set outside a test environment/],
    [{ ...production, TEST_CLOCK: "0", BENCH_ROUTES: "1" }, /BENCH_ROUTES is set in a production configuration/],
    [{ ENVIRONMENT: "production", RP_ID: "localhost", TEST_CLOCK: "0" }, /ALLOWED_ORIGINS: .* must use https/],
  ];
  for (const [vars, logged] of cases) {
    const bad = await startEdge({ vars, healthy: false });
    try {
      for (const path of ["/api/health", "/", "/api/test/clock"]) {
        const r = await fetch(`${bad.url}${path}`);
        assert.equal(r.status, 500, `${JSON.stringify(vars)} ${path}`);
        const body = await r.json();
        assert.equal(body.error.code, "CONFIGURATION_INVALID");
        assert.match(body.error.message, /設定に誤り/);
        assert.doesNotMatch(JSON.stringify(body), /TEST_CLOCK|BENCH_ROUTES/, "the reason is for the log, not the client");
      }
      const moved = await fetch(`${bad.url}/api/test/clock`, {
        method: "PUT", headers: { origin: bad.url, "content-type": "application/json" }, body: '{"offset_ms":1}',
      });
      // Refused before anything else: the clock did not move (nothing reads it, and nothing else answers).
      assert.equal(moved.status, 500);
      assert.match(bad.log(), logged);
    } finally {
      await bad.stop();
    }
  }
});

test("without TEST_CLOCK the clock route does not exist (404); on the test edge it moves the worker's now", async () => {
  const plain = await startEdge({ vars: { TEST_CLOCK: "0" } });
  try {
    const r = await fetch(`${plain.url}/api/test/clock`, {
      method: "PUT", headers: { origin: plain.url, "content-type": "application/json" }, body: '{"offset_ms":3600000}',
    });
    assert.equal(r.status, 404);
    assert.equal((await r.json()).error.code, "NOT_FOUND");
  } finally {
    await plain.stop();
  }
  await withClock(async () => {
    const before = Date.now();
    const now = await edge.setClock(5 * HOUR);
    assert.ok(now >= before + 5 * HOUR && now < Date.now() + 5 * HOUR + MIN, `${now}`);
    const huge = await fetch(`${edge.url}/api/test/clock`, {
      method: "PUT", headers: { origin: edge.url, "content-type": "application/json" }, body: '{"offset_ms":1000000000000000}',
    });
    assert.equal(huge.status, 422);
  });
});

// ---- staff sessions ------------------------------------------------------------------------------------------------

test("a staff session ends after 30 minutes without a request, and not before", async () => {
  const s = await signIn(edge, DEMO_USERS.doctor_shinjuku.login_id, DEMO_PASSWORD);
  await withClock(async () => {
    await edge.setClock(29 * MIN);
    assert.equal((await s.client.get("/api/me")).status, 200, "29 minutes idle: still signed in (and touched)");
    await edge.setClock(29 * MIN + 29 * MIN);
    assert.equal((await s.client.get("/api/me")).status, 200, "29 minutes after the last request");
    await edge.setClock(29 * MIN + 29 * MIN + 31 * MIN);
    expectError(await s.client.get("/api/me"), 401, "UNAUTHENTICATED", "31 minutes idle");
    await edge.setClock(0);
    expectError(await s.client.get("/api/me"), 401, "UNAUTHENTICATED", "an ended session stays ended");
  });
});

test("a staff session in steady use still ends 12 hours after sign-in", async () => {
  const s = await signIn(edge, DEMO_USERS.doctor_shinjuku.login_id, DEMO_PASSWORD);
  await withClock(async () => {
    let t = 0;
    while (t + 25 * MIN < 12 * HOUR) {
      t += 25 * MIN;
      await edge.setClock(t);
      assert.equal((await s.client.get("/api/me")).status, 200, `${t / MIN} minutes after sign-in`);
    }
    await edge.setClock(12 * HOUR + MIN);
    expectError(await s.client.get("/api/me"), 401, "UNAUTHENTICATED", "12 hours and a minute after sign-in");
  });
});

// ---- sign-in steps ---------------------------------------------------------------------------------------------------

test("the pending password step lasts 5 minutes: after that the key step is refused and the sign-in starts over", async () => {
  const login = { login_id: DEMO_USERS.doctor_shinjuku.login_id, password: DEMO_PASSWORD };
  await signIn(edge, login.login_id, DEMO_PASSWORD); // the account has a key: the next step is the assertion
  await withClock(async () => {
    const c = new Client(edge);
    const first = await c.post("/api/auth/password", login);
    assert.equal(first.status, 200, JSON.stringify(first.body));
    await edge.setClock(4 * MIN);
    assert.equal((await c.post("/api/auth/webauthn/options")).status, 200, "within 5 minutes");
    await edge.setClock(5 * MIN + 5_000);
    expectError(await c.post("/api/auth/webauthn/options"), 409, "SIGN_IN_STEP_REQUIRED", "after 5 minutes");
  });
});

test("a WebAuthn challenge expires after 5 minutes (CHALLENGE_EXPIRED); within them it serves once", async () => {
  // Passkey-only sign-in: no pending step in the way, only the challenge's own life.
  const doctor = await signIn(edge, DEMO_USERS.doctor_setagaya.login_id, DEMO_PASSWORD);
  await withClock(async () => {
    const c = new Client(edge);
    let o = (await c.post("/api/auth/passkey/options")).body.options_json;
    await edge.setClock(5 * MIN + 5_000);
    const late = await c.post("/api/auth/passkey", { credential_json: JSON.stringify(doctor.authenticator.get(o)) });
    expectError(late, 400, "CHALLENGE_EXPIRED", "5 minutes and 5 seconds");
    await edge.setClock(0);
    o = (await c.post("/api/auth/passkey/options")).body.options_json;
    await edge.setClock(4 * MIN + 50_000);
    const inTime = await c.post("/api/auth/passkey", { credential_json: JSON.stringify(doctor.authenticator.get(o)) });
    assert.equal(inTime.status, 200, JSON.stringify(inTime.body));
  });
});

// ---- invitations -----------------------------------------------------------------------------------------------------

async function invite(loginId) {
  const r = await admin.client.post("/api/admin/accounts", {
    login_id: loginId,
    display_name: "招待 時計",
    email: `${loginId.replace("@", ".")}@her-sys.example`,
    role: "health_center_staff",
    delivery: "invitation",
  });
  assert.equal(r.status, 201, JSON.stringify(r.body));
  const token = r.body.invitation_path?.split("#")[1];
  assert.ok(token, JSON.stringify(r.body));
  assert.ok(Math.abs(r.body.invitation_expires_at - (Date.now() + 72 * HOUR)) < 5 * MIN, "72 hours from now");
  return token;
}

const accept = (token) =>
  new Client(edge).post("/api/invitations/accept", {
    token, new_password: "Uhr-Geprueft-Pass-42", confirmation: "Uhr-Geprueft-Pass-42",
  });

test("an invitation link works for 72 hours, and not a minute more", async () => {
  const late = await invite("late-clock@shinjuku-hc.demo");
  const inTime = await invite("intime-clock@shinjuku-hc.demo");
  await withClock(async () => {
    await edge.setClock(72 * HOUR + MIN);
    const r = await accept(late);
    expectError(r, 400, "CHALLENGE_EXPIRED", "72 hours and a minute");
    assert.equal(r.body.error.reason, "invitation");
    await edge.setClock(71 * HOUR + 58 * MIN);
    const ok = await accept(inTime);
    assert.equal(ok.status, 200, JSON.stringify(ok.body));
    assert.equal(ok.body.next, "register_credential");
  });
});

// ---- the phone's session ---------------------------------------------------------------------------------------------

/** A seeded record of Shinjuku with a スマホ入力ID and a birth date, its observation started (another each call). */
let observed = 0;
async function observedRecord() {
  const found = await hc.client.post("/api/cases/search", { criteria: { health_center_id: "HC13104" } });
  const rec = found.body.items.filter((s) => s.date_of_birth && s.smartphone_id)[observed++];
  assert.ok(rec, "a seeded record with a スマホ入力ID");
  const jstToday = new Date(Date.now() + 9 * HOUR).toISOString().slice(0, 10);
  const started = await hc.client.post(`/api/cases/${rec.id}/observation`, {
    kind: "patient", started_on: jstToday, ends_on: "", household_of: "",
  });
  assert.equal(started.status, 200, JSON.stringify(started.body));
  return rec;
}

test("the phone's session lasts 3 days from its sign-in", async () => {
  const rec = await observedRecord();
  const phone = new Client(edge);
  const signedIn = await phone.post("/api/observe/signin", { smartphone_id: rec.smartphone_id, date_of_birth: rec.date_of_birth },
    { headers: { "cf-connecting-ip": "198.51.100.77" } });
  assert.equal(signedIn.status, 200, JSON.stringify(signedIn.body));
  await withClock(async () => {
    await edge.setClock(3 * 24 * HOUR - 2 * MIN);
    assert.equal((await phone.get("/api/observe/me")).status, 200, "3 days less 2 minutes");
    await edge.setClock(3 * 24 * HOUR + MIN);
    expectError(await phone.get("/api/observe/me"), 401, "UNAUTHENTICATED", "3 days and a minute");
  });
});

// ---- throttles and locks run out --------------------------------------------------------------------------------------

test("a sign-in ID past its 10 wrong passwords answers like an unknown one for 15 minutes, then the owner's password works again", async () => {
  const login = DEMO_USERS.hc_staff_setagaya.login_id;
  const c = new Client(edge);
  const h = { headers: { "cf-connecting-ip": "203.0.113.41" } };
  await withClock(async () => {
    for (let i = 1; i <= 11; i++) {
      expectError(await c.post("/api/auth/password", { login_id: login, password: `Wrong-${i}-Pass` }, h), 401, "INVALID_CREDENTIALS", `failure ${i}`);
    }
    // No key yet: past the limit the right password alone is refused like the rest.
    expectError(await c.post("/api/auth/password", { login_id: login, password: DEMO_PASSWORD }, h), 401, "INVALID_CREDENTIALS", "right password, throttled");
    await edge.setClock(14 * MIN);
    expectError(await c.post("/api/auth/password", { login_id: login, password: DEMO_PASSWORD }, h), 401, "INVALID_CREDENTIALS", "14 minutes on");
    await edge.setClock(14 * MIN + 15 * MIN + 5_000);
    const ok = await c.post("/api/auth/password", { login_id: login, password: DEMO_PASSWORD }, h);
    assert.equal(ok.status, 200, `the window ran out: ${JSON.stringify(ok.body)}`);
    assert.equal(ok.body.next, "register_credential");
  });
});

test("a スマホ入力ID past its 5 wrong birth dates is shut for 30 minutes, then the right date signs the phone in", async () => {
  const rec = await observedRecord();
  const phone = new Client(edge);
  const h = { headers: { "cf-connecting-ip": "198.51.100.141" } };
  const signIn = (dob) => phone.post("/api/observe/signin", { smartphone_id: rec.smartphone_id, date_of_birth: dob }, h);
  await withClock(async () => {
    for (let i = 1; i <= 5; i++) expectError(await signIn("1900-01-0" + i), 401, "OBSERVE_SIGN_IN_FAILED", `failure ${i}`);
    const shut = await signIn(rec.date_of_birth);
    assert.ok([401, 429].includes(shut.status) && shut.body.error, `right date while shut: ${JSON.stringify(shut.body)}`);
    await edge.setClock(29 * MIN);
    assert.notEqual((await signIn(rec.date_of_birth)).status, 200, "29 minutes on: still shut");
    await edge.setClock(29 * MIN + 30 * MIN + 5_000);
    const ok = await signIn(rec.date_of_birth);
    assert.equal(ok.status, 200, `the window ran out: ${JSON.stringify(ok.body)}`);
  });
});
