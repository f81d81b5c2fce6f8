-- Base registries: people, businesses and agencies, every version of each record, and the
-- data-sharing rules that decide once-only look-ups of people's data.
--
-- Each kind keeps its current record as JSON (`data`) with indexed copies of the fields that
-- are searched or joined on; `registry_versions` keeps every version (what, when, by whom, why)
-- for history and "as of" queries. `import_id` names the bulk import that last wrote a row.
-- Independent of 0003-0005: applied after them on an existing database, in order on a new one.

CREATE TABLE registry_agencies (
    code        TEXT PRIMARY KEY NOT NULL,
    parent_code TEXT REFERENCES registry_agencies (code),
    level       TEXT NOT NULL CHECK (level IN ('ministry', 'agency', 'office')),
    name_latin  TEXT NOT NULL,
    version     INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    import_id   TEXT,
    data        TEXT NOT NULL
);
CREATE INDEX registry_agencies_parent ON registry_agencies (parent_code);

CREATE TABLE registry_people (
    id          TEXT PRIMARY KEY NOT NULL,
    national_id TEXT NOT NULL UNIQUE,
    parent1_id  TEXT REFERENCES registry_people (id),
    parent2_id  TEXT REFERENCES registry_people (id),
    spouse_id   TEXT REFERENCES registry_people (id),
    status      TEXT NOT NULL CHECK (status IN ('living', 'deceased', 'emigrated')),
    name_latin  TEXT NOT NULL,
    version     INTEGER NOT NULL,
    updated_at  INTEGER NOT NULL,
    import_id   TEXT,
    data        TEXT NOT NULL
);
-- Partial indexes: most rows have no parent or spouse recorded, and NULLs need no entry.
CREATE INDEX registry_people_parent1 ON registry_people (parent1_id) WHERE parent1_id IS NOT NULL;
CREATE INDEX registry_people_parent2 ON registry_people (parent2_id) WHERE parent2_id IS NOT NULL;
CREATE INDEX registry_people_spouse ON registry_people (spouse_id) WHERE spouse_id IS NOT NULL;

CREATE TABLE registry_businesses (
    id                  TEXT PRIMARY KEY NOT NULL,
    registration_number TEXT NOT NULL UNIQUE,
    representative_id   TEXT NOT NULL REFERENCES registry_people (id),
    status              TEXT NOT NULL CHECK (status IN ('active', 'suspended', 'closed')),
    name                TEXT NOT NULL,
    version             INTEGER NOT NULL,
    updated_at          INTEGER NOT NULL,
    import_id           TEXT,
    data                TEXT NOT NULL
);
CREATE INDEX registry_businesses_representative ON registry_businesses (representative_id);

CREATE TABLE registry_versions (
    kind          TEXT NOT NULL CHECK (kind IN ('person', 'business', 'agency')),
    entity_id     TEXT NOT NULL,
    version       INTEGER NOT NULL,
    recorded_at   INTEGER NOT NULL,
    actor_kind    TEXT NOT NULL,
    actor_account TEXT,
    actor_agency  TEXT,
    reason        TEXT NOT NULL,
    changes       TEXT NOT NULL,   -- JSON array of the top-level fields that changed
    data          TEXT NOT NULL,   -- the record as of this version (JSON)
    PRIMARY KEY (kind, entity_id, version)
);

CREATE TABLE registry_sharing_rules (
    id          TEXT PRIMARY KEY NOT NULL,
    agency_code TEXT NOT NULL REFERENCES registry_agencies (code),
    purpose     TEXT NOT NULL,
    fields      TEXT NOT NULL,     -- JSON array of person fields
    legal_basis TEXT NOT NULL,
    created_at  INTEGER NOT NULL,
    revoked_at  INTEGER
);
CREATE INDEX registry_sharing_rules_agency ON registry_sharing_rules (agency_code, purpose);
