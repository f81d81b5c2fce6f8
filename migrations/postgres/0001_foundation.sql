-- Foundation: the audit trail every change writes to, accounts and roles, page feedback.
-- Conventions (both engines): ids are UUIDv7 as TEXT; times are INTEGER microseconds since the
-- Unix epoch, UTC; JSON is TEXT; money is integer minor units plus an ISO 4217 code.

CREATE TABLE audit_events (
    id            TEXT PRIMARY KEY NOT NULL,
    at            BIGINT NOT NULL,
    actor_kind    TEXT NOT NULL CHECK (actor_kind IN ('anonymous', 'account', 'system')),
    actor_account TEXT,
    actor_agency  TEXT,
    on_behalf_of  TEXT,
    request_id    TEXT,
    action        TEXT NOT NULL,
    subject       TEXT NOT NULL,
    purpose       TEXT,
    detail        TEXT NOT NULL
);
CREATE INDEX audit_events_subject ON audit_events (subject, at);
CREATE INDEX audit_events_at ON audit_events (at);

CREATE TABLE accounts (
    id            TEXT PRIMARY KEY NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('citizen', 'business', 'official', 'api_client')),
    email         TEXT,
    display_name  TEXT NOT NULL,
    password_hash TEXT,
    status        TEXT NOT NULL DEFAULT 'active' CHECK (status IN ('active', 'suspended', 'closed')),
    created_at    BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL
);
-- E-mail addresses are stored normalised (trimmed, lower-case); several NULLs are allowed.
CREATE UNIQUE INDEX accounts_email ON accounts (email);

CREATE TABLE role_grants (
    account_id TEXT NOT NULL REFERENCES accounts (id) ON DELETE CASCADE,
    role       TEXT NOT NULL,
    -- 'platform' for platform-wide roles, otherwise the agency code the role holds in.
    scope      TEXT NOT NULL,
    granted_at BIGINT NOT NULL,
    PRIMARY KEY (account_id, role, scope)
);

CREATE TABLE page_feedback (
    id         TEXT PRIMARY KEY NOT NULL,
    created_at BIGINT NOT NULL,
    page       TEXT NOT NULL,
    helpful    BOOLEAN,
    comment    TEXT NOT NULL,
    locale     TEXT NOT NULL,
    status     TEXT NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'read', 'closed'))
);
CREATE INDEX page_feedback_created ON page_feedback (created_at);
