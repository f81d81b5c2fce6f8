-- E-contracts (issue 11): contracts made from final awards, their versions (the contract and
-- its amendments, each a PDF signed by both parties in PAdES), deliveries accepted or rejected
-- per milestone, payments with their late days, and the e-seal certificates the platform PKI
-- issues to suppliers for signing. Money is integer minor units; dates are ISO 8601 (Korea).

CREATE TABLE procurement_contracts (
    id           TEXT PRIMARY KEY NOT NULL,
    tender_id    TEXT NOT NULL REFERENCES procurement_tenders (id),
    business_id  TEXT NOT NULL REFERENCES procurement_suppliers (business_id),
    agency       TEXT NOT NULL,
    status       TEXT NOT NULL CHECK (status IN ('draft', 'entity_signed', 'active', 'completed', 'terminated')),
    language     TEXT NOT NULL CHECK (language IN ('ko', 'en')),
    created_by   TEXT NOT NULL,
    created_at   INTEGER NOT NULL,
    signed_at    INTEGER,              -- both parties signed version 1
    ended_at     INTEGER,
    end_reason   TEXT,
    UNIQUE (tender_id, business_id)
);
CREATE INDEX procurement_contracts_tender ON procurement_contracts (tender_id, created_at);

-- Version 1 is the contract; 2, 3, ... amendments. The PDF is replaced by the supplier's
-- incremental update, which keeps the entity's signed bytes as its prefix.
CREATE TABLE procurement_contract_versions (
    contract_id         TEXT NOT NULL REFERENCES procurement_contracts (id),
    version             INTEGER NOT NULL CHECK (version >= 1),
    terms               TEXT NOT NULL,      -- JSON ContractTerms
    reason              TEXT,               -- why amended (NULL for version 1)
    created_by          TEXT NOT NULL,
    created_at          INTEGER NOT NULL,
    pdf                 BLOB,
    pdf_sha256          TEXT,
    entity_signed_by    TEXT,
    entity_signed_at    INTEGER,
    supplier_signed_by  TEXT,
    supplier_signed_at  INTEGER,
    PRIMARY KEY (contract_id, version)
);

-- The entity's decisions on deliveries; the latest per milestone counts.
CREATE TABLE procurement_contract_acceptances (
    id            TEXT PRIMARY KEY NOT NULL,
    contract_id   TEXT NOT NULL REFERENCES procurement_contracts (id),
    milestone_id  TEXT NOT NULL,
    accepted      BOOLEAN NOT NULL,
    notes         TEXT NOT NULL,
    decided_by    TEXT NOT NULL,
    decided_at    INTEGER NOT NULL
);
CREATE INDEX procurement_contract_acceptances_contract ON procurement_contract_acceptances (contract_id, decided_at);

CREATE TABLE procurement_contract_payments (
    id            TEXT PRIMARY KEY NOT NULL,
    contract_id   TEXT NOT NULL REFERENCES procurement_contracts (id),
    milestone_id  TEXT NOT NULL,
    amount_minor  INTEGER NOT NULL CHECK (amount_minor > 0),
    currency      TEXT NOT NULL,
    paid_on       TEXT NOT NULL,
    due_on        TEXT NOT NULL,
    late_days     INTEGER NOT NULL CHECK (late_days >= 0),
    recorded_by   TEXT NOT NULL,
    recorded_at   INTEGER NOT NULL
);
CREATE INDEX procurement_contract_payments_contract ON procurement_contract_payments (contract_id, recorded_at);

-- A supplier's e-seal: a key in the platform key store, certified by the central procurement
-- authority's issuing CA, used only when an authorised bidder of the supplier signs.
CREATE TABLE procurement_supplier_seals (
    business_id  TEXT PRIMARY KEY NOT NULL REFERENCES procurement_suppliers (business_id),
    key_id       TEXT NOT NULL,
    certificate  BLOB NOT NULL,
    serial       TEXT NOT NULL,
    issued_at    INTEGER NOT NULL
);
