-- Text messages: a message the server refuses for good is marked failed and never retried
-- (a passing outage is still retried), and an account may add a mobile number, which receives
-- texts only after the code sent to it was typed back.
ALTER TABLE outbox ADD COLUMN failed_at BIGINT;

CREATE TABLE account_phones (
    account_id      TEXT PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    -- The confirmed number (E.164), which gets texts; NULL until one is confirmed.
    phone           TEXT,
    verified_at     BIGINT,
    -- A number being confirmed: the old one keeps working until the new one is.
    pending_phone   TEXT,
    code_hash       TEXT,
    code_expires_at BIGINT,
    code_attempts   BIGINT NOT NULL DEFAULT 0,
    updated_at      BIGINT NOT NULL
);
