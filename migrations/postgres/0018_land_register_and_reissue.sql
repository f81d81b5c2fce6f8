-- The land register: parcels (current record as JSON with indexed copies, like the other
-- registries), and every version of each parcel for history and "as of" extracts. The versions
-- have a table of their own (same columns as `registry_versions`) so that this migration does
-- not depend on 0002, which an older database may apply after it.
CREATE TABLE registry_parcels (
    parcel_number TEXT PRIMARY KEY NOT NULL,
    region        TEXT NOT NULL,
    locality      TEXT NOT NULL,
    category      TEXT NOT NULL,
    version       BIGINT NOT NULL,
    updated_at    BIGINT NOT NULL,
    import_id     TEXT,
    data          TEXT NOT NULL
);
CREATE INDEX registry_parcels_locality ON registry_parcels (region, locality);

CREATE TABLE registry_parcel_versions (
    kind          TEXT NOT NULL CHECK (kind = 'parcel'),
    entity_id     TEXT NOT NULL,
    version       BIGINT NOT NULL,
    recorded_at   BIGINT NOT NULL,
    actor_kind    TEXT NOT NULL,
    actor_account TEXT,
    actor_agency  TEXT,
    reason        TEXT NOT NULL,
    changes       TEXT NOT NULL,   -- JSON array of the top-level fields that changed
    data          TEXT NOT NULL,   -- the record as of this version (JSON)
    PRIMARY KEY (kind, entity_id, version)
);

-- A reissued document names the one it replaces (which is revoked, reason "reissued as …").
ALTER TABLE civil_documents ADD COLUMN replaces TEXT;
