//! The health-center directory (issue 23): prefecture staff manage their prefecture's health centers (name,
//! contact details, the municipalities each covers; CSV export and import), a health center's administrator edits
//! their own center's contact details; everyone else is refused (national staff included: the directory is the
//! prefectures' to keep). The reference table (`shared::notification::municipality`) is the starting point; what
//! people change is in the store ([`institutions`]), and routing reads it first (`institutions::health_center_for`).
//! Every read, change and refusal is audited in the prefecture's log.

use std::collections::{BTreeMap, BTreeSet};

use serde::Deserialize;
use shared::api::directory::{
    check_contact, issue, normalized, parse_csv_rows, to_csv, CenterEdit, Directory,
    DirectoryCenter, DirectoryMunicipality, ImportResult, REFERENCE_CAVEAT,
};
use shared::auth::Role;
use shared::error::ErrorCode;
use shared::notification::municipality::{self, MunicipalityCode};
use shared::notification::validate::IssueView;
use worker::{Context, Env, Request, Response};

use crate::caller::Staff;
use crate::error::{ApiError, ApiResult};
use crate::platform::now_ms;
use crate::request::{json_body, json_body_up_to};
use crate::store::audit::{self, seal_later, Event};
use crate::store::institutions::{self, CenterDetails, CenterWrite};

/// Largest CSV accepted (as JSON): a prefecture's directory is a few kilobytes.
const MAX_CSV_BODY: usize = 512 * 1024;

/// Whose directory the caller keeps: a prefecture's (all its centers) or one center's contact details.
struct Keeper {
    pref: String,
    own: Option<String>,
}

async fn keeper(c: &Staff, action: &'static str) -> ApiResult<Keeper> {
    let j = &c.principal.jurisdiction;
    let k = match (c.principal.role, j.pref_code(), j.health_center_id()) {
        (Role::PrefectureStaff, Some(p), _) => Some(Keeper {
            pref: p.to_owned(),
            own: None,
        }),
        (Role::HealthCenterAdmin, Some(p), Some(h)) => Some(Keeper {
            pref: p.to_owned(),
            own: Some(h.to_owned()),
        }),
        _ => None,
    };
    match k {
        Some(k) => Ok(k),
        None => {
            c.log(c.event(action, "forbidden")).await?;
            Err(ApiError::new(ErrorCode::Forbidden))
        }
    }
}

fn event(c: &Staff, k: &Keeper, action: &'static str, outcome: &'static str) -> Event {
    let mut e = c.event(action, outcome);
    e.pref_code = Some(k.pref.clone());
    e
}

/// A prefecture's directory: its centers (reference ∪ store) and who covers each municipality (the reference table,
/// overridden by administrators' assignments).
struct Loaded {
    centers: BTreeMap<String, DirectoryCenter>,
    /// code → health center id, for every municipality of the prefecture that has a health center.
    assignment: BTreeMap<String, String>,
}

fn muni_name(code: &str) -> String {
    MunicipalityCode::parse(code)
        .ok()
        .and_then(|c| municipality::municipality(&c))
        .map(|m| m.name.to_owned())
        .unwrap_or_default()
}

fn in_pref(code: &str, pref: &str) -> bool {
    code.get(..2) == Some(pref)
}

async fn load(c: &Staff, pref: &str) -> ApiResult<Loaded> {
    let mut centers = BTreeMap::new();
    for h in municipality::all_health_centers()
        .iter()
        .filter(|h| h.pref_code == pref)
    {
        centers.insert(
            h.id.to_owned(),
            DirectoryCenter {
                id: h.id.to_owned(),
                name: h.name.to_owned(),
                postal_code: String::new(),
                address: String::new(),
                phone: String::new(),
                email: String::new(),
                municipalities: Vec::new(),
                updated_by_name: None,
                updated_at: None,
            },
        );
    }
    for s in institutions::centers_of_pref(&c.core, pref).await? {
        centers.insert(
            s.id.clone(),
            DirectoryCenter {
                id: s.id,
                name: s.name,
                postal_code: s.postal_code,
                address: s.address,
                phone: s.phone,
                email: s.email,
                municipalities: Vec::new(),
                updated_by_name: s.updated_by_name,
                updated_at: s.updated_at,
            },
        );
    }
    let mut assignment: BTreeMap<String, String> = municipality::all_jurisdictions()
        .iter()
        .filter(|(code, _)| in_pref(code, pref))
        .map(|(code, hc)| ((*code).to_owned(), (*hc).to_owned()))
        .collect();
    for a in institutions::assignments_of_pref(&c.core, pref).await? {
        if centers.contains_key(&a.health_center_id) && assignment.contains_key(&a.code) {
            assignment.insert(a.code, a.health_center_id);
        }
    }
    for (code, hc) in &assignment {
        if let Some(center) = centers.get_mut(hc) {
            center.municipalities.push(DirectoryMunicipality {
                code: code.clone(),
                name: muni_name(code),
            });
        }
    }
    Ok(Loaded {
        centers,
        assignment,
    })
}

/// `GET /api/directory`.
pub async fn list(c: Staff) -> ApiResult<Response> {
    let k = keeper(&c, "directory_read").await?;
    let loaded = load(&c, &k.pref).await?;
    let centers = loaded
        .centers
        .into_values()
        .filter(|h| k.own.as_ref().is_none_or(|own| *own == h.id))
        .collect();
    c.log(event(&c, &k, "directory_read", "ok")).await?;
    Ok(Response::from_json(&Directory {
        prefecture: municipality::prefecture_name(k.pref.parse().unwrap_or(0))
            .unwrap_or_default()
            .to_owned(),
        pref_code: k.pref.clone(),
        manages_prefecture: k.own.is_none(),
        centers,
        caveat: REFERENCE_CAVEAT.to_owned(),
    })?)
}

/// A municipality code as stored (6 digits) if it is one of the prefecture's municipalities with a health center.
fn code_of(loaded: &Loaded, input: &str) -> Option<String> {
    let code = MunicipalityCode::parse(input).ok()?;
    loaded
        .assignment
        .contains_key(code.code6())
        .then(|| code.code6().to_owned())
}

fn not_ours(input: &str, field: String, line: Option<usize>) -> IssueView {
    let at = line.map_or(String::new(), |n| {
        format!("{n}行目「管轄市区町村コード」: ")
    });
    issue(
        field,
        "municipality_not_in_prefecture",
        format!("{at}「{input}」はこの都道府県の市区町村コードではありません（6桁、例: 131041）。"),
    )
}

fn left_without(code: &str, field: String, line: Option<usize>) -> IssueView {
    let at = line.map_or(String::new(), |n| {
        format!("{n}行目「管轄市区町村コード」: ")
    });
    issue(
        field,
        "municipality_unassigned",
        format!(
            "{at}{}（{code}）を担当する保健所がなくなります。外す前に、移す先の保健所に加えてください。",
            muni_name(code)
        ),
    )
}

fn details<'a>(
    id: &'a str,
    pref: &'a str,
    name: &'a str,
    e: &'a CenterEdit,
    user_id: &'a str,
    now: i64,
) -> CenterDetails<'a> {
    CenterDetails {
        id,
        pref_code: pref,
        name,
        postal_code: &e.postal_code,
        address: &e.address,
        phone: &e.phone,
        email: &e.email,
        user_id,
        now,
    }
}

fn contact_differs(h: &DirectoryCenter, e: &CenterEdit, name: &str) -> bool {
    h.name != name
        || h.postal_code != e.postal_code
        || h.address != e.address
        || h.phone != e.phone
        || h.email != e.email
}

/// `PUT /api/directory/{id}`.
pub async fn edit(
    c: Staff,
    mut req: Request,
    env: &Env,
    ctx: &Context,
    id: &str,
) -> ApiResult<Response> {
    let k = keeper(&c, "directory_edit").await?;
    let body: CenterEdit = json_body(&mut req).await?;
    let refuse = |c: &Staff, k: &Keeper| {
        let mut e = event(c, k, "directory_edit", "forbidden").target(id);
        e.health_center_id = Some(id.to_owned());
        e
    };
    // A health center's administrator: their own center's contact details only.
    if let Some(own) = &k.own {
        if own != id || body.name.is_some() || body.municipalities.is_some() {
            c.log(refuse(&c, &k)).await?;
            return Err(ApiError::new(ErrorCode::Forbidden));
        }
    }
    let loaded = load(&c, &k.pref).await?;
    let Some(current) = loaded.centers.get(id) else {
        let elsewhere = municipality::health_center(id).is_some()
            || institutions::center(&c.core, id).await?.is_some();
        if elsewhere {
            c.log(refuse(&c, &k)).await?;
            return Err(ApiError::new(ErrorCode::Forbidden));
        }
        c.log(event(&c, &k, "directory_edit", "not_found").target(id))
            .await?;
        return Err(ApiError::new(ErrorCode::NotFound));
    };
    let mut issues = check_contact(&body, "", None);
    let edit = normalized(&body);
    let mut wanted = BTreeSet::new();
    if let Some(codes) = &edit.municipalities {
        for input in codes {
            match code_of(&loaded, input) {
                Some(code) => {
                    wanted.insert(code);
                }
                None => issues.push(not_ours(input, "municipalities".into(), None)),
            }
        }
        for m in &current.municipalities {
            if !wanted.contains(&m.code) {
                issues.push(left_without(&m.code, "municipalities".into(), None));
            }
        }
    }
    let mut ev = event(&c, &k, "directory_edit", "ok").target(id);
    ev.health_center_id = Some(id.to_owned());
    if !issues.is_empty() {
        ev.outcome = "invalid";
        c.log(ev).await?;
        return Err(ApiError::with_issues(ErrorCode::ValidationFailed, issues));
    }
    let now = now_ms();
    let name = edit.name.clone().unwrap_or_else(|| current.name.clone());
    let user = c.principal.user_id.clone();
    let mut statements = vec![institutions::write_health_center(
        &c.core,
        &CenterWrite::Details(&details(id, &k.pref, &name, &edit, &user, now)),
    )?];
    for code in &wanted {
        if loaded.assignment.get(code).map(String::as_str) != Some(id) {
            statements.push(institutions::assign(
                &c.core, code, id, &k.pref, &user, now,
            )?);
        }
    }
    statements.push(audit::batch_entry(&c.core, &ev, now)?);
    institutions::save_directory(&c.core, statements).await?;
    // The shards' copies of the center (their lists and notices read its name, phone and e-mail) follow.
    c.stores.refresh("health_centers", id).await?;
    seal_later(env, ctx);
    let reloaded = load(&c, &k.pref).await?;
    let center =
        reloaded.centers.get(id).cloned().ok_or_else(|| {
            ApiError::with_detail(ErrorCode::Internal, "center missing after edit")
        })?;
    Ok(Response::from_json(&center)?)
}

/// Only prefecture staff export and import.
async fn prefecture_keeper(c: &Staff, action: &'static str) -> ApiResult<Keeper> {
    let k = keeper(c, action).await?;
    if k.own.is_some() {
        c.log(event(c, &k, action, "forbidden")).await?;
        return Err(ApiError::new(ErrorCode::Forbidden));
    }
    Ok(k)
}

/// `GET /api/directory/csv`: the prefecture's directory as CSV (UTF-8 with BOM), one row per health center.
pub async fn export(c: Staff) -> ApiResult<Response> {
    let k = prefecture_keeper(&c, "directory_export").await?;
    let loaded = load(&c, &k.pref).await?;
    let centers: Vec<DirectoryCenter> = loaded.centers.into_values().collect();
    let centers_len = centers.len();
    c.log(event(&c, &k, "directory_export", "ok")).await?;
    let mut res = Response::ok(to_csv(&centers))?;
    let h = res.headers_mut();
    h.set("content-type", "text/csv; charset=utf-8")?;
    h.set(
        "content-disposition",
        &format!("attachment; filename=\"hokenjo-{}.csv\"", k.pref),
    )?;
    h.set("cache-control", "no-store")?;
    h.set("x-export-count", &centers_len.to_string())?;
    Ok(res)
}

#[derive(Deserialize)]
struct ImportBody {
    csv: String,
}

/// `POST /api/directory/csv`: the whole file checked first; any problem refuses all of it with every row's and
/// column's message, nothing saved. Only what differs is written (a re-import of an export changes nothing).
pub async fn import(c: Staff, mut req: Request, env: &Env, ctx: &Context) -> ApiResult<Response> {
    let k = prefecture_keeper(&c, "directory_import").await?;
    let body: ImportBody = json_body_up_to(&mut req, MAX_CSV_BODY).await?;
    let mut ev = event(&c, &k, "directory_import", "ok");
    // Every problem of the file at once: its cells' (kept), then those across rows.
    let (rows, mut issues) = match parse_csv_rows(&body.csv) {
        Ok(read) => read,
        Err(issues) => {
            ev.outcome = "invalid";
            c.log(ev).await?;
            return Err(ApiError::with_issues(ErrorCode::ValidationFailed, issues));
        }
    };
    let loaded = load(&c, &k.pref).await?;
    let mut seen_ids: BTreeMap<&str, usize> = BTreeMap::new();
    let mut listed: BTreeMap<String, (String, usize)> = BTreeMap::new();
    for r in &rows {
        if !loaded.centers.contains_key(&r.id) {
            issues.push(issue(
                format!("rows[{}].id", r.line),
                "unknown_health_center",
                format!(
                    "{}行目「保健所ID」: 「{}」はこの都道府県の保健所ではありません。",
                    r.line, r.id
                ),
            ));
        }
        if let Some(first) = seen_ids.insert(&r.id, r.line) {
            issues.push(issue(
                format!("rows[{}].id", r.line),
                "duplicate_health_center",
                format!(
                    "{}行目「保健所ID」: 「{}」は{first}行目にもあります。1行にまとめてください。",
                    r.line, r.id
                ),
            ));
        }
        for input in r.edit.municipalities.iter().flatten() {
            let field = format!("rows[{}].municipalities", r.line);
            match code_of(&loaded, input) {
                None => issues.push(not_ours(input, field, Some(r.line))),
                Some(code) => {
                    if let Some((_, first)) = listed.get(&code) {
                        issues.push(issue(
                            field,
                            "municipality_twice",
                            format!(
                                "{}行目「管轄市区町村コード」: {}（{code}）は{first}行目にもあります。1つの保健所だけにしてください。",
                                r.line,
                                muni_name(&code)
                            ),
                        ));
                    } else {
                        listed.insert(code, (r.id.clone(), r.line));
                    }
                }
            }
        }
    }
    // Who covers each municipality afterwards: the file's rows for the centers it lists, the store for the others.
    let rows_of: BTreeMap<&str, usize> = rows.iter().map(|r| (r.id.as_str(), r.line)).collect();
    let mut final_assignment = BTreeMap::new();
    for (code, current) in &loaded.assignment {
        match (listed.get(code), rows_of.get(current.as_str())) {
            (Some((hc, _)), _) => {
                final_assignment.insert(code.clone(), hc.clone());
            }
            (None, Some(line)) => issues.push(left_without(
                code,
                format!("rows[{line}].municipalities"),
                Some(*line),
            )),
            (None, None) => {
                final_assignment.insert(code.clone(), current.clone());
            }
        }
    }
    if !issues.is_empty() {
        ev.outcome = "invalid";
        c.log(ev).await?;
        return Err(ApiError::with_issues(ErrorCode::ValidationFailed, issues));
    }
    let now = now_ms();
    let user = c.principal.user_id.clone();
    let mut statements = Vec::new();
    let mut changed = BTreeSet::new();
    for r in &rows {
        let Some(current) = loaded.centers.get(&r.id) else {
            continue;
        };
        let name = r.edit.name.clone().unwrap_or_default();
        let gains = final_assignment
            .iter()
            .any(|(code, hc)| *hc == r.id && loaded.assignment.get(code) != Some(hc));
        if contact_differs(current, &r.edit, &name) || gains {
            statements.push(institutions::write_health_center(
                &c.core,
                &CenterWrite::Details(&details(&r.id, &k.pref, &name, &r.edit, &user, now)),
            )?);
            changed.insert(r.id.clone());
        }
    }
    for (code, hc) in &final_assignment {
        if loaded.assignment.get(code) != Some(hc) {
            statements.push(institutions::assign(
                &c.core, code, hc, &k.pref, &user, now,
            )?);
        }
    }
    if changed.is_empty() {
        ev.outcome = "unchanged";
    }
    ev = ev.returned(changed.iter().cloned());
    statements.push(audit::batch_entry(&c.core, &ev, now)?);
    institutions::save_directory(&c.core, statements).await?;
    for id in &changed {
        c.stores.refresh("health_centers", id).await?;
    }
    seal_later(env, ctx);
    Ok(Response::from_json(&ImportResult {
        rows: rows.len() as u32,
        changed: changed.len() as u32,
    })?)
}
