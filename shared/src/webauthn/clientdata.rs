//! clientDataJSON: parsing (§5.8.1) and the checks of type, challenge, origin and cross-origin (§7.1/§7.2).

use serde::Deserialize;

use super::{b64, CeremonyError};

/// The members of `CollectedClientData` the relying party checks. Unknown members are ignored, as §5.8.1
/// requires (clients add fields such as `other_keys_can_be_added_here`).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct CollectedClientData {
    pub ty: String,
    /// The challenge as the client wrote it (base64url).
    pub challenge: String,
    pub origin: String,
    pub cross_origin: bool,
    pub top_origin: Option<String>,
}

#[derive(Deserialize)]
struct Raw {
    #[serde(rename = "type")]
    ty: String,
    challenge: String,
    origin: String,
    // `null` is treated like absent: the spec's default is false.
    #[serde(rename = "crossOrigin", default)]
    cross_origin: Option<bool>,
    #[serde(rename = "topOrigin", default)]
    top_origin: Option<String>,
}

/// Parses the raw bytes as UTF-8 JSON (serde_json rejects duplicate members and invalid UTF-8).
pub fn parse(client_data_json: &[u8]) -> Result<CollectedClientData, CeremonyError> {
    let raw: Raw = serde_json::from_slice(client_data_json).map_err(|e| {
        CeremonyError::MalformedClientData {
            detail: e.to_string(),
        }
    })?;
    Ok(CollectedClientData {
        ty: raw.ty,
        challenge: raw.challenge,
        origin: raw.origin,
        cross_origin: raw.cross_origin.unwrap_or(false),
        top_origin: raw.top_origin,
    })
}

/// The clientDataJSON checks of §7.1 and §7.2 (type, challenge, origin, cross-origin), in the spec's order.
pub(crate) fn check(
    cd: &CollectedClientData,
    expected_type: &'static str,
    expected_challenge: &[u8],
    allowed_origins: &[&str],
) -> Result<(), CeremonyError> {
    if cd.ty != expected_type {
        return Err(CeremonyError::WrongCeremonyType {
            expected: expected_type,
            received: cd.ty.clone(),
        });
    }
    // A challenge that does not even decode cannot equal the expected bytes.
    match b64::decode("clientDataJSON.challenge", &cd.challenge) {
        Ok(bytes) if bytes == expected_challenge => {}
        _ => return Err(CeremonyError::ChallengeMismatch),
    }
    // Exact string match: origins are serialised by the browser, so no normalisation is needed or safe.
    if !allowed_origins.contains(&cd.origin.as_str()) {
        return Err(CeremonyError::OriginMismatch {
            received: cd.origin.clone(),
        });
    }
    // HER-SYS is never embedded in another site's iframe, so any cross-origin context is refused.
    if cd.cross_origin || cd.top_origin.is_some() {
        return Err(CeremonyError::CrossOrigin);
    }
    Ok(())
}
