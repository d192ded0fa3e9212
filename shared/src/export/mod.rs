//! Data out (issue 22): FHIR R4 documents, CSV for spreadsheets, open-data counts. Pure functions over the stored
//! notification; the edge pages through the rows and streams what these return.

pub mod csv;
pub mod fhir;
pub mod open_data;

use crate::notification::Notification;

/// One filed record as the exports read it (a row of `cases` joined with its notification).
#[derive(Debug, Clone, Copy)]
pub struct ExportRecord<'a> {
    /// The record's id (also its notification's id).
    pub record_id: &'a str,
    /// The notification number as shown on screen (`store::notifications::number`).
    pub notification_number: &'a str,
    /// When it was filed (ms since the epoch).
    pub filed_at_ms: i64,
    /// The notification as filed or last edited.
    pub notification: &'a Notification,
    /// The filing clinic.
    pub institution_id: &'a str,
    pub institution_name: &'a str,
    /// The health center managing the record now.
    pub health_center_id: &'a str,
    pub health_center_name: &'a str,
    /// Its prefecture (2 digits).
    pub pref_code: &'a str,
    /// The record's current status (snake_case `CaseStatus`), if any.
    pub status: Option<&'a str>,
    /// 保健所独自ID (may be empty).
    pub hc_own_id: &'a str,
}
