//! UI text (Japanese), kept in one place rather than sprinkled through the components.

pub const PRODUCT_SUBTITLE: &str = "新型コロナウイルス感染者等情報把握・管理支援システム";
pub const SIGNED_OUT: &str = "未ログイン";
pub const ONLINE: &str = "オンライン";
pub const OFFLINE: &str = "オフライン";
pub const NETWORK_LABEL: &str = "通信状態";
pub const SKIP_TO_MAIN: &str = "本文へ移動";

pub const HOME_HEADING: &str = "メニュー";
pub const HOME_LEAD: &str = "行いたい操作を選んでください。";
pub const SECTION_NEW: &str = "新たに発生届を提出する場合、発生届の提出前に使用する場合";
pub const SECTION_EXISTING: &str = "入力済の情報を閲覧・編集する場合";

pub const ACTION_NEW: &str = "新たに発生届を提出する";
pub const ACTION_NEW_HINT: &str = "診断した患者の発生届を入力して保健所へ報告します。";
pub const ACTION_PRE: &str = "発生届の提出前に使用する";
pub const ACTION_PRE_HINT: &str = "検体採取や検査結果など、発生届の前の情報を登録します。";
pub const ACTION_DRIVE: &str = "ドライブスルー検査";
pub const ACTION_DRIVE_HINT: &str =
    "検査会場で受付・検体採取・結果を端末に記録し、通信できるときに送信します（オフライン可）。";
pub const ACTION_VIEW: &str = "閲覧・編集する";
pub const ACTION_VIEW_HINT: &str = "登録情報一覧で発生届・患者情報を検索し、閲覧・編集します。";
pub const ACTION_INBOX_HC: &str = "受信した発生届";
pub const ACTION_INBOX_HC_HINT: &str = "届いた発生届を未確認のものから確認します（開くと受理）。";
pub const ACTION_INBOX_CLINIC: &str = "届け出た発生届";
pub const ACTION_INBOX_CLINIC_HINT: &str = "提出した発生届と保健所の受理状況を確認します。";
pub const ACTION_INBOX_PREF: &str = "都道府県内の発生届";
pub const ACTION_INBOX_PREF_HINT: &str = "都道府県内で提出された発生届を確認します。";
pub const ACTION_DELETED: &str = "削除した記録";
pub const ACTION_DELETED_HINT: &str = "削除された記録を確認し、必要なら復元します（管理者）。";

pub const SECTION_OBSERVATION: &str = "健康観察・集計";
pub const ACTION_ALERTS: &str = "健康観察アラート";
pub const ACTION_ALERTS_HINT: &str =
    "スマホからの報告で見つかった症状の悪化や報告遅れに、緊急度の高い順に対応します。";
pub const ACTION_DASHBOARD: &str = "ダッシュボード";
pub const ACTION_DASHBOARD_HINT: &str =
    "発生状況のグラフ、ステータス別の人数、健康観察の状況を確認します。";

pub const BACK_TO_MENU: &str = "メニューへ戻る";

pub const NOT_FOUND_HEADING: &str = "ページが見つかりません";
pub const NOT_FOUND_BODY: &str =
    "指定されたページは存在しません。メニューから操作を選んでください。";
pub const VERSION_LABEL: &str = "バージョン";

pub const AGGREGATES_ONLY: &str = "厚生労働省のアカウントでは、個人情報を含む記録は表示されません。全国の集計はダッシュボードで確認できます。";
pub const NOT_PERMITTED: &str = "この操作を行う権限がありません。";
pub const NOT_PERMITTED_HINT: &str = "ご自身の役割で利用できる操作をメニューから選んでください。";

pub const SECTION_COUNTS: &str = "年代別の人数（日次報告・定点報告）";
pub const ACTION_DAILY: &str = "日次報告（年代別の人数）";
pub const ACTION_DAILY_HINT: &str =
    "その日に診断した人数を年代別に報告します（2022年9月26日〜2023年5月7日）。";
pub const ACTION_SENTINEL: &str = "定点報告（週報）";
pub const ACTION_SENTINEL_HINT: &str =
    "定点医療機関が1週間の人数を年代別に報告します（2023年5月8日から）。";
pub const ACTION_COUNTS: &str = "発生数（年代別）";
pub const ACTION_COUNTS_HINT: &str =
    "届出・日次報告・自己登録を合わせた日別・年代別の人数と、定点当たりの報告数を見ます。";
pub const ACTION_DAILY_STATUS: &str = "日次報告の状況";
pub const ACTION_DAILY_STATUS_HINT: &str = "医療機関ごとの報告済み・未報告・締切後を確認します。";
pub const ACTION_SITES: &str = "定点医療機関の指定";
pub const ACTION_SITES_HINT: &str = "管内の医療機関を定点に指定し、指定を終了します。";
pub const SECTION_SELF_REGISTRATION: &str = "陽性者の自己登録";
pub const ACTION_SELF_REGISTRATIONS: &str = "自己登録の確認";
pub const ACTION_SELF_REGISTRATIONS_HINT: &str =
    "本人が登録した陽性者を確認し、記録と健康観察を登録するか、理由を添えて却下します。";

pub const SECTION_EXPORTS: &str = "データの書き出し";
pub const ACTION_EXPORTS: &str = "データの書き出し";
pub const ACTION_EXPORTS_HINT_CLINIC: &str =
    "自院が届け出た発生届を、電子カルテ等に取り込めるFHIR形式で保存します。";
pub const ACTION_EXPORTS_HINT_HC: &str =
    "管理する記録をCSV（Excel）またはFHIR形式で、件数を確認してから保存します。";
pub const ACTION_EXPORTS_HINT_PREF: &str =
    "都道府県の記録のCSV・FHIRと、公表用のオープンデータ（日別の陽性者数）を保存します。";
pub const ACTION_EXPORTS_HINT_NATIONAL: &str =
    "都道府県別・日別の新規陽性者数を、厚生労働省オープンデータの形式で保存します（個人情報なし）。";

/// A count with thousands separators: 「1,234」 (search results, exports).
pub fn grouped(n: u64) -> String {
    let digits = n.to_string();
    let mut out = String::with_capacity(digits.len() + digits.len() / 3);
    for (i, c) in digits.chars().enumerate() {
        if i > 0 && (digits.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// The health-center directory (issue 23), under 管理 on the menu.
pub const SECTION_MANAGE: &str = "管理";
pub const ACTION_DIRECTORY_PREF: &str = "保健所の一覧";
pub const ACTION_DIRECTORY_PREF_HINT: &str =
    "都道府県内の保健所の名称・住所・電話番号・通知メールと担当市区町村を管理します（CSVの書き出し・取り込み）";
pub const ACTION_DIRECTORY_HC: &str = "保健所の連絡先";
pub const ACTION_DIRECTORY_HC_HINT: &str =
    "あなたの保健所の住所・電話番号・通知メールアドレスを管理します";
