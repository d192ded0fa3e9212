//! One generic input per field kind, bound to the form's JSON state by the field's path; findings from `shared`
//! for that path are shown under it.

use dioxus::prelude::*;
use serde_json::Value;
use shared::api::notifications::Doctor;
use shared::notification::conditional::{restore_applicable, set_aside, SetAside};
use shared::notification::dates::parse_typed;
use shared::notification::json_path::{get, get_bool, get_str, set};
use shared::notification::postal::{PostalCode, PostalIndex};
use shared::notification::validate::{IssueSeverity, IssueView};

use super::spec::{FieldSpec, Kind, Opts, Place};
use crate::api;

/// The id of a field's input element (for focusing it from the findings list).
pub fn input_id(path: &str) -> String {
    let mut id = String::from("f-");
    for c in path.chars() {
        id.push(if c.is_ascii_alphanumeric() { c } else { '-' });
    }
    id
}

/// A value set aside because its field stopped applying (`shared::notification::conditional`), with the change
/// that hid it: its notice is shown under that control, and 元に戻す reverts that change (the value then comes
/// back by itself, its field applying again).
#[derive(Clone, PartialEq, Debug)]
pub struct Aside {
    pub item: SetAside,
    /// The field whose change hid it, and that field's value before.
    pub cause: String,
    pub cause_before: Value,
}

/// Context shared by the inputs of one form.
#[derive(Clone, Copy, PartialEq)]
pub struct FormCtx {
    pub state: Signal<Value>,
    pub touched: Signal<Vec<String>>,
    /// After a first 確認, every finding shows, not only those of touched fields.
    pub show_all: Signal<bool>,
    /// Values set aside from fields that no longer apply.
    pub aside: Signal<Vec<Aside>>,
}

impl FormCtx {
    pub fn update(mut self, path: &str, value: Value) {
        let before = get(&self.state.peek(), path).clone();
        set(&mut self.state.write(), path, value);
        self.apply_rule(path, before);
        self.touch(path);
    }

    /// The one rule for values of hidden fields: what was set aside comes back when its field applies again and is
    /// empty; a value in a field that no longer applies is set aside, with `cause` (the field just changed).
    pub fn apply_rule(mut self, cause: &str, cause_before: Value) {
        let today = super::today();
        let mut state = self.state.write();
        let kept: Vec<Aside> = self.aside.peek().clone();
        let mut left = Vec::new();
        if let Some(form) = super::read_form(&state) {
            let items: Vec<SetAside> = kept.iter().map(|a| a.item.clone()).collect();
            let still = restore_applicable(&mut state, &form, today, items);
            left = kept
                .into_iter()
                .filter(|a| still.iter().any(|s| s.path == a.item.path))
                .collect();
        }
        if let Some(form) = super::read_form(&state) {
            for item in set_aside(&mut state, &form, today) {
                left.retain(|a: &Aside| a.item.path != item.path);
                left.push(Aside {
                    item,
                    cause: cause.to_owned(),
                    cause_before: cause_before.clone(),
                });
            }
        }
        drop(state);
        if *self.aside.peek() != left {
            self.aside.set(left);
        }
    }

    /// Replaces the whole state (draft discarded, next person of a household): nothing counts as touched.
    pub fn replace(mut self, value: Value) {
        self.state.set(value);
        self.touched.set(Vec::new());
        self.show_all.set(false);
        self.aside.set(Vec::new());
        self.apply_rule("", Value::Null);
    }

    pub fn touch(mut self, path: &str) {
        if !self.touched.read().iter().any(|p| p == path) {
            self.touched.write().push(path.to_owned());
        }
    }

    fn visible(&self, path: &str) -> bool {
        (self.show_all)() || self.touched.read().iter().any(|p| p == path)
    }
}

#[component]
pub fn FieldInput(spec: FieldSpec, issues: Vec<IssueView>, doctors: Vec<Doctor>) -> Element {
    let ctx = use_context::<FormCtx>();
    let id = input_id(&spec.path);
    let shown: Vec<IssueView> = if ctx.visible(&spec.path) {
        issues
    } else {
        Vec::new()
    };
    let has_error = shown.iter().any(|i| i.severity == IssueSeverity::Error);
    let class = if has_error {
        "field has-error"
    } else {
        "field"
    };
    let path = spec.path.clone();
    rsx! {
        div { class: "{class}", "data-path": "{path}",
            "data-kind": match spec.kind { Kind::Date => "date", Kind::Number => "number", _ => "" },
            match spec.kind {
                Kind::Check => rsx! { CheckInput { id: id.clone(), path: path.clone(), label: spec.label.clone() } },
                Kind::Choice(_) | Kind::Multi(_) => rsx! {
                    fieldset { class: "choice-group",
                        legend { class: "field-label", "{spec.label}" }
                        ChoiceInput { id: id.clone(), spec: spec.clone() }
                    }
                },
                _ => rsx! {
                    label { class: "field-label", r#for: "{id}", "{spec.label}" }
                    if !spec.hint.is_empty() { span { class: "field-hint", "{spec.hint}" } }
                    TextLike { id: id.clone(), spec: spec.clone(), doctors }
                },
            }
            for i in shown {
                p { class: if i.severity == IssueSeverity::Error { "field-error" } else { "field-warning" },
                    role: if i.severity == IssueSeverity::Error { "alert" } else { "status" },
                    "{i.message}"
                }
            }
            AsideNotices { cause: path.clone() }
        }
    }
}

/// How a set-aside value reads in its notice: choices by their printed labels.
pub fn shown_value(path: &str, v: &Value) -> String {
    let opts = match path {
        "other.pregnant" => Some(Opts::YesNo),
        "other.risk_factors" => Some(Opts::Risk),
        _ => None,
    };
    let label = |s: &str| {
        opts.and_then(|o| o.choices().into_iter().find(|(k, _)| k == s))
            .map_or_else(|| s.to_owned(), |(_, l)| l.to_owned())
    };
    match v {
        Value::String(s) if s.is_empty() => "（該当）".to_owned(),
        Value::String(s) => label(s),
        Value::Number(n) => n.to_string(),
        Value::Bool(true) => "該当".to_owned(),
        Value::Array(a) => a
            .iter()
            .map(|x| shown_value(path, x))
            .collect::<Vec<_>>()
            .join("・"),
        Value::Object(o) => o
            .values()
            .filter(|x| !x.as_str().is_some_and(|s| s.trim().is_empty()) && !x.is_null())
            .map(|x| shown_value("", x))
            .collect::<Vec<_>>()
            .join(" "),
        Value::Null | Value::Bool(false) => String::new(),
    }
}

/// The values set aside by a change of the field `cause`: each with its reason, and one 元に戻す.
#[component]
pub fn AsideNotices(cause: String) -> Element {
    let ctx = use_context::<FormCtx>();
    let mine: Vec<Aside> = ctx
        .aside
        .read()
        .iter()
        .filter(|a| a.cause == cause)
        .cloned()
        .collect();
    if mine.is_empty() {
        return rsx! {};
    }
    let before = mine[0].cause_before.clone();
    let c = cause.clone();
    rsx! {
        div { class: "notice set-aside", role: "status", "data-testid": "set-aside",
            p { "この変更で入力欄が表示されなくなったため、次の値を届出から外しました（まだ消していません）。" }
            ul {
                for (n, a) in mine.iter().enumerate() {
                    li { key: "{n}", "data-aside-path": "{a.item.path}",
                        strong { "{a.item.label}：{shown_value(&a.item.path, &a.item.value)}" }
                        "　{a.item.reason}"
                    }
                }
            }
            if !c.is_empty() {
                button { r#type: "button", class: "button secondary small", "data-testid": "undo-set-aside",
                    onclick: move |_| ctx.update(&c, before.clone()),
                    "元に戻す"
                }
            }
        }
    }
}

#[component]
fn CheckInput(id: String, path: String, label: String) -> Element {
    let ctx = use_context::<FormCtx>();
    let checked = get_bool(&ctx.state.read(), &path);
    rsx! {
        label { class: "check",
            input { id: "{id}", r#type: "checkbox", checked,
                onchange: move |e| ctx.update(&path, Value::Bool(e.checked())),
            }
            span { "{label}" }
        }
    }
}

#[component]
fn ChoiceInput(id: String, spec: FieldSpec) -> Element {
    let ctx = use_context::<FormCtx>();
    let state = ctx.state.read();
    let current = get(&state, &spec.path).clone();
    drop(state);
    let (opts, multi) = match spec.kind {
        Kind::Choice(o) => (o, false),
        Kind::Multi(o) => (o, true),
        _ => return rsx! {},
    };
    rsx! {
        div { class: "chips", id: "{id}",
            for (n, (key, label)) in opts.choices().into_iter().enumerate() {
                {
                    let selected = if multi {
                        current.as_array().is_some_and(|a| a.iter().any(|v| v.as_str() == Some(&key)))
                    } else {
                        current.as_str() == Some(&key)
                    };
                    let path = spec.path.clone();
                    let k = key.clone();
                    let now = current.clone();
                    let group_id = id.clone();
                    rsx! {
                        button {
                            key: "{n}",
                            r#type: "button",
                            class: if selected { "chip selected" } else { "chip" },
                            "aria-pressed": if selected { "true" } else { "false" },
                            "data-value": "{key}",
                            onclick: move |_| {
                                let value = if multi {
                                    let mut items: Vec<Value> = now.as_array().cloned().unwrap_or_default();
                                    if selected {
                                        items.retain(|v| v.as_str() != Some(&k));
                                    } else {
                                        items.push(Value::String(k.clone()));
                                    }
                                    Value::Array(items)
                                } else if selected {
                                    Value::Null
                                } else {
                                    Value::String(k.clone())
                                };
                                ctx.update(&path, value);
                                if !multi && !selected {
                                    api::focus_after(&group_id);
                                }
                            },
                            "{label}"
                        }
                    }
                }
            }
        }
    }
}

/// Text, tel, kana, date, number, postal code, doctor, and the text of a tick-with-text.
#[component]
fn TextLike(id: String, spec: FieldSpec, doctors: Vec<Doctor>) -> Element {
    let ctx = use_context::<FormCtx>();
    let path = spec.path.clone();
    let stored = get(&ctx.state.read(), &path).clone();
    // Dates and numbers keep what was typed while it does not parse (the state holds null then).
    let mut raw = use_signal(|| match (&spec.kind, &stored) {
        (_, Value::Null) => String::new(),
        (Kind::Date, Value::String(s)) if s.parse::<chrono::NaiveDate>().is_ok() => {
            s.replace('-', "")
        }
        (_, v) => get_str(&serde_json::json!({ "v": v }), "v"),
    });
    let mut postal_note = use_signal(String::new);
    let (input_type, mode, autocomplete) = match spec.kind {
        Kind::Tel => ("tel", "tel", "off"),
        Kind::Date | Kind::Number | Kind::Postal(_) => ("text", "numeric", "off"),
        _ => ("text", "text", "off"),
    };
    let tick = spec.kind == Kind::TickText;
    let ticked = !stored.is_null();
    let value = match spec.kind {
        Kind::Date | Kind::Number => raw(),
        _ => get_str(&ctx.state.read(), &path),
    };
    let kind = spec.kind;
    let p2 = path.clone();
    let on_input = move |e: FormEvent| {
        let v = e.value();
        match kind {
            Kind::Date => {
                raw.set(v.clone());
                // What does not read as a date is kept as typed: refused at its field, never dropped.
                let kept = match parse_typed(&v) {
                    Some(d) => Value::String(d.to_string()),
                    None if v.trim().is_empty() => Value::Null,
                    None => Value::String(v.trim().to_owned()),
                };
                ctx.update(&p2, kept);
            }
            Kind::Number => {
                raw.set(v.clone());
                // Full-width and IME forms normalised; what is not a number is kept and refused at its field.
                ctx.update(&p2, shared::typed::number_json(&v));
            }
            Kind::Postal(place) => {
                ctx.update(&p2, Value::String(v.clone()));
                if let Ok(code) = PostalCode::parse(&v) {
                    spawn(fill_address(ctx, place, code, postal_note));
                } else {
                    postal_note.set(String::new());
                }
            }
            _ => ctx.update(&p2, Value::String(v)),
        }
    };
    let date_note = match kind {
        Kind::Date => parse_typed(&raw()).map(|d| {
            let mut note = super::sheet::wareki(Some(d));
            // 5 診断時の年齢 is computed, not typed.
            if path == "patient.date_of_birth" {
                let on = parse_typed(&get_str(&ctx.state.read(), "diagnosis_date"))
                    .unwrap_or_else(super::today);
                if let Some(a) = shared::notification::dates::age_on(d, on) {
                    note.push_str(&if a.years == 0 {
                        format!("・診断時 0歳{}か月", a.months)
                    } else {
                        format!("・診断時 {}歳", a.years)
                    });
                }
            }
            note
        }),
        Kind::Number
        | Kind::Postal(_)
        | Kind::Text
        | Kind::Kana
        | Kind::Tel
        | Kind::Doctor
        | Kind::TickText
        | Kind::Check
        | Kind::Choice(_)
        | Kind::Multi(_) => None,
    };
    let p3 = path.clone();
    let p4 = path.clone();
    rsx! {
        if tick {
            label { class: "check",
                input { r#type: "checkbox", checked: ticked, "data-tick": "{path}",
                    onchange: move |e| ctx.update(&p3, if e.checked() { Value::String(String::new()) } else { Value::Null }),
                }
                span { "該当する" }
            }
        }
        if !tick || ticked {
            input {
                id: "{id}",
                class: "input",
                r#type: input_type,
                inputmode: mode,
                autocomplete,
                value: "{value}",
                placeholder: if kind == Kind::Date { "例 20240131・S55.1.15" } else { "" },
                list: if kind == Kind::Doctor { "doctor-list" } else { "" },
                oninput: on_input,
                onchange: move |e: FormEvent| {
                    if kind == Kind::Kana {
                        ctx.update(&p4, Value::String(shared::kana::normalize_furigana(&e.value())));
                    }
                },
            }
        }
        if kind == Kind::Doctor && !doctors.is_empty() {
            datalist { id: "doctor-list",
                for d in doctors.iter() { option { key: "{d.id}", value: "{d.name}" } }
            }
            div { class: "chips",
                for d in doctors {
                    {
                        let name = d.name.clone();
                        let p = path.clone();
                        rsx! { button { key: "{d.id}", r#type: "button", class: "chip small", onclick: move |_| ctx.update(&p, Value::String(name.clone())), "{d.name}" } }
                    }
                }
            }
        }
        if let Some(n) = date_note { span { class: "field-note", "{n}" } }
        if !postal_note().is_empty() { span { class: "field-note", "{postal_note}" } }
    }
}

/// Looks the postal code up in the public data (kept offline by the service worker once fetched): the address up
/// to the town (the municipality only when the code covers several towns) and the 6-digit municipality code; Err:
/// why not, in Japanese. Also used by the drive-through capture form.
pub async fn lookup_postal(code: &PostalCode) -> Result<(String, String), &'static str> {
    let Ok(text) = api::get_text(&code.lookup_path()).await else {
        return Err("郵便番号の住所データを取得できませんでした。住所を入力してください。");
    };
    let Ok(index) = PostalIndex::from_json(&text) else {
        return Err("郵便番号の住所データを読み取れませんでした。");
    };
    let found = index.lookup(code);
    let Some(first) = found.first() else {
        return Err("この郵便番号は見つかりません。住所を入力してください。");
    };
    let same_town = found.iter().all(|c| c.town == first.town);
    let town = if same_town { first.town.as_str() } else { "" };
    Ok((
        format!("{}{}{}", first.prefecture, first.municipality, town),
        first.municipality_code.code6().to_owned(),
    ))
}

/// Fills the address text and municipality code from the postal code; a code with several towns fills the
/// municipality only.
pub async fn fill_address(ctx: FormCtx, place: Place, code: PostalCode, mut note: Signal<String>) {
    let (base, municipality) = match lookup_postal(&code).await {
        Ok(found) => found,
        Err(why) => {
            note.set(why.into());
            return;
        }
    };
    let p = place.path();
    let current = get_str(&ctx.state.read(), &format!("{p}.text"));
    // Keep what was typed after the town (番地など) if the text already starts with the same place.
    if !current.starts_with(&base) {
        ctx.update(&format!("{p}.text"), Value::String(base.clone()));
    }
    ctx.update(
        &format!("{p}.municipality_code"),
        Value::String(municipality),
    );
    note.set(format!(
        "{base} を補いました。続けて番地などを入力してください。"
    ));
}
