-- Issue 20 (throttles, anonymous writes): staff sign-in failures per address are counted in `observe_failures`
-- with every other throttle (key `staff_addr:<address>`), so the old table goes; expired challenges and idle
-- throttle rows are purged by their expiry, which these indexes serve.
DROP TABLE sign_in_failures_by_address;
CREATE INDEX webauthn_challenges_by_expiry ON webauthn_challenges(expires_at);
CREATE INDEX observe_failures_by_window ON observe_failures(window_start);
