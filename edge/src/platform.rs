//! What the platform gives every module: the names of the bindings in `wrangler.toml`, and the clock.
//!
//! Kept out of `lib.rs` so that no module imports the crate root (the module graph stays a tree: see
//! `tests/module_graph.rs`).

/// Names of the bindings in `wrangler.toml`.
pub mod bindings {
    pub const DB: &str = "DB";
    pub const KV: &str = "KV";
    pub const ASSETS: &str = "ASSETS";
    /// Cloudflare e-mail sending (simulated by `wrangler dev`).
    pub const MAIL: &str = "MAIL";
}

/// Milliseconds since the epoch, as the Worker's clock says.
pub fn now_ms() -> i64 {
    worker::Date::now().as_millis() as i64
}
