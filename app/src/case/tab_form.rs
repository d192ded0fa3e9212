//! The generic form and read view of a record's tab, both drawn from the tab's declaration in
//! `shared::case::tabs` (the edge keeps only what `tabs::clean` accepts, which the form also runs before 確認).
//!
//! The form's state mirrors the stored JSON except that dates hold what was typed (8 digits, 和暦 or ISO); they
//! become ISO in [`normalize`].

use dioxus::prelude::*;
use serde_json::{Map, Value};
use shared::case::tabs::{self, Field, Kind, Tab, LIST_MAX};
use shared::notification::dates::parse_typed;
use shared::notification::postal::{named_in, PostalCode, PostalMunicipality};
use shared::notification::validate::{IssueSeverity, IssueView};

use super::{at, date_long, field_id, put, today_jst};
use crate::api;
use crate::components::postal_choice::{self, text_after_choice, PostalChoice};
use crate::session::SessionCtx;

pub const DATE_HELP: &str =
    "日付は 20240131（8桁）または R6.1.31（和暦）のように入力してください。";

/// One tab form's state and its findings (by path, e.g. `tests.0.specimen_date`).
#[derive(Clone, Copy, PartialEq)]
pub struct TabForm {
    pub state: Signal<Value>,
    pub issues: Signal<Vec<IssueView>>,
}

impl TabForm {
    /// Provides a form to the fields below the calling component.
    pub fn provide(initial: impl FnOnce() -> Value) -> TabForm {
        let state = use_signal(initial);
        let issues = use_signal(Vec::new);
        use_context_provider(|| TabForm { state, issues })
    }

    pub fn set(mut self, path: &str, value: Value) {
        put(&mut self.state.write(), path, value);
        // A finding goes once its field is changed; 確認 checks again.
        if self.issues.peek().iter().any(|i| i.field == path) {
            self.issues.write().retain(|i| i.field != path);
        }
    }

    /// Checks the form as the edge will: the tab's data ready to send, or the findings (shown at their fields).
    pub fn check(mut self, tab: Tab) -> Option<Value> {
        let (data, mut found) = normalize(tab.fields(), &self.state.read());
        if found.is_empty() {
            match tabs::clean(tab, &data, today_jst()) {
                Ok(clean) => {
                    self.issues.set(Vec::new());
                    return Some(clean);
                }
                Err(e) => found = e,
            }
        }
        let first = found.first().map(|i| field_id(&i.field));
        self.issues.set(found);
        if let Some(id) = first {
            api::focus_by_id(&id);
        }
        None
    }
}

fn finding(path: &str, label: &str, message: &str) -> IssueView {
    IssueView {
        severity: IssueSeverity::Error,
        code: "tab_field".into(),
        field: path.to_owned(),
        message: format!("{label}: {message}"),
    }
}

/// Dates typed as 8 digits or 和暦 to ISO, furigana to full-width katakana; unreadable dates are findings.
pub fn normalize(fields: &[Field], state: &Value) -> (Value, Vec<IssueView>) {
    let mut issues = Vec::new();
    let v = normalize_object(fields, state, "", &mut issues);
    (v, issues)
}

fn normalize_object(
    fields: &[Field],
    state: &Value,
    prefix: &str,
    issues: &mut Vec<IssueView>,
) -> Value {
    let mut out = Map::new();
    for f in fields {
        let path = format!("{prefix}{}", f.key);
        let v = state.get(f.key).cloned().unwrap_or(Value::Null);
        let v = match (f.kind, v) {
            (Kind::Date, Value::String(s)) if !s.trim().is_empty() => match parse_typed(&s) {
                Some(d) => Value::String(d.to_string()),
                None => {
                    issues.push(finding(&path, f.label, DATE_HELP));
                    Value::Null
                }
            },
            (Kind::Text, Value::String(s)) if f.key == "furigana" || f.key.ends_with("_kana") => {
                Value::String(shared::kana::normalize_furigana(&s))
            }
            (Kind::List(items), Value::Array(rows)) => Value::Array(
                rows.iter()
                    .enumerate()
                    .map(|(i, r)| normalize_object(items, r, &format!("{path}.{i}."), issues))
                    .collect(),
            ),
            (_, v) => v,
        };
        if !v.is_null() {
            out.insert(f.key.to_owned(), v);
        }
    }
    Value::Object(out)
}

/// `method2` → ("method", 2).
fn numbered(key: &str) -> Option<(&str, u32)> {
    let stem = key.trim_end_matches(|c: char| c.is_ascii_digit());
    key[stem.len()..].parse().ok().map(|n| (stem, n))
}

/// In a list row, the numbered group n ≥ 2 (検査2: method2, specimen2, result2) shows once group n − 1 has a
/// value, or when it has one itself: a test record starts with 検査1 only.
fn shown(fields: &[Field], row: &Value, key: &str) -> bool {
    let Some((_, n)) = numbered(key).filter(|(_, n)| *n >= 2) else {
        return true;
    };
    let group_filled = |g: u32| {
        fields.iter().any(|f| {
            numbered(f.key).is_some_and(|(_, m)| m == g)
                && row.get(f.key).is_some_and(|v| !blank(v))
        })
    };
    group_filled(n - 1) || group_filled(n)
}

/// The fields of one object (a tab, or one row of a list) as inputs.
#[component]
pub fn Fields(fields: &'static [Field], prefix: String) -> Element {
    let form = use_context::<TabForm>();
    let in_row = !prefix.is_empty();
    let row = at(&form.state.read(), prefix.trim_end_matches('.')).clone();
    rsx! {
        for f in fields.iter().filter(|f| !in_row || shown(fields, &row, f.key)) {
            FieldEdit { key: "{prefix}{f.key}", field: *f, path: format!("{prefix}{}", f.key) }
        }
    }
}

fn hint(key: &str) -> &'static str {
    match key {
        "result" => "結果が出ていないときは「その他」を選びます。",
        "postal_code" => "7桁の数字（ハイフンなし可）",
        _ => "",
    }
}

#[component]
fn FieldEdit(field: Field, path: String) -> Element {
    let form = use_context::<TabForm>();
    let id = field_id(&path);
    let value = at(&form.state.read(), &path).clone();
    let issues: Vec<IssueView> = form
        .issues
        .read()
        .iter()
        .filter(|i| i.field == path)
        .cloned()
        .collect();
    let label = if field.required {
        format!("{}（必須）", field.label)
    } else {
        field.label.to_owned()
    };
    let class = if issues.is_empty() {
        "field"
    } else {
        "field has-error"
    };
    let text = value.as_str().unwrap_or_default().to_owned();
    let p = path.clone();
    let mut postal_note = use_signal(String::new);
    let postal_choices = use_signal(Vec::<PostalMunicipality>::new);
    let body = match field.kind {
        Kind::List(items) => rsx! { ListEdit { field, items, path: path.clone() } },
        // Long lists of choices (検査方法, 検体, 区分) as a select: a phone screen stays short.
        Kind::Choice(opts) if opts.len() > 3 => rsx! {
            label { class: "field-label", r#for: "{id}", "{label}" }
            select { id: "{id}", class: "input", value: "{text}",
                onchange: move |e| {
                    let v = e.value();
                    form.set(&p, if v.is_empty() { Value::Null } else { Value::String(v) });
                },
                option { value: "", selected: text.is_empty(), "選択してください" }
                for opt in opts.iter().copied() {
                    option { key: "{opt}", value: "{opt}", selected: text == opt, "{opt}" }
                }
            }
        },
        Kind::Choice(opts) | Kind::Checks(opts) => {
            let multi = matches!(field.kind, Kind::Checks(_));
            rsx! {
                fieldset { class: "choice-group",
                    legend { class: "field-label", "{label}" }
                    if !hint(field.key).is_empty() { span { class: "field-hint", {hint(field.key)} } }
                    div { class: "chips", id: "{id}",
                        for opt in opts.iter().copied() {
                            {
                                let selected = if multi {
                                    value.as_array().is_some_and(|a| a.iter().any(|v| v.as_str() == Some(opt)))
                                } else {
                                    value.as_str() == Some(opt)
                                };
                                let now = value.clone();
                                let p = path.clone();
                                rsx! {
                                    button { key: "{opt}", r#type: "button",
                                        class: if selected { "chip selected" } else { "chip" },
                                        "aria-pressed": if selected { "true" } else { "false" },
                                        "data-value": "{opt}",
                                        onclick: move |_| {
                                            let next = if multi {
                                                let mut items = now.as_array().cloned().unwrap_or_default();
                                                if selected {
                                                    items.retain(|v| v.as_str() != Some(opt));
                                                } else {
                                                    items.push(Value::String(opt.into()));
                                                }
                                                if items.is_empty() { Value::Null } else { Value::Array(items) }
                                            } else if selected {
                                                Value::Null
                                            } else {
                                                Value::String(opt.into())
                                            };
                                            form.set(&p, next);
                                        },
                                        "{opt}"
                                    }
                                }
                            }
                        }
                    }
                }
            }
        }
        Kind::Check => rsx! {
            label { class: "check",
                input { id: "{id}", r#type: "checkbox", checked: value.as_bool().unwrap_or(false),
                    onchange: move |e| form.set(&p, if e.checked() { Value::Bool(true) } else { Value::Null }),
                }
                span { "{label}" }
            }
        },
        Kind::LongText => rsx! {
            label { class: "field-label", r#for: "{id}", "{label}" }
            textarea { id: "{id}", class: "input textarea", rows: "4", value: "{text}",
                oninput: move |e| form.set(&p, Value::String(e.value())),
            }
        },
        Kind::Text | Kind::Date | Kind::Phone | Kind::Digits(_) => {
            let (kind, mode) = match field.kind {
                Kind::Phone => ("tel", "tel"),
                Kind::Digits(_) | Kind::Date => ("text", "numeric"),
                _ => ("text", "text"),
            };
            let date = field.kind == Kind::Date;
            let parsed = if date { parse_typed(&text) } else { None };
            let bad = date && !text.trim().is_empty() && parsed.is_none();
            // ID管理's 郵便番号 fills 住所 (the field beside it) like the filing form.
            let postal = field.key == "postal_code";
            let address_path = format!(
                "{}address",
                path.strip_suffix("postal_code").unwrap_or_default()
            );
            rsx! {
                label { class: "field-label", r#for: "{id}", "{label}" }
                if !hint(field.key).is_empty() { span { class: "field-hint", {hint(field.key)} } }
                input { id: "{id}", class: "input", r#type: kind, inputmode: mode, autocomplete: "off",
                    placeholder: if date { "例 20240131・R6.1.31" } else { "" },
                    value: "{text}",
                    oninput: move |e| {
                        let v = e.value();
                        form.set(&p, Value::String(v.clone()));
                        if postal {
                            fill_address(form, v, address_path.clone(), postal_note, postal_choices);
                        }
                    },
                }
                if let Some(d) = parsed { span { class: "field-note", {crate::notification::sheet::wareki(Some(d))} } }
                if bad && issues.is_empty() { p { class: "field-error", {DATE_HELP} } }
                if postal && !postal_note().is_empty() { span { class: "field-note", "data-testid": "postal-note", "{postal_note}" } }
                if postal {
                    {
                        let address_path = format!("{}address", path.strip_suffix("postal_code").unwrap_or_default());
                        let address = at(&form.state.read(), &address_path).as_str().unwrap_or_default().to_owned();
                        let chosen = named_in(&postal_choices.read(), &address).map(|m| m.municipality_code.code6().to_owned());
                        rsx! {
                            PostalChoice {
                                choices: postal_choices(),
                                chosen,
                                testid: "postal-choice",
                                on_choose: move |m: PostalMunicipality| {
                                    let current = at(&form.state.peek(), &address_path).as_str().unwrap_or_default().to_owned();
                                    if !m.named_by(&current) {
                                        form.set(&address_path, Value::String(text_after_choice(&m, &current)));
                                    }
                                    postal_note.set(format!("{} を補いました。続けて番地などを入力してください。", m.base()));
                                },
                            }
                        }
                    }
                }
            }
        }
    };
    rsx! {
        div { class: "{class}", "data-path": "{path}",
            {body}
            for (n, i) in issues.iter().enumerate() {
                p { key: "{n}", class: "field-error", role: "alert", "{i.message}" }
            }
        }
    }
}

/// After 郵便番号 is typed: fills 住所 when the code means one municipality (keeping 番地など typed after it), or
/// asks which when it means several.
fn fill_address(
    form: TabForm,
    typed: String,
    address_path: String,
    mut note: Signal<String>,
    mut choices: Signal<Vec<PostalMunicipality>>,
) {
    let Ok(code) = PostalCode::parse(&typed) else {
        note.set(String::new());
        choices.set(Vec::new());
        return;
    };
    let postal_path = format!(
        "{}postal_code",
        address_path.strip_suffix("address").unwrap_or_default()
    );
    spawn(async move {
        let found = postal_choice::lookup(&code).await;
        let now = at(&form.state.peek(), &postal_path)
            .as_str()
            .unwrap_or_default()
            .to_owned();
        if PostalCode::parse(&now) != Ok(code) {
            return;
        }
        match found {
            Ok(found) if found.len() > 1 => {
                note.set(String::new());
                choices.set(found);
            }
            Ok(found) => {
                choices.set(Vec::new());
                let Some(only) = found.first() else { return };
                let current = at(&form.state.peek(), &address_path)
                    .as_str()
                    .unwrap_or_default()
                    .to_owned();
                form.set(
                    &address_path,
                    Value::String(text_after_choice(only, &current)),
                );
                note.set(format!(
                    "{} を補いました。続けて番地などを入力してください。",
                    only.base()
                ));
            }
            Err(why) => {
                choices.set(Vec::new());
                note.set(why.into());
            }
        }
    });
}

/// A new row's defaults: a test record starts with today, the clinic as 外来機関 and its result pending (その他).
pub fn new_row(list_key: &str, clinic: Option<String>) -> Value {
    let mut row = Map::new();
    if list_key == "tests" {
        row.insert(
            "specimen_date".into(),
            Value::String(today_jst().to_string().replace('-', "")),
        );
        if let Some(name) = clinic {
            row.insert("outpatient_institution".into(), Value::String(name));
        }
        row.insert("result".into(), Value::String("その他".into()));
    }
    Value::Object(row)
}

#[component]
fn ListEdit(field: Field, items: &'static [Field], path: String) -> Element {
    let form = use_context::<TabForm>();
    let clinic = use_context::<SessionCtx>()
        .me()
        .filter(|m| m.role.files_notifications())
        .map(|m| m.area_name);
    let n = at(&form.state.read(), &path).as_array().map_or(0, Vec::len);
    let id = field_id(&path);
    let p_add = path.clone();
    rsx! {
        fieldset { class: "list-field", id: "{id}",
            legend { class: "list-title", "{field.label}" }
            if n == 0 { p { class: "muted", "まだありません。「追加」で入力欄を増やします。" } }
            for i in 0..n {
                {
                    let p = path.clone();
                    rsx! {
                        div { key: "{i}", class: "list-row", "data-testid": "row-{field.key}-{i}",
                            div { class: "list-row-head",
                                h3 { class: "list-row-title", "{field.label} {i + 1}" }
                                button { r#type: "button", class: "button danger small", "data-testid": "remove-{field.key}-{i}",
                                    onclick: move |_| {
                                        let mut st = form.state;
                                        let mut rows = at(&st.read(), &p).as_array().cloned().unwrap_or_default();
                                        if i < rows.len() {
                                            rows.remove(i);
                                        }
                                        put(&mut st.write(), &p, Value::Array(rows));
                                        // The rows below moved up: their findings no longer point at them.
                                        let mut issues = form.issues;
                                        let prefix = format!("{p}.");
                                        issues.write().retain(|x| !x.field.starts_with(&prefix));
                                    },
                                    "削除"
                                }
                            }
                            Fields { fields: items, prefix: format!("{path}.{i}.") }
                        }
                    }
                }
            }
            if n < LIST_MAX {
                button { r#type: "button", class: "button secondary", "data-testid": "add-{field.key}",
                    onclick: move |_| {
                        let row = new_row(field.key, clinic.clone());
                        let mut st = form.state;
                        put(&mut st.write(), &format!("{p_add}.{n}"), row);
                    },
                    "{field.label}を追加"
                }
            }
        }
    }
}

/// A stored value as text: dates in 和暦 with the Western date, checklists joined.
fn value_text(field: &Field, v: &Value) -> String {
    match (field.kind, v) {
        (Kind::Date, Value::String(s)) => date_long(s),
        (Kind::Check, Value::Bool(true)) => "該当".into(),
        (_, Value::Array(a)) => a
            .iter()
            .filter_map(Value::as_str)
            .collect::<Vec<_>>()
            .join("、"),
        (_, Value::String(s)) => s.clone(),
        _ => String::new(),
    }
}

fn blank(v: &Value) -> bool {
    match v {
        Value::Null | Value::Bool(false) => true,
        Value::String(s) => s.trim().is_empty(),
        Value::Array(a) => a.iter().all(blank),
        Value::Object(o) => o.values().all(blank),
        _ => false,
    }
}

/// The tab's values as 「label: value」; a tab with nothing says so.
#[component]
pub fn ReadView(fields: &'static [Field], data: Value, testid: String) -> Element {
    if blank(&data) {
        return rsx! { p { class: "empty-tab", "data-testid": "{testid}", "まだ入力されていません" } };
    }
    rsx! {
        div { class: "read-view", "data-testid": "{testid}", ReadObject { fields, data } }
    }
}

#[component]
fn ReadObject(fields: &'static [Field], data: Value) -> Element {
    let plain: Vec<(&'static str, String)> = fields
        .iter()
        .filter(|f| !matches!(f.kind, Kind::List(_)))
        .map(|f| {
            (
                f.label,
                value_text(f, data.get(f.key).unwrap_or(&Value::Null)),
            )
        })
        .filter(|(_, t)| !t.trim().is_empty())
        .collect();
    let lists: Vec<(Field, &'static [Field], Vec<Value>)> = fields
        .iter()
        .filter_map(|f| match f.kind {
            Kind::List(items) => Some((
                *f,
                items,
                data.get(f.key)
                    .and_then(Value::as_array)
                    .cloned()
                    .unwrap_or_default(),
            )),
            _ => None,
        })
        .collect();
    rsx! {
        if !plain.is_empty() {
            dl { class: "read-list",
                for (label, text) in plain {
                    div { key: "{label}", class: "read-item",
                        dt { "{label}" }
                        dd { class: "read-value", "{text}" }
                    }
                }
            }
        }
        for (f, items, rows) in lists {
            section { key: "{f.key}", class: "read-rows",
                h3 { class: "read-rows-title", "{f.label}" }
                if rows.iter().all(blank) { p { class: "muted", "なし" } }
                for (i, row) in rows.into_iter().enumerate() {
                    div { key: "{i}", class: "read-row",
                        h4 { "{f.label} {i + 1}" }
                        ReadObject { fields: items, data: row }
                    }
                }
            }
        }
    }
}

/// The findings that block 確認, each a link to its field.
#[component]
pub fn FindingsSummary() -> Element {
    let form = use_context::<TabForm>();
    let issues = form.issues.read().clone();
    if issues.is_empty() {
        return rsx! {};
    }
    rsx! {
        div { class: "findings", role: "alert", "data-testid": "findings",
            h2 { "入力内容を確認してください（{issues.len()}件）" }
            ul {
                for (n, i) in issues.into_iter().enumerate() {
                    {
                        let id = field_id(&i.field);
                        rsx! {
                            li { key: "{n}",
                                a { href: "#", onclick: move |e: MouseEvent| { e.prevent_default(); api::focus_by_id(&id); }, "{i.message}" }
                            }
                        }
                    }
                }
            }
        }
    }
}
