-- e-Procurement I: suppliers, tenders (versioned notices, amendments, clarifications), sealed
-- bids, bid boxes, openings, and the platform heartbeat the outage rule reads.
-- Times are microseconds since the epoch (UTC); JSON documents are TEXT; public keys and hashes
-- are lower-case hex; envelopes are the exact bytes the supplier (or the server) sealed.

-- A supplier is a business of the business registry (id = its registry id); name and number are
-- read from the registry at each use, never copied here (once-only).
CREATE TABLE procurement_suppliers (
    business_id     TEXT PRIMARY KEY NOT NULL,
    categories      TEXT NOT NULL,          -- JSON list of CPV or UNSPSC codes
    category_index  TEXT NOT NULL,          -- ' cpv:45000000 unspsc:43211500 ' (spaces around each)
    licences        TEXT NOT NULL,          -- JSON list of licences
    bank_account    TEXT NOT NULL,          -- JSON
    contact_email   TEXT NOT NULL,
    registered_at   INTEGER NOT NULL,
    updated_at      INTEGER NOT NULL,
    version         INTEGER NOT NULL
);

-- Business users (identity accounts of the business's staff) allowed to bid, with the public key
-- (DER SubjectPublicKeyInfo, hex) their client signs bids with, if they seal on their side.
CREATE TABLE procurement_bidders (
    business_id   TEXT NOT NULL REFERENCES procurement_suppliers (business_id),
    account_id    TEXT NOT NULL,
    signing_spki  TEXT,
    added_at      INTEGER NOT NULL,
    removed_at    INTEGER,
    PRIMARY KEY (business_id, account_id)
);
CREATE INDEX procurement_bidders_spki ON procurement_bidders (signing_spki);

CREATE TABLE procurement_debarments (
    id           TEXT PRIMARY KEY NOT NULL,
    business_id  TEXT NOT NULL REFERENCES procurement_suppliers (business_id),
    agency       TEXT NOT NULL,
    starts_at    INTEGER NOT NULL,
    ends_at      INTEGER,                   -- NULL: until lifted
    reason       TEXT NOT NULL,
    decided_at   INTEGER NOT NULL,
    lifted_at    INTEGER,
    lift_reason  TEXT
);
CREATE INDEX procurement_debarments_business ON procurement_debarments (business_id);

-- Category e-mail alerts: a new tender in a category (or under a code prefix) mails the address.
CREATE TABLE procurement_alerts (
    id           TEXT PRIMARY KEY NOT NULL,
    business_id  TEXT NOT NULL REFERENCES procurement_suppliers (business_id),
    category     TEXT NOT NULL,             -- 'cpv:45' matches every CPV code starting 45
    email        TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    UNIQUE (business_id, category, email)
);
CREATE INDEX procurement_alerts_category ON procurement_alerts (category);

-- Opening committee members' own HPKE public keys (officials keep the private half).
CREATE TABLE procurement_member_keys (
    account_id     TEXT PRIMARY KEY NOT NULL,
    public_key     TEXT NOT NULL UNIQUE,
    registered_at  INTEGER NOT NULL
);

CREATE TABLE procurement_tenders (
    id                 TEXT PRIMARY KEY NOT NULL,
    agency             TEXT NOT NULL,
    title              TEXT NOT NULL,
    method             TEXT NOT NULL CHECK (method IN ('open', 'restricted', 'limited')),
    status             TEXT NOT NULL CHECK (status IN ('published', 'closed', 'opened', 'cancelled')),
    notice_version     INTEGER NOT NULL,    -- 1 at publication, +1 per amendment or extension
    notice             TEXT NOT NULL,       -- JSON of the current notice
    category_index     TEXT NOT NULL,
    clarification_deadline INTEGER NOT NULL,
    bid_deadline       INTEGER NOT NULL,
    opening_at         INTEGER NOT NULL,
    threshold          INTEGER NOT NULL,
    ceremony           TEXT NOT NULL,       -- JSON KeyCeremony (public key + sealed shares)
    seed_commitment    TEXT,                -- hex SHA-256 of the reserve-price seed
    sealed_seed        TEXT,                -- hex: the seed sealed to the tender key
    bids_received      INTEGER NOT NULL DEFAULT 0,   -- also the row every submission locks
    bid_box            TEXT,                -- JSON BidBoxRecord
    bid_box_signature  TEXT,                -- JSON PlatformSignature
    opening_record     TEXT,
    opening_signature  TEXT,
    reserve_draw       TEXT,                -- JSON {input, draw}
    cancel_reason      TEXT,
    created_by         TEXT,
    published_at       INTEGER NOT NULL,
    closed_at          INTEGER,
    opened_at          INTEGER,
    cancelled_at       INTEGER
);
CREATE INDEX procurement_tenders_status ON procurement_tenders (status, bid_deadline);
CREATE INDEX procurement_tenders_agency ON procurement_tenders (agency, published_at);

-- How many tenders close in each hour (hour = bid_deadline / 3 600 000 000): the per-hour cap is
-- a conditional increment of one row, so two publications cannot both take the last place.
CREATE TABLE procurement_deadline_slots (
    hour   INTEGER PRIMARY KEY NOT NULL,
    used   INTEGER NOT NULL
);

-- Every version of a notice: publication, amendments (material or not) and outage extensions.
CREATE TABLE procurement_tender_versions (
    tender_id     TEXT NOT NULL REFERENCES procurement_tenders (id),
    version       INTEGER NOT NULL,
    kind          TEXT NOT NULL CHECK (kind IN ('publication', 'amendment', 'outage_extension')),
    material      BOOLEAN NOT NULL,
    summary       TEXT NOT NULL,
    notice        TEXT NOT NULL,
    bid_deadline  INTEGER NOT NULL,
    opening_at    INTEGER NOT NULL,
    created_at    INTEGER NOT NULL,
    PRIMARY KEY (tender_id, version)
);

CREATE TABLE procurement_committee (
    tender_id     TEXT NOT NULL REFERENCES procurement_tenders (id),
    member_index  INTEGER NOT NULL,
    account_id    TEXT NOT NULL,
    public_key    TEXT NOT NULL,
    PRIMARY KEY (tender_id, member_index),
    UNIQUE (tender_id, account_id)
);

-- Suppliers who said they are interested (downloaded the documents, asked, or bid): they are
-- told of every amendment.
CREATE TABLE procurement_interest (
    tender_id    TEXT NOT NULL REFERENCES procurement_tenders (id),
    business_id  TEXT NOT NULL REFERENCES procurement_suppliers (business_id),
    created_at   INTEGER NOT NULL,
    PRIMARY KEY (tender_id, business_id)
);

-- Questions are anonymous to everyone but the procuring entity; answers are public.
CREATE TABLE procurement_clarifications (
    id           TEXT PRIMARY KEY NOT NULL,
    tender_id    TEXT NOT NULL REFERENCES procurement_tenders (id),
    business_id  TEXT NOT NULL REFERENCES procurement_suppliers (business_id),
    question     TEXT NOT NULL,
    asked_at     INTEGER NOT NULL,
    answer       TEXT,
    answered_at  INTEGER
);
CREATE INDEX procurement_clarifications_tender ON procurement_clarifications (tender_id, asked_at);

CREATE TABLE procurement_bids (
    id             TEXT PRIMARY KEY NOT NULL,    -- hex SHA-256 of the envelope (the bid id)
    tender_id      TEXT NOT NULL REFERENCES procurement_tenders (id),
    business_id    TEXT NOT NULL REFERENCES procurement_suppliers (business_id),
    envelope       BLOB NOT NULL,
    sealed_by      TEXT NOT NULL CHECK (sealed_by IN ('supplier', 'server')),
    signer_spki    TEXT,
    signature      TEXT,
    submitted_by   TEXT NOT NULL,
    status         TEXT NOT NULL CHECK (status IN ('active', 'withdrawn', 'replaced')),
    received_at    INTEGER NOT NULL,
    receipt        TEXT NOT NULL,               -- JSON SignedReceipt
    ended_at       INTEGER
);
CREATE UNIQUE INDEX procurement_bids_one_active ON procurement_bids (tender_id, business_id) WHERE status = 'active';
CREATE INDEX procurement_bids_tender ON procurement_bids (tender_id, status);

-- Shares released by committee members after the opening time. The share bytes are erased in
-- the transaction that opens the bids (the release itself stays on record).
CREATE TABLE procurement_share_releases (
    tender_id     TEXT NOT NULL REFERENCES procurement_tenders (id),
    member_index  INTEGER NOT NULL,
    account_id    TEXT NOT NULL,
    share         TEXT,
    released_at   INTEGER NOT NULL,
    PRIMARY KEY (tender_id, member_index)
);

-- The platform's own availability: every node writes a beat every interval.
CREATE TABLE platform_heartbeats (
    node  TEXT NOT NULL,
    at    INTEGER NOT NULL,
    PRIMARY KEY (node, at)
);
CREATE INDEX platform_heartbeats_at ON platform_heartbeats (at);
