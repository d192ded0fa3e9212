//! One generic input per field kind, bound to the form's JSON state by the field's path; findings from `shared`
//! for that path are shown under it.

use dioxus::prelude::*;
use serde_json::Value;
use shared::api::notifications::Doctor;
use shared::notification::conditional::{follow_regime, restore_applicable, set_aside, SetAside};
use shared::notification::dates::parse_typed;
use shared::notification::json_path::{get, get_bool, get_str, set};
use shared::notification::postal::{named_in, PostalCode, PostalMunicipality};
use shared::notification::validate::{IssueSeverity, IssueView};

use super::spec::{FieldSpec, Kind, Opts, Place};
use crate::api;
use crate::components::postal_choice::{self, PostalChoice};

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
    /// The form revision stays as loaded (an edit of a filed notification); else it follows the diagnosis date.
    pub pinned_version: bool,
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
        // The revision follows the diagnosis date as it is typed (group (1) from the age with it).
        follow_regime(&mut state, today, self.pinned_version);
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
                Kind::Check => rsx! {
                    CheckInput { id: id.clone(), path: path.clone(), label: spec.label.clone() }
                    if !spec.hint.is_empty() { span { class: "field-hint", "{spec.hint}" } }
                },
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
    // 届出の対象 (1) follows the age (`follow_regime`): shown, not toggled.
    let auto = path == "target_groups.aged_65_or_over";
    rsx! {
        label { class: "check",
            input { id: "{id}", r#type: "checkbox", checked, disabled: auto,
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
    let mut postal_choices = use_signal(Vec::<PostalMunicipality>::new);
    // A postal code already there (a draft, a record) shows its choice again when it has several municipalities.
    let mount_kind = spec.kind;
    use_hook(move || {
        if let Kind::Postal(place) = mount_kind {
            spawn(show_choices(ctx, place, postal_choices));
        }
    });
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
                    spawn(fill_address(ctx, place, code, postal_note, postal_choices));
                } else {
                    postal_note.set(String::new());
                    postal_choices.set(Vec::new());
                    set_municipality(ctx, place, "");
                }
            }
            Kind::Address(place) => {
                ctx.update(&p2, Value::String(v));
                spawn(follow_text(ctx, place));
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
        | Kind::Address(_)
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
        if let Kind::Postal(place) = kind {
            {
                let testid = format!("postal-choice-{}", place.path());
                let chosen = Some(get_str(&ctx.state.read(), &format!("{}.municipality_code", place.path())))
                    .filter(|c| postal_choices.read().iter().any(|m| m.municipality_code.code6() == c));
                rsx! {
                    PostalChoice {
                        choices: postal_choices(),
                        chosen,
                        testid,
                        on_choose: move |m: PostalMunicipality| {
                            choose(ctx, place, &m);
                            postal_note.set(format!("{} を補いました。続けて番地などを入力してください。", m.base()));
                        },
                    }
                }
            }
        }
    }
}

fn set_municipality(ctx: FormCtx, place: Place, code: &str) {
    let path = format!("{}.municipality_code", place.path());
    if get_str(&ctx.state.peek(), &path) != code {
        ctx.update(&path, Value::String(code.to_owned()));
    }
}

/// The municipality code the address text names among the postal code's municipalities; a code already chosen is
/// kept while the text is still empty. Anything else: none (never a code the address does not say).
fn followed(found: &[PostalMunicipality], text: &str, current: &str) -> String {
    if let Some(m) = named_in(found, text) {
        return m.municipality_code.code6().to_owned();
    }
    if text.trim().is_empty() && found.iter().any(|m| m.municipality_code.code6() == current) {
        return current.to_owned();
    }
    String::new()
}

/// Whether the postal code in the state is still `code` (a later keystroke may have changed it during a lookup).
fn still(ctx: FormCtx, place: Place, code: &PostalCode) -> bool {
    PostalCode::parse(&get_str(
        &ctx.state.peek(),
        &format!("{}.postal_code", place.path()),
    ))
    .is_ok_and(|now| now == *code)
}

/// A municipality chosen: the address text starts with it and the code is its code.
pub fn choose(ctx: FormCtx, place: Place, m: &PostalMunicipality) {
    let p = place.path();
    let current = get_str(&ctx.state.peek(), &format!("{p}.text"));
    let text = if m.named_by(&current) {
        current
    } else {
        postal_choice::text_after_choice(m, &current)
    };
    ctx.update(&format!("{p}.text"), Value::String(text));
    set_municipality(ctx, place, m.municipality_code.code6());
}

/// After the address text changed: the municipality code follows what it names.
pub async fn follow_text(ctx: FormCtx, place: Place) {
    let p = place.path();
    let postal = get_str(&ctx.state.peek(), &format!("{p}.postal_code"));
    let found = match PostalCode::parse(&postal) {
        Ok(code) => postal_choice::lookup(&code).await.unwrap_or_default(),
        Err(_) => Vec::new(),
    };
    let state = ctx.state.peek().clone();
    let text = get_str(&state, &format!("{p}.text"));
    let current = get_str(&state, &format!("{p}.municipality_code"));
    set_municipality(ctx, place, &followed(&found, &text, &current));
}

/// On showing a postal field: the choice of a code with several municipalities, and the code the text names.
async fn show_choices(ctx: FormCtx, place: Place, mut choices: Signal<Vec<PostalMunicipality>>) {
    let postal = get_str(&ctx.state.peek(), &format!("{}.postal_code", place.path()));
    let Ok(code) = PostalCode::parse(&postal) else {
        return;
    };
    let Ok(found) = postal_choice::lookup(&code).await else {
        return;
    };
    if found.len() > 1 && still(ctx, place, &code) {
        let state = ctx.state.peek().clone();
        let text = get_str(&state, &format!("{}.text", place.path()));
        let current = get_str(&state, &format!("{}.municipality_code", place.path()));
        set_municipality(ctx, place, &followed(&found, &text, &current));
        choices.set(found);
    }
}

/// Fills the address text and municipality code from the postal code when it means one municipality (a code with
/// several towns fills the municipality only); when it means several, asks which (the code follows the text until
/// one is chosen).
pub async fn fill_address(
    ctx: FormCtx,
    place: Place,
    code: PostalCode,
    mut note: Signal<String>,
    mut choices: Signal<Vec<PostalMunicipality>>,
) {
    let found = postal_choice::lookup(&code).await;
    if !still(ctx, place, &code) {
        return;
    }
    let found = match found {
        Ok(found) => found,
        Err(why) => {
            note.set(why.into());
            choices.set(Vec::new());
            set_municipality(ctx, place, "");
            return;
        }
    };
    if let [only] = found.as_slice() {
        choices.set(Vec::new());
        let p = place.path();
        let current = get_str(&ctx.state.peek(), &format!("{p}.text"));
        // Keep what was typed after the town (番地など) if the text already starts with the same place.
        ctx.update(
            &format!("{p}.text"),
            Value::String(postal_choice::text_after_choice(only, &current)),
        );
        set_municipality(ctx, place, only.municipality_code.code6());
        note.set(format!(
            "{} を補いました。続けて番地などを入力してください。",
            only.base()
        ));
        return;
    }
    let state = ctx.state.peek().clone();
    let text = get_str(&state, &format!("{}.text", place.path()));
    let current = get_str(&state, &format!("{}.municipality_code", place.path()));
    set_municipality(ctx, place, &followed(&found, &text, &current));
    note.set(String::new());
    choices.set(found);
}
