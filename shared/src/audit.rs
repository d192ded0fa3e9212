//! The audit log's vocabulary: what each action and outcome code means, in Japanese, for the administrator's view
//! and its filters. The edge writes the codes (`edge/src/store/audit.rs`); the app shows these labels. One
//! vocabulary: a successful action is [`OK`] (entries written before it was settled may say `success`, which reads
//! the same).

use serde::{Deserialize, Serialize};

/// A search or list entry names at most this many of the records it returned (and always how many there were).
pub const MAX_LOGGED_IDS: usize = 200;

/// The `detail` of an entry that returned records: `{"n": count, "ids": [the first MAX_LOGGED_IDS]}`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Returned {
    pub n: i64,
    pub ids: Vec<String>,
}

impl Returned {
    pub fn of<I: IntoIterator<Item = S>, S: Into<String>>(ids: I) -> Self {
        let mut n = 0i64;
        let mut kept = Vec::new();
        for id in ids {
            n += 1;
            if kept.len() < MAX_LOGGED_IDS {
                kept.push(id.into());
            }
        }
        Self { n, ids: kept }
    }
}

/// The outcome of every action that did what was asked.
pub const OK: &str = "ok";

/// Outcome codes that mean the action was done (`success` is the older spelling of [`OK`]; `replayed` is a
/// repeated filing answered with the first result).
pub const SUCCESS_OUTCOMES: &[&str] = &[
    OK,
    "success",
    "replayed",
    "pending",
    "unchanged",
    "duplicate",
    "linked",
];

/// Outcome codes that mean the caller was refused by a rule (rights, state, lock, throttling).
pub const REFUSED_OUTCOMES: &[&str] = &[
    "forbidden",
    "refused_self",
    "refused_target",
    "managed_by_health_center",
    "transition_refused",
    "deleted",
    "locked",
    "deactivated",
    "failure_locked",
    "throttled",
    "throttled_address",
    "policy_rejected",
    "key_reused",
    "second_approver_required",
    "step_up_required",
    "closed",
];

/// The three kinds of outcome an administrator filters by.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OutcomeKind {
    Success,
    Refused,
    Failure,
}

impl OutcomeKind {
    pub const ALL: [OutcomeKind; 3] = [Self::Success, Self::Refused, Self::Failure];

    pub fn of(outcome: &str) -> Self {
        if SUCCESS_OUTCOMES.contains(&outcome) {
            Self::Success
        } else if REFUSED_OUTCOMES.contains(&outcome) {
            Self::Refused
        } else {
            Self::Failure
        }
    }

    pub fn label(self) -> &'static str {
        match self {
            Self::Success => "成功",
            Self::Refused => "拒否",
            Self::Failure => "失敗",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Self::Success => "success",
            Self::Refused => "refused",
            Self::Failure => "failure",
        }
    }

    pub fn parse(s: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|k| k.as_str() == s)
    }
}

/// The Japanese label of an outcome code: the kind, with the reason when there is one.
pub fn outcome_label(outcome: &str) -> String {
    let reason = match outcome {
        "ok" | "success" => return "成功".into(),
        "replayed" => "再送・受付済み",
        "duplicate" => "同じ方の登録が受付済み",
        "linked" => "既存の記録に紐付け",
        "pending" => "承認待ち",
        "second_approver_required" => "別の承認者が必要",
        "step_up_required" => "本人確認が必要",
        "closed" => "処理済みまたは期限切れ",
        "no_address" => "メールアドレスなし",
        "mail_failed" => "メール送信の失敗",
        "forbidden" => "権限なし",
        "refused_self" => "自分自身は操作できません",
        "managed_by_health_center" => "保健所が管理中",
        "transition_refused" => "この状態へは変更できません",
        "deleted" => "削除済みの記録",
        "locked" => "ロック中",
        "deactivated" => "無効化されたアカウント",
        "failure_locked" => "失敗が続いたためロック",
        "throttled" | "throttled_address" => "試行回数の制限",
        "policy_rejected" => "パスワードの条件を満たしていません",
        "key_reused" => "送信キーの再使用",
        "not_found" => "対象が見つかりません",
        "unknown_id" => "存在しないID",
        "failure" => "認証できませんでした",
        "invalid" => "入力内容の誤り",
        "unchanged" => "変更なし（再送）",
        "invalid_or_expired" => "無効または期限切れ",
        "conflict" => "同時に更新されました",
        "chain_broken" => "改ざんを検出",
        "unreadable" => "読み取れない届出があり中断",
        _ => "キーの検証",
    };
    format!("{}（{reason}）", OutcomeKind::of(outcome).label())
}

/// Every action code the edge writes, with its Japanese label, in the order the filter lists them.
pub const ACTIONS: &[(&str, &str)] = &[
    ("sign_in_password", "サインイン（パスワード）"),
    ("sign_in_webauthn", "サインイン（キーの確認）"),
    ("sign_in", "サインイン"),
    ("sign_in_passkey", "サインイン（パスキー）"),
    ("sign_in_recovery_code", "サインイン（回復コード）"),
    ("sign_out", "サインアウト"),
    ("password_change", "パスワード変更"),
    ("credential_register", "キーの登録"),
    ("credential_rename", "キーの名前変更"),
    ("credential_remove", "キーの削除"),
    ("invitation_accept", "招待の受諾"),
    ("account_list", "アカウント一覧の閲覧"),
    ("account_create", "アカウントの作成"),
    ("account_action", "アカウントの操作"),
    ("account_lock", "アカウントのロック"),
    ("account_unlock", "アカウントのロック解除"),
    ("account_deactivate", "アカウントの無効化"),
    ("account_reactivate", "アカウントの再有効化"),
    ("account_reset", "パスワード・キーのリセット"),
    ("account_request", "管理者アカウント操作の承認依頼"),
    ("account_request_list", "承認待ちの一覧の閲覧"),
    ("account_request_approve", "承認依頼の承認"),
    ("account_request_reject", "承認依頼の却下"),
    ("step_up", "キー追加前の本人確認"),
    ("institution_create", "医療機関の追加"),
    ("doctor_add", "医師の追加"),
    ("doctor_remove", "医師の削除"),
    ("directory_read", "保健所一覧の閲覧"),
    ("directory_edit", "保健所情報の編集"),
    ("directory_export", "保健所一覧のCSV出力"),
    ("directory_import", "保健所一覧のCSV取込"),
    ("audit_verify", "監査ログの改ざん検証"),
    ("audit_read", "監査ログの閲覧"),
    ("notification_file", "発生届の提出"),
    ("notification_list", "発生届一覧の閲覧"),
    ("notification_read", "発生届の閲覧"),
    ("notification_receive", "発生届の受理"),
    ("notification_edit", "発生届の修正"),
    ("notification_transfer", "発生届の移送"),
    ("notification_duplicates", "重複届出の確認"),
    ("case_search", "登録情報の検索"),
    ("case_read", "登録情報の閲覧"),
    ("fhir_read", "発生届のFHIR出力"),
    ("case_create", "届出前の登録"),
    ("case_edit", "登録情報の編集"),
    ("case_status", "措置判定の記録"),
    ("case_status_withdraw", "措置判定の取消し"),
    ("case_delete", "記録の削除"),
    ("case_restore", "記録の復元"),
    ("case_deleted_list", "削除した記録の一覧"),
    ("drive_sync", "ドライブスルーの同期"),
    ("drive_sync_create", "ドライブスルーの受付登録"),
    ("drive_sync_update", "ドライブスルーの記録更新"),
    ("device_key_release", "端末の鍵の払い出し"),
    ("observation_read", "健康観察の閲覧"),
    ("observation_start", "健康観察の開始・変更"),
    ("observation_stop", "健康観察の終了"),
    ("alerts_read", "健康観察アラートの閲覧"),
    ("alert_handle", "アラートの対応"),
    ("dashboard_read", "ダッシュボードの閲覧"),
    ("observe_sign_in", "本人のスマホのサインイン"),
    ("observe_passkey_register", "本人のスマホのパスキー登録"),
    (
        "observe_passkey_sign_in",
        "本人のスマホのサインイン（パスキー）",
    ),
    ("observe_report", "本人からの健康観察の報告"),
    ("daily_totals_read", "日次報告の閲覧"),
    ("daily_totals_put", "日次報告の送信"),
    ("daily_status_read", "日次報告の状況の閲覧"),
    ("sentinel_sites_read", "定点医療機関の一覧の閲覧"),
    ("sentinel_designate", "定点医療機関の指定"),
    ("sentinel_end", "定点医療機関の指定の終了"),
    ("sentinel_report_read", "定点報告の閲覧"),
    ("sentinel_report_put", "定点報告の送信"),
    ("counts_read", "発生数ダッシュボードの閲覧"),
    ("self_registration_submit", "陽性者の自己登録"),
    ("self_registration_list", "自己登録の一覧の閲覧"),
    ("self_registration_read", "自己登録の閲覧"),
    ("self_registration_confirm", "自己登録の確認・登録"),
    ("self_registration_reject", "自己登録の却下"),
    ("export_preview", "エクスポートの件数確認"),
    ("export", "エクスポート（条件と件数）"),
    ("export_rows", "エクスポートした記録（ページごと）"),
    ("export_done", "エクスポートの完了"),
];

/// The Japanese label of an action code (an unknown code is shown as it is).
pub fn action_label(action: &str) -> &str {
    ACTIONS
        .iter()
        .find(|(code, _)| *code == action)
        .map_or(action, |(_, label)| label)
}

/// Whether `action` is one of [`ACTIONS`] (the edge refuses any other in a filter).
pub fn is_action(action: &str) -> bool {
    ACTIONS.iter().any(|(code, _)| *code == action)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ok_and_success_read_the_same() {
        assert_eq!(outcome_label("ok"), outcome_label("success"));
        assert_eq!(OutcomeKind::of("success"), OutcomeKind::Success);
        assert_eq!(outcome_label("forbidden"), "拒否（権限なし）");
        assert_eq!(OutcomeKind::of("challenge_mismatch"), OutcomeKind::Failure);
    }

    #[test]
    fn every_action_has_one_japanese_label() {
        for (n, (code, label)) in ACTIONS.iter().enumerate() {
            assert!(!label.is_ascii(), "{code}");
            assert!(
                !ACTIONS[n + 1..].iter().any(|(c, _)| c == code),
                "{code} twice"
            );
        }
        assert_eq!(action_label("case_read"), "登録情報の閲覧");
        assert_eq!(action_label("no_such"), "no_such");
    }

    #[test]
    fn a_returned_list_keeps_its_count_and_the_first_ids() {
        let r = Returned::of((0..MAX_LOGGED_IDS + 5).map(|i| format!("c{i}")));
        assert_eq!(r.n, (MAX_LOGGED_IDS + 5) as i64);
        assert_eq!(r.ids.len(), MAX_LOGGED_IDS);
        assert_eq!(r.ids[0], "c0");
        assert_eq!(Returned::of(Vec::<String>::new()).n, 0);
    }
}
