//! `/exports`: データの書き出し. The person picks a kind their role may use, a date range (the last 30 days by
//! default) and the kind's options; 件数を確認 asks the edge for the scope, the count, the file name and the downloads
//! left this hour; only then ダウンロード streams the file with a progress bar, and saves it only when every row the
//! edge announced arrived. Refusals are shown at their field (a date) or at the buttons (rights, the hourly limit);
//! what the person chose stays.

use chrono::NaiveDate;
use dioxus::prelude::*;
use shared::api::exports::{
    kinds_for, CsvEncoding, DateStyle, ExportKind, ExportPreview, ExportRequest, OpenDataLayout,
};

use super::kilobytes;
use crate::api::{self, Downloaded, Progress};
use crate::session::{RequireSignIn, SessionCtx};
use crate::text::grouped;
use crate::{text, Route};

#[component]
pub fn Exports() -> Element {
    rsx! {
        RequireSignIn { ExportsView {} }
    }
}

fn kind_name(k: ExportKind) -> &'static str {
    match k {
        ExportKind::Fhir => "fhir",
        ExportKind::Csv => "csv",
        ExportKind::OpenData => "open_data",
    }
}

fn kind_label(k: ExportKind) -> &'static str {
    match k {
        ExportKind::Fhir => "FHIR",
        ExportKind::Csv => "CSV",
        ExportKind::OpenData => "オープンデータ",
    }
}

/// What the kind is and who receives it, in one line.
fn kind_hint(k: ExportKind, clinic: bool) -> &'static str {
    match (k, clinic) {
        (ExportKind::Fhir, true) => "自院が届け出た発生届を、1件ずつFHIR R4形式で書き出します（NDJSON）。自院の電子カルテ等へ取り込む担当者向けです。",
        (ExportKind::Fhir, false) => "発生届を1件ずつFHIR R4形式で書き出します（NDJSON）。電子カルテや他のシステムへ取り込む担当者向けです。個人情報を含みます。",
        (ExportKind::Csv, _) => "発生届1件を1行にした表です。Excelで開いて、所内の集計・確認に使います。個人情報を含みます。",
        (ExportKind::OpenData, _) => "日別・都道府県別の新規陽性者数（厚生労働省オープンデータの形式）です。個人情報を含まず、公表に使えます。",
    }
}

/// The form's fields an error can name.
const FIELDS: [&str; 6] = ["kind", "from", "to", "encoding", "dates", "layout"];

/// `YYYY-MM-DD`, `n` days before `day`.
fn days_before(day: NaiveDate, n: u64) -> NaiveDate {
    day.checked_sub_days(chrono::Days::new(n)).unwrap_or(day)
}

/// What the person chose (kept through errors).
#[derive(Clone, PartialEq)]
struct Form {
    kind: ExportKind,
    from: String,
    to: String,
    encoding: CsvEncoding,
    dates: DateStyle,
    layout: OpenDataLayout,
}

impl Form {
    /// The request of the form as it stands, or the date fields that are empty.
    fn request(&self) -> Result<ExportRequest, Vec<(String, String)>> {
        let f = self.from.parse::<NaiveDate>();
        let t = self.to.parse::<NaiveDate>();
        match (f, t) {
            (Ok(from), Ok(to)) => Ok(ExportRequest {
                kind: self.kind,
                from,
                to,
                encoding: self.encoding,
                dates: self.dates,
                layout: self.layout,
            }),
            (f, t) => {
                let mut missing = Vec::new();
                if f.is_err() {
                    missing.push(("from".to_owned(), "開始日を入力してください。".to_owned()));
                }
                if t.is_err() {
                    missing.push(("to".to_owned(), "終了日を入力してください。".to_owned()));
                }
                Err(missing)
            }
        }
    }
}

/// Where the page is: the preview of the criteria as they are now (cleared when any changes) with the request it
/// answered, refusals by field and at the buttons, the download's progress and outcome.
#[derive(Clone, PartialEq, Default)]
struct State {
    preview: Option<(ExportRequest, ExportPreview)>,
    errors: Vec<(String, String)>,
    general: Option<String>,
    busy: bool,
    progress: Option<Progress>,
    done: Option<Downloaded>,
}

impl State {
    /// A criterion changed: the count shown no longer applies, nor do that field's errors.
    fn changed(&mut self, field: &str) {
        self.preview = None;
        self.done = None;
        self.progress = None;
        self.general = None;
        self.errors.retain(|(f, _)| f != field);
    }

    fn msg(&self, field: &str) -> Option<String> {
        self.errors
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
    }

    fn field_class(&self, field: &str) -> &'static str {
        if self.msg(field).is_some() {
            "field has-error"
        } else {
            "field"
        }
    }

    /// A refusal: findings at their fields, anything else at the buttons.
    fn refused(&mut self, e: api::ApiFailure) {
        let issues = e.issues();
        let at_fields: Vec<(String, String)> = issues
            .iter()
            .filter(|i| FIELDS.contains(&i.field.as_str()))
            .map(|i| (i.field.clone(), i.message.clone()))
            .collect();
        if at_fields.len() < issues.len() || at_fields.is_empty() {
            self.general = Some(e.message());
        }
        if let Some((f, _)) = at_fields.first() {
            api::focus_by_id(&format!("export-{f}"));
        }
        self.errors = at_fields;
        self.progress = None;
    }
}

#[component]
fn ExportsView() -> Element {
    let role = use_context::<SessionCtx>().me().map(|m| m.role);
    // Offline the role cannot be confirmed: every kind is offered and the edge decides once online.
    let kinds: &'static [ExportKind] = match role {
        Some(r) => kinds_for(r),
        None => &[ExportKind::Csv, ExportKind::Fhir, ExportKind::OpenData],
    };
    let clinic = role.is_some_and(|r| r.files_notifications());
    let mut form = use_signal(|| {
        let today = shared::time::today_jst(js_sys::Date::now() as i64);
        Form {
            kind: kinds.first().copied().unwrap_or(ExportKind::Fhir),
            from: days_before(today, 29).to_string(),
            to: today.to_string(),
            encoding: CsvEncoding::default(),
            dates: DateStyle::default(),
            layout: OpenDataLayout::default(),
        }
    });
    let mut state = use_signal(State::default);

    if kinds.is_empty() {
        return rsx! {
            section { class: "page exports-page", "data-testid": "exports-page",
                h1 { "データの書き出し" }
                p { class: "alert", role: "alert", "data-testid": "exports-none", "{text::NOT_PERMITTED}" }
                Link { class: "button secondary", to: Route::Home {}, {text::BACK_TO_MENU} }
            }
        };
    }

    let check = move |_| {
        if state.peek().busy {
            return;
        }
        let req = form.peek().request();
        let mut s = state.write();
        s.general = None;
        s.done = None;
        s.progress = None;
        let req = match req {
            Ok(r) => r,
            Err(missing) => {
                if let Some((f, _)) = missing.first() {
                    api::focus_by_id(&format!("export-{f}"));
                }
                s.errors = missing;
                return;
            }
        };
        s.errors.clear();
        s.busy = true;
        drop(s);
        spawn(async move {
            let answer = api::exports::preview(&req).await;
            let mut s = state.write();
            s.busy = false;
            match answer {
                Ok(p) => {
                    s.preview = Some((req, p));
                    api::focus_by_id("export-preview");
                }
                Err(e) => s.refused(e),
            }
        });
    };
    let start = move |_| {
        let Some((req, p)) = state.peek().preview.clone() else {
            return;
        };
        if state.peek().busy {
            return;
        }
        state.with_mut(|s| {
            s.general = None;
            s.done = None;
            s.busy = true;
            s.progress = Some(Progress {
                rows: 0,
                bytes: 0,
                expected: Some(p.count),
            });
        });
        spawn(async move {
            let got = api::exports::download(&req, &p.file_name, move |now| {
                state.with_mut(|s| s.progress = Some(now))
            })
            .await;
            let mut s = state.write();
            s.busy = false;
            match got {
                Ok(d) => {
                    s.progress = Some(d.progress);
                    s.done = Some(d);
                    // The preview's downloads left, less this one.
                    if let Some((_, p)) = s.preview.as_mut() {
                        p.remaining = p.remaining.map(|n| n.saturating_sub(1));
                    }
                }
                Err(e) => {
                    if e.code() == Some(shared::error::ErrorCode::ExportRateLimited) {
                        if let Some((_, p)) = s.preview.as_mut() {
                            p.remaining = Some(0);
                        }
                    }
                    s.refused(e)
                }
            }
        });
    };

    let f = form();
    let st = state();
    let k = f.kind;
    let busy = st.busy;
    let shown = st.preview.clone();
    rsx! {
        section { class: "page exports-page", "data-testid": "exports-page",
            h1 { "データの書き出し" }
            p { class: "lead", "書き出す内容と期間を選び、件数を確認してからダウンロードします。書き出しはすべて記録されます。" }
            fieldset { class: "{st.field_class(\"kind\")} export-kinds", id: "export-kind", tabindex: "-1",
                legend { class: "field-label", "書き出す内容" }
                for &option in kinds {
                    label { key: "{kind_name(option)}",
                        class: if k == option { "choice radio-card export-kind selected" } else { "choice radio-card export-kind" },
                        input { r#type: "radio", name: "export-kind", value: "{kind_name(option)}", checked: k == option,
                            "data-testid": "kind-{kind_name(option)}",
                            onchange: move |_| { form.write().kind = option; state.write().changed("kind"); } }
                        span { class: "export-kind-text",
                            strong { "{kind_label(option)}" }
                            span { class: "field-hint", "{kind_hint(option, clinic)}" }
                        }
                    }
                }
                if let Some(m) = st.msg("kind") { p { class: "field-error", role: "alert", "data-testid": "error-kind", "{m}" } }
            }
            div { class: "export-dates",
                div { class: st.field_class("from"),
                    label { class: "field-label", r#for: "export-from",
                        if k == ExportKind::OpenData { "開始日（診断日）" } else { "開始日（届出日）" }
                    }
                    input { id: "export-from", class: "input", r#type: "date", value: "{f.from}", "data-testid": "export-from",
                        oninput: move |e| { form.write().from = e.value(); state.write().changed("from"); } }
                    if let Some(m) = st.msg("from") { p { class: "field-error", role: "alert", "data-testid": "error-from", "{m}" } }
                }
                div { class: st.field_class("to"),
                    label { class: "field-label", r#for: "export-to", "終了日" }
                    input { id: "export-to", class: "input", r#type: "date", value: "{f.to}", "data-testid": "export-to",
                        oninput: move |e| { form.write().to = e.value(); state.write().changed("to"); } }
                    if let Some(m) = st.msg("to") { p { class: "field-error", role: "alert", "data-testid": "error-to", "{m}" } }
                }
            }
            if k == ExportKind::Csv {
                Choices { field: "encoding", legend: "文字コード", error: st.msg("encoding"),
                    options: &[("utf8_bom", "UTF-8（BOM付き、推奨）"), ("cp932", "Shift_JIS（CP932、古いExcel向け）")],
                    selected: if f.encoding == CsvEncoding::Cp932 { 1 } else { 0 },
                    on_pick: move |i| { form.write().encoding = if i == 1 { CsvEncoding::Cp932 } else { CsvEncoding::Utf8Bom }; state.write().changed("encoding"); } }
                Choices { field: "dates", legend: "日付の書き方", error: st.msg("dates"),
                    options: &[("iso", "西暦（2022-10-01）"), ("wareki", "和暦（令和4年10月1日）")],
                    selected: if f.dates == DateStyle::Wareki { 1 } else { 0 },
                    on_pick: move |i| { form.write().dates = if i == 1 { DateStyle::Wareki } else { DateStyle::Iso }; state.write().changed("dates"); } }
            }
            if k == ExportKind::OpenData {
                Choices { field: "layout", legend: "形式", error: st.msg("layout"),
                    options: &[("daily", "日別（日付・都道府県・人数）"), ("age_bands", "年代別（日別の人数を年代ごとに）")],
                    selected: if f.layout == OpenDataLayout::AgeBands { 1 } else { 0 },
                    on_pick: move |i| { form.write().layout = if i == 1 { OpenDataLayout::AgeBands } else { OpenDataLayout::Daily }; state.write().changed("layout"); } }
            }
            div { class: "form-actions",
                button { r#type: "button", class: if shown.is_some() { "button secondary" } else { "button primary" },
                    "data-testid": "export-preview-button", disabled: busy, onclick: check,
                    if busy && shown.is_none() { "確認しています…" } else { "件数を確認" }
                }
            }
            if let Some((_, p)) = shown.clone() {
                section { class: "export-preview", id: "export-preview", tabindex: "-1", "data-testid": "export-preview",
                    h2 { class: "section-title", "書き出す内容の確認" }
                    dl { class: "summary",
                        dt { "対象" } dd { "data-testid": "preview-scope", "{p.scope}" }
                        dt { "期間" } dd { "{p.from} 〜 {p.to}" }
                        dt { "件数" } dd { class: "export-count", "data-testid": "preview-count", "data-count": "{p.count}", "{grouped(p.count)} 件" }
                        dt { "ファイル名" } dd { class: "export-file", "data-testid": "preview-file", "{p.file_name}" }
                        if let Some(n) = p.remaining {
                            dt { "残り回数" } dd { "data-testid": "preview-remaining", "この1時間にあと {n} 回ダウンロードできます。" }
                        }
                    }
                    if p.count == 0 {
                        p { class: "notice", "data-testid": "preview-empty", "この条件に当てはまるデータはありません。期間を変えて確認してください。" }
                    } else {
                        div { class: "form-actions",
                            button { r#type: "button", class: "button primary", "data-testid": "export-download",
                                disabled: busy || p.remaining == Some(0), onclick: start,
                                if busy { "ダウンロードしています…" } else { "ダウンロード（{grouped(p.count)} 件）" }
                            }
                        }
                    }
                    // A refusal of the download (rights, the hourly limit) under its button.
                    if let Some(m) = st.general.clone() {
                        p { class: "alert", role: "alert", "data-testid": "export-error", "{m}" }
                    }
                }
            }
            if let Some(now) = st.progress {
                ProgressView { now, done: st.done.clone() }
            }
            if let Some(m) = st.general.clone().filter(|_| shown.is_none()) {
                p { class: "alert", role: "alert", "data-testid": "export-error", "{m}" }
            }
            Link { class: "button secondary", to: Route::Home {}, {text::BACK_TO_MENU} }
        }
    }
}

/// One choice of the form as large radio cards (`data-testid` `<field>-<name>`), its refusal under it.
#[component]
fn Choices(
    field: &'static str,
    legend: &'static str,
    error: Option<String>,
    options: &'static [(&'static str, &'static str)],
    selected: usize,
    on_pick: EventHandler<usize>,
) -> Element {
    rsx! {
        fieldset { class: if error.is_some() { "field has-error export-options" } else { "field export-options" },
            id: "export-{field}", tabindex: "-1",
            legend { class: "field-label", "{legend}" }
            for (i, &(name, label)) in options.iter().enumerate() {
                label { key: "{name}", class: if i == selected { "choice radio-card selected" } else { "choice radio-card" },
                    input { r#type: "radio", name: "export-{field}", value: "{name}", checked: i == selected,
                        "data-testid": "{field}-{name}", onchange: move |_| on_pick.call(i) }
                    span { "{label}" }
                }
            }
            if let Some(m) = error.clone() { p { class: "field-error", role: "alert", "data-testid": "error-{field}", "{m}" } }
        }
    }
}

/// The download's progress, then what became of it.
#[component]
fn ProgressView(now: Progress, done: Option<Downloaded>) -> Element {
    let expected = now.expected.unwrap_or(now.rows);
    let counted = format!("{} / {} 件", grouped(now.rows), grouped(expected));
    rsx! {
        section { class: "export-progress", "data-testid": "export-progress", "aria-live": "polite",
            progress { max: "{expected.max(1)}", value: "{now.rows.min(expected)}", "aria-label": "受信した件数" }
            p { class: "export-progress-text",
                span { "data-testid": "export-progress-rows", "{counted}" }
                span { class: "muted", "（{kilobytes(now.bytes)}）" }
            }
            match done {
                None => rsx! {},
                Some(d) if d.complete => rsx! {
                    p { class: "notice export-done", role: "status", "data-testid": "export-done",
                        "「{d.file_name}」を保存しました（{grouped(d.progress.rows)} 件）。ブラウザのダウンロード先を確認してください。"
                    }
                },
                Some(d) if d.progress.rows > expected => rsx! {
                    p { class: "alert", role: "alert", "data-testid": "export-incomplete",
                        "受け取った件数（{grouped(d.progress.rows)} 件）が予定（{grouped(expected)} 件）と合わないため、ファイルは保存していません。もう一度「件数を確認」からやり直してください。"
                    }
                },
                Some(d) => rsx! {
                    p { class: "alert", role: "alert", "data-testid": "export-incomplete",
                        "ダウンロードが最後まで届きませんでした。{grouped(d.progress.rows)} 件しか受け取れなかったため（全 {grouped(expected)} 件）、ファイルは保存していません。通信が切れたか、ダウンロード中に記録が削除・移管された可能性があります。もう一度「件数を確認」からやり直してください。"
                    }
                },
            }
        }
    }
}
