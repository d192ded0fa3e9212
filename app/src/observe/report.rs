//! The report, one question per screen: 朝/夕, 体温, SpO₂, then each item of the person's kind with はい / いいえ /
//! わからない, then a summary and 送信する. What is typed lives in [`Draft`] (memory only) until it is sent, so 戻る,
//! an error or leaving for the home screen loses nothing.

use std::collections::BTreeMap;

use dioxus::prelude::*;
use shared::api::observation::{ObservedPerson, ReportUpload};
use shared::observation::{
    check, parse_temperature, triage, Answer, Kind, Report, Slot, SPO2_MAX, SPO2_MIN,
};

use super::store::{self, Queued};
use super::{now_ms, send, slot_word, today, when_label, ObsCtx, Screen, SlotStatus};
use crate::api;

/// A report being typed.
#[derive(Debug, Clone, PartialEq)]
pub struct Draft {
    pub person: String,
    pub kind: Kind,
    pub date: String,
    pub slot: Slot,
    /// What was typed in the temperature field (kept as typed).
    pub temp_text: String,
    /// `None`: not answered yet; `Some(None)`: 測っていない.
    pub temperature: Option<Option<f64>>,
    pub spo2_text: String,
    pub spo2: Option<Option<u8>>,
    pub answers: BTreeMap<String, Answer>,
    pub step: usize,
    /// Changing one answer from the summary: the next tap returns to the summary.
    pub back_to_confirm: bool,
    /// Correcting a refused report: its client id (the corrected one replaces it); empty for a new report.
    pub client_id: String,
}

const SLOT_STEP: usize = 0;
const TEMP_STEP: usize = 1;
const SPO2_STEP: usize = 2;
const FIRST_ITEM: usize = 3;

impl Draft {
    pub fn new(p: &ObservedPerson) -> Draft {
        Draft {
            person: p.id.clone(),
            kind: p.kind,
            date: today(),
            slot: super::slot_now(),
            temp_text: String::new(),
            temperature: None,
            spo2_text: String::new(),
            spo2: None,
            answers: BTreeMap::new(),
            step: 0,
            back_to_confirm: false,
            client_id: String::new(),
        }
    }

    /// A refused report opened for correction at its first problem.
    pub fn correct(q: &Queued, kind: Kind) -> Draft {
        let r = &q.upload.report;
        let mut d = Draft {
            person: q.upload.person.clone(),
            kind,
            date: r.date.clone(),
            slot: r.slot,
            temp_text: r.temperature.map(|t| format!("{t:.1}")).unwrap_or_default(),
            temperature: Some(r.temperature),
            spo2_text: r.spo2.map(|s| s.to_string()).unwrap_or_default(),
            spo2: Some(r.spo2),
            answers: r.answers.clone(),
            step: 0,
            back_to_confirm: false,
            client_id: q.upload.client_id.clone(),
        };
        d.step = q
            .issues
            .first()
            .map(|i| d.step_of_field(&i.field))
            .unwrap_or_else(|| d.confirm_step());
        // Once corrected, straight back to the summary.
        d.back_to_confirm = d.step != d.confirm_step();
        d
    }

    pub fn confirm_step(&self) -> usize {
        FIRST_ITEM + self.kind.items().len()
    }

    pub fn total(&self) -> usize {
        self.confirm_step() + 1
    }

    fn step_of_field(&self, field: &str) -> usize {
        match field {
            "slot" => SLOT_STEP,
            "temperature" => TEMP_STEP,
            "spo2" => SPO2_STEP,
            key => self
                .kind
                .items()
                .iter()
                .position(|it| it.key == key)
                .map(|i| FIRST_ITEM + i)
                .unwrap_or_else(|| self.confirm_step()),
        }
    }

    fn report(&self) -> Report {
        Report {
            date: self.date.clone(),
            slot: self.slot,
            temperature: self.temperature.flatten(),
            spo2: self.spo2.flatten(),
            answers: self.answers.clone(),
        }
    }
}

fn update(ctx: ObsCtx, f: impl FnOnce(&mut Draft)) {
    let mut draft = ctx.draft;
    let mut w = draft.write();
    if let Some(d) = w.as_mut() {
        f(d);
    }
}

/// The next screen (or back to the summary when one answer was changed from it).
fn advance(ctx: ObsCtx) {
    update(ctx, |d| {
        if d.back_to_confirm {
            d.back_to_confirm = false;
            d.step = d.confirm_step();
        } else {
            d.step = (d.step + 1).min(d.confirm_step());
        }
    });
    api::scroll_to_top();
}

fn back(ctx: ObsCtx) {
    let step = ctx.draft.peek().as_ref().map_or(0, |d| d.step);
    if step == 0 {
        let mut screen = ctx.screen;
        screen.set(Screen::Home);
    } else {
        update(ctx, |d| {
            d.back_to_confirm = false;
            d.step -= 1;
        });
    }
    api::scroll_to_top();
}

/// Read with the one normaliser of every form (`shared::typed`: 全角 digits, IME minus signs); anything that is
/// not a whole number in range gets its reason.
fn parse_spo2(text: &str) -> Result<u8, String> {
    use shared::typed::{parse_whole, NumberError};
    match parse_whole(text, i64::from(SPO2_MIN), i64::from(SPO2_MAX)) {
        Ok(Some(v)) => u8::try_from(v).map_err(|_| String::new()),
        Ok(None) => {
            Err("数値を入力するか、「持っていない・測っていない」を押してください。".into())
        }
        Err(NumberError::NotANumber | NumberError::NotWhole) => {
            Err("SpO₂は整数で入力してください（例：97）。".into())
        }
        Err(NumberError::OutOfRange { .. }) => Err(format!(
            "SpO₂は{SPO2_MIN}〜{SPO2_MAX}%の範囲で入力してください。"
        )),
    }
}

fn read_temperature(text: &str, kind: Kind) -> Result<f64, String> {
    if text.trim().is_empty() {
        return Err("体温を入力するか、「測っていない」を押してください。".into());
    }
    let Some(t) = parse_temperature(text) else {
        return Err("体温は数字で入力してください（例：36.5）。".into());
    };
    // The shared check says what the server would say.
    let probe = Report {
        date: today(),
        slot: Slot::Morning,
        temperature: Some(t),
        spo2: None,
        answers: BTreeMap::new(),
    };
    let today = crate::drive::today();
    if let Some(i) = check(kind, &probe, today)
        .into_iter()
        .find(|i| i.field == "temperature")
    {
        // 365 for 36.5: the decimal point was left out.
        if (340.0..=420.0).contains(&t) {
            return Err(format!(
                "{}。小数点を入れてください（例：{:.1}）。",
                i.message,
                t / 10.0
            ));
        }
        return Err(format!("{}。", i.message));
    }
    Ok(t)
}

#[component]
pub fn ReportFlow() -> Element {
    let ctx = use_context::<ObsCtx>();
    let Some(d) = ctx.draft.read().clone() else {
        return rsx! {
            p { "報告の内容が見つかりません。" }
        };
    };
    let name = ctx
        .person(&d.person)
        .map(|p| p.given_name)
        .unwrap_or_default();
    let role = ctx.role_label(&d.person);
    let step = d.step;
    let total = d.total();
    let n = step + 1;
    let when = when_label(&d.date, d.slot);
    rsx! {
        section { class: "obs-screen obs-report", "data-testid": "obs-report",
            div { class: "obs-q-top",
                button {
                    class: "obs-back",
                    r#type: "button",
                    "data-testid": "obs-back",
                    onclick: move |_| back(ctx),
                    "← 戻る"
                }
                span { class: "obs-progress", "data-testid": "obs-progress",
                    "aria-label": "{total}問中{n}問目",
                    "{n} / {total}"
                }
            }
            progress { class: "obs-bar", max: "{total}", value: "{n}", "aria-hidden": "true" }
            p { class: "obs-who", "data-testid": "obs-who",
                "{name}さん（{role}）・{when}"
            }
            div { key: "{step}", class: "obs-step",
                if step == SLOT_STEP {
                    SlotStep {}
                } else if step == TEMP_STEP {
                    TempStep {}
                } else if step == SPO2_STEP {
                    Spo2Step {}
                } else if step < d.confirm_step() {
                    ItemStep { index: step - FIRST_ITEM }
                } else {
                    ConfirmStep {}
                }
            }
        }
    }
}

/// The question heading, focused when its screen opens (screen readers read it; the page starts at the top).
#[component]
fn Question(text: String, #[props(default)] focus: bool) -> Element {
    rsx! {
        h1 {
            id: "obs-q",
            class: "obs-question",
            tabindex: "-1",
            "data-testid": "obs-question",
            onmounted: move |e| async move {
                if focus {
                    let _ = e.set_focus(true).await;
                }
            },
            "{text}"
        }
    }
}

#[component]
fn SlotStep() -> Element {
    let ctx = use_context::<ObsCtx>();
    let Some(d) = ctx.draft.read().clone() else {
        return rsx! {};
    };
    let person = ctx.person(&d.person);
    rsx! {
        Question { text: "いつの分の報告ですか？", focus: true }
        p { class: "obs-hint", "あてはまる方を押してください（今の時間の方に色がついています）。" }
        div { class: "obs-choices",
            for slot in Slot::ALL {
                {
                    let selected = d.slot == slot;
                    let done = person
                        .as_ref()
                        .map(|p| ctx.status(p, &d.date, slot))
                        .filter(|s| *s != SlotStatus::Due);
                    rsx! {
                        button {
                            key: "{slot.as_str()}",
                            class: if selected { "obs-choice selected" } else { "obs-choice" },
                            r#type: "button",
                            "aria-pressed": "{selected}",
                            "data-testid": "obs-slot-{slot.as_str()}",
                            onclick: move |_| {
                                update(ctx, |d| d.slot = slot);
                                advance(ctx);
                            },
                            span { class: "obs-choice-main", "今日の{slot_word(slot)}" }
                            if let Some(s) = done {
                                span { class: "obs-choice-sub", "{s.label()}" }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[component]
fn TempStep() -> Element {
    let ctx = use_context::<ObsCtx>();
    let mut error = use_signal(|| None::<String>);
    let Some(d) = ctx.draft.read().clone() else {
        return rsx! {};
    };
    let kind = d.kind;
    let next = move |e: FormEvent| {
        e.prevent_default();
        let text = ctx
            .draft
            .peek()
            .as_ref()
            .map(|d| d.temp_text.clone())
            .unwrap_or_default();
        match read_temperature(&text, kind) {
            Ok(t) => {
                error.set(None);
                update(ctx, |d| d.temperature = Some(Some(t)));
                advance(ctx);
            }
            Err(m) => {
                error.set(Some(m));
                crate::api::focus_by_id("obs-temp");
            }
        }
    };
    let invalid = error.read().is_some();
    rsx! {
        form { class: "obs-form", novalidate: true, onsubmit: next,
            Question { text: "体温は何度ですか？" }
            div { class: "obs-unit-row",
                input {
                    id: "obs-temp",
                    class: "obs-input obs-big-input",
                    r#type: "text",
                    inputmode: "decimal",
                    autocomplete: "off",
                    maxlength: "8",
                    placeholder: "36.5",
                    "aria-label": "体温（℃）",
                    "aria-invalid": "{invalid}",
                    "aria-describedby": "obs-temp-error",
                    value: "{d.temp_text}",
                    "data-testid": "obs-temp",
                    onmounted: move |e| async move {
                        let _ = e.set_focus(true).await;
                    },
                    oninput: move |e| update(ctx, |d| d.temp_text = e.value()),
                }
                span { class: "obs-unit", "℃" }
            }
            div { id: "obs-temp-error",
                if let Some(m) = error() {
                    p { class: "obs-error", role: "alert", "data-testid": "obs-error", "{m}" }
                }
            }
            button { class: "obs-btn obs-primary", r#type: "submit", "data-testid": "obs-next", "次へ" }
            button {
                class: "obs-btn obs-secondary",
                r#type: "button",
                "data-testid": "obs-no-temp",
                onclick: move |_| {
                    error.set(None);
                    update(ctx, |d| d.temperature = Some(None));
                    advance(ctx);
                },
                "測っていない"
            }
        }
    }
}

#[component]
fn Spo2Step() -> Element {
    let ctx = use_context::<ObsCtx>();
    let mut error = use_signal(|| None::<String>);
    let Some(d) = ctx.draft.read().clone() else {
        return rsx! {};
    };
    let next = move |e: FormEvent| {
        e.prevent_default();
        let text = ctx
            .draft
            .peek()
            .as_ref()
            .map(|d| d.spo2_text.clone())
            .unwrap_or_default();
        match parse_spo2(&text) {
            Ok(v) => {
                error.set(None);
                update(ctx, |d| d.spo2 = Some(Some(v)));
                advance(ctx);
            }
            Err(m) => {
                error.set(Some(m));
                crate::api::focus_by_id("obs-spo2");
            }
        }
    };
    let invalid = error.read().is_some();
    rsx! {
        form { class: "obs-form", novalidate: true, onsubmit: next,
            Question { text: "SpO₂（血中酸素飽和度）" }
            p { class: "obs-hint",
                "パルスオキシメーターをお持ちの方は、指ではかった数値（%）を入力してください。"
            }
            div { class: "obs-unit-row",
                input {
                    id: "obs-spo2",
                    class: "obs-input obs-big-input",
                    r#type: "text",
                    inputmode: "numeric",
                    autocomplete: "off",
                    maxlength: "4",
                    placeholder: "97",
                    "aria-label": "SpO₂（%）",
                    "aria-invalid": "{invalid}",
                    "aria-describedby": "obs-spo2-error",
                    value: "{d.spo2_text}",
                    "data-testid": "obs-spo2",
                    oninput: move |e| update(ctx, |d| d.spo2_text = e.value()),
                }
                span { class: "obs-unit", "%" }
            }
            div { id: "obs-spo2-error",
                if let Some(m) = error() {
                    p { class: "obs-error", role: "alert", "data-testid": "obs-error", "{m}" }
                }
            }
            button { class: "obs-btn obs-primary", r#type: "submit", "data-testid": "obs-next", "次へ" }
            button {
                class: "obs-btn obs-secondary",
                r#type: "button",
                "data-testid": "obs-no-spo2",
                onclick: move |_| {
                    error.set(None);
                    update(ctx, |d| d.spo2 = Some(None));
                    advance(ctx);
                },
                "持っていない・測っていない"
            }
        }
    }
}

#[component]
fn ItemStep(index: usize) -> Element {
    let ctx = use_context::<ObsCtx>();
    let Some(d) = ctx.draft.read().clone() else {
        return rsx! {};
    };
    let Some(item) = d.kind.items().get(index).copied() else {
        return rsx! {};
    };
    let current = d.answers.get(item.key).copied();
    rsx! {
        Question { text: item.question, focus: true }
        div { class: "obs-answers", role: "group", "aria-labelledby": "obs-q",
            for a in [Answer::Yes, Answer::No, Answer::Unknown] {
                {
                    let selected = current == Some(a);
                    let class = match (a, selected) {
                        (Answer::Yes, true) => "obs-answer yes selected",
                        (Answer::Yes, false) => "obs-answer yes",
                        (_, true) => "obs-answer selected",
                        (_, false) => "obs-answer",
                    };
                    let id = match a {
                        Answer::Yes => "yes",
                        Answer::No => "no",
                        Answer::Unknown => "unknown",
                    };
                    rsx! {
                        button {
                            key: "{id}",
                            class: "{class}",
                            r#type: "button",
                            "aria-pressed": "{selected}",
                            "data-testid": "obs-answer-{id}",
                            onclick: move |_| {
                                update(ctx, |d| {
                                    d.answers.insert(item.key.to_owned(), a);
                                });
                                advance(ctx);
                            },
                            "{a.label()}"
                        }
                    }
                }
            }
        }
    }
}

fn temperature_text(t: Option<Option<f64>>) -> String {
    match t {
        Some(Some(t)) => format!("{t:.1}℃"),
        Some(None) => "測っていない".into(),
        None => "未回答".into(),
    }
}

fn spo2_text(s: Option<Option<u8>>) -> String {
    match s {
        Some(Some(s)) => format!("{s}%"),
        Some(None) => "持っていない・測っていない".into(),
        None => "未回答".into(),
    }
}

/// Puts the report in the queue (memory at once, the encrypted store next) and sends it.
fn submit(ctx: ObsCtx, mut error: Signal<Option<String>>) {
    let Some(d) = ctx.draft.peek().clone() else {
        return;
    };
    let report = d.report();
    let issues = check(d.kind, &report, crate::drive::today());
    if let Some(first) = issues.first() {
        // Not reachable through the screens (each answer is checked on its own); said plainly if it happens.
        error.set(Some(format!("{}。", first.message)));
        return;
    }
    let client_id = if d.client_id.is_empty() {
        crate::drive::new_client_id()
    } else {
        d.client_id.clone()
    };
    let q = Queued {
        upload: ReportUpload {
            client_id: client_id.clone(),
            person: d.person.clone(),
            report: report.clone(),
        },
        issues: Vec::new(),
        saved_at: now_ms(),
        attempts: 0,
    };
    let ObsCtx {
        mut queue,
        mut draft,
        mut screen,
        mut urgent,
        mut store_ok,
        ..
    } = ctx;
    {
        let mut w = queue.write();
        w.retain(|x| x.id() != client_id);
        w.push(q.clone());
    }
    // Told at once, even without signal (the server answers `urgent` by the same rules).
    if triage(d.kind, &report).iter().any(|r| r.urgency() >= 2)
        && !urgent.peek().contains(&d.person)
    {
        urgent.write().push(d.person.clone());
    }
    draft.set(None);
    screen.set(Screen::Done(client_id, report.slot));
    api::scroll_to_top();
    ctx.spawn(async move {
        if store::put_report(&q).await.is_err() {
            store_ok.set(false);
        }
        if ctx.me.peek().is_some() {
            send::flush(ctx).await;
        } else {
            let mut q = queue;
            for x in q.write().iter_mut() {
                x.attempts += 1;
            }
        }
    });
}

#[component]
fn ConfirmStep() -> Element {
    let ctx = use_context::<ObsCtx>();
    let error = use_signal(|| None::<String>);
    let Some(d) = ctx.draft.read().clone() else {
        return rsx! {};
    };
    let jump = move |step: usize| {
        update(ctx, |d| {
            d.step = step;
            d.back_to_confirm = true;
        });
        api::scroll_to_top();
    };
    let when = when_label(&d.date, d.slot);
    rsx! {
        Question { text: "この内容で送信しますか？", focus: true }
        p { class: "obs-hint", "直したいところは「変更」を押してください。" }
        dl { class: "obs-summary", "data-testid": "obs-summary",
            div { class: "obs-row",
                dt { "報告" }
                dd { "{when}" }
                button { class: "obs-change", r#type: "button", onclick: move |_| jump(SLOT_STEP), "変更" }
            }
            div { class: "obs-row",
                dt { "体温" }
                dd { "{temperature_text(d.temperature)}" }
                button { class: "obs-change", r#type: "button", onclick: move |_| jump(TEMP_STEP), "変更" }
            }
            div { class: "obs-row",
                dt { "SpO₂" }
                dd { "{spo2_text(d.spo2)}" }
                button { class: "obs-change", r#type: "button", onclick: move |_| jump(SPO2_STEP), "変更" }
            }
            for (i , item) in d.kind.items().iter().enumerate() {
                {
                    let a = d.answers.get(item.key).copied();
                    let (text, class) = match a {
                        Some(Answer::Yes) => ("はい", "obs-row yes"),
                        Some(a) => (a.label(), "obs-row"),
                        None => ("未回答", "obs-row missing"),
                    };
                    rsx! {
                        div { key: "{item.key}", class: "{class}",
                            dt { "{item.label}" }
                            dd { "{text}" }
                            button {
                                class: "obs-change",
                                r#type: "button",
                                onclick: move |_| jump(FIRST_ITEM + i),
                                "変更"
                            }
                        }
                    }
                }
            }
        }
        if let Some(m) = error() {
            p { class: "obs-error", role: "alert", "data-testid": "obs-error", "{m}" }
        }
        button {
            class: "obs-btn obs-primary obs-send",
            r#type: "button",
            "data-testid": "obs-submit",
            onclick: move |_| submit(ctx, error),
            "送信する"
        }
    }
}
