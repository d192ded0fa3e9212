//! What the platform gives every module: the names of the bindings in `wrangler.toml`, the checked configuration
//! ([`shared::config`]) and the clock.
//!
//! Kept out of `lib.rs` so that no module imports the crate root (the module graph stays a tree: see
//! `tests/module_graph.rs`).
//!
//! The configuration and the clock's offset are per isolate: `lib.rs` sets both at the start of every request
//! ([`prepare`]) from the variables and, only where the configuration allows the test clock, from KV. A Worker
//! isolate runs one JavaScript thread, so a thread-local is the isolate's state; every request of the isolate sees
//! the same values (the variables do not change within an isolate, and the offset is one value for the whole test
//! edge, moved only through `PUT /api/test/clock`).

use std::cell::{Cell, RefCell};
use std::rc::Rc;

use shared::config::{Config, ConfigError};
use worker::Env;

/// Names of the bindings in `wrangler.toml`.
pub mod bindings {
    pub const DB: &str = "DB";
    pub const KV: &str = "KV";
    pub const ASSETS: &str = "ASSETS";
    /// Cloudflare e-mail sending (simulated by `wrangler dev`).
    pub const MAIL: &str = "MAIL";
}

/// The KV key of the test clock's offset (milliseconds added to the real clock). Read only when the configuration
/// allows the test clock (`ENVIRONMENT = "test"` and `TEST_CLOCK = "1"`).
pub const TEST_CLOCK_KEY: &str = "test:clock_offset_ms";

thread_local! {
    static CONFIG: RefCell<Option<Rc<Config>>> = const { RefCell::new(None) };
    static OFFSET_MS: Cell<i64> = const { Cell::new(0) };
}

/// Reads and checks the configuration, and, for a test edge, the clock's offset. An invalid configuration answers
/// every request with `CONFIGURATION_INVALID` (and the log says why): a Worker has no start-up to fail, so this is
/// its start-up check.
pub async fn prepare(env: &Env) -> Result<Rc<Config>, ConfigError> {
    let config = Rc::new(shared::config::load(|name| {
        env.var(name).ok().map(|v| v.to_string())
    })?);
    let offset = if config.test_clock {
        match env.kv(bindings::KV) {
            Ok(kv) => kv
                .get(TEST_CLOCK_KEY)
                .text()
                .await
                .ok()
                .flatten()
                .and_then(|v| v.parse::<i64>().ok())
                .unwrap_or(0),
            Err(_) => 0,
        }
    } else {
        0
    };
    OFFSET_MS.with(|o| o.set(offset));
    CONFIG.with(|c| *c.borrow_mut() = Some(config.clone()));
    Ok(config)
}

/// The configuration of this isolate (set by [`prepare`] before any handler runs).
pub fn config() -> Rc<Config> {
    CONFIG.with(|c| c.borrow().clone()).unwrap_or_else(|| {
        // Unreachable in the worker (every entry point calls `prepare` first); a safe local default for unit tests.
        Rc::new(Config {
            environment: shared::config::Environment::Development,
            rp_id: "localhost".into(),
            allowed_origins: vec!["http://localhost:8787".into()],
            bench_routes: false,
            test_clock: false,
            shards: shared::shard::ShardMap::single(),
        })
    })
}

/// Moves the test clock (the caller has checked that the configuration allows it).
pub fn set_test_offset(offset_ms: i64) {
    OFFSET_MS.with(|o| o.set(offset_ms));
}

/// Milliseconds since the epoch, as the Worker's clock says (plus the test clock's offset on a test edge).
pub fn now_ms() -> i64 {
    worker::Date::now().as_millis() as i64 + OFFSET_MS.with(Cell::get)
}
