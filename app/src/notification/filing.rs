//! 新たに発生届を提出する (manual 4.1–4.2): the form (task order or the legal form's order, one model), findings
//! as the user types, an encrypted draft that survives reloads, the confirm screen with possible duplicates, the
//! idempotent submit, and the completion screen (number, health center, delivery).

use chrono::NaiveDate;
use dioxus::prelude::*;
use serde::{Deserialize, Serialize};
use serde_json::Value;
use shared::api::cases::{CaseRecord, EditConflict, NotificationEdit};
use shared::api::notifications::{
    DraftKey, DuplicateCandidate, DuplicateQuery, FileRequest, FileResult, InstitutionProfile,
};
use shared::error::ErrorCode;
use shared::notification::json_path::{get, get_str, set};
use shared::notification::model::MAX_TESTS;
use shared::notification::options::{DiagnosticMethod, Sex, Specimen, TestResult};
use shared::notification::postal::PostalCode;
use shared::notification::validate::{IssueSeverity, IssueView};

use crate::api::{self, ApiFailure};
use crate::case::ConflictNotice;
use crate::components::alert::ErrorAlert;
use crate::notification::input::{fill_address, input_id, AsideNotices, FieldInput, FormCtx};
use crate::notification::sheet::Sheet;
use crate::notification::spec::{fields, section_of, target_group_fields, Place, SectionId};
use crate::notification::{blank, findings, parse, regime_of, today};
use crate::session::{RequireSignIn, SessionCtx};
use crate::{text, Route};
use shared::regime::NotificationDuty;

#[component]
pub fn NewNotification() -> Element {
    let allowed = use_context::<SessionCtx>()
        .me()
        .is_none_or(|m| m.role.files_notifications());
    rsx! {
        RequireSignIn {
            if allowed {
                Filing { mode: FilingMode::New }
            } else {
                section { class: "page",
                    h1 { {text::ACTION_NEW} }
                    p { class: "alert", role: "alert", {text::NOT_PERMITTED} }
                    Link { class: "button secondary", to: Route::Home {}, {text::BACK_TO_MENU} }
                }
            }
        }
    }
}

/// What the form is for.
#[derive(Clone, PartialEq)]
pub enum FilingMode {
    New,
    /// Completing a record made before the notification (manual 4.5): pre-filled from it; the filing names it.
    FromCase {
        case_id: String,
        prefill: Value,
    },
    /// Editing the filed notification of a record, from the record's version when the edit began.
    Edit {
        case_id: String,
        state: Value,
        version: i64,
    },
}

impl FilingMode {
    fn case_id(&self) -> Option<String> {
        match self {
            FilingMode::New => None,
            FilingMode::FromCase { case_id, .. } | FilingMode::Edit { case_id, .. } => {
                Some(case_id.clone())
            }
        }
    }

    fn is_edit(&self) -> bool {
        matches!(self, FilingMode::Edit { .. })
    }
}

/// `/notifications/new/:case_id`: 「発生届を作成する」 on a record without one.
#[component]
pub fn NewNotificationForCase(case_id: String) -> Element {
    let id = case_id.clone();
    let case = use_resource(move || {
        let id = id.clone();
        async move { api::cases::read(&id).await }
    });
    let today = today();
    rsx! {
        RequireSignIn {
            match case.read().clone() {
                None => rsx! { section { class: "page", p { class: "loading", "読み込み中…" } } },
                Some(Ok(c)) if c.can_file => rsx! {
                    Filing { mode: FilingMode::FromCase { case_id: case_id.clone(), prefill: prefill_from_case(&c, today) } }
                },
                Some(r) => rsx! {
                    section { class: "page",
                        h1 { "発生届を作成する" }
                        p { class: "alert", role: "alert",
                            {r.err().map_or_else(|| "この記録から発生届を作成することはできません（提出済みか、権限がありません）。".to_owned(), |e| e.message())}
                        }
                        Link { class: "button secondary", to: Route::Record { id: case_id.clone() }, "登録情報へ戻る" }
                    }
                },
            }
        }
    }
}

/// `/notifications/edit/:id`: 編集 on a record's 発生届 tab.
#[component]
pub fn EditNotification(id: String) -> Element {
    let rid = id.clone();
    let loaded = use_resource(move || {
        let id = rid.clone();
        async move {
            let case = api::cases::read(&id).await?;
            let n = api::notifications::read(&id).await?;
            Ok::<_, ApiFailure>((case, n))
        }
    });
    rsx! {
        RequireSignIn {
            match loaded.read().clone() {
                None => rsx! { section { class: "page", p { class: "loading", "読み込み中…" } } },
                Some(Ok((case, n))) if case.can_edit && case.has_notification => rsx! {
                    Filing { mode: FilingMode::Edit {
                        case_id: id.clone(),
                        // Through text: the string serializer of the notification is already in the bundle.
                        state: serde_json::to_string(&n.notification).ok().and_then(|t| serde_json::from_str(&t).ok()).unwrap_or(Value::Null),
                        version: case.version,
                    } }
                },
                Some(r) => rsx! {
                    section { class: "page",
                        h1 { "発生届を編集する" }
                        p { class: "alert", role: "alert",
                            {r.err().map_or_else(|| text::NOT_PERMITTED.to_owned(), |e| e.message())}
                        }
                        Link { class: "button secondary", to: Route::Record { id: id.clone() }, "登録情報へ戻る" }
                    }
                },
            }
        }
    }
}

/// The notification pre-filled from a record: ID管理's identity, address and phone, and the latest positive test
/// as test 1 (nothing typed twice).
fn prefill_from_case(c: &CaseRecord, today: NaiveDate) -> Value {
    let mut v = blank(today);
    let empty = Value::Null;
    let id = c.tabs.get("id").unwrap_or(&empty);
    let s = |k: &str| {
        id.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    for (path, key) in [
        ("patient.name", "name"),
        ("patient.furigana", "furigana"),
        ("patient.date_of_birth", "date_of_birth"),
        ("patient.address.postal_code", "postal_code"),
        ("patient.address.text", "address"),
        ("patient.address.phone", "phone1"),
    ] {
        if !s(key).is_empty() {
            set(&mut v, path, Value::String(s(key)));
        }
    }
    if let Some(sex) = Sex::from_label(&s("sex")) {
        set(
            &mut v,
            "patient.sex",
            serde_json::to_value(sex).unwrap_or(Value::Null),
        );
    }
    // The latest positive test record (by specimen date, then entry order).
    let tests = c
        .tabs
        .get("tests")
        .and_then(|t| t.get("tests"))
        .and_then(Value::as_array)
        .cloned()
        .unwrap_or_default();
    let label = |t: &Value, k: &str| {
        t.get(k)
            .and_then(Value::as_str)
            .unwrap_or_default()
            .to_owned()
    };
    let positive = tests
        .iter()
        .enumerate()
        .filter(|(_, t)| label(t, "result") == "陽性")
        .max_by_key(|(n, t)| (label(t, "specimen_date"), *n))
        .map(|(_, t)| t.clone());
    if let Some(t) = positive {
        // The test of the four that was positive (else test 1).
        let k = (1..=4)
            .find(|k| label(&t, &format!("result{k}")) == "陽性")
            .unwrap_or(1);
        if let Some(m) = DiagnosticMethod::from_label(&label(&t, &format!("method{k}"))) {
            set(
                &mut v,
                "tests[0].method",
                serde_json::to_value(m).unwrap_or(Value::Null),
            );
        }
        if let Some(sp) = Specimen::from_label(&label(&t, &format!("specimen{k}"))) {
            set(
                &mut v,
                "tests[0].specimen",
                serde_json::to_value(sp).unwrap_or(Value::Null),
            );
        }
        set(
            &mut v,
            "tests[0].specimen_date",
            Value::String(label(&t, "specimen_date")),
        );
        set(
            &mut v,
            "tests[0].result",
            serde_json::to_value(TestResult::Positive).unwrap_or(Value::Null),
        );
    }
    v
}

#[derive(Clone, PartialEq)]
enum Stage {
    Edit,
    Confirm,
    Done(FileResult),
}

/// What the device keeps (encrypted) between reloads.
#[derive(Serialize, Deserialize)]
struct Draft {
    state: Value,
    idempotency_key: String,
}

fn draft_storage_key(user_id: &str) -> String {
    format!("hersys.draft.notification.{user_id}")
}

#[component]
fn Filing(mode: FilingMode) -> Element {
    let today = today();
    let session = use_context::<SessionCtx>();
    let user_id = session.draft_owner();
    let initial = mode.clone();
    let mut state = use_signal(move || match initial {
        FilingMode::New => blank(today),
        FilingMode::FromCase { prefill, .. } => prefill,
        FilingMode::Edit { state, .. } => state,
    });
    // An edit is saved against the version it began from; 「最新の内容を読み込む」 moves it on.
    let edit_version = use_signal(|| match &mode {
        FilingMode::Edit { version, .. } => *version,
        _ => 0,
    });
    let touched = use_signal(Vec::<String>::new);
    let show_all = use_signal(|| false);
    let aside = use_signal(Vec::new);
    let pinned_version = mode.is_edit();
    let ctx = use_context_provider(|| FormCtx {
        state,
        touched,
        show_all,
        aside,
        pinned_version,
    });
    // A record's postal code finds its municipality (the routing's residence), as if typed.
    let from_case = matches!(mode, FilingMode::FromCase { .. });
    let postal_note = use_signal(String::new);
    let postal_choices = use_signal(Vec::new);
    use_hook(move || {
        let code = get_str(&state.peek(), "patient.address.postal_code");
        if let (true, Ok(code)) = (from_case, PostalCode::parse(&code)) {
            spawn(fill_address(
                ctx,
                Place::Patient,
                code,
                postal_note,
                postal_choices,
            ));
        }
    });
    let mut stage = use_signal(|| Stage::Edit);
    let mut legal = use_signal(|| false);
    // Remounts the inputs when the state is replaced as a whole (draft restored, household copy).
    let mut generation = use_signal(|| 0u32);
    let mut idem = use_signal(api::random_key);
    let mut draft_note = use_signal(|| None::<&'static str>);
    let mut draft_key = use_signal(|| None::<String>);
    // The header comes from the clinic's profile; a health center editing a notification keeps the one filed.
    let clinic = session.me().is_none_or(|m| m.role.files_notifications());
    let profile = use_resource(move || async move {
        if !clinic {
            return Ok(InstitutionProfile::default());
        }
        api::institution::profile().await
    });

    // Header fields from the account; a restored draft keeps its own. An edit keeps no draft (the record holds
    // the notification); a filing from a record keeps its own, apart from the blank form's.
    let storage_key = match &mode {
        FilingMode::New => draft_storage_key(&user_id),
        FilingMode::FromCase { case_id, .. } => {
            format!("{}.{case_id}", draft_storage_key(&user_id))
        }
        FilingMode::Edit { .. } => String::new(),
    };
    let sk = storage_key.clone();
    use_future(move || {
        let sk = sk.clone();
        let mut state = state;
        async move {
            if sk.is_empty() {
                return;
            }
            // Offline, the key kept on this device since the last online visit (empty string) opens the draft.
            let key = match api::me::draft_key().await {
                Ok(k) => k,
                Err(ApiFailure::Network) => DraftKey { key: String::new() },
                Err(_) => return,
            };
            // A draft is restored only into an untouched form: never over what the user has begun to type.
            let untouched = touched.peek().is_empty();
            if let Some(text) = api::draft_load(&key.key, &sk).await.filter(|_| untouched) {
                if let Ok(d) = serde_json::from_str::<Draft>(&text) {
                    state.set(d.state);
                    // A draft kept by an older version may hold values of fields that do not apply.
                    ctx.apply_rule("", Value::Null);
                    idem.set(d.idempotency_key);
                    generation += 1;
                    draft_note.set(Some(
                        "前回の下書きを復元しました（この端末に暗号化して保存されています）。",
                    ));
                }
            }
            draft_key.set(Some(key.key));
        }
    });
    // Re-applied whenever the state is replaced as a whole (restored draft, household copy, discard).
    use_effect(move || {
        let _ = generation();
        if let Some(Ok(p)) = profile.read().as_ref() {
            let mut st = state.write();
            for (path, value) in [
                ("reporter.facility_name", &p.name),
                ("reporter.facility_address", &p.address),
                ("reporter.facility_phone", &p.phone),
            ] {
                if get_str(&st, path).is_empty() {
                    set(&mut st, path, Value::String(value.clone()));
                }
            }
            if get_str(&st, "reporter.doctor_name").is_empty() {
                if let Some(name) = p.own_doctor_name.clone() {
                    set(&mut st, "reporter.doctor_name", Value::String(name));
                }
            }
        }
    });
    // Every change is saved encrypted; nothing is written before the key is known.
    let sk = storage_key.clone();
    use_effect(move || {
        let snapshot = state.read().clone();
        let key = idem.read().clone();
        // Nothing typed yet (fresh, discarded or just restored): nothing new to keep.
        if touched.read().is_empty() {
            return;
        }
        let Some(k) = draft_key.read().clone() else {
            return;
        };
        if matches!(*stage.peek(), Stage::Done(_)) || sk.is_empty() {
            return;
        }
        let sk = sk.clone();
        spawn(async move {
            let text = serde_json::to_string(&Draft {
                state: snapshot,
                idempotency_key: key,
            })
            .unwrap_or_default();
            api::draft_save(&k, &sk, &text).await;
        });
    });

    let issues = findings(&state.read(), today);
    let doctors = profile
        .read()
        .as_ref()
        .and_then(|r| r.as_ref().ok())
        .map(|p| p.doctors.clone())
        .unwrap_or_default();

    let sk = storage_key.clone();
    let discard = move |_| {
        api::draft_remove(&sk);
        ctx.replace(blank(today));
        idem.set(api::random_key());
        generation += 1;
        draft_note.set(None);
    };

    let title = match &mode {
        FilingMode::New => text::ACTION_NEW,
        FilingMode::FromCase { .. } => "発生届を作成する",
        FilingMode::Edit { .. } => "発生届を編集する",
    };
    let household = matches!(mode, FilingMode::New);
    match stage() {
        Stage::Done(result) => {
            let sk = storage_key.clone();
            rsx! {
                Done {
                    result,
                    household,
                    on_household: move |_| {
                        let prev = state.read().clone();
                        let mut next = blank(today);
                        for path in ["patient.address", "patient.current_location_same_as_address", "patient.current_location", "reporter", "report_date", "diagnosis_date"] {
                            set(&mut next, path, get(&prev, path).clone());
                        }
                        ctx.replace(next);
                        idem.set(api::random_key());
                        generation += 1;
                        api::draft_remove(&sk);
                        stage.set(Stage::Edit);
                        api::scroll_to_top();
                    },
                }
            }
        }
        Stage::Confirm => rsx! {
            Confirm {
                issues: issues.clone(),
                idempotency_key: idem(),
                case_id: mode.case_id(),
                edit: mode.is_edit(),
                edit_version,
                on_back: move |_| { stage.set(Stage::Edit); api::scroll_to_top(); },
                on_filed: move |r: FileResult| {
                    api::draft_remove(&storage_key);
                    stage.set(Stage::Done(r));
                    api::scroll_to_top();
                },
            }
        },
        Stage::Edit => {
            let order = if legal() {
                SectionId::LEGAL
            } else {
                SectionId::TASK
            };
            let errors: Vec<IssueView> = issues
                .iter()
                .filter(|i| i.severity == IssueSeverity::Error)
                .cloned()
                .collect();
            let st = state.read().clone();
            let complete: Vec<bool> = order
                .iter()
                .map(|s| section_complete(*s, &st, &issues, &touched.read(), show_all()))
                .collect();
            let done_sections = complete.iter().filter(|c| **c).count();
            let gen = generation();
            rsx! {
                section { class: "page notification-form form-root", "data-testid": "notification-form", "data-draft-checked": if draft_key.read().is_some() { "true" } else { "false" },
                    div { class: "form-top",
                        h1 { {title} }
                        div { class: "layout-toggle", role: "group", "aria-label": "入力画面の並び",
                            button { r#type: "button", class: if legal() { "chip" } else { "chip selected" }, "aria-pressed": if legal() { "false" } else { "true" }, onclick: move |_| legal.set(false), "入力しやすい順" }
                            button { r#type: "button", class: if legal() { "chip selected" } else { "chip" }, "aria-pressed": if legal() { "true" } else { "false" }, "data-testid": "legal-layout", onclick: move |_| legal.set(true), "法令様式の順" }
                        }
                    }
                    if let Some(n) = draft_note() {
                        div { class: "notice", role: "status", "data-testid": "draft-restored",
                            "{n}"
                            button { r#type: "button", class: "button secondary small", onclick: discard, "下書きを破棄" }
                        }
                    }
                    // Values set aside when a whole state arrived (a draft kept by an older version).
                    AsideNotices { cause: String::new() }
                    RegimeBanner {}
                    nav { class: "progress", "aria-label": "入力状況",
                        span { class: "progress-count", "data-testid": "progress", "入力状況 {done_sections}/{order.len()}" }
                        for (s, done) in order.into_iter().zip(complete.iter().copied()) {
                            a { key: "{s.anchor()}", class: if done { "progress-step done" } else { "progress-step" }, href: "#{s.anchor()}", onclick: move |e: MouseEvent| { e.prevent_default(); api::focus_by_id(s.anchor()); }, "{s.title()}" }
                        }
                    }
                    for (n, s) in order.into_iter().enumerate() {
                        section { key: "{s.anchor()}-{gen}", class: "form-section", id: "{s.anchor()}", tabindex: "-1",
                            h2 { class: "section-title", "{n + 1}. {s.title()}" }
                            SectionExtras { section: s, issues: issues.clone() }
                            for f in fields(s, &st, today) {
                                FieldInput {
                                    key: "{f.path}-{gen}",
                                    issues: issues.iter().filter(|i| i.field == f.path).cloned().collect::<Vec<_>>(),
                                    doctors: doctors.clone(),
                                    spec: f,
                                }
                            }
                            if s == SectionId::Tests {
                                TestButtons {}
                            }
                            if s == SectionId::Category {
                                TargetGroups { key: "groups-{gen}", issues: issues.clone() }
                            }
                        }
                    }
                    if show_all() && !errors.is_empty() {
                        FindingsList { issues: errors.clone() }
                    }
                    div { class: "form-actions sticky-actions",
                        button {
                            r#type: "button",
                            class: "button primary",
                            "data-testid": "to-confirm",
                            onclick: move |_| {
                                let mut show_all = show_all;
                                show_all.set(true);
                                let has_errors = findings(&ctx.state.read(), today).iter().any(|i| i.severity == IssueSeverity::Error);
                                if has_errors {
                                    api::focus_by_id("findings");
                                } else {
                                    stage.set(Stage::Confirm);
                                    api::scroll_to_top();
                                }
                            },
                            "確認画面へ"
                        }
                    }
                }
            }
        }
    }
}

/// A 入力状況 chip counts its section only when the person has been through it (a field touched, or 確認 pressed),
/// nothing in it is an error or a blank the form asks for, and its answer is given (症状: a symptom or 症状なし;
/// 検査: every test with its result). Every finding belongs to exactly one section ([`section_of`]), so an error
/// cannot leave a chip complete.
fn section_complete(
    s: SectionId,
    state: &Value,
    issues: &[IssueView],
    touched: &[String],
    show_all: bool,
) -> bool {
    let seen = show_all || touched.iter().any(|p| section_of(p) == s);
    let open = issues.iter().any(|i| {
        section_of(&i.field) == s
            && (i.severity == IssueSeverity::Error
                || matches!(i.code.as_str(), "recommended" | "specimen_date_missing"))
    });
    let answered = match s {
        SectionId::Symptoms => {
            get(state, "symptoms.none").as_bool().unwrap_or(false)
                || get(state, "symptoms.present")
                    .as_array()
                    .is_some_and(|a| !a.is_empty())
                || !get(state, "symptoms.other").is_null()
        }
        SectionId::Tests => get(state, "tests").as_array().is_some_and(|t| {
            !t.is_empty()
                && t.iter()
                    .all(|x| x.get("result").is_some_and(|r| !r.is_null()))
        }),
        _ => true,
    };
    seen && !open && answered
}

/// Section-level findings (e.g. 「陽性の検査結果が必要」) and the one-tap 「症状なし」.
#[component]
fn SectionExtras(section: SectionId, issues: Vec<IssueView>) -> Element {
    let ctx = use_context::<FormCtx>();
    let own: Vec<IssueView> = match section {
        SectionId::Tests if (ctx.show_all)() => {
            issues.into_iter().filter(|i| i.field == "tests").collect()
        }
        _ => Vec::new(),
    };
    let none = get(&ctx.state.read(), "symptoms.none")
        .as_bool()
        .unwrap_or(false);
    rsx! {
        for i in own {
            p { class: "field-error", role: "alert", "{i.message}" }
        }
        if section == SectionId::Symptoms {
            button {
                r#type: "button",
                class: if none { "chip selected wide" } else { "chip wide" },
                "aria-pressed": if none { "true" } else { "false" },
                "data-testid": "no-symptoms",
                id: "f-symptoms-none",
                onclick: move |_| {
                    let mut st = ctx.state;
                    {
                        let mut w = st.write();
                        set(&mut w, "symptoms.none", Value::Bool(!none));
                        if !none {
                            set(&mut w, "symptoms.present", Value::Array(Vec::new()));
                            set(&mut w, "symptoms.other", Value::Null);
                        }
                    }
                    ctx.touch("symptoms.none");
                },
                "症状なし"
            }
            p { class: "field-hint", "選ばなかった症状は「無」として届け出ます。" }
        }
        if section == SectionId::Clinical {
            button {
                r#type: "button",
                class: "chip wide",
                "data-testid": "all-no",
                onclick: move |_| {
                    let mut st = ctx.state;
                    let mut w = st.write();
                    let male = get(&w, "patient.sex").as_str() == Some("male");
                    for path in ["other.hospitalised", "other.admission_needed", "other.risk_factors_present", "other.immunocompromised", "other.pregnant", "other.telemedicine"] {
                        if get(&w, path).is_null() && !(male && path == "other.pregnant") {
                            set(&mut w, path, Value::String("no".into()));
                        }
                    }
                },
                "未選択の有無をすべて「無」にする"
            }
        }
    }
}

/// Which form the diagnosis date asks for (`shared::regime`): the limited form of 2022-09-26 names its four groups;
/// from 2023-05-08 the notification is voluntary (任意).
#[component]
fn RegimeBanner() -> Element {
    let ctx = use_context::<FormCtx>();
    let regime = regime_of(&ctx.state.read(), today());
    rsx! {
        match regime.notification {
            NotificationDuty::FourGroups { .. } => rsx! {
                div { class: "notice regime", role: "status", "data-testid": "regime-limited",
                    p { "診断年月日が2022年9月26日〜2023年5月7日のため、届出の対象を限定した発生届（2022年9月26日以降の様式）です。" }
                    p { class: "field-hint", "届出の対象（65歳以上・入院を要する・重症化リスクがあり治療薬または酸素投与が必要・妊婦）を「類型」の下で選んでください。死体の検案は対象を選ばずに届け出ます。" }
                }
            },
            NotificationDuty::Voluntary { .. } => rsx! {
                div { class: "notice regime", role: "status", "data-testid": "regime-voluntary",
                    p { "届出は任意です（2023年5月8日以降、5類感染症）。" }
                    p { class: "field-hint", "健康観察などのために届け出る場合は、従来の様式で入力できます。" }
                }
            },
            NotificationDuty::EveryCase { .. } => rsx! {},
        }
    }
}

/// 届出の対象 under 類型 on the limited form: the groups that can apply as large ticks, then the notice for a case
/// that fits none.
#[component]
fn TargetGroups(issues: Vec<IssueView>) -> Element {
    let ctx = use_context::<FormCtx>();
    let specs = target_group_fields(&ctx.state.read(), today());
    rsx! {
        if !specs.is_empty() {
            fieldset { class: "choice-group target-groups", id: "f-target-groups", tabindex: "-1", "data-testid": "target-groups",
                legend { class: "field-label", "届出の対象（該当するものをすべて選択）" }
                for f in specs {
                    FieldInput {
                        key: "{f.path}",
                        issues: issues.iter().filter(|i| i.field == f.path).cloned().collect::<Vec<_>>(),
                        doctors: Vec::new(),
                        spec: f,
                    }
                }
            }
        }
        NotNotifiable { issues }
    }
}

/// A case of the limited regime that fits no group: not filed, counted in the clinic's daily totals (`/daily`).
/// Shown once the birth date is known (or after 確認), next to the groups.
#[component]
fn NotNotifiable(issues: Vec<IssueView>) -> Element {
    let ctx = use_context::<FormCtx>();
    let st = ctx.state.read();
    let known = !get_str(&st, "patient.date_of_birth").is_empty() || (ctx.show_all)();
    drop(st);
    let out = known && issues.iter().any(|i| i.code == "not_notifiable");
    rsx! {
        if out {
            div { class: "notice not-notifiable", role: "alert", "data-testid": "not-notifiable",
                p { "この方は発生届の対象外です（2022年9月26日以降）。日次報告で人数を報告してください" }
                a { class: "button secondary", href: "/daily", "data-testid": "to-daily", "日次報告へ" }
            }
        }
    }
}

#[component]
fn TestButtons() -> Element {
    let ctx = use_context::<FormCtx>();
    let n = get(&ctx.state.read(), "tests")
        .as_array()
        .map_or(0, Vec::len);
    rsx! {
        div { class: "row-actions",
            if n < MAX_TESTS {
                button { r#type: "button", class: "button secondary", "data-testid": "add-test", id: "f-tests",
                    onclick: move |_| {
                        let mut st = ctx.state;
                        let date = get(&st.read(), "diagnosis_date").clone();
                        set(&mut st.write(), &format!("tests[{n}].specimen_date"), date);
                    },
                    "検査を追加（{n}/{MAX_TESTS}）"
                }
            }
            if n > 0 {
                button { r#type: "button", class: "button secondary",
                    onclick: move |_| {
                        let mut st = ctx.state;
                        let mut w = st.write();
                        if let Some(items) = w.get_mut("tests").and_then(Value::as_array_mut) {
                            items.pop();
                        }
                    },
                    "最後の検査を削除"
                }
            }
        }
    }
}

/// The errors that block 確認, each a link to its field.
#[component]
fn FindingsList(issues: Vec<IssueView>) -> Element {
    rsx! {
        div { class: "findings", id: "findings", tabindex: "-1", role: "alert", "data-testid": "findings",
            h2 { "入力内容を確認してください（{issues.len()}件）" }
            ul {
                for (n, i) in issues.into_iter().enumerate() {
                    {
                        let id = input_id(&i.field);
                        let field = i.field.clone();
                        let section = section_of(&i.field).anchor();
                        rsx! {
                            li { key: "{n}",
                                a { href: "#{id}", "data-field": "{field}",
                                    onclick: move |e: MouseEvent| { e.prevent_default(); api::focus_field(&id, &field, section); },
                                    "{i.message}"
                                }
                            }
                        }
                    }
                }
            }
        }
    }
}

#[component]
fn Confirm(
    issues: Vec<IssueView>,
    idempotency_key: String,
    /// The record this filing completes, or whose notification is edited.
    case_id: Option<String>,
    edit: bool,
    edit_version: Signal<i64>,
    on_back: EventHandler<()>,
    on_filed: EventHandler<FileResult>,
) -> Element {
    let ctx = use_context::<FormCtx>();
    let nav = use_navigator();
    let mut conflict = use_signal(|| None::<EditConflict>);
    let mut refused = use_signal(Vec::<IssueView>::new);
    let notification = parse(&ctx.state.read());
    let warnings: Vec<IssueView> = issues
        .into_iter()
        .filter(|i| i.severity == IssueSeverity::Warning)
        .collect();
    let mut acknowledged = use_signal(|| false);
    let mut busy = use_signal(|| false);
    let mut error = use_signal(|| None::<String>);
    let mut server_warnings = use_signal(Vec::<IssueView>::new);
    let dup_query = {
        let st = ctx.state.read();
        DuplicateQuery {
            furigana: get_str(&st, "patient.furigana"),
            date_of_birth: get_str(&st, "patient.date_of_birth"),
            phone: get_str(&st, "patient.address.phone"),
            municipality_code: get_str(&st, "patient.address.municipality_code"),
        }
    };
    let duplicates = use_resource(move || {
        let q = dup_query.clone();
        async move {
            // An edited notification would find itself.
            if q.date_of_birth.is_empty() || edit {
                return Vec::new();
            }
            api::notifications::duplicates(&q)
                .await
                .map(|l| l.candidates)
                .unwrap_or_default()
        }
    });
    let Some(notification) = notification else {
        return rsx! { p { class: "alert", "入力内容を読み取れませんでした。" } };
    };
    let mut all_warnings = warnings.clone();
    for w in server_warnings() {
        if !all_warnings
            .iter()
            .any(|x| x.code == w.code && x.field == w.field)
        {
            all_warnings.push(w);
        }
    }
    let needs_ack = !all_warnings.is_empty();
    let codes: Vec<String> = all_warnings.iter().map(|w| w.code.clone()).collect();
    let n2 = notification.clone();
    let cid = case_id.clone();
    let submit = move |_| {
        if busy() || (needs_ack && !acknowledged()) {
            return;
        }
        busy.set(true);
        error.set(None);
        refused.set(Vec::new());
        let acknowledged_warnings = if acknowledged() {
            codes.clone()
        } else {
            Vec::new()
        };
        let body = FileRequest {
            idempotency_key: idempotency_key.clone(),
            notification: n2.clone(),
            case_id: cid.clone(),
            acknowledged_warnings: acknowledged_warnings.clone(),
        };
        let edit_to = cid.clone().filter(|_| edit);
        let edit_body = NotificationEdit {
            version: edit_version(),
            notification: n2.clone(),
            acknowledged_warnings,
        };
        spawn(async move {
            let r = match &edit_to {
                Some(id) => api::cases::edit_notification(id, &edit_body)
                    .await
                    .map(|_| None),
                None => api::notifications::file(&body).await.map(Some),
            };
            busy.set(false);
            match r {
                Ok(Some(result)) => on_filed.call(result),
                Ok(None) => {
                    if let Some(id) = edit_to {
                        nav.push(Route::Record { id });
                    }
                }
                Err(ApiFailure::Api { code: Some(ErrorCode::WarningsUnacknowledged), issues, .. }) => {
                    acknowledged.set(false);
                    server_warnings.set(issues);
                    error.set(Some("確認が必要な項目があります。内容を確認してチェックを入れてください。".into()));
                }
                Err(e) if e.code() == Some(ErrorCode::EditConflict) && e.conflict().is_some() => {
                    conflict.set(e.conflict());
                }
                Err(ApiFailure::Network) => error.set(Some(if edit {
                    "保存できませんでした。通信状態を確認して、もう一度「保存する」を押してください（入力内容は残っています）。".into()
                } else {
                    "送信できませんでした。通信状態を確認して、もう一度「報告する」を押してください（入力内容は保存されています。二重に届け出られることはありません）。".into()
                })),
                Err(e) => {
                    refused.set(e.issues());
                    error.set(Some(e.message()));
                }
            }
        });
    };
    let reload = move |_| {
        if let Some(id) = case_id.clone() {
            spawn(async move {
                match api::cases::read(&id).await {
                    Ok(c) => {
                        let mut v = edit_version;
                        v.set(c.version);
                        conflict.set(None);
                    }
                    Err(e) => error.set(Some(e.message())),
                }
            });
        }
    };
    rsx! {
        section { class: "page confirm", "data-testid": "confirm",
            h1 { "入力内容の確認" }
            p { class: "lead",
                if edit { "以下の内容で発生届を更新します。誤りがあれば「再編集」で戻って修正してください。" }
                else { "以下の内容で保健所へ報告します。誤りがあれば「再編集」で戻って修正してください。" }
            }
            match duplicates.read().as_ref() {
                Some(list) if !list.is_empty() => rsx! { Duplicates { candidates: list.clone() } },
                _ => rsx! {},
            }
            Sheet { notification, number: None, health_center: None }
            if !ctx.aside.read().is_empty() {
                div { class: "notice", role: "status", "data-testid": "set-aside-summary",
                    p { "次の値は、入力欄が表示されない項目のため届け出ません（「再編集」で戻すことができます）。" }
                    ul {
                        for (n, a) in ctx.aside.read().iter().enumerate() {
                            li { key: "{n}", "{a.item.label}：{crate::notification::input::shown_value(&a.item.path, &a.item.value)}　{a.item.reason}" }
                        }
                    }
                }
            }
            if needs_ack {
                div { class: "warnings", "data-testid": "warnings",
                    h2 { "確認が必要な項目（{all_warnings.len()}件）" }
                    ul { for (n, w) in all_warnings.iter().enumerate() { li { key: "{n}", "{w.message}" } } }
                    label { class: "check",
                        input { r#type: "checkbox", "data-testid": "ack-warnings", checked: acknowledged(), onchange: move |e| acknowledged.set(e.checked()) }
                        span { "上記を確認しました。このまま報告します。" }
                    }
                }
            }
            if let Some(c) = conflict() {
                ConflictNotice { conflict: c, on_reload: reload }
            }
            ErrorAlert { message: error() }
            if !refused().is_empty() {
                ul { class: "findings", "data-testid": "refused",
                    for (n, i) in refused().into_iter().enumerate() { li { key: "{n}", "{i.message}" } }
                }
            }
            div { class: "form-actions sticky-actions",
                button { r#type: "button", class: "button secondary", "data-testid": "back-to-edit", onclick: move |_| on_back.call(()), "再編集" }
                button { r#type: "button", class: "button primary", "data-testid": "submit",
                    disabled: busy() || (needs_ack && !acknowledged()) || conflict().is_some(),
                    onclick: submit,
                    match (busy(), edit) {
                        (true, true) => "保存しています…",
                        (false, true) => "保存する",
                        (true, false) => "報告しています…",
                        (false, false) => "報告する",
                    }
                }
            }
        }
    }
}

#[component]
fn Duplicates(candidates: Vec<DuplicateCandidate>) -> Element {
    rsx! {
        div { class: "duplicates notice", role: "status", "data-testid": "duplicates",
            h2 { "同じ方の届出がすでにある可能性があります" }
            ul {
                for (n, c) in candidates.into_iter().enumerate() {
                    li { key: "{n}",
                        "届出番号 {c.number}（{c.health_center_name}、{c.matched.label()}）"
                        if let Some(name) = c.patient_name.clone() { "　{name}" }
                        if let Some(id) = c.id.clone() {
                            Link { class: "button secondary small", to: Route::Record { id }, "既存の記録を開く" }
                        } else {
                            span { class: "field-hint", "　他の医療機関からの届出のため内容は表示できません。必要に応じて保健所にご確認ください。" }
                        }
                    }
                }
            }
        }
    }
}

#[component]
fn Done(result: FileResult, household: bool, on_household: EventHandler<()>) -> Element {
    rsx! {
        section { class: "page done", "data-testid": "filed",
            h1 { "報告が完了しました" }
            dl { class: "summary",
                dt { "届出番号" } dd { class: "big", "data-testid": "filed-number", "{result.number}" }
                dt { "届出先" } dd { "data-testid": "filed-health-center", "{result.health_center_name}" }
                dt { "届出先の理由" } dd { "{result.routing_reason}" }
                if let Some(r) = result.residence_health_center_name.clone() {
                    dt { "住所地の保健所" } dd { "{r}" }
                }
                dt { "保健所への通知" } dd { "data-testid": "filed-delivery", "{result.delivery.label()}" }
            }
            if result.replayed {
                p { class: "notice", "この届出はすでに受け付けられていました（二重には届け出ていません）。" }
            }
            div { class: "form-actions",
                Link { class: "button primary", to: Route::Record { id: result.id.clone() }, "届出内容を表示・印刷" }
                if household {
                    button { r#type: "button", class: "button secondary", "data-testid": "household", onclick: move |_| on_household.call(()), "同一世帯の別の方を届け出る" }
                }
                Link { class: "button secondary", to: Route::Home {}, {text::BACK_TO_MENU} }
            }
        }
    }
}
