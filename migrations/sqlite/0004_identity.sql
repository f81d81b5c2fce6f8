-- Identity: sessions, second factors, passkeys, rate limits, recovery, API tokens.
-- Secrets (session ids, recovery and API tokens) are stored only as SHA-256 hashes.

ALTER TABLE accounts ADD COLUMN person_id TEXT;      -- a citizen's person in the people registry
ALTER TABLE accounts ADD COLUMN business_id TEXT;    -- a business user's business
ALTER TABLE accounts ADD COLUMN agency_code TEXT;    -- an official's or API client's agency
CREATE UNIQUE INDEX accounts_person ON accounts (person_id);

-- Keys the platform derives tokens with (CSRF). Created once, shared by every node.
CREATE TABLE platform_secrets (
    name       TEXT PRIMARY KEY NOT NULL,
    value      TEXT NOT NULL,
    created_at INTEGER NOT NULL
);

CREATE TABLE sessions (
    id_hash          TEXT PRIMARY KEY NOT NULL,
    account_id       TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    method           TEXT NOT NULL CHECK (method IN ('password', 'passkey', 'recovery')),
    -- A second factor is owed (enrolled, or required of an official) and not yet given.
    pending_factor   BOOLEAN NOT NULL DEFAULT FALSE,
    created_at       INTEGER NOT NULL,
    last_seen_at     INTEGER NOT NULL,
    expires_at       INTEGER NOT NULL,
    second_factor_at INTEGER,
    user_agent       TEXT NOT NULL,
    ip               TEXT NOT NULL,
    revoked_at       INTEGER
);
CREATE INDEX sessions_account ON sessions (account_id, revoked_at);

CREATE TABLE totp_credentials (
    account_id   TEXT PRIMARY KEY NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    secret       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    confirmed_at INTEGER,
    last_step    INTEGER NOT NULL DEFAULT 0
);

CREATE TABLE passkeys (
    id            TEXT PRIMARY KEY NOT NULL,
    account_id    TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    credential_id TEXT NOT NULL UNIQUE,
    name          TEXT NOT NULL,
    passkey       TEXT NOT NULL,
    created_at    INTEGER NOT NULL,
    last_used_at  INTEGER
);
CREATE INDEX passkeys_account ON passkeys (account_id);

-- WebAuthn ceremony state between the challenge and the browser's answer, bound to the
-- (pre-)session that asked, so any node can finish a ceremony another node started.
CREATE TABLE webauthn_ceremonies (
    id         TEXT PRIMARY KEY NOT NULL,
    binding    TEXT NOT NULL,
    kind       TEXT NOT NULL CHECK (kind IN ('register', 'authenticate')),
    account_id TEXT,
    state      TEXT NOT NULL,
    expires_at INTEGER NOT NULL
);

CREATE TABLE rate_limits (
    key           TEXT PRIMARY KEY NOT NULL,
    failures      INTEGER NOT NULL,
    window_start  INTEGER NOT NULL,
    blocked_until INTEGER NOT NULL,
    notified_at   INTEGER
);

CREATE TABLE recovery_tokens (
    token_hash TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    created_at INTEGER NOT NULL,
    expires_at INTEGER NOT NULL,
    used_at    INTEGER
);
CREATE INDEX recovery_tokens_account ON recovery_tokens (account_id);

CREATE TABLE api_tokens (
    id           TEXT PRIMARY KEY NOT NULL,
    account_id   TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    name         TEXT NOT NULL,
    token_hash   TEXT NOT NULL UNIQUE,
    scopes       TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    expires_at   INTEGER NOT NULL,
    revoked_at   INTEGER,
    last_used_at INTEGER
);
CREATE INDEX api_tokens_account ON api_tokens (account_id);
