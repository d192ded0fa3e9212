//! Counts by age band (issue 21): a clinic's daily totals (`/api/daily-totals/{day}`), the health center's list of
//! who reported (`/api/daily-totals/status/{day}`), sentinel designations (`/api/sentinel/sites…`) and weekly reports
//! (`/api/sentinel/reports/{week}`), and the count dashboard (`/api/counts`).
//!
//! Clinics report for their own institution only; a day or week is checked by its own date against
//! `shared::regime` (the server's "today" only refuses the future and decides lateness). The checks are
//! `shared::api::counts`' (the app runs the same as the person types). Every read and write is audited; a refusal
//! stores nothing.

use std::collections::HashMap;

use chrono::{Duration, NaiveDate};
use serde::Deserialize;
use shared::api::counts::{
    check_counts, check_daily_day, check_sentinel_week, deadline_text, is_late, ClinicDayStatus,
    CountDashboard, CountDay, DailyDay, DailyStatus, Designate, EndDesignation, PutAnswer,
    PutCounts, Refusal, SentinelSite, SentinelSites, SentinelWeek, SentinelWeekFigure,
    DASHBOARD_MAX_DAYS,
};
use shared::auth::access::DashboardArea;
use shared::auth::Jurisdiction;
use shared::case::age_years;
use shared::error::ErrorCode;
use shared::notification::validate::{IssueSeverity, IssueView};
use shared::regime::{self, AgeBands, DAILY_BANDS_2022, SENTINEL_BANDS_2023};
use shared::time::today_jst;
use worker::{Request, Response};

use crate::caller::Staff;
use crate::crypto::{b64url, random_bytes};
use crate::error::{ApiError, ApiResult};
use crate::platform::now_ms;
use crate::request::json_body;
use crate::store::daily_totals::{self as daily, ByBirth};
use crate::store::{institutions, sentinel};

fn refused(r: Refusal) -> ApiError {
    ApiError::with_issues(r.code, r.issues)
}

fn field_error(code: ErrorCode, field: &str, issue: &str) -> ApiError {
    ApiError::with_issues(
        code,
        vec![IssueView {
            severity: IssueSeverity::Error,
            code: issue.to_owned(),
            field: field.to_owned(),
            message: code.message_ja().to_owned(),
        }],
    )
}

/// The clinic a clinic user reports for: (institution, health center, prefecture); anyone else `FORBIDDEN`.
fn clinic(c: &Staff) -> ApiResult<(String, String, String)> {
    match &c.principal.jurisdiction {
        Jurisdiction::Institution {
            institution_id,
            health_center_id,
            pref_code,
        } if c.principal.role.files_notifications() => Ok((
            institution_id.clone(),
            health_center_id.clone(),
            pref_code.clone(),
        )),
        _ => Err(ApiError::new(ErrorCode::Forbidden)),
    }
}

async fn clinic_or_log(c: &Staff, action: &'static str) -> ApiResult<(String, String, String)> {
    match clinic(c) {
        Ok(x) => Ok(x),
        Err(e) => {
            c.log(c.event(action, "forbidden")).await?;
            Err(e)
        }
    }
}

/// The band index of each notified person (by age on the day), summed per band.
fn by_band(
    rows: &[ByBirth],
    bands: &AgeBands,
    on: impl Fn(&ByBirth) -> Option<NaiveDate>,
) -> Vec<u32> {
    let mut out = vec![0u32; bands.len()];
    for r in rows {
        let (Some(dob), Some(day)) = (
            NaiveDate::parse_from_str(&r.date_of_birth, "%Y-%m-%d").ok(),
            on(r),
        ) else {
            continue;
        };
        if let Some(age) = age_years(dob, day) {
            if let Some(i) = bands.index_of(bands.band_of(age).key) {
                out[i] += u32::try_from(r.n).unwrap_or(0);
            }
        }
    }
    out
}

fn day_of(r: &ByBirth) -> Option<NaiveDate> {
    NaiveDate::parse_from_str(&r.day, "%Y-%m-%d").ok()
}

async fn notified_floor(c: &Staff, institution_id: &str, day: &str) -> ApiResult<Vec<u32>> {
    let rows = daily::notified_on(&c.stores, institution_id, day).await?;
    Ok(by_band(&rows, &DAILY_BANDS_2022, day_of))
}

// ---- daily totals -------------------------------------------------------------------------------------------------

/// `GET /api/daily-totals/{day}`: the clinic's day: deadline, notified counts by band, the report if sent.
pub async fn daily_get(c: Staff, day: &str) -> ApiResult<Response> {
    let (inst, hc, _) = clinic_or_log(&c, "daily_totals_read").await?;
    let now = now_ms();
    let d = check_daily_day(day, today_jst(now)).map_err(refused)?;
    let day = d.to_string();
    let deadline = regime::daily_deadline(d);
    let notified = notified_floor(&c, &inst, &day).await?;
    let report = daily::get(&c.core, &inst, &day).await?.map(|r| r.view());
    let institution_name = institutions::header(&c.core, &inst)
        .await?
        .map(|h| h.name)
        .unwrap_or_default();
    let health_center_name = institutions::health_center(&c.core, &hc)
        .await?
        .map(|h| h.name)
        .unwrap_or_default();
    c.log(
        c.event("daily_totals_read", "ok")
            .target(format!("{inst}/{day}")),
    )
    .await?;
    Ok(Response::from_json(&DailyDay {
        day,
        institution_id: inst,
        institution_name,
        health_center_name,
        deadline: deadline_text(deadline),
        late_now: is_late(deadline, now),
        notified,
        report,
    })?)
}

/// `PUT /api/daily-totals/{day}`: the day's totals by band; idempotent (the same counts again change nothing).
pub async fn daily_put(c: Staff, mut req: Request, day: &str) -> ApiResult<Response> {
    let (inst, hc, pref) = clinic_or_log(&c, "daily_totals_put").await?;
    let body: PutCounts = json_body(&mut req).await?;
    if body.institution_id.as_deref().is_some_and(|i| i != inst) {
        c.log(c.event("daily_totals_put", "forbidden")).await?;
        return Err(field_error(
            ErrorCode::OtherInstitution,
            "institution_id",
            "other_institution",
        ));
    }
    let now = now_ms();
    let d = match check_daily_day(day, today_jst(now)) {
        Ok(d) => d,
        Err(r) => {
            c.log(c.event("daily_totals_put", "invalid")).await?;
            return Err(refused(r));
        }
    };
    let day = d.to_string();
    let floors = notified_floor(&c, &inst, &day).await?;
    let counts = match check_counts(&DAILY_BANDS_2022, &body.counts, &floors) {
        Ok(x) => x,
        Err(r) => {
            c.log(
                c.event("daily_totals_put", "invalid")
                    .target(format!("{inst}/{day}")),
            )
            .await?;
            return Err(refused(r));
        }
    };
    let late = is_late(regime::daily_deadline(d), now);
    let changed = daily::put(
        &c.core,
        &daily::Put {
            institution_id: &inst,
            day: &day,
            health_center_id: &hc,
            pref_code: &pref,
            bands_id: DAILY_BANDS_2022.id,
            counts: &counts,
            user_id: &c.principal.user_id,
            now,
            late,
        },
    )
    .await?;
    let report = daily::get(&c.core, &inst, &day)
        .await?
        .ok_or_else(|| ApiError::with_detail(ErrorCode::Internal, "daily total missing after put"))?
        .view();
    let outcome = if changed { "ok" } else { "unchanged" };
    c.log(
        c.event("daily_totals_put", outcome)
            .target(format!("{inst}/{day}")),
    )
    .await?;
    Ok(Response::from_json(&PutAnswer { changed, report })?)
}

/// The area whose clinics a health center (or prefecture) lists; clinics and national staff are refused.
fn status_area(c: &Staff) -> Option<DashboardArea> {
    match c.principal.dashboard_area() {
        Some(DashboardArea::Nation) | None => None,
        a => a,
    }
}

/// `GET /api/daily-totals/status/{day}`: every clinic of the area: reported (late or not) with its totals, or not.
pub async fn daily_status(c: Staff, day: &str) -> ApiResult<Response> {
    let Some(area) = status_area(&c) else {
        c.log(c.event("daily_status_read", "forbidden")).await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    };
    let d = check_daily_day(day, today_jst(now_ms())).map_err(refused)?;
    let day = d.to_string();
    let rows = daily::status(&c.stores, &area, &day).await?;
    let clinics: Vec<ClinicDayStatus> = rows
        .into_iter()
        .map(|r| ClinicDayStatus {
            report: r.counts.as_ref().map(|_| {
                daily::CountsRow {
                    bands_id: r.bands_id.clone().unwrap_or_default(),
                    counts: r.counts.clone().unwrap_or_default(),
                    total: r.total.unwrap_or(0),
                    version: r.version.unwrap_or(0),
                    submitted_at: r.submitted_at.unwrap_or(0),
                    updated_at: r.updated_at.unwrap_or(0),
                    late: r.late.unwrap_or(0),
                }
                .view()
            }),
            institution_id: r.institution_id,
            institution_name: r.institution_name,
            health_center_id: r.health_center_id,
            health_center_name: r.health_center_name,
            notified: u32::try_from(r.notified).unwrap_or(0),
        })
        .collect();
    c.log(
        c.event("daily_status_read", "ok")
            .target(day.clone())
            .returned(clinics.iter().map(|x| x.institution_id.clone())),
    )
    .await?;
    Ok(Response::from_json(&DailyStatus {
        deadline: deadline_text(regime::daily_deadline(d)),
        day,
        clinics,
    })?)
}

// ---- sentinel -----------------------------------------------------------------------------------------------------

/// `GET /api/sentinel/sites`: the area's clinics and their designations (health center; prefecture reads).
pub async fn sites(c: Staff) -> ApiResult<Response> {
    let Some(area) = status_area(&c) else {
        c.log(c.event("sentinel_sites_read", "forbidden")).await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    };
    let sites: Vec<SentinelSite> = sentinel::sites(&c.core, &area)
        .await?
        .into_iter()
        .map(|s| SentinelSite {
            institution_id: s.institution_id,
            institution_name: s.institution_name,
            health_center_id: s.health_center_id,
            from_week: s.from_week,
            last_week: s.last_week,
        })
        .collect();
    c.log(c.event("sentinel_sites_read", "ok")).await?;
    Ok(Response::from_json(&SentinelSites { sites })?)
}

/// A clinic of the caller's health center (health-center staff and administrators only).
async fn own_clinic(
    c: &Staff,
    action: &'static str,
    institution_id: &str,
) -> ApiResult<(String, String)> {
    let Some(hc) = c.principal.desk().map(str::to_owned) else {
        c.log(c.event(action, "forbidden")).await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    };
    match institutions::area(&c.core, institution_id).await? {
        Some(a) if a.health_center_id == hc => Ok((hc, a.pref_code)),
        _ => {
            c.log(c.event(action, "forbidden")).await?;
            Err(field_error(
                ErrorCode::Forbidden,
                "institution_id",
                "not_in_area",
            ))
        }
    }
}

/// A designation's week: a Monday from the first sentinel week (may be ahead of today: designated in advance).
fn designation_week(week: &str, field: &str) -> ApiResult<String> {
    let far = NaiveDate::from_ymd_opt(9999, 12, 31).unwrap_or_default();
    check_sentinel_week(week, far)
        .map(|w| w.to_string())
        .map_err(|mut r| {
            for i in &mut r.issues {
                i.field = field.to_owned();
            }
            refused(r)
        })
}

/// `POST /api/sentinel/sites`: designate a clinic of the area from a week.
pub async fn designate(c: Staff, mut req: Request) -> ApiResult<Response> {
    let body: Designate = json_body(&mut req).await?;
    let (hc, pref) = own_clinic(&c, "sentinel_designate", &body.institution_id).await?;
    let from_week = designation_week(&body.from_week, "from_week")?;
    let id = format!("ss_{}", b64url(&random_bytes::<12>()?));
    let made = sentinel::designate(
        &c.core,
        &id,
        &body.institution_id,
        &hc,
        &pref,
        &from_week,
        &c.principal.user_id,
        now_ms(),
    )
    .await?;
    if !made {
        c.log(
            c.event("sentinel_designate", "conflict")
                .target(body.institution_id.as_str()),
        )
        .await?;
        return Err(field_error(
            ErrorCode::Conflict,
            "institution_id",
            "already_designated",
        ));
    }
    c.log(
        c.event("sentinel_designate", "ok")
            .target(body.institution_id.as_str()),
    )
    .await?;
    Ok(Response::from_json(&SentinelSite {
        institution_id: body.institution_id,
        institution_name: String::new(),
        health_center_id: hc,
        from_week: Some(from_week),
        last_week: None,
    })?
    .with_status(201))
}

/// `POST /api/sentinel/sites/{institution}/end`: the designation ends after `last_week`.
pub async fn end(c: Staff, mut req: Request, institution_id: &str) -> ApiResult<Response> {
    let body: EndDesignation = json_body(&mut req).await?;
    own_clinic(&c, "sentinel_end", institution_id).await?;
    let last_week = designation_week(&body.last_week, "last_week")?;
    if !sentinel::end(
        &c.core,
        institution_id,
        &last_week,
        &c.principal.user_id,
        now_ms(),
    )
    .await?
    {
        c.log(c.event("sentinel_end", "not_found").target(institution_id))
            .await?;
        return Err(field_error(
            ErrorCode::NotFound,
            "last_week",
            "no_open_designation",
        ));
    }
    c.log(c.event("sentinel_end", "ok").target(institution_id))
        .await?;
    Ok(Response::empty()?.with_status(204))
}

/// `GET /api/sentinel/reports/{week}`.
pub async fn week_get(c: Staff, week: &str) -> ApiResult<Response> {
    let (inst, _, _) = clinic_or_log(&c, "sentinel_report_read").await?;
    let now = now_ms();
    let w = check_sentinel_week(week, today_jst(now)).map_err(refused)?;
    let week = w.to_string();
    let deadline = regime::sentinel_deadline(w);
    let designated = sentinel::designated_for(&c.core, &inst, &week).await?;
    let report = sentinel::get(&c.core, &inst, &week)
        .await?
        .map(|r| r.view());
    let institution_name = institutions::header(&c.core, &inst)
        .await?
        .map(|h| h.name)
        .unwrap_or_default();
    c.log(
        c.event("sentinel_report_read", "ok")
            .target(format!("{inst}/{week}")),
    )
    .await?;
    Ok(Response::from_json(&SentinelWeek {
        week,
        institution_id: inst,
        institution_name,
        deadline: deadline_text(deadline),
        late_now: is_late(deadline, now),
        designated,
        report,
    })?)
}

/// `PUT /api/sentinel/reports/{week}`: a designated clinic's week by band; idempotent.
pub async fn week_put(c: Staff, mut req: Request, week: &str) -> ApiResult<Response> {
    let (inst, hc, pref) = clinic_or_log(&c, "sentinel_report_put").await?;
    let body: PutCounts = json_body(&mut req).await?;
    if body.institution_id.as_deref().is_some_and(|i| i != inst) {
        c.log(c.event("sentinel_report_put", "forbidden")).await?;
        return Err(field_error(
            ErrorCode::OtherInstitution,
            "institution_id",
            "other_institution",
        ));
    }
    let now = now_ms();
    let w = match check_sentinel_week(week, today_jst(now)) {
        Ok(w) => w,
        Err(r) => {
            c.log(c.event("sentinel_report_put", "invalid")).await?;
            return Err(refused(r));
        }
    };
    let week = w.to_string();
    if !sentinel::designated_for(&c.core, &inst, &week).await? {
        c.log(
            c.event("sentinel_report_put", "forbidden")
                .target(format!("{inst}/{week}")),
        )
        .await?;
        return Err(field_error(
            ErrorCode::NotSentinelSite,
            "institution_id",
            "not_sentinel_site",
        ));
    }
    let counts = match check_counts(&SENTINEL_BANDS_2023, &body.counts, &[]) {
        Ok(x) => x,
        Err(r) => {
            c.log(
                c.event("sentinel_report_put", "invalid")
                    .target(format!("{inst}/{week}")),
            )
            .await?;
            return Err(refused(r));
        }
    };
    let changed = sentinel::put(
        &c.core,
        &sentinel::Put {
            institution_id: &inst,
            week: &week,
            health_center_id: &hc,
            pref_code: &pref,
            bands_id: SENTINEL_BANDS_2023.id,
            counts: &counts,
            user_id: &c.principal.user_id,
            now,
            late: is_late(regime::sentinel_deadline(w), now),
        },
    )
    .await?;
    let report = sentinel::get(&c.core, &inst, &week)
        .await?
        .ok_or_else(|| {
            ApiError::with_detail(ErrorCode::Internal, "sentinel report missing after put")
        })?
        .view();
    let outcome = if changed { "ok" } else { "unchanged" };
    c.log(
        c.event("sentinel_report_put", outcome)
            .target(format!("{inst}/{week}")),
    )
    .await?;
    Ok(Response::from_json(&PutAnswer { changed, report })?)
}

// ---- dashboard ----------------------------------------------------------------------------------------------------

#[derive(Deserialize)]
struct Span {
    #[serde(default)]
    from: Option<String>,
    #[serde(default)]
    to: Option<String>,
}

fn query_day(v: Option<&str>, field: &str, default: NaiveDate) -> ApiResult<NaiveDate> {
    match v.filter(|s| !s.is_empty()) {
        None => Ok(default),
        Some(s) => NaiveDate::parse_from_str(s, "%Y-%m-%d")
            .ok()
            .filter(|_| s.len() == 10)
            .ok_or_else(|| field_error(ErrorCode::ValidationFailed, field, "not_a_date")),
    }
}

fn add(into: &mut [u32], from: &[u32]) {
    for (a, b) in into.iter_mut().zip(from) {
        *a += b;
    }
}

/// `GET /api/counts?from=&to=`: by day and band, for the caller's dashboard area — notified cases of clinic-days
/// without a daily total (or beyond it, per band), daily totals, confirmed antigen-kit self-registrations, their sum — and the sentinel weeks.
pub async fn dashboard(c: Staff, req: Request) -> ApiResult<Response> {
    let Some(area) = c.principal.dashboard_area() else {
        c.log(c.event("counts_read", "forbidden")).await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    };
    let span: Span = req.query().unwrap_or(Span {
        from: None,
        to: None,
    });
    let today = today_jst(now_ms());
    let to = query_day(span.to.as_deref(), "to", today)?;
    let from = query_day(span.from.as_deref(), "from", to - Duration::days(27))?;
    if from > to || (to - from).num_days() >= DASHBOARD_MAX_DAYS {
        return Err(field_error(
            ErrorCode::ValidationFailed,
            "from",
            "span_out_of_range",
        ));
    }
    let (f, t) = (from.to_string(), to.to_string());
    let (notified, totals, selfreg) = daily::parts_in(&c.stores, &area, &f, &t).await?;
    let mut sums = shared::tally::sum_by(&notified, &totals, &selfreg, |_| ());
    let mut days = Vec::new();
    let mut d = from;
    while d <= to {
        let key = (d.to_string(), ());
        let mut day = sums.remove(&key).unwrap_or_else(|| CountDay {
            day: d.to_string(),
            notified: vec![0; DAILY_BANDS_2022.len()],
            daily_totals: vec![0; DAILY_BANDS_2022.len()],
            self_registered: vec![0; DAILY_BANDS_2022.len()],
            sum: vec![0; DAILY_BANDS_2022.len()],
            total: 0,
        });
        day.day = d.to_string();
        days.push(day);
        d += Duration::days(1);
    }
    let weeks = sentinel_weeks(&c, &area, from, to).await?;
    let area_name = match &area {
        DashboardArea::HealthCenter(h) => institutions::health_center(&c.core, h)
            .await?
            .map_or_else(String::new, |h| h.name),
        DashboardArea::Prefecture(p) => p
            .parse::<u8>()
            .ok()
            .and_then(shared::notification::municipality::prefecture_name)
            .unwrap_or_default()
            .to_owned(),
        DashboardArea::Nation => "全国".to_owned(),
    };
    let area_kind = match &area {
        DashboardArea::HealthCenter(_) => "health_center",
        DashboardArea::Prefecture(_) => "prefecture",
        DashboardArea::Nation => "nation",
    };
    c.log(c.event("counts_read", "ok").target(format!("{f}..{t}")))
        .await?;
    Ok(Response::from_json(&CountDashboard {
        area: area_kind.into(),
        area_name,
        from: f,
        to: t,
        daily_bands: DAILY_BANDS_2022
            .bands
            .iter()
            .map(|b| b.label_ja.to_owned())
            .collect(),
        days,
        sentinel_bands: SENTINEL_BANDS_2023
            .bands
            .iter()
            .map(|b| b.label_ja.to_owned())
            .collect(),
        weeks,
    })?)
}

/// The sentinel weeks starting from `from` to `to` (from the first sentinel week): sites designated, sites that
/// reported, the counts and the count per reporting site (MHLW's 定点当たり報告数 divides by the sites that reported).
async fn sentinel_weeks(
    c: &Staff,
    area: &DashboardArea,
    from: NaiveDate,
    to: NaiveDate,
) -> ApiResult<Vec<SentinelWeekFigure>> {
    let first = regime::week_start(from).max(regime::first_sentinel_week());
    let last = regime::week_start(to);
    if first > last {
        return Ok(Vec::new());
    }
    let spans = sentinel::spans_in(&c.core, area).await?;
    let reports =
        sentinel::reports_in(&c.core, area, &first.to_string(), &last.to_string()).await?;
    let mut by_week: HashMap<String, Vec<Vec<u32>>> = HashMap::new();
    for r in reports {
        by_week
            .entry(r.week)
            .or_default()
            .push(serde_json::from_str(&r.counts).unwrap_or_default());
    }
    let n = SENTINEL_BANDS_2023.len();
    let mut out = Vec::new();
    let mut w = first;
    while w <= last {
        let key = w.to_string();
        let sites = spans
            .iter()
            .filter(|s| {
                s.from_week.as_str() <= key.as_str()
                    && s.last_week.as_deref().is_none_or(|l| l >= key.as_str())
            })
            .count();
        let rows = by_week.remove(&key).unwrap_or_default();
        let mut counts = vec![0u32; n];
        for r in &rows {
            add(&mut counts, r);
        }
        let total: u32 = counts.iter().sum();
        let reported = rows.len() as u32;
        out.push(SentinelWeekFigure {
            week: key,
            sites: sites as u32,
            reported,
            counts,
            total,
            per_site_x100: (reported > 0).then(|| (total * 100 + reported / 2) / reported),
        });
        w += Duration::days(7);
    }
    Ok(out)
}
