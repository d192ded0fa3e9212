//! WebAuthn relying-party verification (WebAuthn Level 3 §7.1 registration, §7.2 authentication): pure, no I/O.
//!
//! Entry points: [`verify_registration`] and [`verify_authentication`] over raw bytes, or
//! [`RegistrationResponseJson::verify`] / [`AuthenticationResponseJson::verify`] over the browser's
//! `PublicKeyCredential.toJSON()`. Everything that comes from outside is parsed without panicking: the lints
//! below forbid the usual ways to panic in this module's code.
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
