-- Smart border clearance (issue 12): watchlists, enrolments, gate devices, decision records,
-- entry/exit records and stays, visas, and the officers' referral queue.
-- Dates of the calendar (birth, expiry, validity, stay) are TEXT 'YYYY-MM-DD' (they sort as
-- text); instants are INTEGER microseconds since the epoch. Every gate look-up is one index probe
-- by (issuing_state, document_number).

-- One row per imported list ('un', 'national:KOR-MOJ', 'lost-stolen:SLTD'): replacing a list
-- rewrites this row and its entries in one transaction.
CREATE TABLE border_watchlists (
    list_key     TEXT PRIMARY KEY NOT NULL,
    kind         TEXT NOT NULL CHECK (kind IN ('un', 'national', 'lost_stolen')),
    name         TEXT NOT NULL,
    version      TEXT NOT NULL,          -- as given by the importer (publication date, file name)
    digest       TEXT NOT NULL,          -- SHA-256 of the imported bytes
    entry_count  INTEGER NOT NULL,
    issue_count  INTEGER NOT NULL,        -- values the importer could not read (skipped or kept as text)
    imported_at  INTEGER NOT NULL,
    generation   INTEGER NOT NULL         -- the import's instant; nodes rebuild their index when it moves
);

-- Screening entries (UN and national lists), as the importer's JSON; the in-memory index is
-- rebuilt from these.
CREATE TABLE border_watchlist_entries (
    list_key  TEXT NOT NULL REFERENCES border_watchlists (list_key),
    entry_id  TEXT NOT NULL,
    entry     TEXT NOT NULL,
    PRIMARY KEY (list_key, entry_id)
);

-- Lost and stolen travel documents: an exact probe per gate decision.
CREATE TABLE border_lost_stolen (
    issuing_state   TEXT NOT NULL,
    document_number TEXT NOT NULL,
    list_key        TEXT NOT NULL REFERENCES border_watchlists (list_key),
    document_type   TEXT NOT NULL,
    reported_on     TEXT NOT NULL,
    reference       TEXT NOT NULL,
    PRIMARY KEY (issuing_state, document_number, list_key)
);
CREATE INDEX border_lost_stolen_list ON border_lost_stolen (list_key);

-- Traveller enrolments for automated gates.
CREATE TABLE border_enrolments (
    id               TEXT PRIMARY KEY NOT NULL,
    status           TEXT NOT NULL CHECK (status IN ('pending', 'active', 'suspended', 'revoked')),
    issuing_state    TEXT NOT NULL,
    document_number  TEXT NOT NULL,
    nationality      TEXT NOT NULL,
    surname          TEXT NOT NULL,
    given_names      TEXT NOT NULL,
    birth_date       TEXT NOT NULL,
    document_expiry  TEXT NOT NULL,
    mrz              TEXT NOT NULL,
    contact          TEXT NOT NULL,
    consent_version  TEXT NOT NULL,      -- the consent text the traveller agreed to
    consent_at       INTEGER NOT NULL,
    sod_sha256       TEXT,               -- the chip as read at the desk
    dg1_sha256       TEXT,
    pa_verdict       TEXT,               -- passive authentication at the desk
    pa_detail        TEXT,               -- JSON summary
    aa_outcome       TEXT,               -- the desk reader's active authentication
    valid_until      TEXT,               -- set at the desk: passport expiry or N years, whichever first
    created_at       INTEGER NOT NULL,
    completed_at     INTEGER,
    status_reason    TEXT,
    updated_at       INTEGER NOT NULL,
    version          INTEGER NOT NULL
);
-- At most one live enrolment per passport; the gate's probe.
CREATE UNIQUE INDEX border_enrolments_document ON border_enrolments (issuing_state, document_number)
    WHERE status IN ('pending', 'active', 'suspended');
CREATE INDEX border_enrolments_document_all ON border_enrolments (issuing_state, document_number, created_at);

-- Biometric template references for a pluggable matcher, encrypted (XChaCha20-Poly1305, the
-- key named by key_id is the caller's; associated data binds enrolment, modality and matcher).
CREATE TABLE border_biometric_refs (
    enrolment_id TEXT NOT NULL REFERENCES border_enrolments (id),
    modality     TEXT NOT NULL CHECK (modality IN ('face', 'fingerprint')),
    matcher      TEXT NOT NULL,
    key_id       TEXT NOT NULL,
    nonce        BLOB NOT NULL,
    ciphertext   BLOB NOT NULL,
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (enrolment_id, modality)
);

-- Gates: API clients with their own device key (SPKI DER; Ed25519 or ECDSA P-256).
CREATE TABLE border_gate_devices (
    id             TEXT PRIMARY KEY NOT NULL,
    port           TEXT NOT NULL,
    algorithm      TEXT NOT NULL,
    public_key     BLOB NOT NULL,
    key_sha256     TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('active', 'revoked')),
    registered_at  INTEGER NOT NULL,
    revoked_at     INTEGER,
    revoked_reason TEXT
);

-- Nonces of accepted gate requests: a second use is a replay. Rows older than the accepted
-- clock skew can be pruned (the timestamp check refuses those requests anyway).
CREATE TABLE border_gate_nonces (
    gate_id TEXT NOT NULL,
    nonce   TEXT NOT NULL,
    seen_at INTEGER NOT NULL,
    PRIMARY KEY (gate_id, nonce)
);
CREATE INDEX border_gate_nonces_seen ON border_gate_nonces (seen_at);

-- Decision records: the full replayable record (JSON), its digest (also in the audit event),
-- and how long each step took.
CREATE TABLE border_decisions (
    id              TEXT PRIMARY KEY NOT NULL,
    gate_id         TEXT NOT NULL,
    port            TEXT NOT NULL,
    direction       TEXT NOT NULL CHECK (direction IN ('entry', 'exit')),
    outcome         TEXT NOT NULL CHECK (outcome IN ('OPEN', 'REFER')),
    issuing_state   TEXT NOT NULL,       -- empty when the MRZ did not parse
    document_number TEXT NOT NULL,
    nationality     TEXT NOT NULL,
    reason_codes    TEXT NOT NULL,       -- JSON array
    config_version  TEXT NOT NULL,
    request_sha256  TEXT NOT NULL,
    record_sha256   TEXT NOT NULL,
    record          TEXT NOT NULL,
    timings         TEXT NOT NULL,       -- JSON: microseconds per step
    decided_at      INTEGER NOT NULL
);
CREATE INDEX border_decisions_document ON border_decisions (issuing_state, document_number, decided_at, id);
CREATE INDEX border_decisions_port ON border_decisions (port, decided_at);

-- Entry and exit records.
CREATE TABLE border_crossings (
    id              TEXT PRIMARY KEY NOT NULL,
    issuing_state   TEXT NOT NULL,
    document_number TEXT NOT NULL,
    nationality     TEXT NOT NULL,
    direction       TEXT NOT NULL CHECK (direction IN ('entry', 'exit')),
    port            TEXT NOT NULL,
    via             TEXT NOT NULL CHECK (via IN ('gate', 'officer')),
    decision_id     TEXT REFERENCES border_decisions (id),
    referral_id     TEXT,
    crossed_at      INTEGER NOT NULL,
    crossed_on      TEXT NOT NULL
);
CREATE INDEX border_crossings_document ON border_crossings (issuing_state, document_number, crossed_at, id);

-- Stays: opened by an entry, closed by an exit.
CREATE TABLE border_stays (
    id              TEXT PRIMARY KEY NOT NULL,
    issuing_state   TEXT NOT NULL,
    document_number TEXT NOT NULL,
    nationality     TEXT NOT NULL,
    surname         TEXT NOT NULL,
    given_names     TEXT NOT NULL,
    entered_on      TEXT NOT NULL,
    permitted_until TEXT NOT NULL,
    basis           TEXT NOT NULL,       -- 'visa:<number>', 'waiver:<days>', 'officer'
    entry_crossing  TEXT NOT NULL REFERENCES border_crossings (id),
    exited_on       TEXT,
    exit_crossing   TEXT REFERENCES border_crossings (id)
);
CREATE UNIQUE INDEX border_stays_open ON border_stays (issuing_state, document_number)
    WHERE exited_on IS NULL;
CREATE INDEX border_stays_overdue ON border_stays (permitted_until, issuing_state, document_number)
    WHERE exited_on IS NULL;
CREATE INDEX border_stays_exited ON border_stays (exited_on, issuing_state, document_number)
    WHERE exited_on IS NOT NULL;

-- Visas (imported from the visa system), by the passport they are attached to.
CREATE TABLE border_visas (
    number          TEXT PRIMARY KEY NOT NULL,
    issuing_state   TEXT NOT NULL,
    document_number TEXT NOT NULL,
    nationality     TEXT NOT NULL,
    category        TEXT NOT NULL,
    valid_from      TEXT NOT NULL,
    valid_until     TEXT NOT NULL,
    stay_days       INTEGER NOT NULL
);
CREATE INDEX border_visas_document ON border_visas (issuing_state, document_number, valid_until);

-- Visa waivers by nationality (configuration, imported as a table).
CREATE TABLE border_visa_waivers (
    nationality TEXT PRIMARY KEY NOT NULL,
    days        INTEGER NOT NULL
);

-- Which version of the visa tables is loaded (one row per table).
CREATE TABLE border_table_versions (
    name        TEXT PRIMARY KEY NOT NULL CHECK (name IN ('visas', 'visa_waivers')),
    version     TEXT NOT NULL,
    digest      TEXT NOT NULL,
    row_count   INTEGER NOT NULL,
    imported_at INTEGER NOT NULL
);

-- Referrals to an officer: the live queue of each port.
CREATE TABLE border_referrals (
    id              TEXT PRIMARY KEY NOT NULL,
    decision_id     TEXT NOT NULL UNIQUE REFERENCES border_decisions (id),
    port            TEXT NOT NULL,
    direction       TEXT NOT NULL CHECK (direction IN ('entry', 'exit')),
    issuing_state   TEXT NOT NULL,
    document_number TEXT NOT NULL,
    reason_codes    TEXT NOT NULL,       -- JSON array
    status          TEXT NOT NULL CHECK (status IN ('open', 'secondary', 'admitted', 'refused')),
    created_at      INTEGER NOT NULL,
    decided_at      INTEGER,
    decided_by      TEXT,
    decision_reason TEXT,
    version         INTEGER NOT NULL
);
CREATE INDEX border_referrals_queue ON border_referrals (port, created_at, id)
    WHERE status IN ('open', 'secondary');
CREATE INDEX border_referrals_document ON border_referrals (issuing_state, document_number, created_at, id);
