-- Issue 21: the record a confirmation made or linked, looked up when the follow-up center opens that record's slip
-- (store/self_registrations.rs `confirmed_by`).
CREATE INDEX self_registrations_by_case ON self_registrations(case_id, decided_by) WHERE case_id IS NOT NULL;
