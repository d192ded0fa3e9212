//! Roles and jurisdictions. A clinic lies in one health center's area; a health center in one prefecture.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// 医療機関の医師
    ClinicDoctor,
    /// 医療機関の職員
    ClinicStaff,
    /// 保健所の職員
    HealthCenterStaff,
    /// 保健所の管理者
    HealthCenterAdmin,
    /// 都道府県の職員
    PrefectureStaff,
    /// 厚生労働省の職員 (aggregates only)
    NationalStaff,
    /// 都道府県の健康フォローアップセンター (issue 21): reviews the self-registrations of positives of its prefecture
    /// and prints the slips of the records its confirmations made; no filing, no search, no other screens.
    FollowUpCenter,
}

impl Role {
    pub const ALL: [Role; 7] = [
        Role::ClinicDoctor,
        Role::ClinicStaff,
        Role::HealthCenterStaff,
        Role::HealthCenterAdmin,
        Role::PrefectureStaff,
        Role::NationalStaff,
        Role::FollowUpCenter,
    ];

    pub fn label_ja(self) -> &'static str {
        match self {
            Role::ClinicDoctor => "医療機関（医師）",
            Role::ClinicStaff => "医療機関（職員）",
            Role::HealthCenterStaff => "保健所（職員）",
            Role::HealthCenterAdmin => "保健所（管理者）",
            Role::PrefectureStaff => "都道府県",
            Role::NationalStaff => "厚生労働省",
            Role::FollowUpCenter => "健康フォローアップセンター",
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::ClinicDoctor => "clinic_doctor",
            Role::ClinicStaff => "clinic_staff",
            Role::HealthCenterStaff => "health_center_staff",
            Role::HealthCenterAdmin => "health_center_admin",
            Role::PrefectureStaff => "prefecture_staff",
            Role::NationalStaff => "national_staff",
            Role::FollowUpCenter => "follow_up_center",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// Filing a notification (発生届) and the pre-notification records: medical institutions.
    pub fn files_notifications(self) -> bool {
        matches!(self, Role::ClinicDoctor | Role::ClinicStaff)
    }

    /// Searching and opening patient records: everyone but national staff (aggregates only, no personal data) and
    /// the follow-up center (which sees only the registrations it reviews and the slips of its confirmations).
    pub fn views_records(self) -> bool {
        !matches!(self, Role::NationalStaff | Role::FollowUpCenter)
    }

    /// Reviewing self-registrations of positives: health-center staff (their center's) and the follow-up center
    /// (its prefecture's).
    pub fn reviews_self_registrations(self) -> bool {
        matches!(
            self,
            Role::HealthCenterStaff | Role::HealthCenterAdmin | Role::FollowUpCenter
        )
    }

    /// The kind of area an account of this role belongs to.
    pub fn area_kind(self) -> AreaKind {
        match self {
            Role::ClinicDoctor | Role::ClinicStaff => AreaKind::Institution,
            Role::HealthCenterStaff | Role::HealthCenterAdmin => AreaKind::HealthCenter,
            Role::PrefectureStaff | Role::FollowUpCenter => AreaKind::Prefecture,
            Role::NationalStaff => AreaKind::National,
        }
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum AreaKind {
    Institution,
    HealthCenter,
    Prefecture,
    National,
}

/// The area an account belongs to, with every enclosing area spelled out so access checks need no lookups.
#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum Jurisdiction {
    Institution {
        institution_id: String,
        health_center_id: String,
        pref_code: String,
    },
    HealthCenter {
        health_center_id: String,
        pref_code: String,
    },
    Prefecture {
        pref_code: String,
    },
    National,
}

impl Jurisdiction {
    pub fn kind(&self) -> AreaKind {
        match self {
            Jurisdiction::Institution { .. } => AreaKind::Institution,
            Jurisdiction::HealthCenter { .. } => AreaKind::HealthCenter,
            Jurisdiction::Prefecture { .. } => AreaKind::Prefecture,
            Jurisdiction::National => AreaKind::National,
        }
    }

    pub fn pref_code(&self) -> Option<&str> {
        match self {
            Jurisdiction::Institution { pref_code, .. }
            | Jurisdiction::HealthCenter { pref_code, .. }
            | Jurisdiction::Prefecture { pref_code } => Some(pref_code),
            Jurisdiction::National => None,
        }
    }

    pub fn health_center_id(&self) -> Option<&str> {
        match self {
            Jurisdiction::Institution {
                health_center_id, ..
            }
            | Jurisdiction::HealthCenter {
                health_center_id, ..
            } => Some(health_center_id),
            _ => None,
        }
    }

    pub fn institution_id(&self) -> Option<&str> {
        match self {
            Jurisdiction::Institution { institution_id, .. } => Some(institution_id),
            _ => None,
        }
    }

    /// True when `other` lies inside (or is) this area.
    pub fn contains(&self, other: &Jurisdiction) -> bool {
        match self {
            Jurisdiction::National => true,
            Jurisdiction::Prefecture { pref_code } => other.pref_code() == Some(pref_code),
            Jurisdiction::HealthCenter {
                health_center_id, ..
            } => other.health_center_id() == Some(health_center_id),
            Jurisdiction::Institution { institution_id, .. } => {
                other.institution_id() == Some(institution_id)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_clinics_file_and_national_staff_never_see_records() {
        let filers: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.files_notifications())
            .collect();
        assert_eq!(filers, [Role::ClinicDoctor, Role::ClinicStaff]);
        let viewers: Vec<Role> = Role::ALL
            .into_iter()
            .filter(|r| r.views_records())
            .collect();
        assert_eq!(viewers.len(), 5);
        assert!(!Role::NationalStaff.views_records());
        assert!(!Role::FollowUpCenter.views_records());
        assert!(!Role::FollowUpCenter.files_notifications());
    }

    #[test]
    fn role_names_round_trip() {
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
            assert_eq!(
                serde_json::to_value(r).unwrap(),
                serde_json::json!(r.as_str())
            );
        }
        assert_eq!(Role::parse("root"), None);
    }
}
