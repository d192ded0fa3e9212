//! 登録情報一覧 (manual 4.3): search the records the user may see by the manual's criteria, 50 at a time, and
//! open one. The criteria are sent in a POST body (personal data never goes into a URL) and kept in memory for the
//! session (a context signal), so coming back from a record finds them, and the list, as they were.

use dioxus::prelude::*;
use shared::api::cases::{CaseSummary, SearchCriteria, SearchRequest, SortKey};
use shared::case::status::CaseStatus;
use shared::case::{age_band, smartphone_id_ok};
use shared::notification::dates::parse_typed;
use shared::notification::municipality::prefecture_name;
use shared::notification::options::CaseCategory;
use shared::notification::validate::IssueView;

use crate::api;
use crate::case::status_tab::key;
use crate::case::{age_text, date_short, parse_iso, today_jst};
use crate::components::alert::ErrorAlert;
use crate::components::health_centers::use_health_centers;
use crate::notification::records::jst;
use crate::session::{RequireSignIn, SessionCtx};
use crate::{text, Route};

/// What the criteria inputs hold (dates as typed).
#[derive(Clone, Default, PartialEq)]
pub struct SearchForm {
    pub name: String,
    pub furigana: String,
    pub date_of_birth: String,
    pub phone: String,
    pub pref_code: String,
    pub category: String,
    pub status: String,
    pub smartphone_id: String,
    pub hc_own_id: String,
    pub filed_from: String,
    pub filed_to: String,
    pub health_center_id: String,
}

/// The list as last shown: its request (without cursor), rows so far and the next page's cursor.
#[derive(Clone, PartialEq)]
pub struct Listing {
    pub request: SearchRequest,
    pub items: Vec<CaseSummary>,
    pub count: u32,
    pub capped: bool,
    pub next: Option<String>,
}

/// App-wide, in memory only: the criteria and the list survive opening a record and coming back.
#[derive(Clone, Copy, PartialEq)]
pub struct SearchCtx {
    pub form: Signal<SearchForm>,
    pub sort: Signal<SortKey>,
    pub listing: Signal<Option<Listing>>,
    /// A message for the list page (e.g. after a delete).
    pub flash: Signal<Option<String>>,
}

impl SearchCtx {
    pub fn clear(mut self) {
        self.form.set(SearchForm::default());
        self.sort.set(SortKey::default());
        self.listing.set(None);
        self.flash.set(None);
    }
}

pub fn provide_search() {
    let form = use_signal(SearchForm::default);
    let sort = use_signal(SortKey::default);
    let listing = use_signal(|| None);
    let flash = use_signal(|| None);
    use_context_provider(|| SearchCtx {
        form,
        sort,
        listing,
        flash,
    });
}

#[component]
pub fn Search() -> Element {
    let allowed = use_context::<SessionCtx>()
        .me()
        .is_none_or(|m| m.role.views_records());
    rsx! {
        RequireSignIn {
            if allowed { SearchPage {} } else {
                section { class: "page",
                    h1 { "登録情報一覧" }
                    p { class: "alert", role: "alert", {text::NOT_PERMITTED} }
                    Link { class: "button secondary", to: Route::Home {}, {text::BACK_TO_MENU} }
                }
            }
        }
    }
}

fn finding(field: &str, message: &str) -> IssueView {
    IssueView {
        severity: shared::notification::validate::IssueSeverity::Error,
        code: "search_criterion".into(),
        field: field.into(),
        message: message.into(),
    }
}

/// The form as criteria, or what to fix (by criterion name).
fn criteria(f: &SearchForm) -> Result<SearchCriteria, Vec<IssueView>> {
    let mut issues = Vec::new();
    let mut date = |field: &str, raw: &str| -> String {
        if raw.trim().is_empty() {
            return String::new();
        }
        match parse_typed(raw) {
            Some(d) => d.to_string(),
            None => {
                issues.push(finding(field, crate::case::tab_form::DATE_HELP));
                String::new()
            }
        }
    };
    let date_of_birth = date("date_of_birth", &f.date_of_birth);
    let filed_from = date("filed_from", &f.filed_from);
    let filed_to = date("filed_to", &f.filed_to);
    let sid = f.smartphone_id.trim();
    if !sid.is_empty() && !smartphone_id_ok(sid) {
        issues.push(finding(
            "smartphone_id",
            "スマホ入力IDは10桁の数字です（入力を確認してください）",
        ));
    }
    if !issues.is_empty() {
        return Err(issues);
    }
    Ok(SearchCriteria {
        name: f.name.trim().into(),
        furigana: f.furigana.trim().into(),
        date_of_birth,
        phone: f.phone.trim().into(),
        pref_code: f.pref_code.clone(),
        category: CaseCategory::ALL
            .iter()
            .copied()
            .find(|c| key(c) == f.category),
        status: CaseStatus::parse(&f.status),
        smartphone_id: sid.into(),
        hc_own_id: f.hc_own_id.trim().into(),
        filed_from,
        filed_to,
        health_center_id: f.health_center_id.clone(),
    })
}

/// Runs a search; with `more`, appends the next page to the list.
async fn run(
    ctx: SearchCtx,
    request: SearchRequest,
    more: bool,
    mut busy: Signal<bool>,
    mut error: Signal<Option<String>>,
    mut issues: Signal<Vec<IssueView>>,
) {
    busy.set(true);
    let r = api::cases::search(&request).await;
    busy.set(false);
    let mut listing = ctx.listing;
    match r {
        Ok(page) => {
            error.set(None);
            issues.set(Vec::new());
            let mut items = if more {
                listing
                    .peek()
                    .as_ref()
                    .map(|l| l.items.clone())
                    .unwrap_or_default()
            } else {
                Vec::new()
            };
            items.extend(page.items);
            listing.set(Some(Listing {
                request: SearchRequest {
                    cursor: None,
                    ..request
                },
                items,
                count: page.count,
                capped: page.count_capped,
                next: page.next_cursor,
            }));
        }
        Err(e) => {
            issues.set(e.issues());
            error.set(Some(e.message()));
        }
    }
}

fn count_text(count: u32, capped: bool) -> String {
    let out = crate::text::grouped(u64::from(count));
    if capped {
        format!("{out}件以上")
    } else {
        format!("{out}件")
    }
}

#[component]
fn SearchPage() -> Element {
    let ctx = use_context::<SearchCtx>();
    let mut form = ctx.form;
    let mut sort = ctx.sort;
    let busy = use_signal(|| false);
    let error = use_signal(|| None::<String>);
    let mut issues = use_signal(Vec::<IssueView>::new);
    let mut flash = ctx.flash;
    // The message of the page we came from is shown once.
    let message = use_hook(move || flash.take());
    let centers = use_health_centers();
    // Back from a record: the same search again, so the list shows changes made meanwhile.
    use_hook(move || {
        if let Some(l) = ctx.listing.peek().clone() {
            spawn(run(ctx, l.request, false, busy, error, issues));
        }
    });

    // On phones the criteria beyond the four most used fold away, unless one of them is set.
    let mut more = use_signal(|| {
        let f = form.peek();
        !(f.pref_code.is_empty()
            && f.category.is_empty()
            && f.status.is_empty()
            && f.smartphone_id.is_empty()
            && f.hc_own_id.is_empty()
            && f.filed_from.is_empty()
            && f.filed_to.is_empty()
            && f.health_center_id.is_empty())
    });
    let mut search = move || match criteria(&form.read()) {
        Ok(c) => {
            let request = SearchRequest {
                criteria: c,
                sort: sort(),
                cursor: None,
            };
            spawn(run(ctx, request, false, busy, error, issues));
        }
        Err(found) => {
            if let Some(first) = found.first() {
                if !["name", "furigana", "date_of_birth", "phone"].contains(&first.field.as_str()) {
                    more.set(true);
                }
                api::focus_by_id(&format!("s-{}", first.field));
            }
            issues.set(found);
        }
    };
    let on_submit = move |e: FormEvent| {
        e.prevent_default();
        search();
    };
    let issue_for = |field: &str| -> Option<String> {
        issues
            .read()
            .iter()
            .find(|i| i.field == field)
            .map(|i| i.message.clone())
    };
    let hc_options = centers();
    let listing = ctx.listing.read().clone();

    rsx! {
        section { class: "page search", "data-testid": "search-page",
            h1 { "登録情報一覧" }
            if let Some(m) = message { p { class: "notice", role: "status", "data-testid": "flash", "{m}" } }
            form { class: "search-form", id: "search-form", "aria-label": "検索条件", onsubmit: on_submit,
                div { class: "criteria",
                    CriterionInput { name: "name", label: "氏名", mode: "text", issue: issue_for("name") }
                    CriterionInput { name: "furigana", label: "フリガナ", mode: "text", issue: issue_for("furigana") }
                    CriterionInput { name: "date_of_birth", label: "生年月日", mode: "numeric", issue: issue_for("date_of_birth") }
                    CriterionInput { name: "phone", label: "電話番号", mode: "tel", issue: issue_for("phone") }
                    button { r#type: "button", class: "button secondary small more-toggle", "data-testid": "more-criteria",
                        "aria-expanded": if more() { "true" } else { "false" },
                        onclick: move |_| more.toggle(),
                        if more() { "条件を閉じる" } else { "その他の条件（都道府県・診断類型・ステータス・ID・届出日・保健所）" }
                    }
                    div { class: if more() { "more-criteria open" } else { "more-criteria" },
                    CriterionSelect { name: "pref_code", label: "都道府県", options: prefectures() }
                    CriterionSelect { name: "category", label: "診断類型", options: CaseCategory::ALL.iter().map(|c| (key(c), c.label().to_owned())).collect::<Vec<_>>() }
                    CriterionSelect { name: "status", label: "現在のステータス", options: CaseStatus::ALL.iter().map(|c| (c.as_str().to_owned(), c.label().to_owned())).collect::<Vec<_>>() }
                    CriterionInput { name: "smartphone_id", label: "スマホ入力ID", mode: "numeric", issue: issue_for("smartphone_id") }
                    CriterionInput { name: "hc_own_id", label: "保健所独自ID", mode: "text", issue: issue_for("hc_own_id") }
                    CriterionInput { name: "filed_from", label: "届出日（から）", mode: "numeric", issue: issue_for("filed_from") }
                    CriterionInput { name: "filed_to", label: "届出日（まで）", mode: "numeric", issue: issue_for("filed_to") }
                    CriterionSelect { name: "health_center_id", label: "保健所", options: hc_options }
                    }
                }
                p { class: "field-hint", "何も入力せずに検索すると、閲覧できるすべての記録を表示します。フリガナはひらがな・カタカナのどちらでも検索できます。" }
                div { class: "form-actions search-actions",
                    button { r#type: "submit", class: "button primary", id: "search-submit", "data-testid": "search-submit", disabled: busy(),
                        if busy() { "検索しています…" } else { "検索" }
                    }
                    button { r#type: "button", class: "button secondary", "data-testid": "search-clear",
                        onclick: move |_| {
                            form.set(SearchForm::default());
                            issues.set(Vec::new());
                            let mut l = ctx.listing;
                            l.set(None);
                        },
                        "クリア"
                    }
                }
            }
            ErrorAlert { message: error() }
            if let Some(l) = listing {
                div { class: "result-head",
                    p { class: "result-count", role: "status", "data-testid": "result-count", {count_text(l.count, l.capped)} }
                    div { class: "sort",
                        label { r#for: "s-sort", "並び順" }
                        select { id: "s-sort", value: "{key(&sort())}",
                            onchange: move |e| {
                                let s = match e.value().as_str() { "filed_asc" => SortKey::FiledAsc, "name" => SortKey::Name, _ => SortKey::FiledDesc };
                                sort.set(s);
                                if let Some(l) = ctx.listing.peek().clone() {
                                    spawn(run(ctx, SearchRequest { sort: s, ..l.request }, false, busy, error, issues));
                                }
                            },
                            option { value: "filed_desc", selected: sort() == SortKey::FiledDesc, "届出日の新しい順" }
                            option { value: "filed_asc", selected: sort() == SortKey::FiledAsc, "届出日の古い順" }
                            option { value: "name", selected: sort() == SortKey::Name, "フリガナ順" }
                        }
                    }
                }
                if l.items.is_empty() {
                    p { class: "notice", "data-testid": "no-results", "該当する記録はありません。" }
                } else {
                    Results { items: l.items.clone() }
                }
                if let Some(cursor) = l.next.clone() {
                    button { r#type: "button", class: "button secondary more", "data-testid": "more", disabled: busy(),
                        onclick: move |_| {
                            let request = SearchRequest { cursor: Some(cursor.clone()), ..l.request.clone() };
                            spawn(run(ctx, request, true, busy, error, issues));
                        },
                        "次の50件"
                    }
                }
            }
            Link { class: "button secondary", to: Route::Home {}, {text::BACK_TO_MENU} }
        }
    }
}

impl SearchForm {
    /// The text input of a criterion by name.
    fn text_mut(&mut self, name: &str) -> Option<&mut String> {
        Some(match name {
            "name" => &mut self.name,
            "furigana" => &mut self.furigana,
            "date_of_birth" => &mut self.date_of_birth,
            "phone" => &mut self.phone,
            "smartphone_id" => &mut self.smartphone_id,
            "hc_own_id" => &mut self.hc_own_id,
            "filed_from" => &mut self.filed_from,
            "filed_to" => &mut self.filed_to,
            "pref_code" => &mut self.pref_code,
            "category" => &mut self.category,
            "status" => &mut self.status,
            "health_center_id" => &mut self.health_center_id,
            _ => return None,
        })
    }
}

#[component]
fn CriterionInput(
    name: &'static str,
    label: &'static str,
    mode: &'static str,
    issue: Option<String>,
) -> Element {
    let mut form = use_context::<SearchCtx>().form;
    let value = form
        .read()
        .clone()
        .text_mut(name)
        .map(|v| v.clone())
        .unwrap_or_default();
    let date = name == "date_of_birth" || name.starts_with("filed_");
    let note = parse_typed(&value)
        .filter(|_| date)
        .map(|d| crate::notification::sheet::wareki(Some(d)));
    let id = format!("s-{name}");
    rsx! {
        div { class: if issue.is_some() { "field has-error" } else { "field" },
            label { r#for: "{id}", {label} }
            input { id: "{id}", class: "input", inputmode: mode, autocomplete: "off", value: "{value}",
                placeholder: if date { "例 20240131・R6.1.31" } else { "" },
                oninput: move |e| {
                    if let Some(v) = form.write().text_mut(name) {
                        *v = e.value();
                    }
                },
            }
            if let Some(n) = note { span { class: "field-note", "{n}" } }
            if let Some(m) = issue.clone() { p { class: "field-error", role: "alert", "{m}" } }
        }
    }
}

fn prefectures() -> Vec<(String, String)> {
    (1u8..=47)
        .map(|n| {
            (
                format!("{n:02}"),
                prefecture_name(n).unwrap_or_default().to_owned(),
            )
        })
        .collect()
}

#[component]
fn CriterionSelect(
    name: &'static str,
    label: &'static str,
    options: Vec<(String, String)>,
) -> Element {
    let mut form = use_context::<SearchCtx>().form;
    let value = form
        .read()
        .clone()
        .text_mut(name)
        .map(|v| v.clone())
        .unwrap_or_default();
    let id = format!("s-{name}");
    rsx! {
        div { class: "field",
            label { r#for: "{id}", {label} }
            select { id: "{id}", value: "{value}",
                onchange: move |e| {
                    if let Some(v) = form.write().text_mut(name) {
                        *v = e.value();
                    }
                },
                option { value: "", selected: value.is_empty(), "指定なし" }
                for (k, l) in options {
                    option { key: "{k}", value: "{k}", selected: value == k, "{l}" }
                }
            }
        }
    }
}

/// One table; on phones each row is drawn as a card (the cells carry their column names for that).
#[component]
fn Results(items: Vec<CaseSummary>) -> Element {
    let today = today_jst();
    rsx! {
        table { class: "table results", id: "search-results", "data-testid": "search-results",
            thead {
                tr {
                    th { "スマホ入力ID" } th { "確定日" } th { "発病年月日" } th { "患者名" } th { "性別" } th { "年齢" }
                    th { "年代" } th { "診断類型" } th { "現在のステータス" } th { "居所" } th { "届出日／登録日" }
                }
            }
            tbody {
                for c in items {
                    tr { key: "{c.id}", "data-testid": "result-row", "data-id": "{c.id}",
                        td { class: "sid", "data-label": "スマホ入力ID", "{c.smartphone_id}" }
                        td { "data-label": "確定日", {date_short(c.diagnosed_on.as_deref())} }
                        td { "data-label": "発病年月日", {date_short(c.onset_on.as_deref())} }
                        td { class: "name", "data-label": "患者名",
                            Link { to: Route::Record { id: c.id.clone() }, "data-testid": "result-name",
                                span { "{c.name}" }
                                if !c.furigana.is_empty() { span { class: "furigana", "{c.furigana}" } }
                            }
                        }
                        td { "data-label": "性別", {c.sex.clone().unwrap_or_default()} }
                        td { "data-label": "年齢", {age_text(c.date_of_birth.as_deref(), today)} }
                        td { "data-label": "年代", {c.date_of_birth.as_deref().and_then(parse_iso).and_then(|d| age_band(d, today)).unwrap_or_default()} }
                        td { "data-label": "診断類型", {c.category.map_or("", |c| c.label())} }
                        td { class: "status", "data-label": "現在のステータス", {c.status.map_or("", |s| s.label())} }
                        td { "data-label": "居所", "{c.residence}" }
                        td { "data-label": if c.filed { "届出日" } else { "登録日" },
                            {jst(c.filed_at).split(' ').next().unwrap_or_default().to_owned()}
                            if !c.filed { span { class: "badge", "届出前" } }
                        }
                    }
                }
            }
        }
    }
}
