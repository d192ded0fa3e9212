//! One patient record (登録情報, manual 5): a header (スマホ入力ID, name, sex, age, status, residence) and the
//! manual's tabs in its order: 発生届, ID管理, 基礎情報, 検査, 居所, 健康観察, 医療, 記録. Every tab stays mounted
//! once the page is open, so switching tabs keeps what was typed in another tab's open form.

use dioxus::prelude::*;
use shared::api::cases::{CaseRecord, DeleteRequest};
use shared::case::tabs::Tab;
use shared::error::ErrorCode;

use crate::api;
use crate::case::search::SearchCtx;
use crate::case::status_tab::{updated_line, StatusTab};
use crate::case::tab_panel::TabPanel;
use crate::case::{age_text, today_jst, CaseCtx, ConflictNotice};
use crate::components::alert::ErrorAlert;
use crate::notification::records::{jst, NotificationView};
use crate::observation::tab::ObservationTab;
use crate::session::RequireSignIn;
use crate::Route;

#[derive(Clone, Copy, PartialEq, Eq, Debug)]
enum PageTab {
    Notification,
    Edit(Tab),
    Observation,
    Status,
}

impl PageTab {
    const ALL: [PageTab; 8] = [
        PageTab::Notification,
        PageTab::Edit(Tab::Id),
        PageTab::Edit(Tab::Basic),
        PageTab::Edit(Tab::Tests),
        PageTab::Edit(Tab::Residence),
        PageTab::Observation,
        PageTab::Edit(Tab::Medical),
        PageTab::Status,
    ];

    fn name(self) -> &'static str {
        match self {
            PageTab::Notification => "notification",
            PageTab::Edit(t) => t.as_str(),
            PageTab::Observation => "observation",
            PageTab::Status => "status",
        }
    }

    fn label(self) -> &'static str {
        match self {
            PageTab::Notification => "発生届",
            PageTab::Edit(t) => t.label(),
            PageTab::Observation => "健康観察",
            PageTab::Status => "記録",
        }
    }

    /// The tab a path segment names (`add-test` opens 検査 with a new test record).
    fn parse(s: &str) -> Option<PageTab> {
        if s == "add-test" {
            return Some(PageTab::Edit(Tab::Tests));
        }
        Self::ALL.into_iter().find(|t| t.name() == s)
    }
}

#[component]
pub fn Record(id: String) -> Element {
    rsx! {
        RequireSignIn { CasePage { key: "{id}", id, tab: String::new() } }
    }
}

/// `/records/:id/:tab`: the record opened at one tab (`add-test`: 検査 with a new test record open).
#[component]
pub fn RecordTab(id: String, tab: String) -> Element {
    rsx! {
        RequireSignIn { CasePage { key: "{id}", id, tab } }
    }
}

#[component]
fn CasePage(id: String, tab: String) -> Element {
    let record = use_signal(|| None::<CaseRecord>);
    let error = use_signal(|| None::<api::ApiFailure>);
    let ctx = use_context_provider(|| CaseCtx { record, error });
    let first = id.clone();
    use_hook(move || spawn(ctx.reload(first)));
    let requested = PageTab::parse(&tab);
    let add_test = tab == "add-test";
    let mut active = use_signal(|| requested);

    let Some(rec) = record() else {
        return rsx! {
            section { class: "page",
                if let Some(e) = error() {
                    h1 { "登録情報" }
                    p { class: "alert", role: "alert", "data-testid": "record-error", "{e.message()}" }
                    Link { class: "button secondary", to: Route::Search {}, "登録情報一覧へ戻る" }
                } else {
                    p { class: "loading", "読み込み中…" }
                }
            }
        };
    };
    let current = active().unwrap_or(if rec.has_notification {
        PageTab::Notification
    } else {
        PageTab::Edit(Tab::Id)
    });
    let today = today_jst();
    rsx! {
        section { class: "page case-record", "data-testid": "case-record",
            div { class: "no-print case-top",
                Link { class: "back-link", to: Route::Search {}, "‹ 登録情報一覧" }
                h1 { class: "case-title", "data-testid": "case-name", "{rec.name}" }
                dl { class: "case-header", "data-testid": "case-header",
                    // Only the managing health center receives it (a credential for the patient's phone).
                    if !rec.smartphone_id.is_empty() {
                        div { dt { "スマホ入力ID" } dd { "data-testid": "case-smartphone-id", "{rec.smartphone_id}" } }
                    }
                    div { dt { "フリガナ" } dd { "{rec.furigana}" } }
                    div { dt { "性別" } dd { "data-testid": "case-sex", {rec.sex.clone().unwrap_or_default()} } }
                    div { dt { "年齢" } dd { "data-testid": "case-age", {age_text(rec.date_of_birth.as_deref(), today)} } }
                    div { dt { "現在のステータス" } dd { "data-testid": "case-status", {rec.status.map_or("未記録", |s| s.label())} } }
                    div { dt { "居所" } dd { "data-testid": "case-residence", "{rec.residence}" } }
                    div { dt { "担当保健所" } dd { "{rec.health_center_name}" } }
                }
                p { class: "muted", {updated_line(&rec)} }
                if rec.deleted_at.is_some() {
                    DeletedNotice { id: rec.id.clone(), at: rec.deleted_at.unwrap_or_default() }
                }
                if let Some(e) = error() {
                    p { class: "alert", role: "alert", "{e.message()}" }
                }
                nav { class: "tab-bar", role: "tablist", "aria-label": "登録情報のタブ",
                    for t in PageTab::ALL {
                        button { key: "{t.name()}", r#type: "button", role: "tab", id: "tab-{t.name()}",
                            class: if t == current { "tab selected" } else { "tab" },
                            "aria-selected": if t == current { "true" } else { "false" },
                            "aria-controls": "panel-{t.name()}",
                            "data-testid": "tab-{t.name()}",
                            onclick: move |_| active.set(Some(t)),
                            {t.label()}
                        }
                    }
                }
            }
            for t in PageTab::ALL {
                div { key: "{t.name()}", class: "tab-panel", role: "tabpanel", id: "panel-{t.name()}",
                    tabindex: "-1", "aria-labelledby": "tab-{t.name()}", hidden: t != current,
                    "data-testid": "panel-{t.name()}",
                    match t {
                        PageTab::Notification => rsx! { NotificationTab {} },
                        PageTab::Edit(tab) => rsx! { TabPanel { tab, add_row: add_test && tab == Tab::Tests } },
                        PageTab::Observation => rsx! { ObservationTab {} },
                        PageTab::Status => rsx! { StatusTab {} },
                    }
                }
            }
        }
    }
}

/// 発生届: the filed notification with 編集 and 削除, or, before filing, 「発生届を作成する」.
#[component]
fn NotificationTab() -> Element {
    let ctx = use_context::<CaseCtx>();
    let Some(rec) = ctx.record.read().clone() else {
        return rsx! {};
    };
    rsx! {
        div { class: "tab-body",
            if rec.has_notification {
                if rec.can_edit {
                    div { class: "form-actions no-print",
                        Link { class: "button primary", to: Route::EditNotification { id: rec.id.clone() }, "data-testid": "edit-notification", "編集" }
                        if rec.can_delete { DeleteRecord {} }
                    }
                }
                if rec.delete_asks_health_center {
                    p { class: "notice no-print", "data-testid": "delete-managed",
                        "この記録は{rec.health_center_name}が受理し、管理しています。削除が必要な場合は{rec.health_center_name}に依頼してください。"
                    }
                }
                NotificationView { id: rec.id.clone() }
            } else {
                p { class: "notice", "data-testid": "no-notification", "発生届は未提出です" }
                div { class: "form-actions",
                    if rec.can_file {
                        Link { class: "button primary", to: Route::NewNotificationForCase { case_id: rec.id.clone() }, "data-testid": "create-notification", "発生届を作成する" }
                    }
                    if rec.can_delete { DeleteRecord {} }
                }
            }
        }
    }
}

/// 削除 with its confirmation (「削除しますか」); the record can be restored by the health center's administrator.
#[component]
fn DeleteRecord() -> Element {
    let ctx = use_context::<CaseCtx>();
    let search = try_use_context::<SearchCtx>();
    let nav = use_navigator();
    let mut asking = use_signal(|| false);
    let mut busy = use_signal(|| false);
    let mut error = use_signal(|| None::<String>);
    let mut conflict = use_signal(|| None::<shared::api::cases::EditConflict>);
    let delete = move |_| {
        if busy() {
            return;
        }
        busy.set(true);
        error.set(None);
        let id = ctx.id();
        let body = DeleteRequest {
            version: ctx.version(),
        };
        spawn(async move {
            let r = api::cases::delete(&id, &body).await;
            busy.set(false);
            match r {
                Ok(()) => {
                    if let Some(mut s) = search {
                        s.flash.set(Some(
                            "記録を削除しました。保健所の管理者が復元できます。".into(),
                        ));
                    }
                    nav.push(Route::Search {});
                }
                Err(e) if e.code() == Some(ErrorCode::EditConflict) && e.conflict().is_some() => {
                    asking.set(false);
                    conflict.set(e.conflict());
                }
                Err(e) => error.set(Some(e.message())),
            }
        });
    };
    rsx! {
        if !asking() {
            button { r#type: "button", class: "button danger", "data-testid": "delete-record", onclick: move |_| asking.set(true), "削除" }
        }
        if asking() {
            div { class: "confirm-dialog", role: "alertdialog", "aria-labelledby": "delete-q", "data-testid": "delete-dialog",
                p { id: "delete-q", class: "confirm-question", "削除しますか" }
                p { "この記録は一覧に表示されなくなります。誤って削除した場合は保健所の管理者が復元できます。" }
                ErrorAlert { message: error() }
                div { class: "row-actions",
                    button { r#type: "button", class: "button danger", "data-testid": "delete-yes", disabled: busy(), onclick: delete,
                        if busy() { "削除しています…" } else { "削除する" }
                    }
                    button { r#type: "button", class: "button secondary", "data-testid": "delete-no", onclick: move |_| asking.set(false), "やめる" }
                }
            }
        }
        if let Some(c) = conflict() {
            ConflictNotice { conflict: c, on_reload: move |_| {
                let id = ctx.id();
                spawn(async move { ctx.reload(id).await; conflict.set(None); });
            } }
        }
    }
}

/// Shown to the administrator who opened a deleted record (from 削除した記録).
#[component]
fn DeletedNotice(id: String, at: i64) -> Element {
    let mut ctx = use_context::<CaseCtx>();
    let mut error = use_signal(|| None::<String>);
    rsx! {
        div { class: "notice deleted", role: "status", "data-testid": "deleted-notice",
            p { "この記録は削除されています（{jst(at)}）。" }
            button { r#type: "button", class: "button secondary", "data-testid": "restore",
                onclick: move |_| {
                    let id = id.clone();
                    spawn(async move {
                        match api::cases::restore(&id).await {
                            Ok(r) => ctx.record.set(Some(r)),
                            Err(e) => error.set(Some(e.message())),
                        }
                    });
                },
                "復元する"
            }
            ErrorAlert { message: error() }
        }
    }
}
