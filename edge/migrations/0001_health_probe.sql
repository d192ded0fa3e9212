-- Health probe: /api/health writes a row with a fresh nonce, reads it back and deletes it, proving D1 answers.
-- One row per check so concurrent checks never see each other's value.
CREATE TABLE IF NOT EXISTS health_probe (
    nonce TEXT PRIMARY KEY,
    checked_at_ms INTEGER NOT NULL
);
