//! `/drive`: opening the encrypted store (online with the device key the server releases, offline with the kept
//! key or the passkey), then the drive-through screens under an always-visible status bar. The screens are held in
//! memory ([`View`]), never in the URL.

use dioxus::prelude::*;
use shared::api::sync::DeviceKeyRequest;

use super::capture::{CaptureForm, LabelView};
use super::queue::{CloseSite, Detail, Queue, SiteForm, StatusBar};
use super::result::{ConflictView, FindView, ResultView};
use super::{sync, DriveCtx};
use crate::api::{self, ApiFailure};
use crate::net::ONLINE;
use crate::session::{RequireSignIn, SessionCtx, SessionState};
use crate::vault::{self, VaultStatus};
use crate::{text, Route};

#[derive(Debug, Clone, PartialEq)]
pub enum View {
    Queue,
    Site,
    /// A new arrival (`None`) or a correction of a saved record.
    Capture(Option<String>),
    Label(String),
    Detail(String),
    Find,
    Result(String),
    Conflict(String),
    Close,
}

#[component]
pub fn Drive() -> Element {
    rsx! {
        RequireSignIn { Gate {} }
    }
}

#[derive(Debug, Clone, PartialEq)]
enum Lock {
    Opening,
    Open(String),
    /// Offline; the passkey opens it.
    Passkey(String),
    /// Offline and only an online sign-in opens it (or nothing is stored for this user).
    NeedOnline(&'static str),
    NotPermitted,
    Failed(String),
    /// The server no longer knows the session (and the store is shut): sign in again.
    SignInAgain,
}

const LOCKED_NEED_ONLINE: &str =
    "オンラインでサインインすると開けます（記録は端末に暗号化されて残っています）。";
const EMPTY_OFFLINE: &str = "この端末にはまだドライブスルー検査の記録がありません。はじめにオンラインでサインインしてから開いてください。";

async fn open_offline(user: String, mut lock: Signal<Lock>) {
    if user.is_empty() {
        lock.set(Lock::NeedOnline(EMPTY_OFFLINE));
        return;
    }
    lock.set(match vault::status(&user).await {
        VaultStatus::Unlocked => Lock::Open(user),
        VaultStatus::LockedPasskey => Lock::Passkey(user),
        VaultStatus::LockedNeedOnline => Lock::NeedOnline(LOCKED_NEED_ONLINE),
        VaultStatus::Empty => Lock::NeedOnline(EMPTY_OFFLINE),
    });
}

async fn open_online(user: String, mut lock: Signal<Lock>) {
    let body = DeviceKeyRequest {
        device_id: vault::device_id(),
    };
    match api::sync::device_key(&body).await {
        Ok(k) => match vault::unlock_online(&user, &k.key).await {
            Ok(()) => lock.set(Lock::Open(user)),
            Err(e) if e == "wrong_key" => lock.set(Lock::Failed(
                "この端末に保存された記録を開けませんでした（鍵が一致しません）。記録は消去していません。管理者に連絡してください。"
                    .into(),
            )),
            Err(e) => lock.set(Lock::Failed(format!(
                "端末の記録を開けませんでした（{e}）。"
            ))),
        },
        Err(ApiFailure::Network) => open_offline(user, lock).await,
        Err(e) => {
            // Still open in this tab (kept key or passkey earlier): keep working; the server decides at sync.
            if vault::status(&user).await == VaultStatus::Unlocked {
                lock.set(Lock::Open(user));
            } else if e.code() == Some(shared::error::ErrorCode::Unauthenticated) {
                lock.set(Lock::SignInAgain);
            } else {
                lock.set(Lock::Failed(e.message()));
            }
        }
    }
}

#[component]
fn Gate() -> Element {
    let session = use_context::<SessionCtx>();
    let mut lock = use_signal(|| Lock::Opening);
    let mut passkey_error = use_signal(|| None::<String>);
    let mut passkey_busy = use_signal(|| false);
    let mut waiting = use_signal(|| None::<u32>);
    use_effect(move || {
        let state = (session.state)();
        if matches!(*lock.peek(), Lock::Open(_)) {
            return;
        }
        match state {
            SessionState::SignedIn(me) => {
                if me.role.files_notifications() {
                    spawn(open_online(me.user_id, lock));
                } else {
                    lock.set(Lock::NotPermitted);
                }
            }
            SessionState::Unknown => {
                spawn(open_offline(api::last_user(), lock));
            }
            SessionState::Loading | SessionState::SignedOut => {}
        }
    });
    // While locked, how many records wait (a count is readable without the key).
    use_effect(move || {
        if let Lock::Passkey(user) = lock() {
            spawn(async move { waiting.set(Some(vault::pending_count(&user).await)) });
        }
    });

    match lock() {
        Lock::Opening => rsx! {
            section { class: "page drive-page",
                h1 { {text::ACTION_DRIVE} }
                p { class: "loading", "data-testid": "drive-opening", "端末の記録を開いています…" }
            }
        },
        Lock::Open(user) => rsx! {
            DriveApp { key: "{user}", user }
        },
        Lock::Passkey(user) => rsx! {
            section { class: "page drive-page narrow", "data-testid": "drive-locked",
                h1 { {text::ACTION_DRIVE} }
                p { class: "notice", "オフラインです。端末の記録はパスキー（セキュリティキー）で開けます。" }
                if let Some(n) = waiting().filter(|n| *n > 0) {
                    p { "未送信の記録が {n} 件あります。" }
                }
                ErrorAlertLine { message: passkey_error() }
                button { r#type: "button", class: "button primary big", "data-testid": "unlock-passkey", disabled: passkey_busy(),
                    onclick: move |_| {
                        let user = user.clone();
                        passkey_busy.set(true);
                        passkey_error.set(None);
                        spawn(async move {
                            match vault::unlock_passkey(&user).await {
                                Ok(()) => lock.set(Lock::Open(user)),
                                Err(e) => passkey_error.set(Some(match e.as_str() {
                                    "NotAllowedError" => "パスキーの操作が取り消されたか、時間切れになりました。もう一度お試しください。".to_owned(),
                                    "prf_unsupported" | "no_passkey" => LOCKED_NEED_ONLINE.to_owned(),
                                    _ => "パスキーで開けませんでした。オンラインでサインインすると開けます。".to_owned(),
                                })),
                            }
                            passkey_busy.set(false);
                        });
                    },
                    if passkey_busy() { "確認しています…" } else { "パスキーで開く" }
                }
            }
        },
        Lock::NeedOnline(why) => rsx! {
            section { class: "page drive-page narrow", "data-testid": "drive-locked",
                h1 { {text::ACTION_DRIVE} }
                p { class: "notice", "{why}" }
                Link { class: "button secondary", to: Route::Home {}, {text::BACK_TO_MENU} }
            }
        },
        Lock::NotPermitted => rsx! {
            section { class: "page drive-page narrow",
                h1 { {text::ACTION_DRIVE} }
                p { class: "alert", role: "alert", {text::NOT_PERMITTED} }
                p { "ドライブスルー検査は医療機関のアカウントで利用します。" }
                Link { class: "button secondary", to: Route::Home {}, {text::BACK_TO_MENU} }
            }
        },
        Lock::SignInAgain => rsx! {
            section { class: "page drive-page narrow", "data-testid": "drive-locked",
                h1 { {text::ACTION_DRIVE} }
                p { class: "notice", "サインインの期限が切れています。サインインし直すと端末の記録を開けます（記録は端末に暗号化されて残っています）。" }
                Link { class: "button primary", to: Route::SignIn {}, "サインインする" }
            }
        },
        Lock::Failed(why) => rsx! {
            section { class: "page drive-page narrow",
                h1 { {text::ACTION_DRIVE} }
                p { class: "alert", role: "alert", "data-testid": "drive-failed", "{why}" }
                Link { class: "button secondary", to: Route::Home {}, {text::BACK_TO_MENU} }
            }
        },
    }
}

#[component]
fn ErrorAlertLine(message: Option<String>) -> Element {
    rsx! {
        crate::components::alert::ErrorAlert { message }
    }
}

#[component]
fn DriveApp(user: String) -> Element {
    let session = use_context::<SessionCtx>();
    let ctx = DriveCtx::provide(user);
    let mut loaded = use_signal(|| None::<Result<(), String>>);
    use_hook(move || {
        spawn(async move {
            let r = ctx.load().await;
            if r.is_ok() && ctx.site.peek().is_none() {
                let mut view = ctx.view;
                view.set(View::Site);
            }
            loaded.set(Some(r));
        })
    });
    // Sync on coming online, on request (a save, 「今すぐ同期」) and once loaded.
    use_effect(move || {
        let online = ONLINE();
        let _ = (ctx.sync_requests)();
        if online && matches!(loaded(), Some(Ok(()))) {
            spawn(async move {
                sync::run(ctx).await;
            });
        }
    });
    // Every 30 s while records wait.
    use_future(move || async move {
        loop {
            crate::net::sleep(30_000).await;
            if super::queue::may_retry() && ctx.unconfirmed() > 0 {
                sync::run(ctx).await;
            }
        }
    });
    // The prefecture's postal files, for filling addresses offline (one fetch at a time).
    let mut fetching = use_signal(|| false);
    use_effect(move || {
        let online = ONLINE();
        let pref = session
            .me()
            .and_then(|m| m.jurisdiction.pref_code().map(str::to_owned));
        let mut ready = ctx.postal_ready;
        match pref {
            Some(p) if super::postal::prefetched(&p) => ready.set(Some(true)),
            Some(p) if online && !*fetching.peek() => {
                fetching.set(true);
                spawn(async move {
                    let ok = super::postal::prefetch(&p).await;
                    ready.set(Some(ok));
                    fetching.set(false);
                });
            }
            _ => {}
        }
    });
    use_drop(super::scan::scan_stop);

    let body = match loaded() {
        None => rsx! { p { class: "loading", "端末の記録を読み込んでいます…" } },
        Some(Err(e)) => rsx! {
            p { class: "alert", role: "alert", "data-testid": "drive-failed", "端末の記録を読み込めませんでした（{e}）。この画面を開き直してください。" }
        },
        Some(Ok(())) => match (ctx.view)() {
            View::Queue => rsx! { Queue {} },
            View::Site => rsx! { SiteForm {} },
            View::Capture(id) => rsx! { CaptureForm { key: "{id:?}", editing: id } },
            View::Label(id) => rsx! { LabelView { key: "{id}", id } },
            View::Detail(id) => rsx! { Detail { key: "{id}", id } },
            View::Find => rsx! { FindView {} },
            View::Result(id) => rsx! { ResultView { key: "{id}", id } },
            View::Conflict(id) => rsx! { ConflictView { key: "{id}", id } },
            View::Close => rsx! { CloseSite {} },
        },
    };
    rsx! {
        section { class: "page drive-page", "data-testid": "drive-page",
            h1 { class: "drive-heading no-print", {text::ACTION_DRIVE} }
            StatusBar {}
            if let Some(f) = (ctx.flash)() {
                p { class: "saved no-print", role: "status", "data-testid": "drive-flash", "{f}" }
            }
            {body}
        }
    }
}
