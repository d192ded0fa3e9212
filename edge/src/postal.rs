//! The postal-code data the app fills addresses from (`/data/postal/<3 digits>.json`, public files served by the
//! assets binding), read here so the edge can refuse an address whose municipality code is none its postal code
//! may mean. No SQL and no personal data: only the public files.

use std::collections::BTreeMap;

use shared::notification::postal::{PostalCode, PostalIndex, PostalMunicipality};
use shared::notification::validate::{postal_addresses, postal_mismatches, ValidationError};
use shared::notification::Notification;
use worker::Env;

use crate::platform::bindings;

/// The lookup files of the prefixes a request needs, each read once. A file the assets do not hold (the SPA
/// fallback answers with the HTML page) or cannot be read counts as unknown: its codes are not checked.
#[derive(Default)]
pub struct PostalData {
    files: BTreeMap<String, Option<PostalIndex>>,
}

impl PostalData {
    /// Reads the lookup files of `codes`.
    pub async fn load(env: &Env, codes: impl IntoIterator<Item = PostalCode>) -> PostalData {
        let mut data = PostalData::default();
        for code in codes {
            let prefix = code.prefix().to_owned();
            if data.files.contains_key(&prefix) {
                continue;
            }
            let index = read(env, &code).await;
            data.files.insert(prefix, index);
        }
        data
    }

    /// The municipalities `code` may mean; empty when the data does not know it.
    pub fn municipalities(&self, code: &PostalCode) -> Vec<PostalMunicipality> {
        self.files
            .get(code.prefix())
            .and_then(Option::as_ref)
            .map(|index| index.municipalities(code))
            .unwrap_or_default()
    }
}

async fn read(env: &Env, code: &PostalCode) -> Option<PostalIndex> {
    let assets = env.assets(bindings::ASSETS).ok()?;
    let url = format!("https://assets.local{}", code.lookup_path());
    let mut response = match assets.fetch(url, None).await {
        Ok(r) => r,
        Err(e) => {
            worker::console_error!("postal data {}: {e}", code.prefix());
            return None;
        }
    };
    if response.status_code() != 200 {
        return None;
    }
    let text = response.text().await.ok()?;
    PostalIndex::from_json(&text).ok()
}

/// The notification's addresses whose municipality code is not one their postal code may mean.
pub async fn notification_mismatches(env: &Env, n: &Notification) -> Vec<ValidationError> {
    let codes: Vec<PostalCode> = postal_addresses(n)
        .into_iter()
        .filter(|(_, a, _)| !a.municipality_code.trim().is_empty())
        .map(|(_, _, c)| c)
        .collect();
    if codes.is_empty() {
        return Vec::new();
    }
    let data = PostalData::load(env, codes).await;
    postal_mismatches(n, |c| data.municipalities(c))
}
