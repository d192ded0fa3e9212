//! The `webauthn-verify` command's logic (stdin JSON ceremony → one JSON verdict line + exit code), kept in the
//! library so tests can drive it without spawning a process.

use serde::Deserialize;
use serde_json::{json, Value as Json};

use super::browser::{
    AuthenticationResponseJson, RegistrationResponseJson, RelyingParty, StoredCredential,
};
use super::{b64, CeremonyError};

/// Exit code for a verified ceremony.
pub const EXIT_PASS: i32 = 0;
/// Exit code for a ceremony that was read but failed verification.
pub const EXIT_FAIL: i32 = 1;
/// Exit code for input that could not be read as a ceremony at all.
pub const EXIT_UNREADABLE: i32 = 2;
/// Largest stdin accepted (real ceremonies are a few KiB).
pub const MAX_INPUT_BYTES: usize = 1 << 20;

/// The command's answer: the line to print (no newline) and the exit code.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Verdict {
    pub exit_code: i32,
    pub line: String,
}

#[derive(Deserialize)]
struct CommandInput {
    ceremony: String,
    rp_id: String,
    origin: String,
    challenge_b64url: String,
    credential: Json,
    #[serde(default)]
    credential_public_key_cose_b64url: Option<String>,
    #[serde(default)]
    prev_sign_count: Option<u32>,
    #[serde(default)]
    options: Option<CommandOptions>,
}

#[derive(Deserialize, Default)]
struct CommandOptions {
    #[serde(default)]
    require_user_verification: Option<bool>,
}

/// One JSON object with members in the given order (`verdict` first, as the contract shows it; serde_json's
/// own maps would sort the keys).
fn ordered(members: &[(&str, Json)]) -> String {
    let body: Vec<String> = members
        .iter()
        .map(|(k, v)| format!("{}:{v}", Json::from(*k)))
        .collect();
    format!("{{{}}}", body.join(","))
}

fn unreadable(detail: impl Into<String>) -> Verdict {
    let line = ordered(&[
        ("verdict", json!("fail")),
        ("error", json!("unreadable_input")),
        ("detail", json!(detail.into())),
    ]);
    Verdict {
        exit_code: EXIT_UNREADABLE,
        line,
    }
}

fn failed(err: &CeremonyError) -> Verdict {
    let line = ordered(&[
        ("verdict", json!("fail")),
        ("error", json!(err.code())),
        ("detail", json!(err.to_string())),
    ]);
    Verdict {
        exit_code: EXIT_FAIL,
        line,
    }
}

fn passed(members: &[(&str, Json)]) -> Verdict {
    let mut all = vec![("verdict", json!("pass"))];
    all.extend(members.iter().cloned());
    Verdict {
        exit_code: EXIT_PASS,
        line: ordered(&all),
    }
}

fn hex(bytes: &[u8]) -> String {
    bytes.iter().map(|b| format!("{b:02x}")).collect()
}

/// Runs one ceremony from the raw stdin bytes.
pub fn run(stdin: &[u8]) -> Verdict {
    if stdin.len() > MAX_INPUT_BYTES {
        return unreadable(format!("input larger than {MAX_INPUT_BYTES} bytes"));
    }
    let input: CommandInput = match serde_json::from_slice(stdin) {
        Ok(input) => input,
        Err(e) => return unreadable(format!("not a ceremony JSON object: {e}")),
    };
    let require_user_verification = input
        .options
        .unwrap_or_default()
        .require_user_verification
        .unwrap_or(false);
    let origins = [input.origin.as_str()];
    let rp = RelyingParty {
        rp_id: &input.rp_id,
        allowed_origins: &origins,
        require_user_verification,
        allowed_algorithms: &[],
    };
    match input.ceremony.as_str() {
        "registration" => {
            let credential: RegistrationResponseJson =
                match serde_json::from_value(input.credential) {
                    Ok(c) => c,
                    Err(e) => {
                        return failed(&CeremonyError::MalformedCredential {
                            detail: format!("not a RegistrationResponseJSON: {e}"),
                        })
                    }
                };
            let challenge = match b64::decode("challenge_b64url", &input.challenge_b64url) {
                Ok(c) => c,
                Err(e) => return failed(&e),
            };
            match credential.verify(&rp, &challenge) {
                Ok(c) => passed(&[
                    ("ceremony", json!("registration")),
                    ("credential_id_b64url", json!(b64::encode(&c.credential_id))),
                    (
                        "credential_public_key_cose_b64url",
                        json!(b64::encode(&c.public_key_cose)),
                    ),
                    ("algorithm", json!(c.algorithm)),
                    ("sign_count", json!(c.sign_count)),
                    ("aaguid_hex", json!(hex(&c.aaguid))),
                    ("fmt", json!(c.fmt)),
                    ("attestation_type", json!(c.attestation_type.as_str())),
                    (
                        "attestation_trust_anchor_verified",
                        json!(c.attestation_trust_anchor_verified),
                    ),
                    ("backup_eligible", json!(c.backup_eligible)),
                    ("backup_state", json!(c.backup_state)),
                    ("user_verified", json!(c.user_verified)),
                ]),
                Err(e) => failed(&e),
            }
        }
        "authentication" => {
            let credential: AuthenticationResponseJson =
                match serde_json::from_value(input.credential) {
                    Ok(c) => c,
                    Err(e) => {
                        return failed(&CeremonyError::MalformedCredential {
                            detail: format!("not an AuthenticationResponseJSON: {e}"),
                        })
                    }
                };
            let Some(key_b64) = input.credential_public_key_cose_b64url else {
                return unreadable("authentication needs credential_public_key_cose_b64url");
            };
            let challenge = match b64::decode("challenge_b64url", &input.challenge_b64url) {
                Ok(c) => c,
                Err(e) => return failed(&e),
            };
            let key = match b64::decode("credential_public_key_cose_b64url", &key_b64) {
                Ok(k) => k,
                Err(e) => return failed(&e),
            };
            let stored = StoredCredential {
                credential_id: &[],
                public_key_cose: &key,
                sign_count: input.prev_sign_count.unwrap_or(0),
                backup_eligible: None,
                user_handle: None,
            };
            match credential.verify_with_key(&rp, &challenge, &stored) {
                Ok(o) => passed(&[
                    ("ceremony", json!("authentication")),
                    ("new_sign_count", json!(o.new_sign_count)),
                    ("user_verified", json!(o.user_verified)),
                    ("backup_eligible", json!(o.backup_eligible)),
                    ("backup_state", json!(o.backup_state)),
                ]),
                Err(e) => failed(&e),
            }
        }
        other => unreadable(format!(
            "ceremony must be \"registration\" or \"authentication\", not {other:?}"
        )),
    }
}
