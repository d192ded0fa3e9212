//! The status record (措置判定記録, manual 5.1): the manual's 11 states in its order, the place category and severity
//! written with each entry, and which state may follow which.
//!
//! The manual lists the states but not the transitions; the rule here follows the course of a case: a contact is
//! observed and tested, a result is reported, the patient waits for admission or is admitted, may become severe and
//! recover, is discharged, and is released (待機解除連絡) or dies. Readmission after discharge is allowed;
//! nothing follows 死亡. A wrong entry is not fixed by an impossible transition but withdrawn (取消), which the
//! record keeps.

use serde::{Deserialize, Serialize};

use crate::notification::options::options;

options! {
    /// 現在のステータス, in the order of the manual's 記録 tab.
    CaseStatus {
        SpecimenCollected => "検体採取",
        ResultReported => "検査結果報告",
        ContactObservation => "健康観察（接触者）",
        WaitingLow => "入院待機（優先度低）",
        WaitingHigh => "入院待機（優先度高）",
        Admitted => "入院",
        BecameSevere => "重症化した",
        NoLongerSevere => "重症化を脱した",
        Discharged => "退院",
        Released => "待機解除連絡",
        Died => "死亡",
    }
}

options! {
    /// 居所の区分 of a status entry.
    PlaceCategory {
        Home => "自宅",
        Hotel => "宿泊療養施設",
        Hospital => "医療機関",
        Welfare => "社会福祉施設",
        Other => "その他",
    }
}

/// The manual's definition, shown beside 重症化した (5.1 ※).
pub const SEVERE_DEFINITION: &str = "【重症化した】の定義は、当該感染者等が①ICUに入っている場合、②ECMOを利用している場合または③人工呼吸器を利用している場合です。";

impl CaseStatus {
    /// The stable snake_case name stored in D1 and sent over the API.
    pub fn as_str(self) -> &'static str {
        match self {
            CaseStatus::SpecimenCollected => "specimen_collected",
            CaseStatus::ResultReported => "result_reported",
            CaseStatus::ContactObservation => "contact_observation",
            CaseStatus::WaitingLow => "waiting_low",
            CaseStatus::WaitingHigh => "waiting_high",
            CaseStatus::Admitted => "admitted",
            CaseStatus::BecameSevere => "became_severe",
            CaseStatus::NoLongerSevere => "no_longer_severe",
            CaseStatus::Discharged => "discharged",
            CaseStatus::Released => "released",
            CaseStatus::Died => "died",
        }
    }

    pub fn parse(s: &str) -> Option<CaseStatus> {
        Self::ALL.iter().copied().find(|c| c.as_str() == s)
    }

    /// The states that may follow this one.
    pub fn next(self) -> &'static [CaseStatus] {
        use CaseStatus::*;
        match self {
            SpecimenCollected => &[
                ResultReported,
                ContactObservation,
                WaitingLow,
                WaitingHigh,
                Admitted,
                Released,
                Died,
            ],
            ResultReported => &[
                SpecimenCollected,
                ContactObservation,
                WaitingLow,
                WaitingHigh,
                Admitted,
                Released,
                Died,
            ],
            ContactObservation => &[
                SpecimenCollected,
                ResultReported,
                WaitingLow,
                WaitingHigh,
                Admitted,
                Released,
                Died,
            ],
            WaitingLow => &[WaitingHigh, Admitted, Released, Died],
            WaitingHigh => &[WaitingLow, Admitted, Released, Died],
            Admitted => &[BecameSevere, Discharged, Died],
            BecameSevere => &[NoLongerSevere, Died],
            NoLongerSevere => &[BecameSevere, Discharged, Died],
            Discharged => &[WaitingLow, WaitingHigh, Admitted, Released, Died],
            Released => &[SpecimenCollected, ContactObservation, Admitted, Died],
            Died => &[],
        }
    }

    /// Whether `to` may be recorded after `from` (`None`: the record has no status yet, where anything may start).
    pub fn may_follow(from: Option<CaseStatus>, to: CaseStatus) -> bool {
        match from {
            None => true,
            Some(f) => f.next().contains(&to),
        }
    }

    /// The states allowed next, in the manual's order.
    pub fn allowed_after(from: Option<CaseStatus>) -> Vec<CaseStatus> {
        Self::ALL
            .iter()
            .copied()
            .filter(|s| Self::may_follow(from, *s))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn eleven_states_in_the_manuals_order() {
        let labels: Vec<_> = CaseStatus::ALL.iter().map(|s| s.label()).collect();
        assert_eq!(labels.len(), 11);
        assert_eq!(labels[0], "検体採取");
        assert_eq!(labels[6], "重症化した");
        assert_eq!(labels[10], "死亡");
        for s in CaseStatus::ALL {
            assert_eq!(CaseStatus::parse(s.as_str()), Some(*s));
            assert!(!s.next().contains(s), "{s:?} follows itself");
        }
    }

    #[test]
    fn nothing_after_death_and_severity_only_in_hospital() {
        use CaseStatus::*;
        for s in CaseStatus::ALL {
            assert!(!CaseStatus::may_follow(Some(Died), *s));
        }
        assert!(CaseStatus::may_follow(None, Died));
        assert!(CaseStatus::may_follow(Some(Admitted), BecameSevere));
        assert!(!CaseStatus::may_follow(Some(WaitingLow), BecameSevere));
        assert!(!CaseStatus::may_follow(Some(BecameSevere), Discharged));
        assert!(CaseStatus::may_follow(Some(NoLongerSevere), Discharged));
        assert!(CaseStatus::may_follow(Some(Discharged), Admitted));
        assert_eq!(CaseStatus::allowed_after(Some(Died)), vec![]);
        assert_eq!(CaseStatus::allowed_after(None).len(), 11);
    }

    #[test]
    fn every_state_can_reach_death() {
        // No dead ends except 死亡 itself.
        for s in CaseStatus::ALL {
            if *s != CaseStatus::Died {
                assert!(s.next().contains(&CaseStatus::Died), "{s:?}");
            }
        }
    }
}
