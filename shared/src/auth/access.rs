//! The access rules, decided at the edge for every request: record visibility and account administration.

use serde::{Deserialize, Serialize};

use super::role::{AreaKind, Jurisdiction, Role};

/// The signed-in user as the edge knows them for one request. Only built from a verified session.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Principal {
    pub user_id: String,
    pub role: Role,
    pub jurisdiction: Jurisdiction,
}

/// Where a patient record belongs: who filed it, which health centers it was routed or transferred to, and its
/// prefecture.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RecordArea {
    pub filed_by_institution: Option<String>,
    pub health_center_ids: Vec<String>,
    pub pref_code: String,
}

/// An account whose role does not match the kind of its area is refused when it is created or loaded.
pub fn role_fits_area(role: Role, area: &Jurisdiction) -> bool {
    role.area_kind() == area.kind()
}

impl Principal {
    /// Clinic users see what their institution filed; health centers what was routed or transferred to them;
    /// prefectures their prefecture's records; national staff no personal records at all (aggregates only).
    pub fn can_see_record(&self, record: &RecordArea) -> bool {
        match (&self.role, &self.jurisdiction) {
            (
                Role::ClinicDoctor | Role::ClinicStaff,
                Jurisdiction::Institution { institution_id, .. },
            ) => record.filed_by_institution.as_deref() == Some(institution_id),
            (
                Role::HealthCenterStaff | Role::HealthCenterAdmin,
                Jurisdiction::HealthCenter {
                    health_center_id, ..
                },
            ) => record
                .health_center_ids
                .iter()
                .any(|h| h == health_center_id),
            (Role::PrefectureStaff, Jurisdiction::Prefecture { pref_code }) => {
                &record.pref_code == pref_code
            }
            _ => false,
        }
    }

    /// Health-center administrators manage the accounts of their own area: their health center's staff and
    /// administrators, and the clinics in its area. Nobody else manages accounts.
    pub fn can_manage_account(&self, target_role: Role, target_area: &Jurisdiction) -> bool {
        if self.role != Role::HealthCenterAdmin || !role_fits_area(target_role, target_area) {
            return false;
        }
        let creatable = matches!(
            target_area.kind(),
            AreaKind::Institution | AreaKind::HealthCenter
        );
        creatable && self.jurisdiction.contains(target_area)
    }

    pub fn is_admin(&self) -> bool {
        self.role == Role::HealthCenterAdmin
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn inst(id: &str, hc: &str, pref: &str) -> Jurisdiction {
        Jurisdiction::Institution {
            institution_id: id.into(),
            health_center_id: hc.into(),
            pref_code: pref.into(),
        }
    }
    fn hc(id: &str, pref: &str) -> Jurisdiction {
        Jurisdiction::HealthCenter {
            health_center_id: id.into(),
            pref_code: pref.into(),
        }
    }
    fn who(role: Role, jurisdiction: Jurisdiction) -> Principal {
        Principal {
            user_id: "u".into(),
            role,
            jurisdiction,
        }
    }
    fn record() -> RecordArea {
        RecordArea {
            filed_by_institution: Some("clinic-a".into()),
            health_center_ids: vec!["hc-1".into(), "hc-2".into()],
            pref_code: "13".into(),
        }
    }

    #[test]
    fn record_visibility_follows_role_and_area() {
        let cases = [
            (
                who(Role::ClinicDoctor, inst("clinic-a", "hc-1", "13")),
                true,
            ),
            (
                who(Role::ClinicStaff, inst("clinic-b", "hc-1", "13")),
                false,
            ),
            (who(Role::HealthCenterStaff, hc("hc-1", "13")), true),
            // Transferred to hc-2: visible there too.
            (who(Role::HealthCenterAdmin, hc("hc-2", "13")), true),
            (who(Role::HealthCenterStaff, hc("hc-9", "13")), false),
            (
                who(
                    Role::PrefectureStaff,
                    Jurisdiction::Prefecture {
                        pref_code: "13".into(),
                    },
                ),
                true,
            ),
            (
                who(
                    Role::PrefectureStaff,
                    Jurisdiction::Prefecture {
                        pref_code: "14".into(),
                    },
                ),
                false,
            ),
            (who(Role::NationalStaff, Jurisdiction::National), false),
            // A role on the wrong kind of area sees nothing.
            (who(Role::ClinicDoctor, hc("hc-1", "13")), false),
        ];
        for (p, expected) in cases {
            assert_eq!(p.can_see_record(&record()), expected, "{p:?}");
        }
    }

    #[test]
    fn only_health_center_admins_manage_accounts_and_only_in_their_area() {
        let admin = who(Role::HealthCenterAdmin, hc("hc-1", "13"));
        assert!(admin.can_manage_account(Role::ClinicDoctor, &inst("clinic-a", "hc-1", "13")));
        assert!(admin.can_manage_account(Role::HealthCenterStaff, &hc("hc-1", "13")));
        assert!(!admin.can_manage_account(Role::ClinicDoctor, &inst("clinic-x", "hc-2", "13")));
        assert!(!admin.can_manage_account(Role::HealthCenterStaff, &hc("hc-2", "13")));
        assert!(!admin.can_manage_account(
            Role::PrefectureStaff,
            &Jurisdiction::Prefecture {
                pref_code: "13".into()
            }
        ));
        assert!(
            !admin.can_manage_account(Role::ClinicDoctor, &hc("hc-1", "13")),
            "role must fit the area"
        );
        let staff = who(Role::HealthCenterStaff, hc("hc-1", "13"));
        assert!(!staff.can_manage_account(Role::ClinicDoctor, &inst("clinic-a", "hc-1", "13")));
    }
}
