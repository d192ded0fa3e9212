//! Health-center administrators: accounts and medical institutions of their area, invitations, lock/unlock/reset/
//! deactivate, and the area's audit log with a check of the hash chain. Actions on administrators' accounts wait
//! in 承認待ち for a second administrator or the prefecture; prefecture staff see only that list here.

use dioxus::prelude::*;
use shared::api::admin::{
    AccountAction, AccountRequestView, AccountSummary, ActionAnswer, AuditEntryView, AuditPage,
    AuditQuery, ChainReport, CreateAccountRequest, CreateInstitutionRequest, Delivery, Institution,
    IssuedAccess,
};
use shared::audit::{OutcomeKind, ACTIONS};
use shared::auth::Role;

use crate::api;
use crate::components::alert::ErrorAlert;
use crate::session::{RequireSignIn, SessionCtx};

#[component]
pub fn Admin() -> Element {
    let session = use_context::<SessionCtx>();
    let role = session.me().map(|m| m.role);
    let unchanged = use_signal(|| 0u32);
    rsx! {
        RequireSignIn {
            if role == Some(Role::HealthCenterAdmin) {
                AdminPanel {}
            } else if role == Some(Role::PrefectureStaff) {
                section { class: "page",
                    h1 { "承認待ち" }
                    p { "保健所の管理者アカウントへの操作は、同じ保健所の別の管理者か都道府県の担当者が承認すると実行されます。" }
                    Approvals { version: unchanged, on_decided: move |_| {} }
                }
            } else {
                section { class: "page",
                    h1 { "管理" }
                    p { class: "alert", role: "alert", "この画面は保健所の管理者のみ利用できます。" }
                }
            }
        }
    }
}

#[component]
fn AdminPanel() -> Element {
    let mut accounts = use_resource(|| async { api::admin::accounts().await });
    let mut institutions = use_resource(|| async { api::admin::institutions().await });
    let mut issued = use_signal(|| None::<IssuedAccess>);
    let mut notice = use_signal(|| None::<String>);
    let mut error = use_signal(|| None::<String>);
    let mut requests_version = use_signal(|| 0u32);
    // What an action or a creation answered: a request awaiting approval, a reset link sent, or a password shown.
    let mut answered = move |a: ActionAnswer| {
        error.set(None);
        match a {
            ActionAnswer::Pending(p) => {
                let r = p.pending_request;
                notice.set(Some(format!(
                    "{}（{}）は承認待ちになりました。同じ保健所の別の管理者か都道府県の担当者が承認すると実行されます。",
                    r.action.label(),
                    r.target_name
                )));
                requests_version += 1;
            }
            ActionAnswer::Done(i) => {
                if let Some(to) = i.reset_link_sent_to.clone() {
                    notice.set(Some(format!(
                        "{} をリセットしました。再設定のリンクを本人のメールアドレス（{to}）に送りました（24時間有効・1回限り）。",
                        i.account.display_name
                    )));
                } else {
                    notice.set(None);
                }
                if i.initial_password.is_some() || i.invitation_path.is_some() {
                    issued.set(Some(*i));
                }
            }
        }
        accounts.restart();
    };
    let actors: Vec<(String, String)> = accounts
        .read()
        .clone()
        .and_then(Result::ok)
        .map(|l| {
            l.accounts
                .into_iter()
                .map(|a| (a.id, a.display_name))
                .collect()
        })
        .unwrap_or_default();
    let insts: Vec<Institution> = institutions
        .read()
        .clone()
        .and_then(Result::ok)
        .map(|l| l.institutions)
        .unwrap_or_default();
    rsx! {
        section { class: "page",
            h1 { "アカウント管理" }
            ErrorAlert { message: error() }
            if let Some(n) = notice() {
                p { class: "notice", role: "status", "data-testid": "admin-notice", "{n}" }
            }
            if let Some(i) = issued() {
                IssuedBox { issued: i, on_close: move |_| issued.set(None) }
            }
            h2 { "承認待ち" }
            Approvals { version: requests_version, on_decided: move |_| accounts.restart() }
            h2 { "アカウント一覧" }
            match accounts.read().clone() {
                None => rsx! { p { class: "loading", "読み込み中…" } },
                Some(Err(e)) => rsx! { p { class: "alert", role: "alert", "{e.message()}" } },
                Some(Ok(list)) => rsx! {
                    div { class: "table-wrap",
                        table { class: "table", "data-testid": "accounts",
                            thead { tr { th { "サインインID" } th { "氏名" } th { "役割" } th { "所属" } th { "状態" } th { "キー" } th { "操作" } } }
                            tbody {
                                for a in list.accounts {
                                    AccountRow {
                                        key: "{a.id}",
                                        account: a.clone(),
                                        on_result: move |r: Result<ActionAnswer, String>| {
                                            match r {
                                                Ok(a) => answered(a),
                                                Err(m) => error.set(Some(m)),
                                            }
                                        },
                                    }
                                }
                            }
                        }
                    }
                },
            }
            h2 { "アカウントの追加" }
            NewAccount {
                institutions: insts.clone(),
                on_created: move |a: ActionAnswer| answered(a),
            }
            h2 { "医療機関" }
            ul { class: "plain-list", "data-testid": "institutions",
                for i in insts.iter() {
                    li { key: "{i.id}", "{i.name}" span { class: "muted", " {i.address} {i.phone}" } }
                }
            }
            NewInstitution { on_created: move |_| institutions.restart() }
            h2 { "監査ログ" }
            AuditLog { actors }
        }
    }
}

fn status_label(a: &AccountSummary) -> &'static str {
    if a.status != "active" {
        "利用停止"
    } else if a.locked {
        "ロック中"
    } else if a.must_change_password {
        "初回サインイン待ち"
    } else {
        "利用中"
    }
}

#[component]
fn AccountRow(
    account: AccountSummary,
    on_result: EventHandler<Result<ActionAnswer, String>>,
) -> Element {
    let id = account.id.clone();
    let act = move |action: AccountAction| {
        let id = id.clone();
        move |_| {
            let id = id.clone();
            spawn(async move {
                let r = api::admin::account_action(&id, action).await;
                on_result.call(r.map_err(|e| e.message()));
            });
        }
    };
    let active = account.status == "active";
    rsx! {
        tr { "data-login-id": "{account.login_id}",
            td { "{account.login_id}" }
            td { "{account.display_name}" }
            td { "{account.role.label_ja()}" }
            td { "{account.area_name}" }
            td { class: "status", "{status_label(&account)}" }
            td { "{account.credential_count}" }
            td { class: "row-actions",
                if account.locked {
                    button { class: "button small secondary", onclick: act(AccountAction::Unlock), "ロック解除" }
                } else {
                    button { class: "button small secondary", onclick: act(AccountAction::Lock), "ロック" }
                }
                button { class: "button small secondary", onclick: act(AccountAction::Reset), "リセット" }
                if active {
                    button { class: "button small danger", onclick: act(AccountAction::Deactivate), "利用停止" }
                } else {
                    button { class: "button small secondary", onclick: act(AccountAction::Reactivate), "再開" }
                }
            }
        }
    }
}

#[component]
fn IssuedBox(issued: IssuedAccess, on_close: EventHandler<()>) -> Element {
    let origin = web_sys::window()
        .and_then(|w| w.location().origin().ok())
        .unwrap_or_default();
    rsx! {
        div { class: "issued", role: "status", "data-testid": "issued",
            p { strong { "{issued.account.login_id}" } " のサインイン情報です。この表示は一度だけです。本人に安全な方法で伝えてください。" }
            if let Some(p) = issued.initial_password.clone() {
                p { "初期パスワード：" code { "data-testid": "initial-password", "{p}" } }
            }
            if let Some(path) = issued.invitation_path.clone() {
                p { "招待リンク（72時間有効・1回限り）：" code { "data-testid": "invitation-link", "{origin}{path}" } }
            }
            button { class: "button small secondary", onclick: move |_| on_close.call(()), "閉じる" }
        }
    }
}

const CREATABLE: [Role; 4] = [
    Role::ClinicDoctor,
    Role::ClinicStaff,
    Role::HealthCenterStaff,
    Role::HealthCenterAdmin,
];

#[component]
fn NewAccount(institutions: Vec<Institution>, on_created: EventHandler<ActionAnswer>) -> Element {
    let mut login_id = use_signal(String::new);
    let mut display_name = use_signal(String::new);
    let mut email = use_signal(String::new);
    let mut role = use_signal(|| Role::ClinicDoctor);
    let mut institution = use_signal(String::new);
    let mut invitation = use_signal(|| false);
    let mut error = use_signal(|| None::<String>);
    let clinic = matches!(role(), Role::ClinicDoctor | Role::ClinicStaff);
    let first_inst = institutions
        .first()
        .map(|i| i.id.clone())
        .unwrap_or_default();
    let submit = move |e: FormEvent| {
        e.prevent_default();
        let inst = if institution().is_empty() {
            first_inst.clone()
        } else {
            institution()
        };
        spawn(async move {
            let clinic = matches!(role(), Role::ClinicDoctor | Role::ClinicStaff);
            let body = CreateAccountRequest {
                login_id: login_id(),
                display_name: display_name(),
                email: email(),
                role: role(),
                institution_id: clinic.then_some(inst),
                delivery: if invitation() {
                    Delivery::Invitation
                } else {
                    Delivery::InitialPassword
                },
            };
            match api::admin::create_account(&body).await {
                Ok(i) => {
                    error.set(None);
                    login_id.set(String::new());
                    display_name.set(String::new());
                    email.set(String::new());
                    on_created.call(i);
                }
                Err(e) => error.set(Some(match e.code() {
                    Some(shared::error::ErrorCode::Conflict) => {
                        "このサインインIDはすでに使われています。".to_owned()
                    }
                    _ => e.message(),
                })),
            }
        });
    };
    rsx! {
        form { class: "form grid", onsubmit: submit,
            div { class: "field",
                label { r#for: "new-login-id", "サインインID" }
                input { id: "new-login-id", r#type: "text", required: true, autocapitalize: "none", maxlength: "254",
                    value: "{login_id}", oninput: move |e| login_id.set(e.value()) }
            }
            div { class: "field",
                label { r#for: "new-name", "氏名" }
                input { id: "new-name", r#type: "text", required: true, maxlength: "60",
                    value: "{display_name}", oninput: move |e| display_name.set(e.value()) }
            }
            div { class: "field",
                label { r#for: "new-email", "メールアドレス（リセット時の再設定リンクの送り先）" }
                input { id: "new-email", r#type: "email", required: true, maxlength: "254",
                    value: "{email}", oninput: move |e| email.set(e.value()) }
            }
            div { class: "field",
                label { r#for: "new-role", "役割" }
                select { id: "new-role",
                    onchange: move |e| if let Some(r) = Role::parse(&e.value()) { role.set(r) },
                    for r in CREATABLE {
                        option { value: "{r.as_str()}", selected: role() == r, "{r.label_ja()}" }
                    }
                }
            }
            if clinic {
                div { class: "field",
                    label { r#for: "new-institution", "医療機関" }
                    select { id: "new-institution", onchange: move |e| institution.set(e.value()),
                        for i in institutions.iter() {
                            option { value: "{i.id}", selected: institution() == i.id, "{i.name}" }
                        }
                    }
                }
            }
            fieldset { class: "field",
                legend { "発行方法" }
                label { class: "choice",
                    input { r#type: "radio", name: "delivery", checked: !invitation(), onchange: move |_| invitation.set(false) }
                    "初期パスワードを表示する"
                }
                label { class: "choice",
                    input { r#type: "radio", name: "delivery", checked: invitation(), onchange: move |_| invitation.set(true) }
                    "招待リンクを発行する（本人が自分の端末で設定）"
                }
            }
            ErrorAlert { message: error() }
            button { class: "button", r#type: "submit", "アカウントを追加する" }
        }
    }
}

/// The requests on administrators' accounts this user may see, with 承認 and 却下 where they may decide.
#[component]
fn Approvals(version: Signal<u32>, on_decided: EventHandler<()>) -> Element {
    // Read again whenever `version` moves (a new request was made on this page).
    let mut list = use_resource(move || {
        let _ = version();
        async { api::admin::requests().await }
    });
    let mut error = use_signal(|| None::<String>);
    let decide = move |id: String, approve: bool| {
        spawn(async move {
            match api::admin::decide(&id, approve).await {
                Ok(_) => {
                    error.set(None);
                    list.restart();
                    on_decided.call(());
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    // Japan time by hand (UTC+9, no daylight saving): chrono's formatter would add ~40 KB to this entry.
    let fmt = |ms: i64| {
        let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(
            (ms + 9 * 3_600_000) as f64,
        ));
        format!(
            "{:02}/{:02} {:02}:{:02}",
            d.get_utc_month() + 1,
            d.get_utc_date(),
            d.get_utc_hours(),
            d.get_utc_minutes()
        )
    };
    rsx! {
        div { "data-testid": "approvals",
            ErrorAlert { message: error() }
            match list.read().clone() {
                None => rsx! { p { class: "loading", "読み込み中…" } },
                Some(Err(e)) => rsx! { p { class: "alert", role: "alert", "{e.message()}" } },
                Some(Ok(l)) if l.requests.is_empty() => rsx! { p { class: "muted", "承認待ちの依頼はありません。" } },
                Some(Ok(l)) => rsx! {
                    ul { class: "plain-list request-list",
                        for r in l.requests {
                            RequestRow { key: "{r.id}", request: r.clone(), on_decide: move |(id, ok): (String, bool)| decide(id, ok), when: fmt(r.requested_at), until: fmt(r.expires_at) }
                        }
                    }
                },
            }
        }
    }
}

#[component]
fn RequestRow(
    request: AccountRequestView,
    on_decide: EventHandler<(String, bool)>,
    when: String,
    until: String,
) -> Element {
    let r = request;
    let (id_ok, id_no) = (r.id.clone(), r.id.clone());
    rsx! {
        li { class: "request-row", "data-request-id": "{r.id}",
            p {
                strong { "{r.action.label()}" }
                "：{r.target_name}（{r.target_login_id}）・{r.health_center_name}"
            }
            p { "data-testid": "request-email", "送付先メール：{r.target_email}（本人のアドレスか確認してください）" }
            p { class: "muted", "依頼 {r.requested_by_name}（{when}）・期限 {until}" }
            if r.can_decide {
                div { class: "row-actions",
                    button { class: "button", r#type: "button", onclick: move |_| on_decide.call((id_ok.clone(), true)), "承認する" }
                    button { class: "button secondary", r#type: "button", onclick: move |_| on_decide.call((id_no.clone(), false)), "却下する" }
                }
            } else {
                p { class: "muted", "依頼した方と対象の方は承認できません。" }
            }
        }
    }
}

#[component]
fn NewInstitution(on_created: EventHandler<()>) -> Element {
    let mut name = use_signal(String::new);
    let mut address = use_signal(String::new);
    let mut phone = use_signal(String::new);
    let mut error = use_signal(|| None::<String>);
    let submit = move |e: FormEvent| {
        e.prevent_default();
        spawn(async move {
            let body = CreateInstitutionRequest {
                name: name(),
                address: address(),
                phone: phone(),
            };
            match api::admin::create_institution(&body).await {
                Ok(_) => {
                    error.set(None);
                    name.set(String::new());
                    address.set(String::new());
                    phone.set(String::new());
                    on_created.call(());
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    rsx! {
        form { class: "form grid", onsubmit: submit,
            div { class: "field",
                label { r#for: "inst-name", "医療機関名" }
                input { id: "inst-name", r#type: "text", required: true, maxlength: "100", value: "{name}", oninput: move |e| name.set(e.value()) }
            }
            div { class: "field",
                label { r#for: "inst-address", "所在地" }
                input { id: "inst-address", r#type: "text", maxlength: "200", value: "{address}", oninput: move |e| address.set(e.value()) }
            }
            div { class: "field",
                label { r#for: "inst-phone", "電話番号" }
                input { id: "inst-phone", r#type: "tel", inputmode: "tel", maxlength: "20", value: "{phone}", oninput: move |e| phone.set(e.value()) }
            }
            ErrorAlert { message: error() }
            button { class: "button secondary", r#type: "submit", "医療機関を追加する" }
        }
    }
}

/// The audit filters as typed (dates as `YYYY-MM-DD`, empty for "all").
#[derive(Clone, Default, PartialEq)]
struct AuditFilters {
    actor: String,
    action: String,
    outcome: String,
    from: String,
    to: String,
}

impl AuditFilters {
    /// The query sent in the body of `POST /api/admin/audit`: the day `to` is included (up to the next midnight).
    fn query(&self, before: Option<i64>) -> AuditQuery {
        let some = |s: &str| (!s.is_empty()).then(|| s.to_owned());
        AuditQuery {
            before,
            actor_user_id: some(&self.actor),
            action: some(&self.action),
            outcome: OutcomeKind::parse(&self.outcome),
            from_ms: local_midnight(&self.from, 0),
            to_ms: local_midnight(&self.to, 1),
        }
    }
}

/// Local midnight of a `YYYY-MM-DD` date plus `days`, in Unix milliseconds.
fn local_midnight(date: &str, days: u32) -> Option<i64> {
    let mut parts = date.splitn(3, '-').map(|p| p.parse::<u32>().ok());
    let (Some(Some(y)), Some(Some(m)), Some(Some(d))) = (parts.next(), parts.next(), parts.next())
    else {
        return None;
    };
    let t = js_sys::Date::new_with_year_month_day(y, m as i32 - 1, (d + days) as i32).get_time();
    t.is_finite().then_some(t as i64)
}

#[component]
fn AuditLog(actors: Vec<(String, String)>) -> Element {
    let mut draft = use_signal(AuditFilters::default);
    let mut applied = use_signal(AuditFilters::default);
    let mut older = use_signal(Vec::<AuditPage>::new);
    let log = use_resource(move || async move {
        let q = applied().query(None);
        api::admin::audit(&q).await
    });
    let mut report = use_signal(|| None::<Result<ChainReport, String>>);
    let mut apply = move |f: AuditFilters| {
        older.set(Vec::new());
        applied.set(f);
    };
    let load_older = move |before: i64| {
        spawn(async move {
            let q = applied.peek().query(Some(before));
            if let Ok(page) = api::admin::audit(&q).await {
                older.write().push(page);
            }
        });
    };
    rsx! {
        div { class: "audit-tools",
            button {
                class: "button secondary small",
                onclick: move |_| {
                    spawn(async move {
                        report.set(Some(api::admin::verify_audit().await.map_err(|e| e.message())));
                    });
                },
                "改ざん検証（ハッシュチェーン）"
            }
            match report() {
                Some(Ok(r)) => rsx! { ChainResult { report: r } },
                Some(Err(m)) => rsx! { span { class: "bad", "{m}" } },
                None => rsx! {},
            }
        }
        form { class: "audit-filters", "data-testid": "audit-filters",
            onsubmit: move |e| { e.prevent_default(); apply(draft()); },
            label { class: "audit-filter",
                span { class: "field-label", "操作者" }
                select { class: "input", "data-testid": "audit-actor", value: "{draft().actor}",
                    onchange: move |e| draft.write().actor = e.value(),
                    option { value: "", "すべて" }
                    for (id, name) in actors.iter() { option { key: "{id}", value: "{id}", "{name}" } }
                }
            }
            label { class: "audit-filter",
                span { class: "field-label", "操作" }
                select { class: "input", "data-testid": "audit-action", value: "{draft().action}",
                    onchange: move |e| draft.write().action = e.value(),
                    option { value: "", "すべて" }
                    for (code, label) in ACTIONS.iter() { option { key: "{code}", value: "{code}", "{label}" } }
                }
            }
            label { class: "audit-filter",
                span { class: "field-label", "結果" }
                select { class: "input", "data-testid": "audit-outcome", value: "{draft().outcome}",
                    onchange: move |e| draft.write().outcome = e.value(),
                    option { value: "", "すべて" }
                    for k in OutcomeKind::ALL { option { key: "{k.as_str()}", value: "{k.as_str()}", "{k.label()}" } }
                }
            }
            label { class: "audit-filter",
                span { class: "field-label", "期間（から）" }
                input { class: "input", r#type: "date", "data-testid": "audit-from", value: "{draft().from}",
                    oninput: move |e| draft.write().from = e.value() }
            }
            label { class: "audit-filter",
                span { class: "field-label", "期間（まで）" }
                input { class: "input", r#type: "date", "data-testid": "audit-to", value: "{draft().to}",
                    oninput: move |e| draft.write().to = e.value() }
            }
            div { class: "audit-filter-actions",
                button { class: "button small", r#type: "submit", "data-testid": "audit-apply", "絞り込む" }
                button { class: "button secondary small", r#type: "button", "data-testid": "audit-clear",
                    onclick: move |_| { draft.set(AuditFilters::default()); apply(AuditFilters::default()); },
                    "条件をクリア"
                }
            }
        }
        match log.read().clone() {
            None => rsx! { p { class: "loading", "読み込み中…" } },
            Some(Err(e)) => rsx! { p { class: "alert", role: "alert", "{e.message()}" } },
            Some(Ok(page)) => {
                let next = older.read().last().map_or(page.next_before, |p| p.next_before);
                let mut entries = page.entries.clone();
                for p in older.read().iter() { entries.extend(p.entries.iter().cloned()); }
                rsx! {
                    p { class: "field-hint", "data-testid": "audit-count", "{entries.len()}件を表示しています（新しい順）" }
                    if entries.is_empty() {
                        p { class: "notice", "条件に合う記録はありません。" }
                    } else {
                        div { class: "table-wrap",
                            table { class: "table audit-table", "data-testid": "audit",
                                thead { tr { th { "番号" } th { "日時" } th { "操作者" } th { "操作" } th { "対象" } th { "結果" } th { "接続元" } } }
                                tbody {
                                    for e in entries { AuditRow { key: "{e.seq}", entry: e } }
                                }
                            }
                        }
                    }
                    if let Some(before) = next {
                        button { class: "button secondary small", r#type: "button", "data-testid": "audit-older",
                            onclick: move |_| load_older(before), "さらに古い記録を表示" }
                    }
                }
            }
        }
    }
}

#[component]
fn AuditRow(entry: AuditEntryView) -> Element {
    let e = entry;
    let kind = OutcomeKind::of(&e.outcome);
    let role = e
        .actor_role
        .as_deref()
        .and_then(Role::parse)
        .map(Role::label_ja)
        .or(match e.actor_role.as_deref() {
            Some("observed_person") => Some("本人（スマホ）"),
            _ => None,
        });
    rsx! {
        tr { class: "audit-{kind.as_str()}",
            td { "data-label": "番号", "{e.seq}" }
            td { "data-label": "日時", "{format_ms(e.at)}" }
            td { "data-label": "操作者", "data-testid": "audit-actor-cell",
                div {
                    match (&e.actor_name, &e.actor_user_id) {
                        (Some(name), _) => rsx! { span { class: "audit-name", "{name}" } },
                        (None, Some(id)) => rsx! {
                            span { class: "audit-name", "他の地域の利用者" }
                            if let Some(area) = &e.actor_area { span { class: "audit-role", "{area}" } }
                            span { class: "audit-id", "{id}" }
                        },
                        (None, None) => rsx! { span { class: "audit-name", "—" } },
                    }
                    if let Some(r) = role { span { class: "audit-role", "{r}" } }
                }
            }
            td { "data-label": "操作", "data-testid": "audit-action-cell", title: "{e.action}", "{shared::audit::action_label(&e.action)}" }
            td { "data-label": "対象", "data-testid": "audit-target-cell",
                match (&e.target_label, &e.target) {
                    (Some(label), Some(id)) if e.target_is_record => rsx! {
                        Link { to: crate::Route::Record { id: id.clone() }, "{label}" }
                    },
                    (Some(label), _) => rsx! { "{label}" },
                    (None, Some(id)) => rsx! { span { class: "audit-id", "{id}" } },
                    (None, None) => rsx! { "—" },
                }
                if let Some(n) = e.returned_count {
                    details { class: "audit-returned", "data-testid": "audit-returned",
                        summary { "{n}件の記録を表示" }
                        ul {
                            for id in e.returned_ids.iter() { li { class: "audit-id", "{id}" } }
                        }
                        if n > e.returned_ids.len() as i64 {
                            p { class: "audit-id", "ほか{n - e.returned_ids.len() as i64}件" }
                        }
                    }
                }
            }
            td { "data-label": "結果", class: "audit-outcome", "data-testid": "audit-outcome-cell", title: "{e.outcome}",
                "{shared::audit::outcome_label(&e.outcome)}"
            }
            td { "data-label": "接続元", class: "audit-address", "data-testid": "audit-address-cell", "{e.client_address}" }
        }
    }
}

/// The check of the chain: every problem in Japanese (truncated, rewritten, broken, gaps, stale entries), and the
/// anchor it was compared with (the same figures as the daily e-mail).
#[component]
fn ChainResult(report: ChainReport) -> Element {
    let r = report;
    let legacy = (r.legacy_entries > 0).then(|| {
        format!(
            "（うち{}件は鍵の導入前の記録で、旧方式で検証しました）",
            r.legacy_entries
        )
    });
    rsx! {
        div { class: "chain-result", "data-testid": "chain",
            if r.valid {
                p { class: "ok", "正常：{r.entries}件すべて検証しました" }
            } else {
                p { class: "bad", "異常が見つかりました（{r.entries}件を検証）" }
                ul { class: "chain-problems",
                    for p in r.problems.iter() {
                        li { class: "bad", "data-testid": "chain-problem", "{p.message_ja()}" }
                    }
                }
            }
            if let Some(l) = legacy { p { class: "field-hint", "{l}" } }
            match &r.anchor {
                Some(a) => rsx! {
                    p { class: "field-hint", "data-testid": "chain-anchor",
                        "照合した控え：{a.seq}番まで（{format_ms(a.at)}）署名 {a.hash.get(..16).unwrap_or_default()}…"
                    }
                },
                None => rsx! { p { class: "field-hint", "data-testid": "chain-anchor", "控えはまだ作成されていません" } },
            }
        }
    }
}

/// Local date and time for a Unix millisecond timestamp.
fn format_ms(ms: i64) -> String {
    let d = js_sys::Date::new(&wasm_bindgen::JsValue::from_f64(ms as f64));
    format!(
        "{}/{:02}/{:02} {:02}:{:02}:{:02}",
        d.get_full_year(),
        d.get_month() + 1,
        d.get_date(),
        d.get_hours(),
        d.get_minutes(),
        d.get_seconds()
    )
}
