//! WebAuthn relying-party verification (WebAuthn Level 3 §7.1 registration, §7.2 authentication): pure, no I/O.
//!
//! Entry points: [`verify_registration`] and [`verify_authentication`] over raw bytes, or
//! [`RegistrationResponseJson::verify`] / [`AuthenticationResponseJson::verify`] over the browser's
//! `PublicKeyCredential.toJSON()`. Everything that comes from outside is parsed without panicking: the lints
//! below forbid the usual ways to panic in this module's code.
//!
//! What is checked (WebAuthn Level 3, by content, in the spec's order). §7.1: clientDataJSON type, challenge,
//! origin, crossOrigin and topOrigin (any cross-origin context is refused), SHA-256 of the raw bytes, attestation
//! object and authenticator data parsed exactly, rpIdHash, UP, UV when required, BS only with BE, alg among those
//! offered, fmt matched case-sensitively, attestation `none` / `packed` (self, or x5c with the §8.2.1 certificate
//! requirements) / `fido-u2f` verified, credential ID at most 1023 bytes. §7.2: user handle (when the caller
//! passes one), clientDataJSON as above, rpIdHash, UP, UV when required, BS only with BE, BE unchanged (when
//! known), signature over authenticatorData ‖ SHA-256(clientDataJSON), signature counter rule.
//! Left to the caller: challenge freshness and single use, allowCredentials membership, "credential ID not yet
//! registered", storing and updating the record. Not implemented: attestation trust anchors and certificate
//! validity periods (results say `trust_anchor_verified: false`), other attestation formats (rejected),
//! extension output checks (outputs are returned), `appid`, UP-less conditional create.
#![deny(
    clippy::unwrap_used,
    clippy::expect_used,
    clippy::indexing_slicing,
    clippy::panic
)]

pub mod attestation;
pub mod authdata;
pub mod authentication;
pub mod b64;
pub mod browser;
pub mod cbor;
pub mod clientdata;
pub mod command;
pub mod cose;
pub mod error;
pub mod registration;

pub use attestation::AttestationType;
pub use authentication::{verify_authentication, AuthenticationInput, AuthenticationOutcome};
pub use browser::{
    AssertionResponseJson, AttestationResponseJson, AuthenticationResponseJson,
    RegistrationResponseJson, RelyingParty, StoredCredential,
};
pub use cose::{alg, CosePublicKey};
pub use error::CeremonyError;
pub use registration::{verify_registration, RegisteredCredential, RegistrationInput};
