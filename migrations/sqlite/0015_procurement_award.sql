-- no-transaction
-- Evaluation, award, standstill and complaints (issue 11): the evaluation panel and its sealed
-- score sheets, decisions on abnormally low bids, signed evaluation reports, awards and
-- complaints. Tender statuses gain 'evaluated' and 'awarded'.
--
-- SQLite cannot change a CHECK constraint, so procurement_tenders is rebuilt (the documented
-- twelve-step procedure): foreign keys off for the copy (it keeps every id, so the rows that
-- refer to a tender still do), back on after the commit.
PRAGMA foreign_keys = OFF;
BEGIN;
CREATE TABLE procurement_tenders_v2 (
    id                 TEXT PRIMARY KEY NOT NULL,
    agency             TEXT NOT NULL,
    title              TEXT NOT NULL,
    method             TEXT NOT NULL CHECK (method IN ('open', 'restricted', 'limited')),
    status             TEXT NOT NULL CHECK (status IN ('published', 'closed', 'opened', 'evaluated', 'awarded', 'cancelled')),
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
INSERT INTO procurement_tenders_v2 SELECT * FROM procurement_tenders;
DROP TABLE procurement_tenders;
ALTER TABLE procurement_tenders_v2 RENAME TO procurement_tenders;
CREATE INDEX procurement_tenders_status ON procurement_tenders (status, bid_deadline);
CREATE INDEX procurement_tenders_agency ON procurement_tenders (agency, published_at);

-- The evaluation panel of a tender, appointed after opening. A sheet, once submitted, is final.
CREATE TABLE procurement_evaluators (
    tender_id     TEXT NOT NULL REFERENCES procurement_tenders (id),
    account_id    TEXT NOT NULL,
    appointed_at  INTEGER NOT NULL,
    submitted_at  INTEGER,
    sheet_sha256  TEXT,                 -- hex SHA-256 of the submitted sheet (also audited)
    PRIMARY KEY (tender_id, account_id)
);

-- Evaluators' points: one row per evaluator, bid, lot and criterion. Nobody reads another
-- evaluator's rows until every appointed evaluator has submitted (the service enforces it).
CREATE TABLE procurement_scores (
    tender_id   TEXT NOT NULL,
    account_id  TEXT NOT NULL,
    bid_id      TEXT NOT NULL,
    lot_id      TEXT NOT NULL,
    criterion   TEXT NOT NULL,
    points      INTEGER NOT NULL CHECK (points >= 0),
    PRIMARY KEY (tender_id, account_id, bid_id, lot_id, criterion),
    FOREIGN KEY (tender_id, account_id) REFERENCES procurement_evaluators (tender_id, account_id)
);

-- The procuring entity's decisions on the explanations of abnormally low bids.
CREATE TABLE procurement_low_bid_decisions (
    tender_id   TEXT NOT NULL REFERENCES procurement_tenders (id),
    bid_id      TEXT NOT NULL,
    lot_id      TEXT NOT NULL,
    accepted    BOOLEAN NOT NULL,
    reason      TEXT NOT NULL,
    decided_by  TEXT NOT NULL,
    decided_at  INTEGER NOT NULL,
    PRIMARY KEY (tender_id, bid_id, lot_id)
);

-- Signed evaluation reports; a re-evaluation adds a version, the highest is current.
CREATE TABLE procurement_evaluations (
    tender_id   TEXT NOT NULL REFERENCES procurement_tenders (id),
    version     INTEGER NOT NULL,
    report      TEXT NOT NULL,          -- JSON EvaluationReport (canonical bytes, as signed)
    signature   TEXT NOT NULL,          -- JSON PlatformSignature
    created_at  INTEGER NOT NULL,
    PRIMARY KEY (tender_id, version)
);

-- The award of a tender: standstill until standstill_ends_at, then final unless a complaint is
-- open (suspended) or was upheld (annulled). Cancelled with a reason.
CREATE TABLE procurement_awards (
    tender_id           TEXT PRIMARY KEY NOT NULL REFERENCES procurement_tenders (id),
    evaluation_version  INTEGER NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('standstill', 'final', 'annulled', 'cancelled')),
    awarded_at          INTEGER NOT NULL,
    standstill_ends_at  INTEGER NOT NULL,
    final_at            INTEGER,
    ended_at            INTEGER,
    end_reason          TEXT
);
CREATE INDEX procurement_awards_due ON procurement_awards (status, standstill_ends_at);

-- Complaints by bidders against an award, filed during the standstill period.
CREATE TABLE procurement_complaints (
    id               TEXT PRIMARY KEY NOT NULL,
    tender_id        TEXT NOT NULL REFERENCES procurement_tenders (id),
    business_id      TEXT NOT NULL REFERENCES procurement_suppliers (business_id),
    filed_by         TEXT NOT NULL,
    grounds          TEXT NOT NULL,
    filed_at         INTEGER NOT NULL,
    answer           TEXT,
    answered_at      INTEGER,
    decision         TEXT CHECK (decision IN ('upheld', 'dismissed')),
    decision_reason  TEXT,
    decided_by       TEXT,
    decided_at       INTEGER
);
CREATE INDEX procurement_complaints_tender ON procurement_complaints (tender_id, filed_at);

COMMIT;
PRAGMA foreign_keys = ON;
