-- Evaluation, award, standstill and complaints (issue 11): the evaluation panel and its sealed
-- score sheets, decisions on abnormally low bids, signed evaluation reports, awards and
-- complaints. Tender statuses gain 'evaluated' and 'awarded'.

ALTER TABLE procurement_tenders DROP CONSTRAINT procurement_tenders_status_check;
ALTER TABLE procurement_tenders ADD CONSTRAINT procurement_tenders_status_check
    CHECK (status IN ('published', 'closed', 'opened', 'evaluated', 'awarded', 'cancelled'));

-- The evaluation panel of a tender, appointed after opening. A sheet, once submitted, is final.
CREATE TABLE procurement_evaluators (
    tender_id     TEXT NOT NULL REFERENCES procurement_tenders (id),
    account_id    TEXT NOT NULL,
    appointed_at  BIGINT NOT NULL,
    submitted_at  BIGINT,
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
    points      BIGINT NOT NULL CHECK (points >= 0),
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
    decided_at  BIGINT NOT NULL,
    PRIMARY KEY (tender_id, bid_id, lot_id)
);

-- Signed evaluation reports; a re-evaluation adds a version, the highest is current.
CREATE TABLE procurement_evaluations (
    tender_id   TEXT NOT NULL REFERENCES procurement_tenders (id),
    version     BIGINT NOT NULL,
    report      TEXT NOT NULL,          -- JSON EvaluationReport (canonical bytes, as signed)
    signature   TEXT NOT NULL,          -- JSON PlatformSignature
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (tender_id, version)
);

-- The award of a tender: standstill until standstill_ends_at, then final unless a complaint is
-- open (suspended) or was upheld (annulled). Cancelled with a reason.
CREATE TABLE procurement_awards (
    tender_id           TEXT PRIMARY KEY NOT NULL REFERENCES procurement_tenders (id),
    evaluation_version  BIGINT NOT NULL,
    status              TEXT NOT NULL CHECK (status IN ('standstill', 'final', 'annulled', 'cancelled')),
    awarded_at          BIGINT NOT NULL,
    standstill_ends_at  BIGINT NOT NULL,
    final_at            BIGINT,
    ended_at            BIGINT,
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
    filed_at         BIGINT NOT NULL,
    answer           TEXT,
    answered_at      BIGINT,
    decision         TEXT CHECK (decision IN ('upheld', 'dismissed')),
    decision_reason  TEXT,
    decided_by       TEXT,
    decided_at       BIGINT
);
CREATE INDEX procurement_complaints_tender ON procurement_complaints (tender_id, filed_at);
