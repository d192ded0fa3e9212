//! Exports (issue 22): what leaves the product, and for whom. `POST /api/exports/preview` answers the scope and the
//! row count before anything is downloaded; `POST /api/exports/download` streams the file (FHIR NDJSON, CSV, or the
//! open-data counts); `GET /api/cases/{id}/fhir` answers one record's notification as a FHIR R4 document Bundle.
//!
//! Criteria travel in the body (never in the URL); they hold no personal data (kind, days, encoding, layout).

use chrono::NaiveDate;
use serde::{Deserialize, Serialize};

use crate::auth::Role;

/// What is exported.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ExportKind {
    /// One FHIR R4 document Bundle per notification, one per line (NDJSON). Health centers, prefectures, and
    /// clinics for their own filings.
    Fhir,
    /// One row per notification, for spreadsheets. Health centers and prefectures only.
    Csv,
    /// New cases per day and prefecture in the layout of MHLW's open data; no personal data. Prefectures (their
    /// own) and national staff (every prefecture).
    OpenData,
}

/// The kinds of export a role may use, in the order the app offers them: FHIR for clinics (their own filings),
/// health centers and prefectures; CSV for health centers and prefectures; open data for prefectures and the
/// nation. The edge refuses every other kind (and limits each to the caller's scope); the app offers only these.
pub fn kinds_for(role: Role) -> &'static [ExportKind] {
    match role {
        Role::ClinicDoctor | Role::ClinicStaff => &[ExportKind::Fhir],
        Role::HealthCenterStaff | Role::HealthCenterAdmin => &[ExportKind::Csv, ExportKind::Fhir],
        Role::PrefectureStaff => &[ExportKind::Csv, ExportKind::Fhir, ExportKind::OpenData],
        Role::NationalStaff => &[ExportKind::OpenData],
        Role::FollowUpCenter => &[],
    }
}

/// The CSV's character encoding.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum CsvEncoding {
    /// UTF-8 with a byte-order mark (Excel detects it).
    #[default]
    Utf8Bom,
    /// Shift_JIS as Windows writes it (CP932), for older Excel in Japanese offices.
    Cp932,
}

/// How dates are written in a CSV.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum DateStyle {
    /// `2022-10-01`.
    #[default]
    Iso,
    /// `令和4年10月1日`.
    Wareki,
}

/// The open-data file's layout.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OpenDataLayout {
    /// `Date,Prefecture,Newly confirmed cases` (MHLW's newly_confirmed_cases_daily.csv).
    #[default]
    Daily,
    /// The same rows with a count per age band (cells under the minimum size suppressed).
    AgeBands,
}

/// The body of `POST /api/exports/preview` and `POST /api/exports/download`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ExportRequest {
    pub kind: ExportKind,
    /// First day (JST) included: of filing for FHIR and CSV, of diagnosis (the dashboard's day) for open data.
    pub from: NaiveDate,
    /// Last day (JST) included.
    pub to: NaiveDate,
    /// CSV only.
    #[serde(default)]
    pub encoding: CsvEncoding,
    /// CSV only.
    #[serde(default)]
    pub dates: DateStyle,
    /// Open data only.
    #[serde(default)]
    pub layout: OpenDataLayout,
}

/// The answer of `POST /api/exports/preview`: what the download would contain.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ExportPreview {
    pub kind: ExportKind,
    /// Whose records (or counts): e.g. 「世田谷保健所が管理する記録」, 「東京都」, 「全国」.
    pub scope: String,
    pub from: NaiveDate,
    pub to: NaiveDate,
    /// Rows (records for FHIR/CSV, data rows for open data) the download will hold.
    pub count: u64,
    /// The file name the download will be saved as.
    pub file_name: String,
    /// Downloads of personal data this caller has left in the current hour (`None` for open data).
    pub remaining: Option<u32>,
}

/// Response headers of a download, besides `content-type` and `content-disposition`.
pub const HEADER_COUNT: &str = "x-export-count";
/// The export's id, as written in the audit log.
pub const HEADER_ID: &str = "x-export-id";
