// Real WebAuthn ceremonies from Chromium's virtual authenticators (CDP `WebAuthn.*`) on the app's origin,
// checked by exactly `cargo run -q --bin webauthn-verify` from the repo root: ES256, EdDSA and RS256 credentials,
// attestation none, packed (direct) and fido-u2f (U2F authenticator); then tampered copies must fail with the
// specific error code and exit 1, and unreadable input must exit 2.
import { test, before, after } from "node:test";
import assert from "node:assert/strict";
import { spawnSync } from "node:child_process";
import { randomBytes } from "node:crypto";
import { writeFileSync } from "node:fs";
import { startEdge, ROOT } from "../support/edge.mjs";
import { launchBrowser } from "../support/browser.mjs";

const b64url = (buf) => Buffer.from(buf).toString("base64url");

/** Runs the checking command exactly as documented; returns { code, out } with the parsed JSON line. */
function verify(ceremony) {
  const input = typeof ceremony === "string" ? ceremony : JSON.stringify(ceremony);
  const r = spawnSync("cargo", ["run", "-q", "--bin", "webauthn-verify"], {
    cwd: ROOT,
    input,
    encoding: "utf8",
    timeout: 600_000,
  });
  const lines = (r.stdout ?? "").trim().split("\n");
  assert.equal(lines.length, 1, `one line of output, got: ${r.stdout}\nstderr: ${r.stderr}`);
  return { code: r.status, out: JSON.parse(lines[0]) };
}

// WEBAUTHN_CAPTURE=file.json saves the passing ceremonies (the Rust tests replay such a capture offline:
// shared/tests/data/chromium-ceremonies.json).
const captured = [];

let edge;
let browser;
before(async () => {
  // Build the command once up front so the first ceremony does not pay for compilation inside its timeout.
  spawnSync("cargo", ["build", "-q", "--bin", "webauthn-verify"], { cwd: ROOT, stdio: "inherit", timeout: 900_000 });
  edge = await startEdge();
  browser = await launchBrowser();
});
after(async () => {
  if (process.env.WEBAUTHN_CAPTURE) {
    writeFileSync(process.env.WEBAUTHN_CAPTURE, JSON.stringify({ chromium: browser?.version(), ceremonies: captured }, null, 1) + "\n");
  }
  await browser?.close();
  await edge?.stop();
});

/** A fresh page on the app's origin with one virtual authenticator of the given kind. */
async function pageWithAuthenticator(options) {
  const context = await browser.newContext();
  const page = await context.newPage();
  await page.goto(edge.url);
  const cdp = await context.newCDPSession(page);
  await cdp.send("WebAuthn.enable");
  const { authenticatorId } = await cdp.send("WebAuthn.addVirtualAuthenticator", {
    options: { automaticPresenceSimulation: true, ...options },
  });
  return { context, page, cdp, authenticatorId };
}

const CTAP2 = { protocol: "ctap2", transport: "internal", hasResidentKey: true, hasUserVerification: true, isUserVerified: true };
const U2F = { protocol: "u2f", transport: "usb", hasResidentKey: false, hasUserVerification: false };

// In-page helpers: toJSON() where the browser has it, otherwise the same shape by hand.
async function create(page, { alg, attestation, userVerification, residentKey }) {
  const challenge = randomBytes(32);
  const json = await page.evaluate(
    async ({ challenge, alg, attestation, userVerification, residentKey }) => {
      const enc = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
      const cred = await navigator.credentials.create({
        publicKey: {
          rp: { id: "localhost", name: "HER-SYS" },
          user: { id: new TextEncoder().encode("user-0001"), name: "doctor@example.jp", displayName: "医師 テスト" },
          challenge: new Uint8Array(challenge),
          pubKeyCredParams: [{ type: "public-key", alg }],
          attestation,
          authenticatorSelection: { userVerification, residentKey },
          timeout: 10000,
        },
      });
      if (typeof cred.toJSON === "function") return cred.toJSON();
      return {
        id: cred.id, rawId: enc(cred.rawId), type: cred.type,
        response: { clientDataJSON: enc(cred.response.clientDataJSON), attestationObject: enc(cred.response.attestationObject) },
      };
    },
    { challenge: [...challenge], alg, attestation, userVerification, residentKey },
  );
  return { challenge, json };
}

async function get(page, rawId, userVerification) {
  const challenge = randomBytes(32);
  const json = await page.evaluate(
    async ({ challenge, rawId, userVerification }) => {
      const enc = (b) => btoa(String.fromCharCode(...new Uint8Array(b))).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
      const dec = (s) => Uint8Array.from(atob(s.replace(/-/g, "+").replace(/_/g, "/")), (c) => c.charCodeAt(0));
      const cred = await navigator.credentials.get({
        publicKey: {
          challenge: new Uint8Array(challenge),
          rpId: "localhost",
          allowCredentials: [{ type: "public-key", id: dec(rawId) }],
          userVerification,
          timeout: 10000,
        },
      });
      if (typeof cred.toJSON === "function") return cred.toJSON();
      const r = cred.response;
      return {
        id: cred.id, rawId: enc(cred.rawId), type: cred.type,
        response: { clientDataJSON: enc(r.clientDataJSON), authenticatorData: enc(r.authenticatorData),
                    signature: enc(r.signature), userHandle: r.userHandle ? enc(r.userHandle) : undefined },
      };
    },
    { challenge: [...challenge], rawId, userVerification },
  );
  return { challenge, json };
}

function registration(challenge, credential, extra = {}) {
  return { ceremony: "registration", rp_id: "localhost", origin: edge.url, challenge_b64url: b64url(challenge), credential, ...extra };
}

function authentication(challenge, credential, key, prev, extra = {}) {
  return {
    ceremony: "authentication", rp_id: "localhost", origin: edge.url, challenge_b64url: b64url(challenge), credential,
    credential_public_key_cose_b64url: key, prev_sign_count: prev, ...extra,
  };
}

const SCENARIOS = [
  { name: "ES256 passkey, attestation none", auth: CTAP2, alg: -7, attestation: "none", uv: "required", fmt: "none" },
  { name: "ES256 passkey, attestation direct (packed)", auth: CTAP2, alg: -7, attestation: "direct", uv: "required", fmt: "packed" },
  { name: "EdDSA passkey, attestation none", auth: CTAP2, alg: -8, attestation: "none", uv: "required", fmt: "none" },
  { name: "RS256 passkey, attestation direct (packed)", auth: CTAP2, alg: -257, attestation: "direct", uv: "required", fmt: "packed" },
  { name: "FIDO U2F security key (fido-u2f)", auth: U2F, alg: -7, attestation: "direct", uv: "discouraged", fmt: "fido-u2f" },
];

for (const s of SCENARIOS) {
  test(`${s.name}: registration and two sign-ins pass; tampered copies fail precisely`, async () => {
    const { context, page } = await pageWithAuthenticator(s.auth);
    try {
      const requireUv = s.uv === "required";
      const reg = await create(page, { alg: s.alg, attestation: s.attestation, userVerification: s.uv, residentKey: s.auth.hasResidentKey ? "required" : "discouraged" });
      const options = { options: { require_user_verification: requireUv } };
      const r = verify(registration(reg.challenge, reg.json, options));
      assert.equal(r.code, 0, JSON.stringify(r.out));
      assert.equal(r.out.verdict, "pass");
      assert.equal(r.out.fmt, s.fmt);
      assert.equal(r.out.algorithm, s.alg);
      assert.equal(r.out.attestation_type, s.fmt === "none" ? "none" : "basic");
      assert.equal(r.out.attestation_trust_anchor_verified, false);
      assert.equal(r.out.credential_id_b64url, reg.json.rawId);
      assert.equal(r.out.user_verified, requireUv);
      assert.match(r.out.aaguid_hex, /^[0-9a-f]{32}$/);
      assert.equal(typeof r.out.backup_eligible, "boolean");
      const key = r.out.credential_public_key_cose_b64url;

      // Registration tampering.
      const wrongChallenge = verify(registration(randomBytes(32), reg.json, options));
      assert.deepEqual([wrongChallenge.code, wrongChallenge.out.error], [1, "challenge_mismatch"]);
      const wrongOrigin = verify({ ...registration(reg.challenge, reg.json, options), origin: "http://localhost:1" });
      assert.deepEqual([wrongOrigin.code, wrongOrigin.out.error], [1, "origin_mismatch"]);
      const wrongRp = verify({ ...registration(reg.challenge, reg.json, options), rp_id: "example.org" });
      assert.deepEqual([wrongRp.code, wrongRp.out.error], [1, "rp_id_hash_mismatch"]);
      const asGet = verify({ ...registration(reg.challenge, reg.json, options), ceremony: "authentication", credential_public_key_cose_b64url: key, prev_sign_count: 0, credential: { ...reg.json, response: { clientDataJSON: reg.json.response.clientDataJSON, authenticatorData: "AA", signature: "AA" } } });
      assert.deepEqual([asGet.code, asGet.out.error], [1, "wrong_ceremony_type"]);

      // Two sign-ins: each passes with the counter rule applied to the previous one.
      const first = await get(page, reg.json.rawId, s.uv);
      const a1 = verify(authentication(first.challenge, first.json, key, r.out.sign_count, options));
      assert.equal(a1.code, 0, JSON.stringify(a1.out));
      assert.equal(a1.out.verdict, "pass");
      assert.equal(a1.out.user_verified, requireUv);
      const second = await get(page, reg.json.rawId, s.uv);
      const a2 = verify(authentication(second.challenge, second.json, key, a1.out.new_sign_count, options));
      assert.equal(a2.code, 0, JSON.stringify(a2.out));
      captured.push({
        name: s.name,
        registration: registration(reg.challenge, reg.json, options),
        registration_verdict: r.out,
        authentication: authentication(second.challenge, second.json, key, a1.out.new_sign_count, options),
        authentication_verdict: a2.out,
      });

      // Replaying the first assertion after the second: the counter has moved on.
      const replay = verify(authentication(first.challenge, first.json, key, Math.max(a2.out.new_sign_count, a1.out.new_sign_count + 1), options));
      assert.deepEqual([replay.code, replay.out.error], [1, "sign_count_regressed"], JSON.stringify(replay.out));

      // Assertion tampering.
      const sig = Buffer.from(second.json.response.signature, "base64url");
      sig[sig.length - 1] ^= 0x01;
      const flipped = structuredClone(second.json);
      flipped.response.signature = b64url(sig);
      const bad = verify(authentication(second.challenge, flipped, key, a1.out.new_sign_count, options));
      assert.deepEqual([bad.code, bad.out.error], [1, "bad_signature"]);
      const wrongAuthChallenge = verify(authentication(randomBytes(32), second.json, key, a1.out.new_sign_count, options));
      assert.deepEqual([wrongAuthChallenge.code, wrongAuthChallenge.out.error], [1, "challenge_mismatch"]);
      const wrongAuthOrigin = verify({ ...authentication(second.challenge, second.json, key, a1.out.new_sign_count, options), origin: "https://localhost" });
      assert.deepEqual([wrongAuthOrigin.code, wrongAuthOrigin.out.error], [1, "origin_mismatch"]);
      if (!requireUv) {
        const uv = verify(authentication(second.challenge, second.json, key, a1.out.new_sign_count, { options: { require_user_verification: true } }));
        assert.deepEqual([uv.code, uv.out.error], [1, "user_verification_missing"]);
      }
    } finally {
      await context.close();
    }
  });
}

test("input that is not a ceremony exits 2 with one JSON line", () => {
  for (const input of ["", "garbage", "[1,2]", JSON.stringify({ ceremony: "registration" })]) {
    const r = verify(input);
    assert.deepEqual([r.code, r.out.verdict, r.out.error], [2, "fail", "unreadable_input"], input);
  }
});
