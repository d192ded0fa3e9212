//! Stable error codes of the API, and the one place their Japanese messages are written.

use serde::{Deserialize, Serialize};

/// Every error the API can return. The serialised name (`SCREAMING_SNAKE_CASE`) is the stable code clients match on.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum ErrorCode {
    NotFound,
    MethodNotAllowed,
    BadRequest,
    PayloadTooLarge,
    Unauthenticated,
    Forbidden,
    StorageUnavailable,
    Internal,
    InvalidCredentials,
    AccountLocked,
    AccountDisabled,
    TooManyAttempts,
    PasswordPolicy,
    OriginMismatch,
    WebauthnFailed,
    ChallengeExpired,
    SignInStepRequired,
    LastCredential,
    Conflict,
    ValidationFailed,
    WarningsUnacknowledged,
    IdempotencyKeyReused,
    EditConflict,
    TransitionNotAllowed,
    SyncProtocolUnsupported,
    ObserveSignInFailed,
    ObserveTooManyAttempts,
    ManagedByHealthCenter,
    /// The worker's configuration breaks a rule of `shared::config` (it answers nothing else until fixed).
    ConfigurationInvalid,
    AuditUnavailable,
    StepUpRequired,
    EmailRequired,
    SecondApproverRequired,
    RequestClosed,
    MailFailed,
    DayInFuture,
    DayOutsideRegime,
    NotWeekStart,
    CountBelowNotified,
    OtherInstitution,
    NotSentinelSite,
    /// A rejection without its reason (the field `reason`).
    ReasonRequired,
    /// Too many export downloads by this account in the hour (issue 22).
    ExportRateLimited,
    /// A stored notification an export reached does not read (issue 22): the export stops, naming the record.
    ExportRecordUnreadable,
    /// The record is being moved between shards (issue 23, `edge/src/store/moves.rs`): writes wait until it is done.
    RecordMoving,
    /// A record linked to another by a household's health observation (同居者) cannot move to another shard alone.
    HouseholdLinked,
}

impl ErrorCode {
    /// Every variant, for exhaustive tests and documentation.
    pub const ALL: [ErrorCode; 46] = [
        ErrorCode::NotFound,
        ErrorCode::MethodNotAllowed,
        ErrorCode::BadRequest,
        ErrorCode::PayloadTooLarge,
        ErrorCode::Unauthenticated,
        ErrorCode::Forbidden,
        ErrorCode::StorageUnavailable,
        ErrorCode::Internal,
        ErrorCode::InvalidCredentials,
        ErrorCode::AccountLocked,
        ErrorCode::AccountDisabled,
        ErrorCode::TooManyAttempts,
        ErrorCode::PasswordPolicy,
        ErrorCode::OriginMismatch,
        ErrorCode::WebauthnFailed,
        ErrorCode::ChallengeExpired,
        ErrorCode::SignInStepRequired,
        ErrorCode::LastCredential,
        ErrorCode::Conflict,
        ErrorCode::ValidationFailed,
        ErrorCode::WarningsUnacknowledged,
        ErrorCode::IdempotencyKeyReused,
        ErrorCode::EditConflict,
        ErrorCode::TransitionNotAllowed,
        ErrorCode::SyncProtocolUnsupported,
        ErrorCode::ObserveSignInFailed,
        ErrorCode::ObserveTooManyAttempts,
        ErrorCode::ManagedByHealthCenter,
        ErrorCode::ConfigurationInvalid,
        ErrorCode::AuditUnavailable,
        ErrorCode::StepUpRequired,
        ErrorCode::EmailRequired,
        ErrorCode::SecondApproverRequired,
        ErrorCode::RequestClosed,
        ErrorCode::MailFailed,
        ErrorCode::DayInFuture,
        ErrorCode::DayOutsideRegime,
        ErrorCode::NotWeekStart,
        ErrorCode::CountBelowNotified,
        ErrorCode::OtherInstitution,
        ErrorCode::NotSentinelSite,
        ErrorCode::ReasonRequired,
        ErrorCode::ExportRateLimited,
        ErrorCode::ExportRecordUnreadable,
        ErrorCode::RecordMoving,
        ErrorCode::HouseholdLinked,
    ];

    /// HTTP status the edge answers with.
    pub fn http_status(self) -> u16 {
        match self {
            ErrorCode::NotFound => 404,
            ErrorCode::MethodNotAllowed => 405,
            ErrorCode::BadRequest => 400,
            ErrorCode::PayloadTooLarge => 413,
            ErrorCode::Unauthenticated => 401,
            ErrorCode::Forbidden => 403,
            ErrorCode::StorageUnavailable => 503,
            ErrorCode::Internal => 500,
            ErrorCode::InvalidCredentials => 401,
            ErrorCode::AccountLocked => 423,
            ErrorCode::AccountDisabled => 403,
            ErrorCode::TooManyAttempts => 429,
            ErrorCode::PasswordPolicy => 422,
            ErrorCode::OriginMismatch => 403,
            ErrorCode::WebauthnFailed => 401,
            ErrorCode::ChallengeExpired => 400,
            ErrorCode::SignInStepRequired => 409,
            ErrorCode::LastCredential => 409,
            ErrorCode::Conflict => 409,
            ErrorCode::ValidationFailed => 422,
            ErrorCode::WarningsUnacknowledged => 422,
            ErrorCode::IdempotencyKeyReused => 409,
            ErrorCode::EditConflict => 409,
            ErrorCode::TransitionNotAllowed => 422,
            ErrorCode::SyncProtocolUnsupported => 426,
            ErrorCode::ObserveSignInFailed => 401,
            ErrorCode::ObserveTooManyAttempts => 429,
            ErrorCode::ManagedByHealthCenter => 403,
            ErrorCode::ConfigurationInvalid => 500,
            ErrorCode::AuditUnavailable => 503,
            ErrorCode::StepUpRequired => 403,
            ErrorCode::EmailRequired => 422,
            ErrorCode::SecondApproverRequired => 403,
            ErrorCode::RequestClosed => 409,
            ErrorCode::MailFailed => 503,
            ErrorCode::DayInFuture => 422,
            ErrorCode::DayOutsideRegime => 422,
            ErrorCode::NotWeekStart => 422,
            ErrorCode::CountBelowNotified => 422,
            ErrorCode::OtherInstitution => 403,
            ErrorCode::NotSentinelSite => 403,
            ErrorCode::ReasonRequired => 422,
            ErrorCode::ExportRateLimited => 429,
            ErrorCode::ExportRecordUnreadable => 500,
            ErrorCode::RecordMoving => 409,
            ErrorCode::HouseholdLinked => 409,
        }
    }

    /// The Japanese message shown to people.
    pub fn message_ja(self) -> &'static str {
        match self {
            ErrorCode::NotFound => "指定されたAPIは存在しません。",
            ErrorCode::MethodNotAllowed => "このAPIはその操作に対応していません。",
            ErrorCode::BadRequest => "リクエストの形式が正しくありません。",
            ErrorCode::PayloadTooLarge => "送信データが大きすぎます。",
            ErrorCode::Unauthenticated => "ログインが必要です。",
            ErrorCode::Forbidden => "この操作を行う権限がありません。",
            ErrorCode::StorageUnavailable => {
                "データベースに接続できません。しばらくしてから再度お試しください。"
            }
            ErrorCode::Internal => "システムエラーが発生しました。",
            ErrorCode::InvalidCredentials => "サインインIDまたはパスワードが正しくありません。失敗が続いたIDは、しばらくの間セキュリティキーでのみサインインできます。",
            ErrorCode::AccountLocked => "このアカウントはロックされています。15分後に再度お試しいただくか、管理者に解除を依頼してください。",
            ErrorCode::AccountDisabled => "このアカウントは利用停止されています。管理者にお問い合わせください。",
            ErrorCode::TooManyAttempts => "短時間の操作（サインインの失敗など）が多すぎます。しばらくしてから再度お試しください。",
            ErrorCode::PasswordPolicy => "パスワードが条件を満たしていません。",
            ErrorCode::OriginMismatch => "不正な送信元からのリクエストです。",
            ErrorCode::WebauthnFailed => "セキュリティキー（パスキー）による認証に失敗しました。",
            ErrorCode::ChallengeExpired => "認証の有効期限が切れました。最初からやり直してください。",
            ErrorCode::SignInStepRequired => "サインインの手順が正しくありません。最初からやり直してください。",
            ErrorCode::LastCredential => "最後のセキュリティキーは削除できません。先に別のキーを登録してください。",
            ErrorCode::Conflict => "すでに登録されています。",
            ErrorCode::ValidationFailed => "入力内容に誤りがあります。",
            ErrorCode::WarningsUnacknowledged => {
                "確認が必要な項目があります。内容を確認のうえ、このまま報告するか修正してください。"
            }
            ErrorCode::IdempotencyKeyReused => {
                "同じ送信番号で異なる内容が送信されました。画面を開き直して入力し直してください。"
            }
            ErrorCode::EditConflict => {
                "ほかの方がこの記録を先に更新しました。最新の内容を確認してから、もう一度保存してください。"
            }
            ErrorCode::TransitionNotAllowed => "現在のステータスからは、そのステータスに変更できません。",
            ErrorCode::SyncProtocolUnsupported => {
                "この端末のアプリが古いため送信できません。画面を再読み込みしてアプリを更新してください（端末の記録は消えません）。"
            }
            ErrorCode::ObserveSignInFailed => {
                "スマホ入力IDまたは生年月日が正しくないか、健康観察の期間ではありません。保健所からの用紙を確認してください。"
            }
            ErrorCode::ObserveTooManyAttempts => {
                "入力の誤りが続いたため、しばらく入力できません。30分ほどしてから再度お試しいただくか、保健所にお電話ください。"
            }
            ErrorCode::ManagedByHealthCenter => {
                "この記録は保健所が受理し、管理しています。削除が必要な場合は、管理している保健所に依頼してください。"
            }
            ErrorCode::ConfigurationInvalid => {
                "システムの設定に誤りがあるため、利用できません。システム管理者に連絡してください。"
            }
            ErrorCode::AuditUnavailable => {
                "操作の記録（監査ログ）を残せないため、受け付けられませんでした。システム管理者に連絡してください。"
            }
            ErrorCode::StepUpRequired => {
                "キーを追加する前に、本人確認として登録済みのキー（キーがない場合はパスワード）で確認してください。"
            }
            ErrorCode::EmailRequired => {
                "このアカウントにはメールアドレスが登録されていないため、リセットのリンクを送れません。都道府県の担当者にお問い合わせください。"
            }
            ErrorCode::SecondApproverRequired => {
                "この依頼は、依頼した本人や対象の管理者本人は承認できません。同じ保健所の別の管理者か、都道府県の担当者が承認します。"
            }
            ErrorCode::RequestClosed => {
                "この依頼はすでに処理されたか、期限が切れています。"
            }
            ErrorCode::MailFailed => {
                "メールを送信できませんでした。しばらくしてから、もう一度操作してください。"
            }
            ErrorCode::DayInFuture => "未来の日付（週）は報告できません。日付を確認してください。",
            ErrorCode::DayOutsideRegime => "その日付（週）は、この報告の対象期間ではありません。日付を確認してください。",
            ErrorCode::NotWeekStart => "報告週は週の始まり（月曜日）の日付で指定してください。",
            ErrorCode::CountBelowNotified => "年代別の人数が、その日に発生届を出した人数より少なくなっています。発生届を出した人も含めて入力してください。",
            ErrorCode::OtherInstitution => "ほかの医療機関の分は報告できません（医療機関: institution_id）。自院の分だけを報告してください。",
            ErrorCode::NotSentinelSite => "この医療機関はその週の定点医療機関に指定されていません。保健所に確認してください。",
            ErrorCode::ReasonRequired => "却下の理由（reason）を入力してください。",
            ErrorCode::ExportRateLimited => "1時間あたりのエクスポートの回数の上限に達しました（個人情報を含むファイルは1時間に20回まで）。しばらくしてから再度お試しください。",
            ErrorCode::ExportRecordUnreadable => "保存されている届出の一部を読み取れないため、エクスポートを中止しました（届出は省略せずに中止します）。システム管理者に連絡してください。",
            ErrorCode::RecordMoving => "この記録は保存先を移しているところです。少し待ってからもう一度保存してください（入力した内容はそのまま残っています）。",
            ErrorCode::HouseholdLinked => "この記録は同居者の健康観察と結び付いているため、他の都道府県の保健所へは単独で移管できません。先に同居者の結び付けを解除してください。",
        }
    }

    /// The stable code as a string (the same text serde writes).
    pub fn as_str(self) -> &'static str {
        match self {
            ErrorCode::NotFound => "NOT_FOUND",
            ErrorCode::MethodNotAllowed => "METHOD_NOT_ALLOWED",
            ErrorCode::BadRequest => "BAD_REQUEST",
            ErrorCode::PayloadTooLarge => "PAYLOAD_TOO_LARGE",
            ErrorCode::Unauthenticated => "UNAUTHENTICATED",
            ErrorCode::Forbidden => "FORBIDDEN",
            ErrorCode::StorageUnavailable => "STORAGE_UNAVAILABLE",
            ErrorCode::Internal => "INTERNAL",
            ErrorCode::InvalidCredentials => "INVALID_CREDENTIALS",
            ErrorCode::AccountLocked => "ACCOUNT_LOCKED",
            ErrorCode::AccountDisabled => "ACCOUNT_DISABLED",
            ErrorCode::TooManyAttempts => "TOO_MANY_ATTEMPTS",
            ErrorCode::PasswordPolicy => "PASSWORD_POLICY",
            ErrorCode::OriginMismatch => "ORIGIN_MISMATCH",
            ErrorCode::WebauthnFailed => "WEBAUTHN_FAILED",
            ErrorCode::ChallengeExpired => "CHALLENGE_EXPIRED",
            ErrorCode::SignInStepRequired => "SIGN_IN_STEP_REQUIRED",
            ErrorCode::LastCredential => "LAST_CREDENTIAL",
            ErrorCode::Conflict => "CONFLICT",
            ErrorCode::ValidationFailed => "VALIDATION_FAILED",
            ErrorCode::WarningsUnacknowledged => "WARNINGS_UNACKNOWLEDGED",
            ErrorCode::IdempotencyKeyReused => "IDEMPOTENCY_KEY_REUSED",
            ErrorCode::EditConflict => "EDIT_CONFLICT",
            ErrorCode::TransitionNotAllowed => "TRANSITION_NOT_ALLOWED",
            ErrorCode::SyncProtocolUnsupported => "SYNC_PROTOCOL_UNSUPPORTED",
            ErrorCode::ObserveSignInFailed => "OBSERVE_SIGN_IN_FAILED",
            ErrorCode::ObserveTooManyAttempts => "OBSERVE_TOO_MANY_ATTEMPTS",
            ErrorCode::ManagedByHealthCenter => "MANAGED_BY_HEALTH_CENTER",
            ErrorCode::ConfigurationInvalid => "CONFIGURATION_INVALID",
            ErrorCode::AuditUnavailable => "AUDIT_UNAVAILABLE",
            ErrorCode::StepUpRequired => "STEP_UP_REQUIRED",
            ErrorCode::EmailRequired => "EMAIL_REQUIRED",
            ErrorCode::SecondApproverRequired => "SECOND_APPROVER_REQUIRED",
            ErrorCode::RequestClosed => "REQUEST_CLOSED",
            ErrorCode::MailFailed => "MAIL_FAILED",
            ErrorCode::DayInFuture => "DAY_IN_FUTURE",
            ErrorCode::DayOutsideRegime => "DAY_OUTSIDE_REGIME",
            ErrorCode::NotWeekStart => "NOT_WEEK_START",
            ErrorCode::CountBelowNotified => "COUNT_BELOW_NOTIFIED",
            ErrorCode::OtherInstitution => "OTHER_INSTITUTION",
            ErrorCode::NotSentinelSite => "NOT_SENTINEL_SITE",
            ErrorCode::ReasonRequired => "REASON_REQUIRED",
            ErrorCode::ExportRateLimited => "EXPORT_RATE_LIMITED",
            ErrorCode::ExportRecordUnreadable => "EXPORT_RECORD_UNREADABLE",
            ErrorCode::RecordMoving => "RECORD_MOVING",
            ErrorCode::HouseholdLinked => "HOUSEHOLD_LINKED",
        }
    }
}

impl From<ErrorCode> for crate::api::ErrorBody {
    fn from(code: ErrorCode) -> Self {
        crate::api::ErrorBody {
            error: crate::api::ErrorDetail {
                code,
                message: code.message_ja().to_owned(),
                reason: None,
                rules: Vec::new(),
                issues: Vec::new(),
                conflict: None,
            },
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn as_str_matches_serde_name_for_every_code() {
        for code in ErrorCode::ALL {
            let json = serde_json::to_string(&code).unwrap();
            assert_eq!(json, format!("\"{}\"", code.as_str()));
        }
    }

    #[test]
    fn every_code_is_a_client_or_server_error_with_a_japanese_message() {
        for code in ErrorCode::ALL {
            assert!((400..600).contains(&code.http_status()), "{code:?}");
            assert!(
                code.message_ja().chars().any(|c| c > '\u{3000}'),
                "{code:?}"
            );
        }
    }

    #[test]
    fn error_body_has_the_documented_shape() {
        let body: crate::api::ErrorBody = ErrorCode::NotFound.into();
        let v: serde_json::Value = serde_json::to_value(&body).unwrap();
        assert_eq!(v["error"]["code"], "NOT_FOUND");
        assert!(v["error"]["message"]
            .as_str()
            .unwrap()
            .contains("存在しません"));
    }
}
