//! The form revision as part of the data: a stored or sent notification names its revision in `"version"`, so
//! later revisions (e.g. the limited-scope form of 2022-09-26) are added as new variants without breaking old ones.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::model::Form20211129;

/// A notification of a given form revision. JSON: `{"version": "2021-11-29", "report_date": …, …}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "version")]
pub enum Notification {
    /// 別記様式6-1 as revised 2021-11-29 (as in force in February 2022).
    #[serde(rename = "2021-11-29")]
    R20211129(Form20211129),
}

/// The revisions this build knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FormVersion {
    #[serde(rename = "2021-11-29")]
    R20211129,
}

impl FormVersion {
    pub const ALL: &'static [FormVersion] = &[FormVersion::R20211129];
    /// The newest revision: what a new notification is filed on.
    pub const CURRENT: FormVersion = FormVersion::R20211129;

    /// The `"version"` value in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            FormVersion::R20211129 => "2021-11-29",
        }
    }

    /// The day the revision took effect.
    pub fn effective_from(self) -> Option<NaiveDate> {
        match self {
            FormVersion::R20211129 => NaiveDate::from_ymd_opt(2021, 11, 29),
        }
    }

    /// The printed title of the form.
    pub fn title(self) -> &'static str {
        match self {
            FormVersion::R20211129 => "別記様式６－１　新型コロナウイルス感染症　発生届",
        }
    }
}

impl Notification {
    /// A blank notification on the current revision.
    pub fn new_current() -> Self {
        Notification::R20211129(Form20211129::default())
    }

    pub fn version(&self) -> FormVersion {
        match self {
            Notification::R20211129(_) => FormVersion::R20211129,
        }
    }

    /// Parses untrusted JSON (the edge). Unknown versions and unknown members are refused.
    pub fn from_json(text: &str) -> Result<Self, serde_json::Error> {
        serde_json::from_str(text)
    }

    pub fn to_json(&self) -> String {
        // Serialising these plain structs cannot fail (string keys, no maps with non-string keys).
        serde_json::to_string(self).unwrap_or_default()
    }
}
