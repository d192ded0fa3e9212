//! The form revision as part of the data: a stored or sent notification names its revision in `"version"`, so
//! later revisions are added as new variants without breaking old ones.
//!
//! The limited form of 2022-09-26 keeps every item of the 2021-11-29 form and adds 届出の対象 (the four groups), so
//! both revisions share one body ([`Form20211129`], whose `target_groups` member is left out of the JSON while
//! empty: a 2021-11-29 notification's JSON is byte-for-byte what it was). What differs is the rules
//! ([`super::validate`]) and which fields apply ([`super::conditional`]). Which revision a notification must use
//! is decided by its own date ([`FormVersion::for_date`], from [`crate::regime`]); a stored notification keeps its
//! revision.

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use super::model::Form20211129;
use crate::regime;

/// A notification of a given form revision. JSON: `{"version": "2021-11-29", "report_date": …, …}`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "version")]
pub enum Notification {
    /// 別記様式6-1 as revised 2021-11-29 (as in force in February 2022).
    #[serde(rename = "2021-11-29")]
    R20211129(Form20211129),
    /// The limited notification from 2022-09-26: the same items plus 届出の対象 (four groups, one at least, or a
    /// death examination).
    #[serde(rename = "2022-09-26")]
    R20220926(Form20211129),
}

/// The revisions this build knows.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub enum FormVersion {
    #[serde(rename = "2021-11-29")]
    R20211129,
    #[serde(rename = "2022-09-26")]
    R20220926,
}

impl FormVersion {
    pub const ALL: &'static [FormVersion] = &[FormVersion::R20211129, FormVersion::R20220926];
    /// What a new notification without a date is started on (today's regime in 2023 and later accepts the full
    /// form as a voluntary report); the form switches by its diagnosis date ([`FormVersion::for_date`]).
    pub const CURRENT: FormVersion = FormVersion::R20211129;

    /// The `"version"` value in JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            FormVersion::R20211129 => regime::FORM_FULL,
            FormVersion::R20220926 => regime::FORM_LIMITED,
        }
    }

    /// The revision named by a `"version"` value.
    pub fn parse(s: &str) -> Option<FormVersion> {
        FormVersion::ALL.iter().copied().find(|v| v.as_str() == s)
    }

    /// The revision a case diagnosed on `day` is notified on (the regime of that day).
    pub fn for_date(day: NaiveDate) -> FormVersion {
        FormVersion::parse(regime::for_date(day).notification.form())
            .unwrap_or(FormVersion::CURRENT)
    }

    /// The day the revision took effect.
    pub fn effective_from(self) -> Option<NaiveDate> {
        match self {
            FormVersion::R20211129 => NaiveDate::from_ymd_opt(2021, 11, 29),
            FormVersion::R20220926 => NaiveDate::from_ymd_opt(2022, 9, 26),
        }
    }

    /// Whether the form asks 届出の対象 (the four groups).
    pub fn has_target_groups(self) -> bool {
        self == FormVersion::R20220926
    }

    /// The printed title of the form.
    pub fn title(self) -> &'static str {
        match self {
            FormVersion::R20211129 => "別記様式６－１　新型コロナウイルス感染症　発生届",
            FormVersion::R20220926 => {
                "別記様式６－１　新型コロナウイルス感染症　発生届（令和４年９月２６日以降・届出対象限定）"
            }
        }
    }
}

impl Notification {
    /// A blank notification on the current revision.
    pub fn new_current() -> Self {
        Notification::R20211129(Form20211129::default())
    }

    /// A notification of `version` with this body.
    pub fn of_version(version: FormVersion, form: Form20211129) -> Self {
        match version {
            FormVersion::R20211129 => Notification::R20211129(form),
            FormVersion::R20220926 => Notification::R20220926(form),
        }
    }

    pub fn version(&self) -> FormVersion {
        match self {
            Notification::R20211129(_) => FormVersion::R20211129,
            Notification::R20220926(_) => FormVersion::R20220926,
        }
    }

    /// The body (every revision shares it).
    pub fn form(&self) -> &Form20211129 {
        match self {
            Notification::R20211129(f) | Notification::R20220926(f) => f,
        }
    }

    pub fn form_mut(&mut self) -> &mut Form20211129 {
        match self {
            Notification::R20211129(f) | Notification::R20220926(f) => f,
        }
    }

    pub fn into_form(self) -> Form20211129 {
        match self {
            Notification::R20211129(f) | Notification::R20220926(f) => f,
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
