//! `/observe`: the person's own phone (My HER-SYS). No staff account: sign-in with the slip's スマホ入力ID and the
//! birth date, then the daily report, one question per screen. Reports wait on the phone (encrypted, `store`) until
//! the server accepts them, so a report typed without signal is sent when the signal comes back (`send`).
//!
//! The screens are held in memory ([`Screen`], [`report::Draft`]), never in the URL. The slip's QR code opens
//! `/observe#id=<スマホ入力ID>`: the fragment is read once and removed from the address bar at once.

pub mod home;
pub mod passkey;
pub mod register;
pub mod report;
pub mod send;
pub mod signin;
pub mod store;

use dioxus::dioxus_core::{Runtime, ScopeId};
use dioxus::prelude::*;
use shared::api::observation::{ObserveMe, ObservedPerson};
use shared::error::ErrorCode;
use shared::observation::Slot;

use crate::api::{self, ApiFailure};
use crate::net::ONLINE;
use report::Draft;
use store::Queued;

/// Which screen the page shows.
#[derive(Debug, Clone, PartialEq)]
pub enum Screen {
    Loading,
    SignIn,
    /// The people this phone reports for (skipped when there is one and their report is due).
    Home,
    /// The questions of [`ObsCtx::draft`], one per screen.
    Report,
    /// After 送信する: what became of this report (by client id), and its slot.
    Done(String, Slot),
}

/// The page's state. Created by [`Observe`], which lives as long as the page: tasks spawned through
/// [`ObsCtx::spawn`] belong to it, so a send outlives the screen that started it.
#[derive(Clone, Copy)]
pub struct ObsCtx {
    pub me: Signal<Option<ObserveMe>>,
    pub screen: Signal<Screen>,
    pub draft: Signal<Option<Draft>>,
    /// Reports not yet accepted by the server, oldest first (the store holds the same, encrypted).
    pub queue: Signal<Vec<Queued>>,
    pub sending: Signal<bool>,
    again: Signal<bool>,
    /// Why the last send stopped.
    pub send_note: Signal<Option<String>>,
    /// The people whose report had a red flag: the page shows the call-now box.
    pub urgent: Signal<Vec<String>>,
    /// The スマホ入力ID typed or read from the slip's QR code.
    pub sid: Signal<String>,
    /// A note on the sign-in screen (signed out, session ended, no network).
    pub signin_note: Signal<Option<String>>,
    /// A short message on the home screen.
    pub flash: Signal<Option<String>>,
    /// The encrypted store works on this browser (private modes may refuse IndexedDB).
    pub store_ok: Signal<bool>,
    scope: ScopeId,
}

impl ObsCtx {
    /// Runs `fut` as a task of the page (not of the screen that starts it).
    pub fn spawn(&self, fut: impl std::future::Future<Output = ()> + 'static) {
        Runtime::current().spawn(self.scope, fut);
    }

    pub fn person(&self, id: &str) -> Option<ObservedPerson> {
        self.me
            .peek()
            .as_ref()
            .and_then(|m| m.people.iter().find(|p| p.id == id).cloned())
    }

    /// 「本人」 for the phone's holder (listed first), 「同居者」 for household members.
    pub fn role_label(&self, id: &str) -> &'static str {
        let first = self
            .me
            .peek()
            .as_ref()
            .and_then(|m| m.people.first().map(|p| p.id == id))
            .unwrap_or(true);
        if first {
            "本人"
        } else {
            "同居者"
        }
    }

    pub fn pending(&self) -> usize {
        self.queue.read().iter().filter(|q| !q.rejected()).count()
    }

    /// Where a person's report for a date and slot stands.
    pub fn status(&self, person: &ObservedPerson, date: &str, slot: Slot) -> SlotStatus {
        let tag = format!("{date}/{}", slot.as_str());
        let queued = self
            .queue
            .read()
            .iter()
            .find(|q| {
                q.upload.person == person.id
                    && q.upload.report.date == date
                    && q.upload.report.slot == slot
            })
            .map(|q| q.rejected());
        match queued {
            Some(true) => SlotStatus::Rejected,
            Some(false) => SlotStatus::Queued,
            None if person.reported.contains(&tag) => SlotStatus::Reported,
            None => SlotStatus::Due,
        }
    }

    /// Opens the questions for a person: the draft kept for them if any (nothing typed is lost), else a new one.
    pub fn start(mut self, person_id: &str) {
        let Some(p) = self.person(person_id) else {
            return;
        };
        let keep = self
            .draft
            .peek()
            .as_ref()
            .is_some_and(|d| d.person == p.id && d.client_id.is_empty());
        if keep {
            if let Some(d) = self.draft.write().as_mut() {
                d.step = 0;
                d.back_to_confirm = false;
            }
        } else {
            self.draft.set(Some(Draft::new(&p)));
        }
        self.flash.set(None);
        self.screen.set(Screen::Report);
    }

    /// The screen after the people are known: straight into the report when there is one person whose report is
    /// due now, a draft being typed, else the home screen.
    fn land(mut self) {
        if self.draft.peek().is_some() {
            self.screen.set(Screen::Report);
            return;
        }
        let only = self
            .me
            .peek()
            .as_ref()
            .and_then(|m| (m.people.len() == 1).then(|| m.people[0].clone()));
        if let Some(p) = only {
            if self.status(&p, &today(), slot_now()) == SlotStatus::Due
                && !self.queue.peek().iter().any(|q| q.rejected())
            {
                self.start(&p.id);
                return;
            }
        }
        self.screen.set(Screen::Home);
    }

    /// Signed in (or the list read again): keep it, encrypted, so the page opens without signal.
    pub fn signed_in(mut self, me: ObserveMe) {
        let keep = me.clone();
        self.me.set(Some(me));
        self.signin_note.set(None);
        let mut ok = self.store_ok;
        self.spawn(async move {
            if store::put_me(&keep).await.is_err() {
                ok.set(false);
            }
        });
        self.land();
        self.spawn(send::flush(self));
    }

    /// The server no longer knows this phone's session: ask to start again (reports stay on the phone).
    pub fn session_ended(mut self) {
        self.me.set(None);
        let n = self.queue.peek().len();
        self.signin_note.set(Some(if n > 0 {
            format!("もう一度「はじめる」を押してください。未送信の報告 {n}件はこの端末に残っていて、はじめると送信します。")
        } else {
            "もう一度「はじめる」を押してください（前回から時間がたったため）。".to_owned()
        }));
        if *self.screen.peek() != Screen::Report {
            self.screen.set(Screen::SignIn);
        }
    }
}

/// Where one person's report for one slot stands.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum SlotStatus {
    Reported,
    /// On the phone, waiting for signal.
    Queued,
    /// Refused by the server: to correct.
    Rejected,
    Due,
}

impl SlotStatus {
    pub fn label(self) -> &'static str {
        match self {
            SlotStatus::Reported => "報告済み",
            SlotStatus::Queued => "未送信（端末に保存）",
            SlotStatus::Rejected => "送信できず・要修正",
            SlotStatus::Due => "まだ",
        }
    }
}

pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// Today in JST, `YYYY-MM-DD`.
pub fn today() -> String {
    shared::observation::jst_day(now_ms())
}

/// The slot a report typed now is for (the server's rule, on the phone's clock: works offline).
pub fn slot_now() -> Slot {
    let hour = ((now_ms().div_euclid(3_600_000) + 9).rem_euclid(24)) as u32;
    Slot::at_hour(hour)
}

/// 「12月5日」 from `YYYY-MM-DD`.
pub fn month_day(date: &str) -> String {
    match chrono::NaiveDate::parse_from_str(date, "%Y-%m-%d") {
        Ok(d) => {
            use chrono::Datelike;
            format!("{}月{}日", d.month(), d.day())
        }
        Err(_) => date.to_owned(),
    }
}

/// 「今日の朝」, 「昨日の夕方」 or 「12月3日の朝」.
pub fn when_label(date: &str, slot: Slot) -> String {
    let t = today();
    let yesterday = chrono::NaiveDate::parse_from_str(&t, "%Y-%m-%d")
        .ok()
        .and_then(|d| d.pred_opt())
        .map(|d| d.to_string())
        .unwrap_or_default();
    let day = if date == t {
        "今日".to_owned()
    } else if date == yesterday {
        "昨日".to_owned()
    } else {
        month_day(date)
    };
    format!("{day}の{}", slot_word(slot))
}

pub fn slot_word(slot: Slot) -> &'static str {
    match slot {
        Slot::Morning => "朝",
        Slot::Evening => "夕方",
    }
}

/// The slip's `#id=NNNNNNNNNN`, taken off the URL (boot.js already moved it out of the address bar).
fn fragment_id() -> String {
    let mut h = api::take_fragment();
    if h.is_empty() {
        h = web_sys::window()
            .and_then(|w| w.location().hash().ok())
            .unwrap_or_default()
            .trim_start_matches('#')
            .to_owned();
    }
    store::drop_fragment();
    h.split('&')
        .find_map(|kv| kv.strip_prefix("id="))
        .map(|v| signin::normalize_id(v).0)
        .filter(|v| v.len() <= 20)
        .unwrap_or_default()
}

/// Page start: what the phone keeps, then who the server says this phone reports for.
async fn boot(ctx: ObsCtx) {
    let ObsCtx {
        mut me,
        mut queue,
        mut store_ok,
        mut screen,
        mut signin_note,
        ..
    } = ctx;
    let cached = match store::load().await {
        Ok((cached, q)) => {
            queue.set(q);
            cached
        }
        Err(_) => {
            store_ok.set(false);
            None
        }
    };
    // Nothing kept on this phone (a first visit, or signed out): the sign-in form at once, while the server says
    // whether a session (a passkey's) is open after all.
    if cached.is_none() && *screen.peek() != Screen::SignIn {
        screen.set(Screen::SignIn);
    }
    match api::observe::me().await {
        Ok(m) => ctx.signed_in(m),
        Err(ApiFailure::Network) => match cached {
            // Without signal: the people as last known; reports wait on the phone.
            Some(m) => {
                me.set(Some(m));
                ctx.land();
            }
            None => {
                signin_note.set(Some(
                    "電波が届いていません。電波のある場所で「はじめる」を押してください。".into(),
                ));
                screen.set(Screen::SignIn);
            }
        },
        Err(e) if e.code() == Some(ErrorCode::Unauthenticated) => {
            if !queue.peek().is_empty() {
                ctx.session_ended();
            }
            screen.set(Screen::SignIn);
        }
        Err(e) => {
            signin_note.set(Some(e.message()));
            screen.set(Screen::SignIn);
        }
    }
}

#[component]
pub fn Observe() -> Element {
    let ctx = ObsCtx {
        me: use_signal(|| None),
        screen: use_signal(|| Screen::Loading),
        draft: use_signal(|| None),
        queue: use_signal(Vec::new),
        sending: use_signal(|| false),
        again: use_signal(|| false),
        send_note: use_signal(|| None),
        urgent: use_signal(Vec::new),
        sid: use_signal(fragment_id),
        signin_note: use_signal(|| None),
        flash: use_signal(|| None),
        store_ok: use_signal(|| true),
        scope: dioxus::dioxus_core::current_scope_id(),
    };
    use_context_provider(|| ctx);
    use_hook(move || ctx.spawn(boot(ctx)));
    let signed_in = use_memo(move || ctx.me.read().is_some());
    // Signal back (the browser's `online` event or an answer from the server): send what waits.
    use_effect(move || {
        if ONLINE() && signed_in() && ctx.queue.peek().iter().any(|q| !q.rejected()) {
            ctx.spawn(send::flush(ctx));
        }
    });

    let screen = (ctx.screen)();
    let hc = ctx.me.read().as_ref().map(|m| m.health_center_name.clone());
    rsx! {
        div { class: "obs-page", "data-testid": "observe-page",
            header { class: "obs-header",
                span { class: "obs-brand", "健康観察" }
                if let Some(hc) = hc {
                    span { class: "obs-hc", "{hc}" }
                }
                if !ONLINE() {
                    span { class: "obs-offline", role: "status", "data-testid": "obs-offline",
                        "電波なし"
                    }
                }
            }
            main { id: "content", class: "obs-main",
                if !ctx.urgent.read().is_empty() {
                    home::UrgentBox {}
                }
                if !ctx.store_ok.read().to_owned() {
                    p { class: "obs-warn", role: "alert",
                        "この端末には報告を保存できません（プライベートモードなど）。送信が終わるまでこの画面を閉じないでください。"
                    }
                }
                if !matches!(screen, Screen::Report | Screen::Loading | Screen::SignIn) {
                    home::PendingBar {}
                }
                match screen {
                    Screen::Loading => rsx! {
                        p { class: "obs-loading", "data-testid": "obs-loading", "読み込み中…" }
                    },
                    Screen::SignIn => rsx! { signin::SignInScreen {} },
                    Screen::Home => rsx! { home::HomeScreen {} },
                    Screen::Report => rsx! { report::ReportFlow {} },
                    Screen::Done(id, slot) => rsx! { home::DoneScreen { client_id: id, slot } },
                }
            }
        }
    }
}
