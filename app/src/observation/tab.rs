//! The record's 健康観察 tab (manual 5.2-4): start the observation, the timeline with the manual's colours, alerts.
//!
//! The manual's colours: a contact's 4 items are all shown, those present in blue; a patient's 9 items show only
//! those present (red) or unknown (yellow), absent ones are not shown. Each chip also says it in words.

use dioxus::prelude::*;
use shared::api::observation::{
    AlertView, ObservationInfo, ObservationView, ReportView, StartObservation,
};
use shared::observation::{Answer, Kind, SPO2_ALERT_AT_OR_BELOW};

use super::alerts::AlertCard;
use super::{day_slot, grouped_id, period};
use crate::api::{self, ApiFailure};
use crate::case::{parse_iso, today_jst, CaseCtx};
use crate::components::alert::ErrorAlert;
use crate::notification::records::jst;
use crate::Route;

/// 体温 at or above this (tenths of a degree) is emphasised on the timeline (発熱).
const FEVER_TENTHS: i64 = 375;

#[component]
pub fn ObservationTab() -> Element {
    let ctx = use_context::<CaseCtx>();
    let mut view = use_signal(|| None::<ObservationView>);
    let mut error = use_signal(|| None::<ApiFailure>);
    let mut editing = use_signal(|| false);
    let load = move || {
        let id = ctx.record.peek().as_ref().map(|r| r.id.clone());
        spawn(async move {
            let Some(id) = id else { return };
            match api::observation::view(&id).await {
                Ok(v) => {
                    view.set(Some(v));
                    error.set(None);
                }
                Err(e) => error.set(Some(e)),
            }
        });
    };
    use_hook(load);
    let id = ctx.id();

    let Some(v) = view() else {
        return rsx! {
            div { class: "tab-body observation-tab",
                if let Some(e) = error() {
                    p { class: "alert", role: "alert", "data-testid": "observation-error", "{e.message()}" }
                    button { r#type: "button", class: "button secondary", onclick: move |_| load(), "再読み込み" }
                } else {
                    p { class: "loading", "読み込み中…" }
                }
            }
        };
    };
    let on_saved = move |nv: ObservationView| {
        view.set(Some(nv));
        editing.set(false);
    };
    let waiting: Vec<AlertView> = v
        .alerts
        .iter()
        .filter(|a| a.handled_at.is_none())
        .cloned()
        .collect();
    let handled: Vec<AlertView> = v
        .alerts
        .iter()
        .filter(|a| a.handled_at.is_some())
        .cloned()
        .collect();
    let none_waiting = waiting.is_empty();
    let on_handled = move |_: AlertView| load();
    let on_gone = move |_| load();

    rsx! {
        div { class: "tab-body observation-tab", "data-testid": "observation-tab",
            if let Some(e) = error() {
                p { class: "alert", role: "alert", "{e.message()}" }
            }
            match v.observation.clone() {
                None if v.can_manage => rsx! {
                    h3 { class: "tab-form-title", "健康観察を開始する" }
                    StartForm { id: id.clone(), initial: None, on_saved, on_cancel: None }
                },
                None => rsx! {
                    p { class: "muted", "data-testid": "observation-not-started", "健康観察は開始されていません（保健所が開始します）。" }
                },
                Some(o) => rsx! {
                    Summary { id: id.clone(), obs: o.clone(), can_manage: v.can_manage, on_saved,
                        on_edit: move |_| editing.set(true) }
                    if editing() {
                        h3 { class: "tab-form-title", "健康観察の設定を変更する" }
                        StartForm { id: id.clone(), initial: Some(o), on_saved,
                            on_cancel: Some(EventHandler::new(move |_| editing.set(false))) }
                    }
                },
            }
            if !v.alerts.is_empty() {
                h3 { class: "tab-form-title", "アラート" }
                if !waiting.is_empty() {
                    p { class: "muted", "未対応 {waiting.len()}件。本人に連絡して対応内容を記録してください。" }
                    ol { class: "alert-list", "data-testid": "tab-alerts-waiting",
                        for a in waiting {
                            AlertCard { key: "{a.id}", alert: a, show_person: false, on_handled, on_gone }
                        }
                    }
                }
                if !handled.is_empty() {
                    details { class: "handled-alerts", open: none_waiting,
                        summary { "対応済みのアラート（{handled.len()}件）" }
                        ol { class: "alert-list", "data-testid": "tab-alerts-handled",
                            for a in handled {
                                AlertCard { key: "{a.id}", alert: a, show_person: false, on_handled, on_gone }
                            }
                        }
                    }
                }
            }
            h3 { class: "tab-form-title", "健康観察の記録" }
            if v.reports.is_empty() {
                p { class: "notice", "data-testid": "observation-empty", "健康観察の記録はまだありません" }
            } else {
                ol { class: "report-list", "data-testid": "report-list",
                    for r in v.reports.iter().cloned() {
                        ReportRow { key: "{r.id}", report: r }
                    }
                }
            }
            Legend {}
        }
    }
}

/// The running (or ended) observation: kind, period, whose phone reports, and the actions.
#[component]
fn Summary(
    id: String,
    obs: ObservationInfo,
    can_manage: bool,
    on_saved: EventHandler<ObservationView>,
    on_edit: EventHandler<()>,
) -> Element {
    let mut asking = use_signal(|| false);
    let mut busy = use_signal(|| false);
    let mut error = use_signal(|| None::<String>);
    let today = today_jst();
    let ended = parse_iso(&obs.ends_on).is_some_and(|d| d < today);
    let state = if obs.stopped {
        "終了（保健所が終了しました）"
    } else if ended {
        "観察期間が終わりました"
    } else {
        "観察中"
    };
    let running = !obs.stopped && !ended;
    let stop = {
        let id = id.clone();
        move |_| {
            if busy() {
                return;
            }
            busy.set(true);
            error.set(None);
            let id = id.clone();
            spawn(async move {
                let r = api::observation::stop(&id).await;
                busy.set(false);
                match r {
                    Ok(v) => {
                        asking.set(false);
                        on_saved.call(v);
                    }
                    Err(e) => error.set(Some(e.message())),
                }
            });
        }
    };
    rsx! {
        div { class: "obs-summary", "data-testid": "observation-summary",
            dl { class: "obs-facts",
                div { dt { "状態" } dd { class: if running { "ok" } else { "" }, "data-testid": "observation-state", "{state}" } }
                div { dt { "種別" } dd { "data-testid": "observation-kind", {obs.kind.label()} } }
                div { dt { "期間" } dd { "data-testid": "observation-period", {period(&obs.started_on, &obs.ends_on)} } }
                div { dt { "報告" }
                    dd { "data-testid": "observation-reporter",
                        match &obs.household_of {
                            None => rsx! { "本人のスマホ" },
                            Some(h) => rsx! {
                                "同居者 "
                                Link { to: Route::RecordTab { id: h.id.clone(), tab: "observation".into() }, "{h.name}" }
                                " のスマホ（スマホ入力ID "
                                span { class: "sid", {grouped_id(&h.smartphone_id)} }
                                "）"
                            },
                        }
                    }
                }
            }
            if !obs.members.is_empty() {
                div { class: "obs-members", "data-testid": "observation-members",
                    p { class: "field-label", "このスマホから一緒に報告する同居者" }
                    ul { class: "plain-list",
                        for m in obs.members.iter() {
                            li { key: "{m.id}",
                                Link { to: Route::RecordTab { id: m.id.clone(), tab: "observation".into() }, "{m.name}" }
                            }
                        }
                    }
                }
            }
            div { class: "form-actions no-print",
                if obs.household_of.is_none() && running {
                    Link { class: "button primary", to: Route::Slip { id: id.clone() }, "data-testid": "open-slip", "スマホ入力ID印字" }
                }
                if can_manage {
                    button { r#type: "button", class: "button secondary", "data-testid": "observation-edit",
                        onclick: move |_| on_edit.call(()),
                        if running { "変更" } else { "再開・変更" }
                    }
                    if running && !asking() {
                        button { r#type: "button", class: "button danger", "data-testid": "observation-stop",
                            onclick: move |_| asking.set(true), "終了"
                        }
                    }
                }
            }
            if asking() {
                div { class: "confirm-dialog", role: "alertdialog", "aria-labelledby": "stop-q", "data-testid": "stop-dialog",
                    p { id: "stop-q", class: "confirm-question", "健康観察を終了しますか" }
                    p { "終了すると、スマホからの報告は受け付けられなくなり、報告がないことのアラートも出なくなります。「再開・変更」でもう一度始められます。" }
                    ErrorAlert { message: error() }
                    div { class: "row-actions",
                        button { r#type: "button", class: "button danger", "data-testid": "stop-yes", disabled: busy(), onclick: stop,
                            if busy() { "終了しています…" } else { "終了する" }
                        }
                        button { r#type: "button", class: "button secondary", "data-testid": "stop-no", onclick: move |_| asking.set(false), "やめる" }
                    }
                }
            }
        }
    }
}

/// 健康観察を開始する (or change it): 種別, 開始日, 終了日, and the household member's phone if not the person's own.
#[component]
fn StartForm(
    id: String,
    initial: Option<ObservationInfo>,
    on_saved: EventHandler<ObservationView>,
    on_cancel: Option<EventHandler<()>>,
) -> Element {
    let init = initial.clone();
    let mut kind = use_signal(|| init.as_ref().map_or(Kind::Patient, |o| o.kind));
    let mut started_on = use_signal(|| {
        init.as_ref()
            .map_or_else(|| today_jst().to_string(), |o| o.started_on.clone())
    });
    let mut ends_on = use_signal(|| {
        init.as_ref()
            .map_or_else(String::new, |o| o.ends_on.clone())
    });
    let mut household = use_signal(|| {
        init.as_ref()
            .and_then(|o| o.household_of.as_ref())
            .map_or_else(String::new, |h| h.smartphone_id.clone())
    });
    let mut issues = use_signal(Vec::<(String, String)>::new);
    let mut error = use_signal(|| None::<String>);
    let mut busy = use_signal(|| false);
    let changing = initial.is_some();

    let submit = move |e: FormEvent| {
        e.prevent_default();
        if busy() {
            return;
        }
        busy.set(true);
        issues.set(Vec::new());
        error.set(None);
        let body = StartObservation {
            kind: kind(),
            started_on: started_on().trim().to_owned(),
            ends_on: ends_on().trim().to_owned(),
            household_of: household()
                .chars()
                .filter(|c| !c.is_whitespace() && *c != '-')
                .collect(),
        };
        let id = id.clone();
        spawn(async move {
            let r = api::observation::start(&id, &body).await;
            busy.set(false);
            match r {
                Ok(v) => on_saved.call(v),
                Err(e) => {
                    let found: Vec<(String, String)> = e
                        .issues()
                        .into_iter()
                        .map(|i| (i.field, i.message))
                        .collect();
                    if let Some((field, _)) = found.iter().find(|(f, _)| {
                        ["started_on", "ends_on", "household_of"].contains(&f.as_str())
                    }) {
                        api::focus_by_id(&format!("obs-{field}"));
                    } else {
                        error.set(Some(e.message()));
                    }
                    issues.set(found);
                }
            }
        });
    };
    let msg = move |field: &str| {
        issues
            .read()
            .iter()
            .find(|(f, _)| f == field)
            .map(|(_, m)| m.clone())
    };
    let mut clear = move |field: &'static str| {
        if issues.peek().iter().any(|(f, _)| f == field) {
            issues.write().retain(|(f, _)| f != field);
        }
    };
    let field_class = move |field: &str| {
        if msg(field).is_some() {
            "field has-error"
        } else {
            "field"
        }
    };
    let default_days = kind().default_days();
    rsx! {
        form { class: "obs-form", "data-testid": "observation-form", novalidate: true, onsubmit: submit,
            fieldset { class: "field choice-group",
                legend { class: "field-label", "種別（必須）" }
                div { class: "chips",
                    for k in [Kind::Patient, Kind::Contact] {
                        label { key: "{k.as_str()}", class: if kind() == k { "choice radio-card selected" } else { "choice radio-card" },
                            input { r#type: "radio", name: "obs-kind", value: "{k.as_str()}", checked: kind() == k,
                                "data-testid": "kind-{k.as_str()}",
                                onchange: move |_| kind.set(k) }
                            span { {k.label()} }
                            span { class: "muted", " （{k.items().len()}項目）" }
                        }
                    }
                }
            }
            div { class: "obs-dates",
                div { class: field_class("started_on"),
                    label { class: "field-label", r#for: "obs-started_on", "開始日（必須）" }
                    input { id: "obs-started_on", class: "input", r#type: "date", value: "{started_on}",
                        "data-testid": "obs-started-on",
                        oninput: move |e| { started_on.set(e.value()); clear("started_on"); } }
                    if let Some(m) = msg("started_on") { p { class: "field-error", role: "alert", "data-testid": "error-started_on", "{m}" } }
                }
                div { class: field_class("ends_on"),
                    label { class: "field-label", r#for: "obs-ends_on", "終了日（任意）" }
                    input { id: "obs-ends_on", class: "input", r#type: "date", value: "{ends_on}",
                        "data-testid": "obs-ends-on",
                        oninput: move |e| { ends_on.set(e.value()); clear("ends_on"); } }
                    span { class: "field-hint", "空欄の場合は開始日から{default_days}日間です。" }
                    if let Some(m) = msg("ends_on") { p { class: "field-error", role: "alert", "data-testid": "error-ends_on", "{m}" } }
                }
            }
            div { class: field_class("household_of"),
                label { class: "field-label", r#for: "obs-household_of", "同居者のスマホから報告する場合：同居者のスマホ入力ID（任意）" }
                input { id: "obs-household_of", class: "input sid-input", r#type: "text", inputmode: "numeric",
                    autocomplete: "off", maxlength: "16", value: "{household}", "data-testid": "obs-household",
                    oninput: move |e| { household.set(e.value()); clear("household_of"); } }
                span { class: "field-hint", "本人がスマホを持っていない場合に、同居者のスマホから一緒に報告できます（同居者の健康観察を先に開始してください）。空欄の場合は本人のスマホから報告します。" }
                if let Some(m) = msg("household_of") { p { class: "field-error", role: "alert", "data-testid": "error-household_of", "{m}" } }
            }
            ErrorAlert { message: error() }
            div { class: "form-actions",
                button { r#type: "submit", class: "button primary", "data-testid": "observation-start", disabled: busy(),
                    if busy() { "保存しています…" } else if changing { "変更を保存する" } else { "健康観察を開始する" }
                }
                if let Some(cancel) = on_cancel {
                    button { r#type: "button", class: "button secondary", "data-testid": "observation-cancel",
                        onclick: move |_| cancel.call(()), "やめる" }
                }
            }
        }
    }
}

/// One report: date and 朝/夕, 体温, SpO₂, and the symptom chips the manual's way.
#[component]
fn ReportRow(report: ReportView) -> Element {
    let r = report;
    let fever = r
        .temperature
        .is_some_and(|t| shared::observation::temperature_tenths(t) >= FEVER_TENTHS);
    let low = r.spo2.is_some_and(|s| s <= SPO2_ALERT_AT_OR_BELOW);
    let mut chips: Vec<(String, &'static str, &'static str)> = r
        .kind
        .items()
        .iter()
        .filter_map(|it| {
            let a = r.answers.get(it.key).copied();
            match (r.kind, a) {
                (Kind::Patient, Some(Answer::Yes)) => {
                    Some((it.label.to_owned(), "sym present", "present"))
                }
                (Kind::Patient, Some(Answer::Unknown)) => {
                    Some((format!("{}（不明）", it.label), "sym unknown", "unknown"))
                }
                (Kind::Patient, _) => None,
                (Kind::Contact, Some(Answer::Yes)) => {
                    Some((format!("{} あり", it.label), "sym contact", "present"))
                }
                (Kind::Contact, Some(Answer::Unknown)) => {
                    Some((format!("{} 不明", it.label), "sym neutral", "unknown"))
                }
                (Kind::Contact, _) => Some((format!("{} なし", it.label), "sym neutral", "absent")),
            }
        })
        .collect();
    // A patient's present symptoms (red) before the unknown ones (yellow); a contact's items stay in order.
    if r.kind == Kind::Patient {
        chips.sort_by_key(|(_, _, state)| *state != "present");
    }
    rsx! {
        li { class: "report-row", "data-testid": "report-row",
            div { class: "report-when",
                strong { class: "report-day", {day_slot(&r.date, r.slot)} }
                span { class: "muted", "受信 {jst(r.reported_at)}" }
            }
            div { class: "report-vitals",
                span { class: if fever { "vital high" } else { "vital" }, "data-testid": "report-temperature",
                    span { class: "vital-label", "体温" }
                    match r.temperature {
                        Some(t) => rsx! { "{t:.1}℃" },
                        None => rsx! { span { class: "muted", "未測定" } },
                    }
                    if fever { span { class: "visually-hidden", "（発熱）" } }
                }
                span { class: if low { "vital low" } else { "vital" }, "data-testid": "report-spo2",
                    span { class: "vital-label", "SpO₂" }
                    match r.spo2 {
                        Some(s) => rsx! { "{s}%" },
                        None => rsx! { span { class: "muted", "未測定" } },
                    }
                    if low { span { class: "vital-flag", "低下" } }
                }
            }
            ul { class: "legend-chips report-chips", "aria-label": "症状",
                if chips.is_empty() {
                    li { class: "sym none", "data-testid": "no-symptoms", "症状なし" }
                }
                for (label, class, state) in chips {
                    li { key: "{label}", class: "{class}", "data-testid": "sym", "data-state": "{state}", "{label}" }
                }
            }
        }
    }
}

/// 表示の見方: the manual's colours.
#[component]
fn Legend() -> Element {
    rsx! {
        h3 { class: "tab-form-title", "表示の見方" }
        div { class: "legend", "data-testid": "observation-legend",
            section {
                h4 { "濃厚接触者の場合" }
                p { "4項目の症状を表示し、該当する症状は青くなります。" }
                ul { class: "legend-chips", li { class: "sym contact", "該当する症状" } }
            }
            section {
                h4 { "感染者の場合" }
                p { "9項目の症状を表示します。該当する症状は赤く、不明の症状は黄色くなります。非該当の症状は表示されません。" }
                ul { class: "legend-chips",
                    li { class: "sym present", "該当する症状" }
                    li { class: "sym unknown", "不明の症状" }
                }
            }
            section {
                h4 { "体温・SpO₂" }
                p { "37.5℃以上の体温は太字の赤、SpO₂ 93%以下は赤地で表示します。" }
            }
        }
    }
}
