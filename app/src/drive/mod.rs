//! Drive-through test sites (issue 9): the site session, the queue of arrivals with their specimens and results,
//! all kept on the device in the encrypted vault (`crate::vault`) and sent to the server by `sync`.
//!
//! What the device holds per person is an [`Entry`]: the [`DriveRecord`] as the server receives it, and what the
//! device knows of its fate (sent, refused, in conflict). The site session is one more vault item, id [`SITE_ID`].
//! Nothing personal goes anywhere else (no plain storage, no URL).

pub mod capture;
pub mod page;
pub mod postal;
pub mod qr;
pub mod queue;
pub mod result;
pub mod scan;
pub mod sync;

use chrono::{NaiveDate, NaiveTime};
use dioxus::prelude::*;
use serde::{Deserialize, Serialize};
use shared::api::sync::{DriveRecord, FieldConflict};

use crate::vault;

/// The vault id of the site session (record ids are 32 hex characters, so they never collide with it).
pub const SITE_ID: &str = "site";

/// 会場名, 担当者, 実施日, 担当保健所, and what the next capture starts from.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct SiteSession {
    pub name: String,
    pub staff: String,
    /// YYYY-MM-DD.
    pub date: String,
    pub health_center_id: String,
    #[serde(default)]
    pub health_center_name: String,
    /// The number the next arrival gets (numbers run on across sessions on this device).
    pub next_no: u32,
    /// The method and specimen of the last capture: the defaults of the next one (a site uses one kind of test).
    #[serde(default)]
    pub last_method: String,
    #[serde(default)]
    pub last_specimen: String,
}

/// Where a record stands with the server.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(tag = "state", rename_all = "snake_case")]
pub enum SyncState {
    /// Not yet confirmed by the server at its current version (未送信).
    Pending,
    /// The server holds the current version (送信済).
    Synced,
    /// Refused: the message and findings are shown on the card; editing the record sends it again (エラー).
    Error {
        /// The stable code (`NOT_FOUND`: the record was deleted on the server).
        #[serde(default)]
        code: String,
        message: String,
        #[serde(default)]
        issues: Vec<(String, String)>,
    },
    /// Changed on the server meanwhile: a person chooses field by field (要確認).
    Conflict {
        case_id: String,
        case_version: i64,
        updated_by_name: String,
        updated_at: i64,
        fields: Vec<FieldConflict>,
    },
}

/// What became of a positive result's notification.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Notify {
    #[default]
    None,
    /// Positive, the notification form not yet opened (発生届未作成).
    Wanted,
    /// The notification form was opened from this record (at ms).
    Opened(i64),
}

/// One person of the queue.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Entry {
    /// The arrival number shown on the card (No.).
    pub no: u32,
    pub record: DriveRecord,
    pub sync: SyncState,
    /// The highest version the server confirmed (0: none).
    #[serde(default)]
    pub synced_version: u32,
    #[serde(default)]
    pub case_id: Option<String>,
    #[serde(default)]
    pub smartphone_id: Option<String>,
    #[serde(default)]
    pub notify: Notify,
    pub created_at: i64,
}

impl Entry {
    pub fn id(&self) -> &str {
        &self.record.client_id
    }

    /// Not confirmed by the server at its current version: kept as "pending" in the vault (counted at sign-out).
    pub fn unconfirmed(&self) -> bool {
        !matches!(self.sync, SyncState::Synced)
    }

    /// Synced with its result in: what 「会場を閉じる」 may remove from the device.
    pub fn complete(&self) -> bool {
        matches!(self.sync, SyncState::Synced) && self.record.result.is_some()
    }

    /// The server answered that its record was deleted (it takes no more versions of it).
    pub fn deleted_on_server(&self) -> bool {
        matches!(&self.sync, SyncState::Error { code, .. } if code == "NOT_FOUND")
    }

    pub fn positive(&self) -> bool {
        self.record
            .result
            .as_ref()
            .is_some_and(|r| r.result == "陽性")
    }
}

/// What is stored in the vault, one JSON text per id.
#[derive(Debug, Clone, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
enum Stored {
    Site(SiteSession),
    Entry(Box<Entry>),
}

/// The drive-through mode's state, provided once the vault is open.
#[derive(Clone, Copy, PartialEq)]
pub struct DriveCtx {
    pub user: Signal<String>,
    pub site: Signal<Option<SiteSession>>,
    pub entries: Signal<Vec<Entry>>,
    pub syncing: Signal<bool>,
    /// When the last batch was answered (ms), kept in plain storage (not personal).
    pub last_sync: Signal<Option<i64>>,
    /// Why the last sync stopped (network, sign-in needed, refused batch); `None` after a good one.
    pub sync_note: Signal<Option<String>>,
    /// The server answered 401: the session is gone, sign-in is needed before anything is sent.
    pub need_sign_in: Signal<bool>,
    /// Records the vault held that could not be read (another version's shape): reported, never deleted.
    pub unreadable: Signal<usize>,
    /// Asks the page to run a sync now (a save while online, 「今すぐ同期」).
    pub sync_requests: Signal<u32>,
    /// The screen of the drive-through mode (held in memory: no personal data in the URL).
    pub view: Signal<page::View>,
    /// A short confirmation shown on the next screen (「No.3 陰性を保存しました」).
    pub flash: Signal<Option<String>>,
    /// The prefecture's postal files: `None` while fetching, `Some(all on the device)`.
    pub postal_ready: Signal<Option<bool>>,
    /// An entry is being written (see `acquire`).
    writing: Signal<bool>,
}

pub fn now_ms() -> i64 {
    js_sys::Date::now() as i64
}

/// Today in JST.
pub fn today() -> NaiveDate {
    shared::drive::jst_date(now_ms()).unwrap_or_default()
}

/// `date` at `HH:MM` JST, in ms.
pub fn jst_ms(date: NaiveDate, time: &str) -> Option<i64> {
    let t = NaiveTime::parse_from_str(time.trim(), "%H:%M").ok()?;
    Some(date.and_time(t).and_utc().timestamp_millis() - 9 * 3600 * 1000)
}

/// A new record id: 32 hex characters from the browser's random source.
pub fn new_client_id() -> String {
    vault::random_bytes::<16>()
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// A specimen code no record on this device has.
pub fn new_code(entries: &[Entry]) -> String {
    loop {
        let code = shared::drive::specimen_code(vault::random_bytes());
        if !entries.iter().any(|e| e.record.specimen.code == code) {
            return code;
        }
    }
}

const LAST_SYNC_KEY: &str = "hersys.drive.last_sync";

fn local_storage() -> Option<web_sys::Storage> {
    web_sys::window().and_then(|w| w.local_storage().ok().flatten())
}

/// Plain storage for what is not personal (last sync time, the health-center list).
pub fn plain_get(key: &str) -> Option<String> {
    local_storage().and_then(|s| s.get_item(key).ok().flatten())
}

pub fn plain_set(key: &str, value: &str) {
    if let Some(s) = local_storage() {
        let _ = s.set_item(key, value);
    }
}

impl DriveCtx {
    pub fn provide(user: String) -> DriveCtx {
        let last = plain_get(&format!("{LAST_SYNC_KEY}.{user}")).and_then(|t| t.parse().ok());
        use_context_provider(|| DriveCtx {
            user: Signal::new(user),
            site: Signal::new(None),
            entries: Signal::new(Vec::new()),
            syncing: Signal::new(false),
            last_sync: Signal::new(last),
            sync_note: Signal::new(None),
            need_sign_in: Signal::new(false),
            unreadable: Signal::new(0),
            sync_requests: Signal::new(0),
            view: Signal::new(page::View::Queue),
            flash: Signal::new(None),
            postal_ready: Signal::new(None),
            writing: Signal::new(false),
        })
    }

    /// Reads everything from the vault.
    pub async fn load(mut self) -> Result<(), String> {
        let user = self.user.peek().clone();
        let texts = vault::get_all(&user).await?;
        let mut site = None;
        let mut entries = Vec::new();
        let mut unreadable = 0;
        for t in texts {
            match serde_json::from_str::<Stored>(&t) {
                Ok(Stored::Site(s)) => site = Some(s),
                Ok(Stored::Entry(e)) => entries.push(*e),
                Err(_) => unreadable += 1,
            }
        }
        entries.sort_by_key(|e| std::cmp::Reverse(e.no));
        self.site.set(site);
        self.entries.set(entries);
        self.unreadable.set(unreadable);
        Ok(())
    }

    /// Waits for the store to be free: every write of an entry (capture, result, conflict choice, sync answer)
    /// reads the entry as it is now and writes it back while no other write runs, so an edit made while a batch
    /// is out and that batch's answer never overwrite each other.
    async fn acquire(mut self) {
        while *self.writing.peek() {
            crate::net::sleep(5).await;
        }
        self.writing.set(true);
    }

    fn release(mut self) {
        self.writing.set(false);
    }

    /// Stores a new entry (encrypted) and then shows it; on failure nothing changes on screen and the caller keeps
    /// what was typed.
    pub async fn add(mut self, entry: Entry) -> Result<(), String> {
        self.acquire().await;
        let user = self.user.peek().clone();
        let stored = put_entry(&user, &entry).await;
        if stored.is_ok() {
            let mut list = self.entries.write();
            list.retain(|e| e.id() != entry.id());
            list.push(entry);
            list.sort_by_key(|e| std::cmp::Reverse(e.no));
        }
        self.release();
        stored
    }

    /// Changes one entry as it is now (`change` gets the current copy); stored, then shown. `Ok(None)`: no such
    /// entry.
    pub async fn update(
        self,
        id: &str,
        change: impl FnOnce(&mut Entry),
    ) -> Result<Option<Entry>, String> {
        self.update_many(vec![(id.to_owned(), change)])
            .await
            .map(|mut v| v.pop())
    }

    /// Changes several entries (a batch's answers): each stored as it comes, the screen updated once at the end.
    /// Stops at the first entry that cannot be stored (those before it are kept).
    pub async fn update_many<F: FnOnce(&mut Entry)>(
        mut self,
        changes: Vec<(String, F)>,
    ) -> Result<Vec<Entry>, String> {
        self.acquire().await;
        let user = self.user.peek().clone();
        let mut done = Vec::new();
        let mut failure = None;
        for (id, change) in changes {
            let Some(before) = self.entries.peek().iter().find(|e| e.id() == id).cloned() else {
                continue;
            };
            let mut entry = before.clone();
            change(&mut entry);
            if entry == before {
                continue;
            }
            match put_entry(&user, &entry).await {
                Ok(()) => done.push(entry),
                Err(e) => {
                    failure = Some(e);
                    break;
                }
            }
        }
        if !done.is_empty() {
            let mut list = self.entries.write();
            for e in &done {
                if let Some(slot) = list.iter_mut().find(|x| x.id() == e.id()) {
                    *slot = e.clone();
                }
            }
        }
        self.release();
        failure.map_or(Ok(done), Err)
    }

    pub async fn save_site(mut self, site: SiteSession) -> Result<(), String> {
        let user = self.user.peek().clone();
        let text = serde_json::to_string(&Stored::Site(site.clone())).map_err(|e| e.to_string())?;
        vault::put(&user, SITE_ID, false, &text)
            .await
            .map_err(save_failed)?;
        self.site.set(Some(site));
        Ok(())
    }

    /// Closes the site: removes the site session and the records the server holds with their result.
    pub async fn close_site(self) -> Result<usize, String> {
        self.acquire().await;
        let out = self.close_site_locked().await;
        self.release();
        out
    }

    async fn close_site_locked(mut self) -> Result<usize, String> {
        let user = self.user.peek().clone();
        let done: Vec<String> = self
            .entries
            .peek()
            .iter()
            .filter(|e| e.complete())
            .map(|e| e.id().to_owned())
            .collect();
        let mut removed = 0;
        for id in &done {
            vault::delete(&user, id).await.map_err(save_failed)?;
            self.entries.write().retain(|e| e.id() != id);
            removed += 1;
        }
        vault::delete(&user, SITE_ID).await.map_err(save_failed)?;
        self.site.set(None);
        Ok(removed)
    }

    /// Removes a record the server answered as deleted there (`NOT_FOUND`): the server will never take it, and its
    /// health center's administrator can restore the server's copy, so the device's copy may go once a person
    /// confirms. Any other record leaves the device only once the server confirmed it.
    pub async fn remove_deleted_on_server(mut self, id: &str) -> Result<(), String> {
        self.acquire().await;
        let user = self.user.peek().clone();
        let deleted = self
            .entries
            .peek()
            .iter()
            .any(|e| e.id() == id && e.deleted_on_server());
        let result = if deleted {
            match vault::delete(&user, id).await.map_err(save_failed) {
                Ok(()) => {
                    self.entries.write().retain(|e| e.id() != id);
                    Ok(())
                }
                Err(e) => Err(e),
            }
        } else {
            Err("この記録は端末から削除できません。".to_owned())
        };
        self.release();
        result
    }

    pub fn entry(&self, id: &str) -> Option<Entry> {
        self.entries.read().iter().find(|e| e.id() == id).cloned()
    }

    /// Records not confirmed by the server (未送信, エラー, 要確認).
    pub fn unconfirmed(&self) -> usize {
        self.entries
            .read()
            .iter()
            .filter(|e| e.unconfirmed())
            .count()
    }

    pub fn set_last_sync(mut self, at: i64) {
        plain_set(
            &format!("{LAST_SYNC_KEY}.{}", self.user.peek()),
            &at.to_string(),
        );
        self.last_sync.set(Some(at));
    }

    pub fn request_sync(mut self) {
        *self.sync_requests.write() += 1;
    }

    /// Goes to a screen (at its top), with an optional confirmation line.
    pub fn go(mut self, view: page::View, flash: Option<String>) {
        self.flash.set(flash);
        self.view.set(view);
        crate::api::scroll_to_top();
    }
}

async fn put_entry(user: &str, entry: &Entry) -> Result<(), String> {
    let text = serde_json::to_string(&Stored::Entry(Box::new(entry.clone())))
        .map_err(|e| e.to_string())?;
    vault::put(user, entry.id(), entry.unconfirmed(), &text)
        .await
        .map_err(save_failed)
}

fn save_failed(e: String) -> String {
    if e == "locked" {
        "端末の記録が閉じられました（12時間の期限など）。この画面を開き直してください。入力中の内容はこの画面に残っています。".into()
    } else {
        format!("端末に保存できませんでした（{e}）。入力中の内容はこの画面に残っています。")
    }
}
