//! Native benchmark of notification validation: 10,000 varied notifications (four categories, shifted dates, up to
//! four tests, three in ten broken), each validated once, as the edge does after parsing; and the same with the
//! JSON parse included.
//!
//! Run: `cargo run --release -p shared --example notification_bench [-- COUNT]` (default 10000). Prints one JSON
//! line per measurement: throughput and per-item median/p95 in microseconds. The wasm counterpart is
//! `tests/bench/notification-wasm.mjs`.

#[path = "support/notification_fixture.rs"]
mod fixture;

use std::time::Instant;

use shared::notification::{validate, Notification};

fn main() {
    let count: u64 = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10_000);
    let today = fixture::today();
    let notifications: Vec<Notification> = (0..count).map(fixture::varied).collect();
    let json: Vec<String> = notifications.iter().map(Notification::to_json).collect();
    for n in notifications.iter().take(1000) {
        std::hint::black_box(validate(std::hint::black_box(n), today));
    }

    let mut fileable = 0;
    let (micros, total) = time_each(&notifications, |n| {
        let report = validate(std::hint::black_box(n), today);
        fileable += usize::from(report.is_fileable());
        std::hint::black_box(report);
    });
    print(
        "notification_validate_native",
        count,
        &micros,
        total,
        Some(fileable),
    );

    let (micros, total) = time_each(&json, |text| {
        if let Ok(n) = Notification::from_json(std::hint::black_box(text)) {
            std::hint::black_box(validate(&n, today));
        }
    });
    print(
        "notification_parse_and_validate_native",
        count,
        &micros,
        total,
        None,
    );
}

fn time_each<T>(items: &[T], mut f: impl FnMut(&T)) -> (Vec<f64>, f64) {
    let mut micros = Vec::with_capacity(items.len());
    let all = Instant::now();
    for item in items {
        let start = Instant::now();
        f(item);
        micros.push(start.elapsed().as_secs_f64() * 1e6);
    }
    let total = all.elapsed().as_secs_f64();
    micros.sort_by(f64::total_cmp);
    (micros, total)
}

fn print(name: &str, count: u64, micros: &[f64], total_seconds: f64, fileable: Option<usize>) {
    let pick = |q: f64| {
        micros
            .get(((micros.len() as f64 - 1.0) * q).round() as usize)
            .copied()
            .unwrap_or(f64::NAN)
    };
    let fileable = fileable
        .map(|n| format!(",\"fileable\":{n}"))
        .unwrap_or_default();
    println!(
        "{{\"bench\":\"{name}\",\"count\":{count},\"per_second\":{:.0},\"median_us\":{:.2},\"p95_us\":{:.2},\"max_us\":{:.1}{fileable}}}",
        count as f64 / total_seconds,
        pick(0.5),
        pick(0.95),
        pick(1.0)
    );
}
