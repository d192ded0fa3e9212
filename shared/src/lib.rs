//! The pure domain crate shared by the app (browser) and the edge (Worker).
//!
//! Invariant: nothing here does I/O. Types in [`api`] are the HTTP contract, so the two ends cannot disagree.

pub mod api;
pub mod audit;
pub mod auth;
pub mod case;
pub mod config;
pub mod drive;
pub mod entry;
pub mod error;
#[cfg(feature = "export")]
pub mod export;
pub mod kana;
pub mod notification;
pub mod observation;
pub mod regime;
pub mod shard;
pub mod tally;
pub mod time;
pub mod typed;

/// The product name shown in the UI header and the manifest.
pub const PRODUCT_NAME: &str = "HER-SYS";

/// Build version: the crate version, stamped into `/api/health` and the app footer.
pub const VERSION: &str = env!("CARGO_PKG_VERSION");

#[cfg(feature = "webauthn")]
pub mod webauthn;
