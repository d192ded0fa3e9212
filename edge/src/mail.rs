//! E-mail through Cloudflare's binding (`MAIL`). To a health center, the notice that a notification reached it:
//! sent from the outbox by the scheduled handler (every minute), with exponential backoff; it carries the number
//! and a link, never personal data. To a member of staff, at once ([`send_message`]): the one-time link after an
//! administrator's reset, the invitation of an approved administrator, and the notice that a key was added.
//!
//! Locally `wrangler dev` simulates the binding: each message is written to the console that `cargo xtask dev`
//! shows (and to the test harness's log), not sent.

use wasm_bindgen::{JsCast, JsValue};
use wasm_bindgen_futures::JsFuture;
use worker::{D1Database, Env};

use crate::error::ApiResult;
use crate::platform::{bindings, now_ms};
use crate::store::audit;
use crate::store::notifications::{self as outbox, DueNotice, NoticeFailure};
use crate::store::shards::Stores;
use shared::api::admin::ChainAnchor;

/// After this many failed attempts a row is given up (`failed`); the notification is in the inbox regardless.
pub const MAX_ATTEMPTS: i64 = 8;
/// A sender holds a claimed row this long; a sender that died lets it go when the lease ends.
const LEASE_MS: i64 = 60_000;
/// The variable naming where the audit chain's head is e-mailed once a day (unset: not e-mailed).
const AUDIT_ANCHOR_TO: &str = "AUDIT_ANCHOR_TO";
/// The sender address (a Cloudflare Email Service verified sender when deployed).
const DEFAULT_FROM: &str = "her-sys-notice@her-sys.example";

/// Delay before attempt `attempts + 1`: 1, 2, 4, … minutes, at most an hour.
pub fn backoff_ms(attempts: i64) -> i64 {
    let minutes = 1i64 << attempts.clamp(0, 6);
    minutes.min(60) * 60_000
}

/// The subject and body of a notice: the health center, the number and the link; nothing about the patient.
pub fn compose(health_center_name: &str, number: &str, link: &str) -> (String, String) {
    (
        format!("【HER-SYS】新しい発生届が届きました（届出番号 {number}）"),
        format!(
            "{health_center_name} 御中\n\n新しい発生届が届きました。\n届出番号: {number}\n\n\
             HER-SYSにログインして受信一覧から確認してください。\n{link}\n\n\
             このメールには個人情報を含めていません。\n"
        ),
    )
}

/// Sends what is due. Never fails: outcomes are recorded on the rows; an error reading the store is logged without
/// personal data.
pub async fn deliver_due(env: &Env) {
    if let Err(e) = deliver(env).await {
        worker::console_error!("outbox: {}", e.detail.unwrap_or_default());
    }
}

async fn deliver(env: &Env) -> ApiResult<()> {
    // Each shard holds the notices of its records.
    for shard in Stores::new(env)?.all()? {
        let db = shard.db;
        let now = now_ms();
        let due = outbox::due_notices(&db, now).await?;
        for row in due {
            if !outbox::claim_notice(&db, &row.id, now, now + LEASE_MS).await? {
                continue;
            }
            let number = outbox::number(row.seq);
            let outcome = send(env, &row, &number).await;
            record(&db, &row, outcome, now_ms()).await?;
        }
    }
    Ok(())
}

async fn send(env: &Env, row: &DueNotice, number: &str) -> Result<(), String> {
    let (subject, text) = compose(&row.health_center_name, number, &row.link);
    send_message(env, &row.email, &subject, &text).await
}

/// The daily e-mail of the audit chain's head (`seq`, seal, when anchored) to `AUDIT_ANCHOR_TO`: a copy outside
/// the database and KV that a later check can be compared with by hand.
pub fn compose_anchor(anchor: &ChainAnchor) -> (String, String) {
    (
        format!("【HER-SYS】監査ログの控え（{}番まで）", anchor.seq),
        format!(
            "監査ログのハッシュチェーンの先頭の控えです。このメールは保管してください。\n\n\
             番号: {}\n署名: {}\n記録時刻: {}\n\n\
             管理画面の「改ざん検証」に表示される控えと照合できます。\n",
            anchor.seq,
            anchor.hash,
            chrono::DateTime::from_timestamp_millis(anchor.at)
                .map(|t| t.to_rfc3339())
                .unwrap_or_default(),
        ),
    )
}

/// Sends the head once a day (JST) when `AUDIT_ANCHOR_TO` is set. Never fails: a problem is logged, and the next
/// minute's run tries again.
pub async fn send_audit_anchor(env: &Env, anchor: &ChainAnchor) {
    let Some(to) = env
        .var(AUDIT_ANCHOR_TO)
        .ok()
        .map(|v| v.to_string())
        .filter(|v| !v.trim().is_empty())
    else {
        return;
    };
    let day = (chrono::DateTime::from_timestamp_millis(now_ms()).unwrap_or_default()
        + chrono::Duration::hours(9))
    .format("%Y-%m-%d")
    .to_string();
    match audit::anchor_mail_due(env, &day).await {
        Ok(true) => {}
        Ok(false) => return,
        Err(e) => {
            worker::console_error!("audit anchor mail: {}", e.detail.unwrap_or_default());
            return;
        }
    }
    let (subject, text) = compose_anchor(anchor);
    match send_message(env, &to, &subject, &text).await {
        Ok(()) => {
            worker::console_log!("audit anchor: head {} e-mailed", anchor.seq);
            if let Err(e) = audit::anchor_mailed(env, &day).await {
                worker::console_error!("audit anchor mail: {}", e.detail.unwrap_or_default());
            }
        }
        Err(reason) => worker::console_error!("audit anchor mail failed: {reason}"),
    }
}

/// Sends one message through the `MAIL` binding; the error is a short code (never the address).
pub async fn send_message(env: &Env, to: &str, subject: &str, text: &str) -> Result<(), String> {
    if to.trim().is_empty() {
        return Err("no_address".into());
    }
    let binding = js_sys::Reflect::get(env.as_ref(), &JsValue::from_str(bindings::MAIL))
        .ok()
        .filter(|b| !b.is_undefined())
        .ok_or("no_binding")?;
    let send = js_sys::Reflect::get(&binding, &JsValue::from_str("send"))
        .ok()
        .and_then(|f| f.dyn_into::<js_sys::Function>().ok())
        .ok_or("binding_without_send")?;
    let from = env
        .var("MAIL_FROM")
        .map(|v| v.to_string())
        .unwrap_or_else(|_| DEFAULT_FROM.to_owned());
    let message = js_sys::Object::new();
    for (k, v) in [
        ("from", from.as_str()),
        ("to", to.trim()),
        ("subject", subject),
        ("text", text),
    ] {
        let _ = js_sys::Reflect::set(&message, &JsValue::from_str(k), &JsValue::from_str(v));
    }
    // Reflect.apply, not `send.call(…)`: the binding is an RPC stub, on which `.call` would name a remote method.
    let args = js_sys::Array::of1(&message);
    let promise = js_sys::Reflect::apply(&send, &binding, &args).map_err(|e| js_error(&e))?;
    JsFuture::from(js_sys::Promise::resolve(&promise))
        .await
        .map(|_| ())
        .map_err(|e| js_error(&e))
}

/// Japan time as the mails write it: `2026年12月05日 21:30`.
fn jst_minute(ms: i64) -> String {
    chrono::DateTime::from_timestamp_millis(ms + 9 * 3_600_000)
        .map(|t| t.naive_utc().format("%Y年%m月%d日 %H:%M").to_string())
        .unwrap_or_default()
}

/// The one-time link after an administrator's reset, to the account's own address: the person sets a new
/// password and registers a key there. The administrator never sees the link.
pub fn compose_reset(display_name: &str, link: &str, expires_at: i64) -> (String, String) {
    (
        "【HER-SYS】パスワードとキーの再設定のご案内".to_owned(),
        format!(
            "{display_name} 様\n\n管理者があなたのHER-SYSアカウントのパスワードとセキュリティキーをリセットしました。\n\
             次のリンクから新しいパスワードを設定し、セキュリティキー（パスキー）を登録し直してください。\n\
             リンクは1回だけ使え、{} まで有効です。\n{link}\n\n\
             心当たりがない場合は、このリンクを使わず、所属の管理者または都道府県の担当者に連絡してください。\n",
            jst_minute(expires_at)
        ),
    )
}

/// The invitation link of an administrator account created after a second approver's approval, to the new
/// administrator's own address.
pub fn compose_invitation(display_name: &str, link: &str, expires_at: i64) -> (String, String) {
    (
        "【HER-SYS】管理者アカウントの招待".to_owned(),
        format!(
            "{display_name} 様\n\nHER-SYSの管理者アカウントが作成されました。\n\
             次のリンクからパスワードを設定し、セキュリティキー（パスキー）を登録してください。\n\
             リンクは1回だけ使え、{} まで有効です。\n{link}\n\n\
             心当たりがない場合は、このリンクを使わず、都道府県の担当者に連絡してください。\n",
            jst_minute(expires_at)
        ),
    )
}

/// The notice to an account's own address that a key was added to it.
pub fn compose_key_added(display_name: &str, key_name: &str, at: i64) -> (String, String) {
    (
        "【HER-SYS】セキュリティキーが追加されました".to_owned(),
        format!(
            "{display_name} 様\n\nあなたのHER-SYSアカウントにセキュリティキー（パスキー）が追加されました。\n\
             日時: {}\nキーの名前: {key_name}\n\n\
             心当たりがない場合は、すぐに所属の管理者に連絡してください。\n",
            jst_minute(at)
        ),
    )
}

/// An error's name only (a message might echo the address).
fn js_error(e: &JsValue) -> String {
    js_sys::Reflect::get(e, &JsValue::from_str("name"))
        .ok()
        .and_then(|n| n.as_string())
        .unwrap_or_else(|| "send_failed".into())
}

async fn record(
    db: &D1Database,
    row: &DueNotice,
    outcome: Result<(), String>,
    now: i64,
) -> ApiResult<()> {
    let attempts = row.attempts + 1;
    match outcome {
        Ok(()) => {
            worker::console_log!(
                "outbox: notice {} sent to {}",
                row.id,
                row.health_center_name
            );
            outbox::notice_sent(db, &row.id, attempts, now).await
        }
        Err(reason) => {
            worker::console_log!(
                "outbox: notice {} attempt {attempts} failed: {reason}",
                row.id
            );
            outbox::notice_failed(
                db,
                &NoticeFailure {
                    id: &row.id,
                    attempts,
                    given_up: attempts >= MAX_ATTEMPTS,
                    next_attempt_at: now + backoff_ms(attempts),
                    error: &reason,
                },
            )
            .await
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn backoff_doubles_up_to_an_hour() {
        assert_eq!(backoff_ms(0), 60_000);
        assert_eq!(backoff_ms(1), 120_000);
        assert_eq!(backoff_ms(5), 32 * 60_000);
        assert_eq!(backoff_ms(6), 60 * 60_000);
        assert_eq!(backoff_ms(40), 60 * 60_000);
    }

    #[test]
    fn account_mails_name_the_link_and_the_time_in_japan() {
        // 2026-12-05T12:30:00Z is 21:30 in Japan.
        let (subject, body) =
            compose_reset("山田 花子", "https://x.example/invite#t", 1_796_473_800_000);
        assert!(subject.contains("再設定"));
        assert!(body.contains("山田 花子 様"));
        assert!(body.contains("https://x.example/invite#t"));
        assert!(body.contains("2026年12月05日 21:30"), "{body}");
        let (_, body) = compose_key_added("山田 花子", "予備", 1_796_473_800_000);
        assert!(body.contains("予備") && body.contains("管理者に連絡"));
    }

    #[test]
    fn the_notice_names_no_patient() {
        let (subject, body) = compose("新宿区保健所", "00000012", "https://x.example/records");
        assert!(subject.contains("00000012"));
        assert!(body.contains("新宿区保健所 御中"));
        assert!(body.contains("https://x.example/records"));
    }
}
