//! The SQL of 登録情報一覧: one page query and one capped count, built from the criteria and the caller's scope.
//!
//! Every query is driven by a named index (`INDEXED BY`, so SQLite cannot fall back to a scan: a query the index
//! cannot serve is an error, not a slow page). The driving index is the most selective criterion present: the
//! national keys (スマホ入力ID, 保健所独自ID, phone, birth date) first, then furigana or name prefixes within the
//! scope, then status or category within the scope, then the scope in sort order. The other criteria filter the
//! rows the index yields. Paging is by cursor (the last row's sort key and seq), never OFFSET.

use base64::Engine;
use serde::Deserialize;
use shared::api::cases::{SearchCriteria, SearchRequest, SortKey, COUNT_CAP, PAGE_SIZE};
use shared::case::{furigana_key, name_key, phone_digits, prefix_end, smartphone_id_ok};
use wasm_bindgen::JsValue;
use worker::{D1Database, D1PreparedStatement};

use super::f;
use crate::error::ApiResult;

/// Whose records a search may see (decided by [`shared::auth::Principal::scope`]).
pub use shared::auth::Scope;

/// How a scope appears in the SQL.
trait ScopeSql {
    fn column(&self) -> &'static str;
    fn value(&self) -> &str;
    fn index_prefix(&self) -> &'static str;
}

impl ScopeSql for Scope {
    fn column(&self) -> &'static str {
        match self {
            Scope::Institution(_) => "institution_id",
            Scope::HealthCenter(_) => "health_center_id",
            Scope::Prefecture(_) => "pref_code",
        }
    }

    fn value(&self) -> &str {
        match self {
            Scope::Institution(v) | Scope::HealthCenter(v) | Scope::Prefecture(v) => v,
        }
    }

    fn index_prefix(&self) -> &'static str {
        match self {
            Scope::Institution(_) => "cases_inst",
            Scope::HealthCenter(_) => "cases_hc",
            Scope::Prefecture(_) => "cases_pref",
        }
    }
}

#[derive(Debug, Clone, PartialEq)]
pub enum Bind {
    Text(String),
    Int(i64),
}

#[derive(Debug, Clone, PartialEq)]
pub struct Query {
    pub sql: String,
    pub binds: Vec<Bind>,
}

/// A criterion that cannot match anything well-formed: named for the 422 answer.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BadCriterion {
    pub field: &'static str,
    pub message: &'static str,
}

/// The columns of a list row (plus the sort keys the cursor needs).
pub const SUMMARY_COLUMNS: &str = "c.seq, c.id, c.smartphone_id, c.name, c.furigana, c.furigana_key, c.sex, \
     c.date_of_birth, c.diagnosed_on, c.onset_on, c.category, c.status, c.residence, c.hc_own_id, c.filed_at, \
     c.filed, h.name AS health_center_name";

/// A list row as [`SUMMARY_COLUMNS`] reads it.
#[derive(Deserialize)]
pub struct SummaryRow {
    pub seq: i64,
    pub id: String,
    pub smartphone_id: String,
    pub name: String,
    pub furigana: String,
    pub furigana_key: String,
    pub sex: Option<String>,
    pub date_of_birth: String,
    pub diagnosed_on: Option<String>,
    pub onset_on: Option<String>,
    pub category: Option<String>,
    pub status: Option<String>,
    pub residence: String,
    pub hc_own_id: String,
    pub filed_at: i64,
    pub filed: i64,
    pub health_center_name: String,
}

/// The count query's one row.
#[derive(Deserialize)]
pub struct CountRow {
    pub n: u32,
}

/// A row of the deleted records' list ([`deleted`]).
#[derive(Deserialize)]
pub struct DeletedRow {
    #[serde(flatten)]
    pub summary: SummaryRow,
    pub deleted_at: i64,
    pub deleted_by_name: String,
    pub version: i64,
}

/// The deleted records of a health center, latest first (at most 200): rows of [`DeletedRow`].
pub fn deleted(health_center_id: &str) -> Query {
    Query {
        sql: format!(
            "SELECT {SUMMARY_COLUMNS}, c.deleted_at, u.display_name AS deleted_by_name, c.version \
             FROM cases c INDEXED BY cases_deleted JOIN health_centers h ON h.id = c.health_center_id \
             JOIN users u ON u.id = c.deleted_by_user_id \
             WHERE c.health_center_id = ?1 AND c.deleted_at IS NOT NULL ORDER BY c.deleted_at DESC LIMIT 200"
        ),
        binds: vec![Bind::Text(health_center_id.to_owned())],
    }
}

/// The binds as D1 takes them.
pub fn js_binds(binds: &[Bind]) -> Vec<JsValue> {
    binds
        .iter()
        .map(|b| match b {
            Bind::Text(s) => JsValue::from_str(s),
            Bind::Int(i) => f(*i),
        })
        .collect()
}

/// A built query as a statement (for the caller's batch; nothing runs here).
pub fn statement(db: &D1Database, q: &Query) -> ApiResult<D1PreparedStatement> {
    Ok(db.prepare(&q.sql).bind(&js_binds(&q.binds))?)
}

/// Milliseconds of 00:00 JST on `date` (`YYYY-MM-DD`).
fn jst_midnight_ms(date: chrono::NaiveDate) -> i64 {
    date.and_hms_opt(0, 0, 0)
        .map(|t| t.and_utc().timestamp_millis() - 9 * 3600 * 1000)
        .unwrap_or_default()
}

fn parse_date(s: &str, field: &'static str) -> Result<chrono::NaiveDate, BadCriterion> {
    chrono::NaiveDate::parse_from_str(s.trim(), "%Y-%m-%d").map_err(|_| BadCriterion {
        field,
        message: "日付が正しくありません",
    })
}

/// The cursor: the last row's sort key and seq, opaque to clients (base64url JSON). It carries a furigana key for
/// name order, so it travels only in request bodies.
pub fn encode_cursor(sort: SortKey, last_filed_at: i64, last_kana: &str, last_seq: i64) -> String {
    let v = match sort {
        SortKey::Name => serde_json::json!([last_kana, last_seq]),
        _ => serde_json::json!([last_filed_at, last_seq]),
    };
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(v.to_string())
}

enum Cursor {
    Filed(i64, i64),
    Name(String, i64),
}

fn decode_cursor(sort: SortKey, text: &str) -> Result<Cursor, BadCriterion> {
    let bad = BadCriterion {
        field: "cursor",
        message: "ページの指定が正しくありません",
    };
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(text)
        .map_err(|_| bad.clone())?;
    let v: serde_json::Value = serde_json::from_slice(&bytes).map_err(|_| bad.clone())?;
    let seq = v.get(1).and_then(|s| s.as_i64()).ok_or(bad.clone())?;
    match sort {
        SortKey::Name => Ok(Cursor::Name(
            v.get(0).and_then(|k| k.as_str()).ok_or(bad)?.to_owned(),
            seq,
        )),
        _ => Ok(Cursor::Filed(
            v.get(0).and_then(|k| k.as_i64()).ok_or(bad)?,
            seq,
        )),
    }
}

struct Builder {
    conditions: Vec<String>,
    binds: Vec<Bind>,
}

impl Builder {
    fn bind(&mut self, b: Bind) -> String {
        self.binds.push(b);
        format!("?{}", self.binds.len())
    }

    fn text(&mut self, s: impl Into<String>) -> String {
        self.bind(Bind::Text(s.into()))
    }

    fn cond(&mut self, c: String) {
        self.conditions.push(c);
    }
}

const MAX_CRITERION_CHARS: usize = 100;
const NOT_INDEXED: &str = "-";

/// The page query (PAGE_SIZE + 1 rows: one more tells whether there is a next page) and the count query.
pub fn build(scope: &Scope, req: &SearchRequest) -> Result<(Query, Query), BadCriterion> {
    let c: &SearchCriteria = &req.criteria;
    for (field, value) in [
        ("name", &c.name),
        ("furigana", &c.furigana),
        ("date_of_birth", &c.date_of_birth),
        ("phone", &c.phone),
        ("pref_code", &c.pref_code),
        ("smartphone_id", &c.smartphone_id),
        ("hc_own_id", &c.hc_own_id),
        ("filed_from", &c.filed_from),
        ("filed_to", &c.filed_to),
        ("health_center_id", &c.health_center_id),
    ] {
        if value.chars().count() > MAX_CRITERION_CHARS {
            return Err(BadCriterion {
                field,
                message: "長すぎます",
            });
        }
    }
    let mut b = Builder {
        conditions: vec!["c.deleted_at IS NULL".into()],
        binds: Vec::new(),
    };
    let scope_param = b.text(scope.value());
    let hc = c.health_center_id.trim();
    // A prefecture asking for one of its health centers: that health center's rows (a record's prefecture is its
    // health center's, kept so by transfers), checked once against the prefecture instead of row by row.
    let prefecture_by_hc = matches!(scope, Scope::Prefecture(_)) && !hc.is_empty();
    if !prefecture_by_hc {
        b.cond(format!("c.{} = {scope_param}", scope.column()));
    }

    // Criteria as conditions; remember which index each could drive.
    let mut index: Option<String> = None;
    let prefer = |name: String, index: &mut Option<String>| {
        if index.is_none() {
            *index = Some(name);
        }
    };

    let smartphone = c.smartphone_id.trim();
    if !smartphone.is_empty() {
        if !smartphone_id_ok(smartphone) {
            return Err(BadCriterion {
                field: "smartphone_id",
                message: "スマホ入力IDは10桁の数字です（入力を確認してください）",
            });
        }
        let p = b.text(smartphone);
        b.cond(format!("c.smartphone_id = {p}"));
        // The UNIQUE constraint's own index; SQLite always takes a unique equality.
        prefer(String::new(), &mut index);
    }
    let own = c.hc_own_id.trim();
    if !own.is_empty() {
        let p = b.text(own);
        b.cond(format!("c.hc_own_id = {p}"));
        b.cond("c.hc_own_id <> ''".into());
        prefer("cases_hc_own".into(), &mut index);
    }
    let phone = c.phone.trim();
    if !phone.is_empty() {
        let digits = phone_digits(phone);
        if digits.len() < 6 {
            return Err(BadCriterion {
                field: "phone",
                message: "電話番号は6桁以上の数字で入力してください",
            });
        }
        let p = b.text(digits);
        // Either phone number: the rows of two index lookups, fetched by rowid (the planner, left alone, would
        // rather walk the scope's index and filter).
        b.cond(format!(
            "c.seq IN (SELECT seq FROM cases INDEXED BY cases_phone WHERE phone_digits = {p} AND deleted_at IS NULL \
             UNION SELECT seq FROM cases INDEXED BY cases_phone2 WHERE phone2_digits = {p} AND deleted_at IS NULL)"
        ));
        prefer(NOT_INDEXED.into(), &mut index);
    }
    let dob = c.date_of_birth.trim();
    if !dob.is_empty() {
        let d = parse_date(dob, "date_of_birth")?;
        let p = b.text(d.format("%Y-%m-%d").to_string());
        b.cond(format!("c.date_of_birth = {p}"));
        prefer("cases_dob".into(), &mut index);
    }
    let kana = furigana_key(c.furigana.trim());
    if !c.furigana.trim().is_empty() {
        if kana.is_empty() {
            return Err(BadCriterion {
                field: "furigana",
                message: "フリガナを入力してください",
            });
        }
        let lo = b.text(kana.clone());
        let hi = b.text(prefix_end(&kana));
        b.cond(format!("c.furigana_key >= {lo} AND c.furigana_key < {hi}"));
        prefer(format!("{}_kana", scope.index_prefix()), &mut index);
    }
    let name = name_key(c.name.trim());
    if !name.is_empty() {
        let lo = b.text(name.clone());
        let hi = b.text(prefix_end(&name));
        b.cond(format!("c.name_key >= {lo} AND c.name_key < {hi}"));
        prefer(format!("{}_name", scope.index_prefix()), &mut index);
    }
    if !hc.is_empty() {
        let p = b.text(hc);
        b.cond(format!("c.health_center_id = {p}"));
        if prefecture_by_hc {
            b.cond(format!(
                "EXISTS (SELECT 1 FROM health_centers WHERE id = {p} AND pref_code = {scope_param})"
            ));
        }
    }
    let pref = c.pref_code.trim();
    if !pref.is_empty() {
        let p = b.text(pref);
        match scope {
            // Constant conditions, evaluated once: a health center's records are in its prefecture.
            Scope::HealthCenter(_) => b.cond(format!(
                "EXISTS (SELECT 1 FROM health_centers WHERE id = {scope_param} AND pref_code = {p})"
            )),
            Scope::Prefecture(_) => b.cond(format!("{scope_param} = {p}")),
            Scope::Institution(_) => b.cond(format!("c.pref_code = {p}")),
        }
    }
    let mut rare_index = None;
    if let Some(status) = c.status {
        let p = b.text(status.as_str());
        b.cond(format!("c.status = {p}"));
        rare_index.get_or_insert("status");
    }
    if let Some(category) = c.category {
        let value = serde_json::to_value(category)
            .ok()
            .and_then(|v| v.as_str().map(str::to_owned))
            .unwrap_or_default();
        let p = b.text(value);
        b.cond(format!("c.category = {p}"));
        rare_index.get_or_insert("category");
    }
    if !c.filed_from.trim().is_empty() {
        let d = parse_date(&c.filed_from, "filed_from")?;
        let p = b.bind(Bind::Int(jst_midnight_ms(d)));
        b.cond(format!("c.filed_at >= {p}"));
    }
    if !c.filed_to.trim().is_empty() {
        let d = parse_date(&c.filed_to, "filed_to")?;
        let next = d.succ_opt().unwrap_or(d);
        let p = b.bind(Bind::Int(jst_midnight_ms(next)));
        b.cond(format!("c.filed_at < {p}"));
    }

    // No national key or prefix: a health-center criterion within a prefecture narrows to that health center's
    // index; then status or category (in filing order); then the scope itself in the sort order.
    let by_name = req.sort == SortKey::Name;
    let index = match index {
        Some(i) => i,
        None => {
            let narrower = if !hc.is_empty() && matches!(scope, Scope::Prefecture(_)) {
                "cases_hc"
            } else {
                scope.index_prefix()
            };
            match (rare_index, by_name, narrower) {
                (Some(kind), false, p) => format!("{p}_{kind}"),
                (_, true, p) => format!("{p}_kana"),
                (_, false, p) => format!("{p}_filed"),
            }
        }
    };

    let count_conditions = b.conditions.join(" AND ");
    let count_binds = b.binds.clone();
    if let Some(cursor) = &req.cursor {
        match decode_cursor(req.sort, cursor)? {
            Cursor::Filed(at, seq) => {
                let pa = b.bind(Bind::Int(at));
                let ps = b.bind(Bind::Int(seq));
                let op = if req.sort == SortKey::FiledAsc {
                    ">"
                } else {
                    "<"
                };
                b.cond(format!("(c.filed_at, c.seq) {op} ({pa}, {ps})"));
            }
            Cursor::Name(k, seq) => {
                let pk = b.text(k);
                let ps = b.bind(Bind::Int(seq));
                b.cond(format!("(c.furigana_key, c.seq) > ({pk}, {ps})"));
            }
        }
    }
    let order = match req.sort {
        SortKey::FiledDesc => "c.filed_at DESC, c.seq DESC",
        SortKey::FiledAsc => "c.filed_at, c.seq",
        SortKey::Name => "c.furigana_key, c.seq",
    };
    let indexed = if index.is_empty() {
        String::new()
    } else if index == NOT_INDEXED {
        // Rowid lookups only (NOT INDEXED still allows the INTEGER PRIMARY KEY).
        " NOT INDEXED".to_owned()
    } else {
        format!(" INDEXED BY {index}")
    };
    let page = Query {
        sql: format!(
            "SELECT {SUMMARY_COLUMNS} FROM cases AS c{indexed} JOIN health_centers h ON h.id = c.health_center_id \
             WHERE {} ORDER BY {order} LIMIT {}",
            b.conditions.join(" AND "),
            PAGE_SIZE + 1
        ),
        binds: b.binds,
    };
    let count = Query {
        sql: format!(
            "SELECT COUNT(*) AS n FROM (SELECT 1 FROM cases AS c{indexed} WHERE {count_conditions} LIMIT {})",
            COUNT_CAP + 1
        ),
        binds: count_binds,
    };
    Ok((page, count))
}

/// One page from the pages of several shards, in the search's order (`seq` is a record's number across shards, so
/// the keyset cursor holds across them); a record seen twice (in both shards during a move) is kept once.
pub fn merge(pages: Vec<Vec<SummaryRow>>, sort: SortKey) -> Vec<SummaryRow> {
    let mut rows: Vec<SummaryRow> = pages.into_iter().flatten().collect();
    match sort {
        SortKey::FiledDesc => rows.sort_by_key(|r| std::cmp::Reverse((r.filed_at, r.seq))),
        SortKey::FiledAsc => rows.sort_by_key(|r| (r.filed_at, r.seq)),
        SortKey::Name => {
            rows.sort_by(|a, b| (&a.furigana_key, a.seq).cmp(&(&b.furigana_key, b.seq)))
        }
    }
    let mut seen = std::collections::HashSet::new();
    rows.retain(|r| seen.insert(r.id.clone()));
    rows
}

/// The search's statements (page, capped count) for a principal: `FORBIDDEN` for one with no records to search,
/// `VALIDATION_FAILED` naming the criterion that cannot be searched. Also used by the bench-only EXPLAIN route.
pub fn for_principal(
    principal: &shared::auth::Principal,
    req: &SearchRequest,
) -> crate::error::ApiResult<(Query, Query)> {
    use crate::error::ApiError;
    use shared::error::ErrorCode;
    let scope = principal
        .scope()
        .ok_or_else(|| ApiError::new(ErrorCode::Forbidden))?;
    build(&scope, req).map_err(|e| {
        ApiError::with_issues(
            ErrorCode::ValidationFailed,
            vec![shared::notification::validate::IssueView {
                severity: shared::notification::validate::IssueSeverity::Error,
                code: "search_criterion".into(),
                field: e.field.into(),
                message: e.message.into(),
            }],
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use shared::case::status::CaseStatus;

    fn req(c: SearchCriteria) -> SearchRequest {
        SearchRequest {
            criteria: c,
            ..SearchRequest::default()
        }
    }

    fn hc() -> Scope {
        Scope::HealthCenter("HC13104".into())
    }

    #[test]
    fn blank_search_is_the_scope_in_filing_order() {
        let (page, count) = build(&hc(), &req(SearchCriteria::default())).unwrap();
        assert!(
            page.sql.contains("INDEXED BY cases_hc_filed"),
            "{}",
            page.sql
        );
        assert!(page.sql.contains("c.health_center_id = ?1"));
        assert!(page
            .sql
            .contains("ORDER BY c.filed_at DESC, c.seq DESC LIMIT 51"));
        assert!(count.sql.contains("LIMIT 10001"));
        assert_eq!(page.binds, vec![Bind::Text("HC13104".into())]);
    }

    #[test]
    fn the_most_selective_criterion_drives() {
        let c = SearchCriteria {
            furigana: "やまだ".into(),
            date_of_birth: "1980-01-15".into(),
            status: Some(CaseStatus::Admitted),
            ..Default::default()
        };
        let (page, _) = build(&hc(), &req(c)).unwrap();
        assert!(page.sql.contains("INDEXED BY cases_dob"), "{}", page.sql);
        assert!(page.binds.contains(&Bind::Text("ヤマダ".into())));
        assert!(page.binds.contains(&Bind::Text("ヤマチ".into())));
        let c = SearchCriteria {
            status: Some(CaseStatus::Died),
            ..Default::default()
        };
        let (page, _) = build(&Scope::Prefecture("13".into()), &req(c.clone())).unwrap();
        assert!(page.sql.contains("INDEXED BY cases_pref_status"));
        let (page, _) = build(&Scope::Institution("i1".into()), &req(c)).unwrap();
        assert!(page.sql.contains("INDEXED BY cases_inst_status"));
        let c = SearchCriteria {
            health_center_id: "HC13104".into(),
            ..Default::default()
        };
        let (page, _) = build(&Scope::Prefecture("13".into()), &req(c)).unwrap();
        assert!(page.sql.contains("INDEXED BY cases_hc_filed"));
    }

    #[test]
    fn name_order_pages_by_kana() {
        let mut r = req(SearchCriteria::default());
        r.sort = SortKey::Name;
        r.cursor = Some(encode_cursor(SortKey::Name, 0, "ヤマダタロウ", 42));
        let (page, count) = build(&hc(), &r).unwrap();
        assert!(page.sql.contains("INDEXED BY cases_hc_kana"));
        assert!(page.sql.contains("(c.furigana_key, c.seq) > (?2, ?3)"));
        assert!(!count.sql.contains("furigana_key, c.seq"));
        r.cursor = Some("garbage!".into());
        assert_eq!(build(&hc(), &r).unwrap_err().field, "cursor");
    }

    #[test]
    fn bad_criteria_are_named() {
        let bad = |c: SearchCriteria| build(&hc(), &req(c)).unwrap_err().field;
        assert_eq!(
            bad(SearchCriteria {
                date_of_birth: "1980-02-30".into(),
                ..Default::default()
            }),
            "date_of_birth"
        );
        assert_eq!(
            bad(SearchCriteria {
                smartphone_id: "12345".into(),
                ..Default::default()
            }),
            "smartphone_id"
        );
        assert_eq!(
            bad(SearchCriteria {
                phone: "03-".into(),
                ..Default::default()
            }),
            "phone"
        );
        assert_eq!(
            bad(SearchCriteria {
                name: "あ".repeat(101),
                ..Default::default()
            }),
            "name"
        );
        assert_eq!(
            bad(SearchCriteria {
                furigana: "   ".into(),
                filed_from: "x".into(),
                ..Default::default()
            }),
            "filed_from"
        );
    }

    #[test]
    fn date_range_is_jst_days_inclusive() {
        let c = SearchCriteria {
            filed_from: "2024-05-01".into(),
            filed_to: "2024-05-01".into(),
            ..Default::default()
        };
        let (page, _) = build(&hc(), &req(c)).unwrap();
        // 2024-05-01 00:00 JST = 2024-04-30 15:00 UTC.
        assert!(page.binds.contains(&Bind::Int(1_714_489_200_000)));
        assert!(page
            .binds
            .contains(&Bind::Int(1_714_489_200_000 + 86_400_000)));
    }
}
