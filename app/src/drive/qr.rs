//! A specimen label's QR code, drawn as SVG from the `qrcode` crate's module matrix (no image, no data: URL, no
//! inline style: the CSP allows none of them). The QR code holds only `HERSYS-SPECIMEN:<code>`, nothing personal.

use std::fmt::Write;

use dioxus::prelude::*;
use qrcode::{Color, EcLevel, QrCode};

/// The dark modules as one SVG path (runs of a row merged), inside a 4-module quiet zone; and the side length.
pub fn qr_path(text: &str) -> Option<(String, usize)> {
    let code = QrCode::with_error_correction_level(text.as_bytes(), EcLevel::M).ok()?;
    let width = code.width();
    let colors = code.to_colors();
    let mut d = String::new();
    for y in 0..width {
        let mut x = 0;
        while x < width {
            if colors[y * width + x] == Color::Dark {
                let start = x;
                while x < width && colors[y * width + x] == Color::Dark {
                    x += 1;
                }
                let _ = write!(
                    d,
                    "M{} {}h{}v1h-{}z",
                    start + 4,
                    y + 4,
                    x - start,
                    x - start
                );
            } else {
                x += 1;
            }
        }
    }
    Some((d, width + 8))
}

#[component]
pub fn QrCodeSvg(text: String, label: String) -> Element {
    let Some((d, size)) = qr_path(&text) else {
        return rsx! {};
    };
    rsx! {
        svg {
            class: "qr",
            "viewBox": "0 0 {size} {size}",
            role: "img",
            "aria-label": "{label}",
            "shape-rendering": "crispEdges",
            "data-testid": "specimen-qr",
            rect { width: "{size}", height: "{size}", fill: "#fff" }
            path { d: "{d}", fill: "#000" }
        }
    }
}
