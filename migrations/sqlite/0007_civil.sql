-- Civil services: definitions (versioned), applications, their timeline, and the portal inbox.

CREATE TABLE civil_services (
    code        TEXT PRIMARY KEY NOT NULL,
    agency      TEXT NOT NULL,
    version     INTEGER NOT NULL,
    definition  TEXT NOT NULL,          -- JSON of the definition
    issuance    TEXT NOT NULL CHECK (issuance IN ('instant', 'review')),
    life_events TEXT NOT NULL,          -- ' birth moving-house ' (spaces around each)
    search_text TEXT NOT NULL,          -- lower-case names, descriptions and keywords of every locale
    active      BOOLEAN NOT NULL DEFAULT TRUE,
    updated_at  INTEGER NOT NULL
);
CREATE INDEX civil_services_agency ON civil_services (agency, active);

-- Every version of every definition, so an application is always read with the form it was
-- made with.
CREATE TABLE civil_service_versions (
    code       TEXT NOT NULL,
    version    INTEGER NOT NULL,
    definition TEXT NOT NULL,
    created_at INTEGER NOT NULL,
    PRIMARY KEY (code, version)
);

CREATE TABLE civil_applications (
    id              TEXT PRIMARY KEY NOT NULL,
    receipt         TEXT UNIQUE,
    service         TEXT NOT NULL,
    service_version INTEGER NOT NULL,
    agency          TEXT NOT NULL,
    applicant       TEXT NOT NULL REFERENCES accounts (id),
    subject_person  TEXT,               -- the person it is about (the applicant or someone they act for)
    basis           TEXT NOT NULL CHECK (basis IN ('own', 'delegated', 'parent', 'business')),
    status          TEXT NOT NULL,
    answers         TEXT NOT NULL,      -- JSON object: field id -> answer
    prefilled       TEXT NOT NULL,      -- JSON object: field id -> registry value, as read
    assigned_to     TEXT,
    version         INTEGER NOT NULL,        -- optimistic concurrency: every change adds one
    created_at      INTEGER NOT NULL,
    submitted_at    INTEGER,
    due_at          INTEGER,
    decided_at      INTEGER,
    updated_at      INTEGER NOT NULL,
    decision_reason TEXT
);
CREATE INDEX civil_applications_queue ON civil_applications (agency, status, submitted_at);
CREATE INDEX civil_applications_applicant ON civil_applications (applicant, updated_at);

CREATE TABLE civil_application_events (
    id          TEXT PRIMARY KEY NOT NULL,
    application TEXT NOT NULL REFERENCES civil_applications (id),
    at          INTEGER NOT NULL,
    actor       TEXT,                   -- account id
    by_official BOOLEAN NOT NULL,
    action      TEXT NOT NULL,
    status      TEXT NOT NULL,          -- the status after the event
    message     TEXT
);
CREATE INDEX civil_application_events_application ON civil_application_events (application, at);

-- Messages to an account in the portal (also sent by e-mail through the outbox).
CREATE TABLE inbox (
    id         TEXT PRIMARY KEY NOT NULL,
    account_id TEXT NOT NULL REFERENCES accounts (id),
    subject    TEXT NOT NULL,
    body       TEXT NOT NULL,
    link       TEXT,
    created_at INTEGER NOT NULL,
    read_at    INTEGER
);
CREATE INDEX inbox_account ON inbox (account_id, created_at);
