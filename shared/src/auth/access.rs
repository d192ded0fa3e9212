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

/// Where a patient record belongs: who filed it, which health centers it was routed or transferred to (the current
/// one included), its current health center and prefecture, and how far its notification has gone.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub struct RecordArea {
    pub filed_by_institution: Option<String>,
    /// Every health center the record has been at, the current one included.
    pub health_center_ids: Vec<String>,
    /// The health center that manages the record now.
    pub health_center_id: String,
    pub pref_code: String,
    /// A notification (発生届) has been filed for it.
    pub filed: bool,
    /// A health center has accepted (受理) its notification: from then on the record is the health center's.
    pub accepted: bool,
    /// The current health center has accepted it since it arrived there. Until then the health centers it was at
    /// before keep reading it (the hand-over: questions both ways while the new center has not taken it on); from
    /// then on they do not.
    pub accepted_where_it_is: bool,
}

/// What a principal may do with one record, decided in one place (the edge asks nothing else).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub struct Access {
    /// See the record (its tabs, its notification).
    pub read: bool,
    /// Edit its tabs and its notification: the filing clinic and the managing health center.
    pub edit: bool,
    /// Staff of the health center that manages it now: status record, health observation, alerts, transfer, and
    /// the スマホ入力ID (a credential: with the birth date it signs the patient's phone in).
    pub manage: bool,
    /// An administrator of the managing health center: sees it deleted and restores it.
    pub admin: bool,
    /// File the notification that completes a record made before one (the clinic that made it).
    pub file: bool,
    /// Delete it: the managing health center; the filing clinic only until a health center has accepted it.
    pub delete: bool,
    /// The filing clinic asked to delete a record a health center has accepted (answered with whom to ask).
    pub delete_is_health_centers: bool,
    /// Receive the record's スマホ入力ID (print its slip): the managing health center, and the follow-up center for a
    /// record its own confirmation of a self-registration made ([`Principal::confirmer_access`]).
    pub slip: bool,
}

/// Whose self-registrations a principal reviews: a health center's (those routed to it), or a prefecture's (the
/// follow-up center).
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ReviewArea {
    HealthCenter(String),
    Prefecture(String),
}

impl ReviewArea {
    /// Whether a registration routed to `health_center_id` in `pref_code` is this area's.
    pub fn covers(&self, health_center_id: &str, pref_code: &str) -> bool {
        match self {
            ReviewArea::HealthCenter(h) => h == health_center_id,
            ReviewArea::Prefecture(p) => p == pref_code,
        }
    }
}

/// Whose records a principal may list and search.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Scope {
    Institution(String),
    HealthCenter(String),
    Prefecture(String),
}

/// Whose figures a principal's dashboard shows: their health center's, their prefecture's, or the country's.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum DashboardArea {
    HealthCenter(String),
    Prefecture(String),
    Nation,
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
            ) => {
                *health_center_id == record.health_center_id
                    || (!record.accepted_where_it_is
                        && record
                            .health_center_ids
                            .iter()
                            .any(|h| h == health_center_id))
            }
            (Role::PrefectureStaff, Jurisdiction::Prefecture { pref_code }) => {
                &record.pref_code == pref_code
            }
            _ => false,
        }
    }

    /// Everything this principal may do with a record ([`Access`]).
    pub fn access(&self, record: &RecordArea) -> Access {
        let read = self.can_see_record(record);
        let own_clinic = read
            && self.role.files_notifications()
            && self.jurisdiction.institution_id().is_some()
            && self.jurisdiction.institution_id() == record.filed_by_institution.as_deref();
        let manage = read && self.manages_health_center(&record.health_center_id);
        Access {
            read,
            edit: own_clinic || manage,
            manage,
            admin: manage && self.role == Role::HealthCenterAdmin,
            file: own_clinic && !record.filed,
            delete: manage || (own_clinic && !record.accepted),
            delete_is_health_centers: own_clinic && !manage && record.accepted,
            slip: manage,
        }
    }

    /// What the follow-up center may do with a record made (or linked) by its own confirmation of a self-registration
    /// (`confirmed_by_self`: the confirmation's `decided_by` is this account): read it and print its slip. Nothing
    /// for anyone else, and nothing for another record: it searches and edits no records.
    pub fn confirmer_access(&self, confirmed_by_self: bool) -> Access {
        let follow_up = self.role == Role::FollowUpCenter
            && matches!(self.jurisdiction, Jurisdiction::Prefecture { .. });
        if follow_up && confirmed_by_self {
            Access {
                read: true,
                slip: true,
                ..Access::default()
            }
        } else {
            Access::default()
        }
    }

    /// Whose self-registrations this principal reviews: health-center staff and administrators their center's, the
    /// follow-up center its prefecture's; nobody else (clinics, prefecture staff, national staff).
    pub fn review_area(&self) -> Option<ReviewArea> {
        if let Some(h) = self.desk() {
            return Some(ReviewArea::HealthCenter(h.to_owned()));
        }
        match (&self.role, &self.jurisdiction) {
            (Role::FollowUpCenter, Jurisdiction::Prefecture { pref_code }) => {
                Some(ReviewArea::Prefecture(pref_code.clone()))
            }
            _ => None,
        }
    }

    /// Health-center staff or administrator of `health_center_id`.
    pub fn manages_health_center(&self, health_center_id: &str) -> bool {
        self.desk() == Some(health_center_id)
    }

    /// The health center whose records, observations and alert queue this principal works (health-center roles).
    pub fn desk(&self) -> Option<&str> {
        match (&self.role, &self.jurisdiction) {
            (
                Role::HealthCenterStaff | Role::HealthCenterAdmin,
                Jurisdiction::HealthCenter {
                    health_center_id, ..
                },
            ) => Some(health_center_id),
            _ => None,
        }
    }

    /// Whose records this principal lists and searches; national staff (aggregates only) none.
    pub fn scope(&self) -> Option<Scope> {
        match (&self.role, &self.jurisdiction) {
            (
                Role::ClinicDoctor | Role::ClinicStaff,
                Jurisdiction::Institution { institution_id, .. },
            ) => Some(Scope::Institution(institution_id.clone())),
            (
                Role::HealthCenterStaff | Role::HealthCenterAdmin,
                Jurisdiction::HealthCenter {
                    health_center_id, ..
                },
            ) => Some(Scope::HealthCenter(health_center_id.clone())),
            (Role::PrefectureStaff, Jurisdiction::Prefecture { pref_code }) => {
                Some(Scope::Prefecture(pref_code.clone()))
            }
            _ => None,
        }
    }

    /// The area of this principal's dashboard: health-center roles their health center, prefecture staff their
    /// prefecture, national staff the country; clinics none.
    pub fn dashboard_area(&self) -> Option<DashboardArea> {
        if let Some(h) = self.desk() {
            return Some(DashboardArea::HealthCenter(h.to_owned()));
        }
        match (&self.role, &self.jurisdiction) {
            (Role::PrefectureStaff, Jurisdiction::Prefecture { pref_code }) => {
                Some(DashboardArea::Prefecture(pref_code.clone()))
            }
            (Role::NationalStaff, _) => Some(DashboardArea::Nation),
            _ => None,
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
            health_center_id: "hc-2".into(),
            pref_code: "13".into(),
            filed: true,
            accepted: false,
            accepted_where_it_is: false,
        }
    }

    #[test]
    fn the_follow_up_center_reviews_its_prefecture_and_sees_only_its_confirmations() {
        let pref = |code: &str| Jurisdiction::Prefecture {
            pref_code: code.into(),
        };
        let fuc = who(Role::FollowUpCenter, pref("13"));
        // No record of anyone's by the ordinary rule: not a health center, not the prefecture's staff.
        assert_eq!(fuc.access(&record()), Access::default());
        assert_eq!(fuc.scope(), None);
        assert_eq!(fuc.dashboard_area(), None);
        assert_eq!(fuc.desk(), None);
        assert!(!fuc.is_admin());
        assert!(!fuc.can_manage_account(Role::ClinicDoctor, &inst("c", "hc-1", "13")));
        // Its own confirmation's record: read and slip, nothing more.
        let own = fuc.confirmer_access(true);
        assert!(own.read && own.slip && !own.edit && !own.manage && !own.delete && !own.file);
        assert_eq!(fuc.confirmer_access(false), Access::default());
        // Nobody else gets anything from the confirmer rule.
        for p in [
            who(Role::PrefectureStaff, pref("13")),
            who(Role::HealthCenterStaff, hc("hc-1", "13")),
            who(Role::FollowUpCenter, hc("hc-1", "13")),
        ] {
            assert_eq!(p.confirmer_access(true), Access::default(), "{p:?}");
        }
        // Review areas.
        assert_eq!(fuc.review_area(), Some(ReviewArea::Prefecture("13".into())));
        assert!(ReviewArea::Prefecture("13".into()).covers("hc-9", "13"));
        assert!(!ReviewArea::Prefecture("13".into()).covers("hc-9", "14"));
        assert_eq!(
            who(Role::HealthCenterStaff, hc("hc-1", "13")).review_area(),
            Some(ReviewArea::HealthCenter("hc-1".into()))
        );
        assert!(!ReviewArea::HealthCenter("hc-1".into()).covers("hc-2", "13"));
        for p in [
            who(Role::PrefectureStaff, pref("13")),
            who(Role::NationalStaff, Jurisdiction::National),
            who(Role::ClinicDoctor, inst("c", "hc-1", "13")),
            who(Role::ClinicStaff, inst("c", "hc-1", "13")),
        ] {
            assert_eq!(p.review_area(), None, "{p:?}");
        }
        // The managing health center gets the slip by the ordinary rule.
        assert!(
            who(Role::HealthCenterStaff, hc("hc-2", "13"))
                .access(&record())
                .slip
        );
        assert!(
            !who(Role::HealthCenterStaff, hc("hc-1", "13"))
                .access(&record())
                .slip
        );
    }

    #[test]
    fn a_past_health_center_reads_until_the_new_one_accepts() {
        let past = who(Role::HealthCenterStaff, hc("hc-1", "13"));
        let now = who(Role::HealthCenterStaff, hc("hc-2", "13"));
        let handed_over = record();
        assert!(past.access(&handed_over).read && !past.access(&handed_over).manage);
        let taken_on = RecordArea {
            accepted: true,
            accepted_where_it_is: true,
            ..record()
        };
        assert_eq!(past.access(&taken_on), Access::default());
        assert!(now.access(&taken_on).manage);
        // The clinic and the prefecture are not health centers of the trail: unchanged.
        assert!(
            who(Role::ClinicDoctor, inst("clinic-a", "hc-1", "13"))
                .access(&taken_on)
                .read
        );
        let prefecture = Jurisdiction::Prefecture {
            pref_code: "13".into(),
        };
        assert!(
            who(Role::PrefectureStaff, prefecture)
                .access(&taken_on)
                .read
        );
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
    fn the_dashboard_shows_the_principals_area() {
        let pref = |code: &str| Jurisdiction::Prefecture {
            pref_code: code.into(),
        };
        assert_eq!(
            who(Role::HealthCenterStaff, hc("hc-1", "13")).dashboard_area(),
            Some(DashboardArea::HealthCenter("hc-1".into()))
        );
        assert_eq!(
            who(Role::HealthCenterAdmin, hc("hc-2", "13")).dashboard_area(),
            Some(DashboardArea::HealthCenter("hc-2".into()))
        );
        assert_eq!(
            who(Role::PrefectureStaff, pref("13")).dashboard_area(),
            Some(DashboardArea::Prefecture("13".into()))
        );
        assert_eq!(
            who(Role::NationalStaff, Jurisdiction::National).dashboard_area(),
            Some(DashboardArea::Nation)
        );
        assert_eq!(
            who(Role::ClinicDoctor, inst("clinic-a", "hc-1", "13")).dashboard_area(),
            None
        );
        // A role on the wrong kind of area has no dashboard.
        assert_eq!(
            who(Role::HealthCenterStaff, pref("13")).dashboard_area(),
            None
        );
        assert_eq!(
            who(Role::PrefectureStaff, hc("hc-1", "13")).dashboard_area(),
            None
        );
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

    #[test]
    fn a_transferred_record_is_managed_only_by_its_new_health_center() {
        let r = record();
        let old = who(Role::HealthCenterStaff, hc("hc-1", "13")).access(&r);
        let new = who(Role::HealthCenterStaff, hc("hc-2", "13")).access(&r);
        let clinic = who(Role::ClinicDoctor, inst("clinic-a", "hc-1", "13")).access(&r);
        let pref = who(
            Role::PrefectureStaff,
            Jurisdiction::Prefecture {
                pref_code: "13".into(),
            },
        )
        .access(&r);
        assert!(old.read && !old.manage && !old.edit && !old.delete);
        assert!(new.read && new.manage && new.edit && new.delete && !new.admin);
        assert!(clinic.read && clinic.edit && !clinic.manage && clinic.delete && !clinic.file);
        assert!(pref.read && !pref.manage && !pref.edit && !pref.delete);
    }

    #[test]
    fn once_accepted_only_the_health_center_deletes() {
        let r = RecordArea {
            accepted: true,
            ..record()
        };
        let clinic = who(Role::ClinicDoctor, inst("clinic-a", "hc-1", "13")).access(&r);
        assert!(clinic.edit && !clinic.delete && clinic.delete_is_health_centers);
        let hc_admin = who(Role::HealthCenterAdmin, hc("hc-2", "13")).access(&r);
        assert!(hc_admin.delete && hc_admin.admin && !hc_admin.delete_is_health_centers);
        let other_clinic = who(Role::ClinicDoctor, inst("clinic-b", "hc-1", "13")).access(&r);
        assert_eq!(other_clinic, Access::default());
    }

    #[test]
    fn a_record_before_its_notification_is_filed_by_its_clinic() {
        let r = RecordArea {
            filed: false,
            ..record()
        };
        assert!(
            who(Role::ClinicStaff, inst("clinic-a", "hc-1", "13"))
                .access(&r)
                .file
        );
        assert!(
            !who(Role::HealthCenterStaff, hc("hc-2", "13"))
                .access(&r)
                .file
        );
    }
}
