-- The tamper-evident audit log: audit_events rows become leaves of an RFC 9162 Merkle tree.
-- The sequencer gives each committed event its leaf index (commit order), stores the tree's
-- hashes in Go sumdb/tlog's flat layout and signs a C2SP checkpoint after each batch.
ALTER TABLE audit_events ADD COLUMN leaf_index BIGINT;
CREATE UNIQUE INDEX audit_events_leaf ON audit_events (leaf_index);
CREATE INDEX audit_events_unsequenced ON audit_events (at, id) WHERE leaf_index IS NULL;

-- Stored hashes by stored-hash index (leaves and every completed subtree root).
CREATE TABLE audit_hashes (
    idx  BIGINT PRIMARY KEY NOT NULL,
    hash BLOB NOT NULL
);

-- Every checkpoint ever signed: the archive auditors compare against.
CREATE TABLE audit_checkpoints (
    size       BIGINT PRIMARY KEY NOT NULL,
    root       BLOB NOT NULL,
    note       TEXT NOT NULL,
    created_at BIGINT NOT NULL
);

-- The platform PKI as `dasan pki init` made it (certificates, CRLs, trust list; no secret):
-- what the portal publishes over HTTP. One row.
CREATE TABLE pki_layout (
    id         INTEGER PRIMARY KEY NOT NULL CHECK (id = 1),
    layout     TEXT NOT NULL,
    created_at BIGINT NOT NULL
);
