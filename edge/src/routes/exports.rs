//! Exports (issue 22): `POST /api/exports/preview` (what a download would hold: scope, count, file name, downloads
//! left) and `POST /api/exports/download` (the file, streamed page by page).
//!
//! Who may export what (checked here, on the server, before anything is read):
//! - FHIR (one document Bundle per line, NDJSON): clinic roles (their institution's own filings), health-center roles
//!   (the records their health center manages now) and prefecture staff (their prefecture's records);
//! - CSV: health-center roles and prefecture staff (same rows);
//! - open data (counts, no personal data): prefecture staff (their prefecture) and national staff (every
//!   prefecture and `ALL`).
//!
//! Everyone else is refused `FORBIDDEN`, audited. The body is [`ExportRequest`], read member by member so that an
//! unknown member, a wrong type or a bad date is refused `VALIDATION_FAILED` naming its field; then `from <= to`, a
//! span of at most [`MAX_DAYS`] days, and `to` not after today (JST). Options of another kind (`encoding`/`dates`
//! for anything but CSV, `layout` for anything but open data) are ignored, and not written in the audit entry's
//! criteria (the app sends the whole request with defaults).
//!
//! Downloads of personal data count against [`throttles::EXPORT_PERSONAL`] (20 an hour per account), open data
//! against [`throttles::EXPORT_OPEN_DATA`] (120), only once the request is valid and allowed; past it
//! `EXPORT_RATE_LIMITED` (429), audited. The preview counts nothing.
//!
//! Audit: the preview `export_preview` (criteria and count); a download `export` at the start (criteria, count and the
//! export id, which the response's `x-export-id` carries), then per page `export_rows` naming every id of the page
//! (`{"n", "ids", "export", "page"}`: the admin view shows them like a search's ids), then `export_done` (rows
//! written; CSV: cells CP932 could not write). Each page's entry is written before its bytes are sent.
//!
//! A stored notification whose JSON no longer reads is never skipped: in the first page it is answered
//! `EXPORT_RECORD_UNREADABLE` (500, naming the record id: the store is at fault, not the request); later the stream
//! stops there with an error (the client's download fails instead of ending short and looking complete). Either way
//! `export_done` says `unreadable` with the record's id and the rows written before it.

use chrono::NaiveDate;
use futures_util::stream::{self, StreamExt};
use serde_json::{json, Map, Value};
use shared::api::exports::{
    kinds_for, CsvEncoding, DateStyle, ExportKind, ExportPreview, ExportRequest, OpenDataLayout,
    HEADER_COUNT, HEADER_ID,
};
use shared::auth::access::DashboardArea;
use shared::auth::Scope;
use shared::error::ErrorCode;
use shared::export::{csv, fhir, open_data};
use shared::notification::municipality::prefecture_name;
use shared::notification::validate::{IssueSeverity, IssueView};
use shared::time::today_jst;
use worker::{D1Database, Headers, Request, Response};

use crate::caller::Staff;
use crate::crypto::token;
use crate::error::{ApiError, ApiResult};
use crate::platform::now_ms;
use crate::request::json_body;
use crate::store::audit::{self, Event};
use crate::store::exports::span_ms;
use crate::store::shards::{each, Shard};
use crate::store::throttles::{self, Limit};
use crate::store::{daily_totals, exports, institutions};

/// The longest span a request may cover, in days (both ends included).
pub const MAX_DAYS: i64 = 366;
/// Rows read and written per page of a download.
pub const PAGE_ROWS: i64 = 500;

/// What a caller exports: records of a scope (FHIR, CSV) or counts of an area (open data).
enum Target {
    Records(Scope),
    Counts(DashboardArea),
}

fn issue(field: &str, code: &str, message: &str) -> IssueView {
    IssueView {
        severity: IssueSeverity::Error,
        code: code.to_owned(),
        field: field.to_owned(),
        message: message.to_owned(),
    }
}

fn enum_member<T: serde::de::DeserializeOwned>(
    body: &Map<String, Value>,
    field: &str,
    choices: &str,
    issues: &mut Vec<IssueView>,
) -> Option<T> {
    let v = body.get(field)?;
    match serde_json::from_value::<T>(v.clone()) {
        Ok(t) => Some(t),
        Err(_) => {
            issues.push(issue(
                field,
                "invalid_choice",
                &format!("{field} は {choices} のいずれかで指定してください。"),
            ));
            None
        }
    }
}

fn day_member(
    body: &Map<String, Value>,
    field: &str,
    label: &str,
    issues: &mut Vec<IssueView>,
) -> Option<NaiveDate> {
    let Some(v) = body.get(field) else {
        issues.push(issue(
            field,
            "required",
            &format!("{label}（{field}）を指定してください。"),
        ));
        return None;
    };
    let day = v.as_str().filter(|s| {
        s.len() == 10
            && s.bytes().enumerate().all(|(i, b)| {
                if i == 4 || i == 7 {
                    b == b'-'
                } else {
                    b.is_ascii_digit()
                }
            })
    });
    match day.and_then(|s| NaiveDate::parse_from_str(s, "%Y-%m-%d").ok()) {
        Some(d) => Some(d),
        None => {
            issues.push(issue(
                field,
                "invalid_date",
                &format!("{label}（{field}）は YYYY-MM-DD の形の実在する日付で指定してください。"),
            ));
            None
        }
    }
}

/// The request, read member by member (every problem named by its field), and checked against `today`.
pub fn parse(body: &Value, today: NaiveDate) -> Result<ExportRequest, Vec<IssueView>> {
    let Some(body) = body.as_object() else {
        return Err(vec![issue(
            "",
            "not_an_object",
            "エクスポートの条件は JSON のオブジェクトで送ってください。",
        )]);
    };
    let mut issues = Vec::new();
    for key in body.keys() {
        if !["kind", "from", "to", "encoding", "dates", "layout"].contains(&key.as_str()) {
            issues.push(issue(
                key,
                "unknown_member",
                "この項目はエクスポートの条件にありません。",
            ));
        }
    }
    let kind = if body.contains_key("kind") {
        enum_member::<ExportKind>(body, "kind", "fhir・csv・open_data", &mut issues)
    } else {
        issues.push(issue(
            "kind",
            "required",
            "エクスポートの種類（kind）を指定してください。",
        ));
        None
    };
    let from = day_member(body, "from", "開始日", &mut issues);
    let to = day_member(body, "to", "終了日", &mut issues);
    let encoding = enum_member::<CsvEncoding>(body, "encoding", "utf8_bom・cp932", &mut issues)
        .unwrap_or_default();
    let dates =
        enum_member::<DateStyle>(body, "dates", "iso・wareki", &mut issues).unwrap_or_default();
    let layout = enum_member::<OpenDataLayout>(body, "layout", "daily・age_bands", &mut issues)
        .unwrap_or_default();
    if let (Some(from), Some(to)) = (from, to) {
        if from > to {
            issues.push(issue(
                "from",
                "reversed",
                "開始日（from）は終了日（to）以前の日付にしてください。",
            ));
        } else if (to - from).num_days() >= MAX_DAYS {
            issues.push(issue(
                "from",
                "span_too_long",
                "期間は366日以内にしてください。",
            ));
        }
        if to > today {
            issues.push(issue(
                "to",
                "future",
                "終了日（to）に未来の日付は指定できません。",
            ));
        }
    }
    match (kind, from, to) {
        (Some(kind), Some(from), Some(to)) if issues.is_empty() => Ok(ExportRequest {
            kind,
            from,
            to,
            encoding,
            dates,
            layout,
        }),
        _ => Err(issues),
    }
}

/// What `c` may export of `kind`, if anything.
fn target(c: &Staff, kind: ExportKind) -> Option<Target> {
    if !kinds_for(c.principal.role).contains(&kind) {
        return None;
    }
    match kind {
        ExportKind::Fhir | ExportKind::Csv => c.principal.scope().map(Target::Records),
        ExportKind::OpenData => c.principal.dashboard_area().map(Target::Counts),
    }
}

/// Whether `c` may export anything at all (so that a caller who may not is refused before the body is read).
fn may_export_something(c: &Staff) -> bool {
    [ExportKind::Fhir, ExportKind::Csv, ExportKind::OpenData]
        .into_iter()
        .any(|k| target(c, k).is_some())
}

/// The criteria as the audit entry records them (only the options that apply to the kind; nothing personal).
fn criteria(q: &ExportRequest) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("kind".into(), json!(q.kind));
    m.insert("from".into(), q.from.to_string().into());
    m.insert("to".into(), q.to.to_string().into());
    match q.kind {
        ExportKind::Csv => {
            m.insert("encoding".into(), json!(q.encoding));
            m.insert("dates".into(), json!(q.dates));
        }
        ExportKind::OpenData => {
            m.insert("layout".into(), json!(q.layout));
        }
        ExportKind::Fhir => {}
    }
    m
}

/// The file name a download is saved as (ASCII).
pub fn file_name(q: &ExportRequest) -> String {
    let span = format!("{}-{}", q.from.format("%Y%m%d"), q.to.format("%Y%m%d"));
    match q.kind {
        ExportKind::Fhir => format!("hersys-fhir-{span}.ndjson"),
        ExportKind::Csv => format!("hersys-records-{span}.csv"),
        ExportKind::OpenData => match q.layout {
            OpenDataLayout::Daily => format!("newly_confirmed_cases_daily-{span}.csv"),
            OpenDataLayout::AgeBands => format!("newly_confirmed_cases_by_age-{span}.csv"),
        },
    }
}

/// The prefectures of an open-data area (2 digits, JIS order) and whether the file has the `ALL` rows.
fn prefectures(area: &DashboardArea) -> (Vec<String>, bool) {
    match area {
        DashboardArea::Nation => ((1..=47).map(|n| format!("{n:02}")).collect(), true),
        DashboardArea::Prefecture(p) => (vec![p.clone()], false),
        DashboardArea::HealthCenter(_) => (Vec::new(), false),
    }
}

fn pref_label(code: &str) -> String {
    code.parse::<u8>()
        .ok()
        .and_then(prefecture_name)
        .map_or_else(|| format!("都道府県{code}"), str::to_owned)
}

async fn scope_label(db: &D1Database, t: &Target) -> ApiResult<String> {
    Ok(match t {
        Target::Records(Scope::Institution(_)) => "あなたの医療機関が提出した届出".to_owned(),
        Target::Records(Scope::HealthCenter(h)) => {
            let name = institutions::health_center(db, h)
                .await?
                .map_or_else(|| h.clone(), |x| x.name);
            format!("{name}が管理する記録")
        }
        Target::Records(Scope::Prefecture(p)) => format!("{}の記録", pref_label(p)),
        Target::Counts(DashboardArea::Prefecture(p)) => pref_label(p),
        Target::Counts(_) => "全国".to_owned(),
    })
}

fn limit_of(kind: ExportKind) -> (Limit, &'static str) {
    match kind {
        ExportKind::OpenData => (throttles::EXPORT_OPEN_DATA, "export_open"),
        _ => (throttles::EXPORT_PERSONAL, "export"),
    }
}

/// The body, the caller's right to the kind (a refusal audited as `action`), and the target.
async fn read(
    c: &Staff,
    req: &mut Request,
    action: &'static str,
) -> ApiResult<(ExportRequest, Target)> {
    if !may_export_something(c) {
        c.log(c.event(action, "forbidden")).await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    let body: Value = json_body(req).await?;
    let q = parse(&body, today_jst(now_ms()))
        .map_err(|issues| ApiError::with_issues(ErrorCode::ValidationFailed, issues))?;
    let Some(t) = target(c, q.kind) else {
        c.log(c.event(action, "forbidden").with_detail(criteria(&q)))
            .await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    };
    Ok((q, t))
}

/// The filing times a download covers: the request's days, and nothing filed after `start` (the moment it was
/// counted), so that a filing made while a long download runs neither joins it nor makes it disagree with its count.
fn pinned_span(q: &ExportRequest, start: i64) -> (i64, i64) {
    let (from, to) = span_ms(q.from, q.to);
    (from, to.min(start + 1))
}

async fn count_of(shards: &[Shard], q: &ExportRequest, t: &Target, start: i64) -> ApiResult<u64> {
    Ok(match t {
        Target::Records(scope) => {
            let (from, to) = pinned_span(q, start);
            each(shards, |shard| exports::count(&shard.db, scope, from, to))
                .await?
                .into_iter()
                .sum()
        }
        Target::Counts(area) => {
            let (prefs, all) = prefectures(area);
            open_data::row_count(prefs.len(), q.from, q.to, all)
        }
    })
}

/// `POST /api/exports/preview`.
pub async fn preview(c: Staff, mut req: Request) -> ApiResult<Response> {
    let (q, t) = read(&c, &mut req, "export_preview").await?;
    let count = count_of(&c.search_shards()?, &q, &t, now_ms()).await?;
    let remaining = match q.kind {
        ExportKind::OpenData => None,
        kind => {
            let (limit, prefix) = limit_of(kind);
            let key = format!("{prefix}:{}", c.principal.user_id);
            let used = throttles::current(&c.core, &key, limit, now_ms()).await?;
            Some(u32::try_from((limit.max - used).max(0)).unwrap_or(0))
        }
    };
    let mut detail = criteria(&q);
    detail.insert("count".into(), count.into());
    c.log(c.event("export_preview", "ok").with_detail(detail))
        .await?;
    Ok(Response::from_json(&ExportPreview {
        kind: q.kind,
        scope: scope_label(&c.core, &t).await?,
        from: q.from,
        to: q.to,
        count,
        file_name: file_name(&q),
        remaining,
    })?)
}

fn content_type(q: &ExportRequest) -> &'static str {
    match (q.kind, q.encoding) {
        (ExportKind::Fhir, _) => "application/fhir+ndjson",
        (ExportKind::Csv, CsvEncoding::Cp932) => "text/csv; charset=shift_jis",
        _ => "text/csv; charset=utf-8",
    }
}

fn headers(q: &ExportRequest, count: u64, id: &str) -> ApiResult<Headers> {
    let h = Headers::new();
    h.set("content-type", content_type(q))?;
    h.set(
        "content-disposition",
        &format!("attachment; filename=\"{}\"", file_name(q)),
    )?;
    h.set(HEADER_COUNT, &count.to_string())?;
    h.set(HEADER_ID, id)?;
    h.set("cache-control", "no-store")?;
    Ok(h)
}

/// `POST /api/exports/download`.
pub async fn download(c: Staff, mut req: Request) -> ApiResult<Response> {
    let (q, t) = read(&c, &mut req, "export").await?;
    let (limit, prefix) = limit_of(q.kind);
    let key = format!("{prefix}:{}", c.principal.user_id);
    if limit.exceeded(throttles::hit(&c.core, &key, limit, now_ms()).await?) {
        c.log(c.event("export", "throttled").with_detail(criteria(&q)))
            .await?;
        return Err(ApiError::new(ErrorCode::ExportRateLimited));
    }
    let export_id = format!("exp_{}", token()?);
    let start = now_ms();
    let shards = c.search_shards()?;
    let count = count_of(&shards, &q, &t, start).await?;
    let mut detail = criteria(&q);
    detail.insert("count".into(), count.into());
    detail.insert("export".into(), export_id.clone().into());
    c.log(
        c.event("export", "ok")
            .target(export_id.clone())
            .with_detail(detail),
    )
    .await?;
    let headers = headers(&q, count, &export_id)?;
    match t {
        Target::Counts(area) => {
            let (prefs, all) = prefectures(&area);
            let rows = daily_totals::pref_days(&c.stores, &area, q.from, q.to).await?;
            let body = open_data::csv(&rows, &prefs, q.from, q.to, all, q.layout);
            let mut done = Map::new();
            done.insert("export".into(), export_id.clone().into());
            done.insert("rows".into(), count.into());
            c.log(
                c.event("export_done", "ok")
                    .target(export_id)
                    .with_detail(done),
            )
            .await?;
            Ok(Response::from_bytes(body.into_bytes())?.with_headers(headers))
        }
        Target::Records(scope) => {
            let (from_ms, to_ms) = pinned_span(&q, start);
            let body = match q.kind {
                ExportKind::Csv => Body::Csv(csv::Writer::new(q.encoding, q.dates)),
                _ => Body::Fhir,
            };
            let event = c.event("export_rows", "ok").target(export_id.clone());
            // The stream owns the caller's database handle (a download outlives this function).
            let pages = Pages {
                core: c.core,
                shards,
                shard: 0,
                event,
                scope,
                from_ms,
                to_ms,
                after: None,
                page: 0,
                written: 0,
                count,
                body,
                header: true,
                export_id,
                done: false,
            };
            // The first page before the answer: a record that does not read there (or a store failure) is answered
            // as an error, not as a stream that fails before its first byte.
            let mut pages = pages;
            let first = match pages.page_bytes().await {
                Ok(b) => b,
                Err(stop) => {
                    pages.stopped(&stop).await;
                    return Err(match stop {
                        Stop::Unreadable(id) => ApiError::with_issues(
                            ErrorCode::ExportRecordUnreadable,
                            vec![issue(
                                "record_id",
                                "unreadable",
                                &format!("記録 {id} の届出を読み取れません。"),
                            )],
                        ),
                        Stop::Store(e) => e,
                    });
                }
            };
            let rest = stream::unfold(pages, |mut p| async move {
                if p.done {
                    return None;
                }
                let chunk = p.next_chunk().await;
                Some((chunk, p))
            });
            let s = stream::once(async move { Ok::<Vec<u8>, worker::Error>(first) }).chain(rest);
            Ok(Response::from_stream(s)?.with_headers(headers))
        }
    }
}

enum Body {
    Fhir,
    Csv(csv::Writer),
}

/// A download in progress: the next page after `after`, until a page comes back short.
struct Pages {
    /// The audit chain's database.
    core: D1Database,
    /// The shards the scope's records are in, read one after the other (`shard`: the one being read).
    shards: Vec<Shard>,
    shard: usize,
    /// The `export_rows` entry of this caller and export (cloned per page).
    event: Event,
    scope: Scope,
    from_ms: i64,
    to_ms: i64,
    after: Option<(i64, i64)>,
    page: u64,
    written: u64,
    /// The rows counted at the start (`x-export-count`): a record transferred in while the download runs is not
    /// added past it (one deleted or transferred away meanwhile leaves the file short, which the app reports).
    count: u64,
    body: Body,
    header: bool,
    export_id: String,
    done: bool,
}

/// Why a download stopped.
enum Stop {
    /// A stored notification that does not read (its record's id).
    Unreadable(String),
    /// The store failed.
    Store(ApiError),
}

impl From<ApiError> for Stop {
    fn from(e: ApiError) -> Self {
        Stop::Store(e)
    }
}

impl Pages {
    /// The next piece of the file for the stream, or the error that ends it (the client's download fails).
    async fn next_chunk(&mut self) -> Result<Vec<u8>, worker::Error> {
        match self.page_bytes().await {
            Ok(bytes) => Ok(bytes),
            Err(stop) => {
                self.stopped(&stop).await;
                Err(worker::Error::RustError(match stop {
                    Stop::Unreadable(_) => {
                        "export stopped: a stored notification does not read".into()
                    }
                    Stop::Store(_) => "export stopped: the store failed".into(),
                }))
            }
        }
    }

    /// Audits a download that stopped (`export_done` with the rows written before it, and the unreadable record).
    async fn stopped(&mut self, stop: &Stop) {
        self.done = true;
        let mut d = Map::new();
        d.insert("export".into(), self.export_id.clone().into());
        d.insert("rows".into(), self.written.into());
        if let Stop::Unreadable(id) = stop {
            d.insert("unreadable".into(), id.clone().into());
        }
        let mut e = self.event.clone().with_detail(d);
        e.action = "export_done";
        e.outcome = match stop {
            Stop::Unreadable(_) => "unreadable",
            Stop::Store(_) => "failed",
        };
        if let Err(err) = audit::append(&self.core, e, now_ms()).await {
            worker::console_error!("export audit: {}", err.detail.unwrap_or_default());
        }
    }

    /// One page's bytes (the CSV's header first), its ids audited before they are returned; the end audited after
    /// the last page.
    async fn page_bytes(&mut self) -> Result<Vec<u8>, Stop> {
        let mut out = Vec::new();
        if std::mem::take(&mut self.header) {
            if let Body::Csv(w) = &mut self.body {
                out.extend(w.header());
            }
        }
        let rows = exports::page(
            &self.shards[self.shard].db,
            &self.scope,
            self.from_ms,
            self.to_ms,
            self.after,
            PAGE_ROWS,
        )
        .await?;
        let fetched = rows.len();
        let mut rows = rows;
        rows.truncate(
            usize::try_from(self.count.saturating_sub(self.written)).unwrap_or(usize::MAX),
        );
        for row in &rows {
            let Some(n) = row.notification() else {
                return Err(Stop::Unreadable(row.id.clone()));
            };
            let number = row.number();
            let r = row.record(&n, &number);
            match &mut self.body {
                Body::Fhir => {
                    let mut line = serde_json::to_vec(&fhir::document(&r))
                        .map_err(|e| ApiError::with_detail(ErrorCode::Internal, e.to_string()))?;
                    line.push(b'\n');
                    out.extend(line);
                }
                Body::Csv(w) => out.extend(w.record(&r)),
            }
        }
        if let Some(last) = rows.last() {
            self.after = Some((last.filed_at, last.seq));
            self.page += 1;
            let ids: Vec<String> = rows.iter().map(|r| r.id.clone()).collect();
            let mut d = Map::new();
            d.insert("n".into(), ids.len().into());
            d.insert("ids".into(), ids.into());
            d.insert("export".into(), self.export_id.clone().into());
            d.insert("page".into(), self.page.into());
            let e = self.event.clone().with_detail(d);
            audit::append(&self.core, e, now_ms()).await?;
            self.written += rows.len() as u64;
        }
        let shard_done = (fetched as i64) < PAGE_ROWS;
        if shard_done && self.shard + 1 < self.shards.len() && self.written < self.count {
            // The next shard, from its beginning.
            self.shard += 1;
            self.after = None;
        } else if shard_done || self.written >= self.count {
            self.done = true;
            let mut d = Map::new();
            d.insert("export".into(), self.export_id.clone().into());
            d.insert("rows".into(), self.written.into());
            d.insert("pages".into(), self.page.into());
            if let Body::Csv(w) = &self.body {
                d.insert("replaced_cells".into(), w.replaced_cells.into());
            }
            let mut e = self.event.clone().with_detail(d);
            e.action = "export_done";
            audit::append(&self.core, e, now_ms()).await?;
        }
        Ok(out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn d(s: &str) -> NaiveDate {
        NaiveDate::parse_from_str(s, "%Y-%m-%d").unwrap()
    }

    fn fields(r: Result<ExportRequest, Vec<IssueView>>) -> Vec<(String, String)> {
        r.unwrap_err()
            .into_iter()
            .map(|i| (i.field, i.code))
            .collect()
    }

    #[test]
    fn a_good_request_reads_with_defaults() {
        let q = parse(
            &json!({"kind": "csv", "from": "2022-10-01", "to": "2022-10-31"}),
            d("2022-11-01"),
        )
        .unwrap();
        assert_eq!(q.kind, ExportKind::Csv);
        assert_eq!(q.encoding, CsvEncoding::Utf8Bom);
        assert_eq!(file_name(&q), "hersys-records-20221001-20221031.csv");
    }

    #[test]
    fn every_bad_member_is_named() {
        let today = d("2022-11-01");
        let f = fields(parse(
            &json!({"kind": "xml", "from": "2022-13-01", "to": 5, "encoding": "latin1", "dates": 1, "layout": null, "extra": 1}),
            today,
        ));
        for (field, code) in [
            ("kind", "invalid_choice"),
            ("from", "invalid_date"),
            ("to", "invalid_date"),
            ("encoding", "invalid_choice"),
            ("dates", "invalid_choice"),
            ("layout", "invalid_choice"),
            ("extra", "unknown_member"),
        ] {
            assert!(f.contains(&(field.into(), code.into())), "{field}: {f:?}");
        }
        assert_eq!(
            fields(parse(&json!({}), today)),
            vec![
                ("kind".to_owned(), "required".to_owned()),
                ("from".into(), "required".into()),
                ("to".into(), "required".into())
            ]
        );
        assert_eq!(fields(parse(&json!([1]), today))[0].1, "not_an_object");
        assert_eq!(
            fields(parse(
                &json!({"kind": "fhir", "from": "+2022-10-01", "to": "2022-10-01"}),
                today
            )),
            vec![("from".to_owned(), "invalid_date".to_owned())]
        );
    }

    #[test]
    fn spans_are_forward_bounded_and_not_in_the_future() {
        let today = d("2022-11-01");
        let req = |from: &str, to: &str| json!({"kind": "fhir", "from": from, "to": to});
        assert_eq!(
            fields(parse(&req("2022-10-02", "2022-10-01"), today)),
            vec![("from".to_owned(), "reversed".to_owned())]
        );
        assert!(parse(&req("2021-11-01", "2022-11-01"), today).is_ok()); // 366 days
        assert_eq!(
            fields(parse(&req("2021-10-31", "2022-11-01"), today)),
            vec![("from".to_owned(), "span_too_long".to_owned())]
        );
        assert_eq!(
            fields(parse(&req("2022-11-01", "2022-11-02"), today)),
            vec![("to".to_owned(), "future".to_owned())]
        );
    }

    #[test]
    fn days_are_jst() {
        let (from, to) = span_ms(d("2022-10-01"), d("2022-10-01"));
        assert_eq!(from, 1_664_550_000_000); // 2022-09-30T15:00:00Z
        assert_eq!(to - from, 24 * 60 * 60 * 1000);
    }
}
