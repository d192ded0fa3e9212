// A software WebAuthn authenticator for API tests (node:crypto, ES256 on P-256, attestation "none"), an HTTP
// client that carries the edge's cookies by hand, and the two-step sign-in (password, then a new key or an
// assertion) for the demo users.
//
//   const auth = new SoftAuthenticator({ origin: edge.api });      // rp id = the origin's host (localhost)
//   const reg = auth.create(optionsJson);                          // PublicKeyCredential.toJSON() of create()
//   const asn = auth.get(optionsJson);                              // ... of get(); counters kept per credential
//   const s = await signIn(edge, "admin@shinjuku-hc.demo", DEMO_PASSWORD);
//   await s.client.get("/api/me");                                  // s.cookie is the session cookie ("__Host-hs_session=…")
import { createHash, generateKeyPairSync, randomBytes, sign } from "node:crypto";

export const DEMO_PASSWORD = "Demo-Hersys-2026";

/** The ten demo users of edge/seed/demo.mjs: alias (the id without `u_demo_`) → id and sign-in id. */
export const DEMO_USERS = {
  doctor_shinjuku: { id: "u_demo_doctor_shinjuku", login_id: "doctor@shinjuku-clinic.demo", role: "clinic_doctor" },
  staff_shinjuku: { id: "u_demo_staff_shinjuku", login_id: "staff@shinjuku-clinic.demo", role: "clinic_staff" },
  doctor_setagaya: { id: "u_demo_doctor_setagaya", login_id: "doctor@setagaya-clinic.demo", role: "clinic_doctor" },
  hc_staff_shinjuku: { id: "u_demo_hc_staff_shinjuku", login_id: "staff@shinjuku-hc.demo", role: "health_center_staff" },
  hc_admin_shinjuku: { id: "u_demo_hc_admin_shinjuku", login_id: "admin@shinjuku-hc.demo", role: "health_center_admin" },
  hc_staff_setagaya: { id: "u_demo_hc_staff_setagaya", login_id: "staff@setagaya-hc.demo", role: "health_center_staff" },
  hc_admin_setagaya: { id: "u_demo_hc_admin_setagaya", login_id: "admin@setagaya-hc.demo", role: "health_center_admin" },
  pref_tokyo: { id: "u_demo_pref_tokyo", login_id: "pref@tokyo.demo", role: "prefecture_staff" },
  followup_tokyo: { id: "u_demo_followup_tokyo", login_id: "followup@tokyo.demo", role: "follow_up_center" },
  mhlw: { id: "u_demo_mhlw", login_id: "mhlw@national.demo", role: "national_staff" },
};

/** The demo users of 神奈川県 (issue 23: its records live in another shard), kept apart from the ten above, which the
 * access matrix walks. `firstSignInAs` finds them by alias, id or sign-in id too (not by role). */
export const KANAGAWA_USERS = {
  doctor_yokohama: { id: "u_demo_doctor_yokohama", login_id: "doctor@yokohama-clinic.demo", role: "clinic_doctor" },
  hc_staff_yokohama: { id: "u_demo_hc_staff_yokohama", login_id: "staff@yokohama-hc.demo", role: "health_center_staff" },
  hc_admin_yokohama: { id: "u_demo_hc_admin_yokohama", login_id: "admin@yokohama-hc.demo", role: "health_center_admin" },
  pref_kanagawa: { id: "u_demo_pref_kanagawa", login_id: "pref@kanagawa.demo", role: "prefecture_staff" },
};

const b64url = (buf) => Buffer.from(buf).toString("base64url");
const unb64url = (s) => Buffer.from(s, "base64url");
const sha256 = (data) => createHash("sha256").update(data).digest();

// ---- CBOR (only what WebAuthn needs: unsigned/negative integers, byte and text strings, maps) -----------------

function cborHead(major, n) {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 0x100) return Buffer.from([(major << 5) | 24, n]);
  if (n < 0x10000) {
    const b = Buffer.alloc(3);
    b[0] = (major << 5) | 25;
    b.writeUInt16BE(n, 1);
    return b;
  }
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

/**
 * Encodes a value: integers, Buffer/Uint8Array (byte string), string (text string), Map or array of [key, value]
 * pairs (map, in the given order), plain object (map with text keys, in insertion order).
 */
export function cborEncode(value) {
  if (typeof value === "number") {
    if (!Number.isInteger(value)) throw new Error(`cbor: not an integer: ${value}`);
    return value >= 0 ? cborHead(0, value) : cborHead(1, -1 - value);
  }
  if (value instanceof Uint8Array) return Buffer.concat([cborHead(2, value.length), value]);
  if (typeof value === "string") {
    const bytes = Buffer.from(value, "utf8");
    return Buffer.concat([cborHead(3, bytes.length), bytes]);
  }
  const entries = value instanceof Map ? [...value] : Array.isArray(value) ? value : Object.entries(value);
  return Buffer.concat([cborHead(5, entries.length), ...entries.flatMap(([k, v]) => [cborEncode(k), cborEncode(v)])]);
}

// ---- the authenticator --------------------------------------------------------------------------------------

export const FLAGS = { UP: 0x01, UV: 0x04, BE: 0x08, BS: 0x10, AT: 0x40, ED: 0x80 };

function authData(rpId, flags, signCount, attested) {
  const count = Buffer.alloc(4);
  count.writeUInt32BE(signCount >>> 0);
  return Buffer.concat([sha256(rpId), Buffer.from([flags]), count, ...(attested ? [attested] : [])]);
}

/**
 * A platform-like authenticator with user verification. Every credential is discoverable (holds the user handle).
 * `origin` goes into clientDataJSON; `rpId` defaults to the origin's host name.
 */
export class SoftAuthenticator {
  constructor({ origin, rpId } = {}) {
    if (!origin) throw new Error("SoftAuthenticator needs the origin the edge sees as its own");
    this.origin = origin;
    this.rpId = rpId ?? new URL(origin).hostname;
    /** base64url id → { id, rpId, userHandle, privateKey, signCount } */
    this.credentials = new Map();
    this.aaguid = Buffer.alloc(16);
  }

  clientData(type, challenge, extra = {}) {
    return Buffer.from(JSON.stringify({ type, challenge, origin: this.origin, crossOrigin: false, ...extra }), "utf8");
  }

  /**
   * navigator.credentials.create() → toJSON(). `options` is PublicKeyCredentialCreationOptionsJSON (object or text).
   * Refuses (like a real authenticator) when one of `excludeCredentials` is ours. `credentialId` (base64url) forces
   * the new credential's ID, e.g. to claim an ID another account registered.
   */
  create(options, { flags = FLAGS.UP | FLAGS.UV | FLAGS.AT, origin, rpId, credentialId: wantedId } = {}) {
    const o = typeof options === "string" ? JSON.parse(options) : options;
    if (!(o.pubKeyCredParams ?? []).some((p) => p.alg === -7)) throw new Error("ES256 not offered");
    for (const ex of o.excludeCredentials ?? []) {
      if (this.credentials.has(ex.id)) throw new Error("InvalidStateError: credential already registered");
    }
    const effectiveRpId = rpId ?? o.rp?.id ?? this.rpId;
    const { privateKey, publicKey } = generateKeyPairSync("ec", { namedCurve: "P-256" });
    const jwk = publicKey.export({ format: "jwk" });
    const credentialId = wantedId ? unb64url(wantedId) : randomBytes(32);
    const coseKey = cborEncode([
      [1, 2], // kty: EC2
      [3, -7], // alg: ES256
      [-1, 1], // crv: P-256
      [-2, unb64url(jwk.x)],
      [-3, unb64url(jwk.y)],
    ]);
    const idLen = Buffer.alloc(2);
    idLen.writeUInt16BE(credentialId.length);
    const attested = Buffer.concat([this.aaguid, idLen, credentialId, coseKey]);
    const data = authData(effectiveRpId, flags, 0, attested);
    const attestationObject = cborEncode([
      ["fmt", "none"],
      ["attStmt", new Map()],
      ["authData", data],
    ]);
    const id = b64url(credentialId);
    this.credentials.set(id, { id, rpId: effectiveRpId, userHandle: o.user?.id ?? null, privateKey, signCount: 0 });
    const clientDataJSON = this.clientData("webauthn.create", o.challenge, origin ? { origin } : {});
    return {
      id,
      rawId: id,
      type: "public-key",
      response: {
        clientDataJSON: b64url(clientDataJSON),
        attestationObject: b64url(attestationObject),
        transports: ["internal"],
      },
      authenticatorAttachment: "platform",
      clientExtensionResults: {},
    };
  }

  /**
   * navigator.credentials.get() → toJSON(). `options` is PublicKeyCredentialRequestOptionsJSON (object or text).
   * Picks `credentialId`, else the first of `allowCredentials` we hold, else (discoverable) our first for the RP.
   * `signCount` overrides the counter (the stored one is not advanced then); `flags` overrides UP|UV.
   */
  get(options, { credentialId, signCount, flags = FLAGS.UP | FLAGS.UV, origin, userHandle, type } = {}) {
    const o = typeof options === "string" ? JSON.parse(options) : options;
    const rpId = o.rpId ?? this.rpId;
    let cred;
    if (credentialId) cred = this.credentials.get(credentialId);
    else if (o.allowCredentials?.length) cred = o.allowCredentials.map((c) => this.credentials.get(c.id)).find(Boolean);
    else cred = [...this.credentials.values()].find((c) => c.rpId === rpId);
    if (!cred) throw new Error("NotAllowedError: no matching credential");
    let count = signCount;
    if (count === undefined) count = ++cred.signCount;
    const data = authData(rpId, flags, count);
    const clientDataJSON = this.clientData(type ?? "webauthn.get", o.challenge, origin ? { origin } : {});
    const signature = sign("sha256", Buffer.concat([data, sha256(clientDataJSON)]), {
      key: cred.privateKey,
      dsaEncoding: "der",
    });
    const handle = userHandle === undefined ? cred.userHandle : userHandle;
    return {
      id: cred.id,
      rawId: cred.id,
      type: "public-key",
      response: {
        clientDataJSON: b64url(clientDataJSON),
        authenticatorData: b64url(data),
        signature: b64url(signature),
        ...(handle ? { userHandle: handle } : {}),
      },
      authenticatorAttachment: "platform",
      clientExtensionResults: {},
    };
  }
}

/** A copy of an assertion with one bit of the signature's `r` flipped (still well-formed DER). */
export function tamperSignature(assertion) {
  const copy = structuredClone(assertion);
  const sig = unb64url(copy.response.signature);
  sig[8] ^= 0x01;
  copy.response.signature = b64url(sig);
  return copy;
}

// ---- HTTP with a cookie jar ---------------------------------------------------------------------------------------

/** Fetches from the edge like the app would: JSON bodies, `Origin` on state-changing requests, cookies carried. */
export class Client {
  constructor(edge, { origin } = {}) {
    this.edge = edge;
    this.origin = origin ?? edge.api;
    /** name → value */
    this.jar = new Map();
    /** name → full Set-Cookie line, as last received */
    this.setCookies = new Map();
  }

  /** `__Host-hs_session=…; __Host-hs_pending=…` as sent. */
  get cookieHeader() {
    return [...this.jar].map(([k, v]) => `${k}=${v}`).join("; ");
  }

  cookie(name) {
    const v = this.jar.get(name);
    return v === undefined ? undefined : `${name}=${v}`;
  }

  absorb(res) {
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attrs] = line.split(";").map((s) => s.trim());
      const eq = pair.indexOf("=");
      const name = pair.slice(0, eq);
      const value = pair.slice(eq + 1);
      this.setCookies.set(name, line);
      const maxAge = attrs.find((a) => /^max-age=/i.test(a));
      if (value === "" || (maxAge && Number(maxAge.split("=")[1]) <= 0)) this.jar.delete(name);
      else this.jar.set(name, value);
    }
  }

  /** Returns { status, body (parsed JSON or null), headers, res }. `headers` are added; `cookie: null` sends none. */
  async request(method, path, body, { headers = {}, origin = this.origin, cookie } = {}) {
    const h = { ...headers };
    if (body !== undefined) h["content-type"] = "application/json";
    if (!["GET", "HEAD"].includes(method) && origin !== null) h.origin = origin;
    const c = cookie === undefined ? this.cookieHeader : cookie;
    if (c) h.cookie = c;
    const res = await fetch(`${this.edge.api}${path}`, {
      method,
      headers: h,
      body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body),
    });
    this.absorb(res);
    const text = await res.text();
    let parsed = null;
    try {
      parsed = text ? JSON.parse(text) : null;
    } catch {
      parsed = text;
    }
    return { status: res.status, body: parsed, headers: res.headers, res };
  }

  get(path, opts) {
    return this.request("GET", path, undefined, opts);
  }
  post(path, body = {}, opts) {
    return this.request("POST", path, body, opts);
  }
  put(path, body = {}, opts) {
    return this.request("PUT", path, body, opts);
  }
  patch(path, body = {}, opts) {
    return this.request("PATCH", path, body, opts);
  }
  delete(path, opts) {
    return this.request("DELETE", path, undefined, opts);
  }
}

// ---- sign-in --------------------------------------------------------------------------------------------------------

function expectOk(r, what) {
  if (r.status < 200 || r.status > 299) {
    throw new Error(`${what}: HTTP ${r.status} ${JSON.stringify(r.body)}`);
  }
  return r.body;
}

/** One authenticator per (edge, sign-in id), so a second sign-in of the same user asserts with the same key. */
const authenticators = new Map();

export function authenticatorFor(edge, loginId) {
  const key = `${edge.api} ${loginId}`;
  if (!authenticators.has(key)) authenticators.set(key, new SoftAuthenticator({ origin: edge.api }));
  return authenticators.get(key);
}

/** Registers a key with the client's pending sign-in or session; returns the response body ({ recovery_codes, me }). */
export async function registerKey(client, authenticator, name = "") {
  const { options_json } = expectOk(await client.post("/api/auth/credentials/options"), "credential options");
  const credential = authenticator.create(options_json);
  const body = expectOk(
    await client.post("/api/auth/credentials", { credential_json: JSON.stringify(credential), name }),
    "register credential",
  );
  return { ...body, credentialId: credential.id, options: JSON.parse(options_json) };
}

/**
 * The step-up a signed-in user needs before adding a key (POST /api/me/step-up): an assertion with one of the
 * account's keys, held by `authenticator`. Returns the step-up answer ({ valid_until }).
 */
export async function stepUp(client, authenticator, { credentialId } = {}) {
  const { options_json } = expectOk(await client.post("/api/me/step-up/options"), "step-up options");
  const assertion = authenticator.get(options_json, credentialId ? { credentialId } : {});
  return expectOk(await client.post("/api/me/step-up", { credential_json: JSON.stringify(assertion) }), "step-up");
}

/**
 * The whole sign-in: password, then (first time) register a key, or assert with the user's key. A `change_password`
 * step is answered with `newPassword` when given. Returns { cookie, client, authenticator, me, recoveryCodes,
 * credentialId, steps } where `cookie` is the session cookie (`__Host-hs_session=…`) and `steps` the `next` values seen.
 */
export async function signIn(edge, loginId, password, { newPassword, authenticator, client, keyName } = {}) {
  client ??= new Client(edge);
  authenticator ??= authenticatorFor(edge, loginId);
  const steps = [];
  let step = expectOk(await client.post("/api/auth/password", { login_id: loginId, password }), `password (${loginId})`);
  steps.push(step.next);
  if (step.next === "change_password") {
    if (!newPassword) throw new Error(`${loginId}: the password must be changed first (pass newPassword)`);
    step = expectOk(
      await client.post("/api/auth/password/change", {
        current_password: password,
        new_password: newPassword,
        confirmation: newPassword,
      }),
      "change password",
    );
    steps.push(step.next);
  }
  const out = { client, authenticator, steps };
  if (step.next === "register_credential") {
    const reg = await registerKey(client, authenticator, keyName);
    Object.assign(out, { me: reg.me, recoveryCodes: reg.recovery_codes, credentialId: reg.credentialId });
  } else if (step.next === "webauthn") {
    const assertion = authenticator.get(step.options_json);
    const done = expectOk(
      await client.post("/api/auth/webauthn", { credential_json: JSON.stringify(assertion) }),
      "webauthn",
    );
    Object.assign(out, { me: done.me, credentialId: assertion.id });
  } else {
    throw new Error(`${loginId}: unexpected step ${JSON.stringify(step)}`);
  }
  out.cookie = client.cookie("__Host-hs_session");
  if (!out.cookie) throw new Error(`${loginId}: signed in but no session cookie`);
  return out;
}

/** Signs a demo user in (alias such as `hc_admin_shinjuku`, or the user id, or the sign-in id). */
export async function firstSignInAs(edge, who, opts) {
  const user =
    DEMO_USERS[who] ??
    KANAGAWA_USERS[who] ??
    Object.values(DEMO_USERS).find((u) => u.id === who || u.login_id === who || u.role === who) ??
    Object.values(KANAGAWA_USERS).find((u) => u.id === who || u.login_id === who);
  if (!user) throw new Error(`no demo user ${who}`);
  const s = await signIn(edge, user.login_id, DEMO_PASSWORD, opts);
  return { ...s, user };
}
