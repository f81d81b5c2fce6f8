-- Citizen enrolment codes, business staff, and delegation between people.

-- A one-time code that proves, at sign-up, that the holder is the registry's person: handed over
-- by an official after checking an identity document at a counter, or posted to the registered
-- address. Stored only as a SHA-256 hash; one open code per person.
CREATE TABLE enrolment_codes (
    code_hash  TEXT PRIMARY KEY NOT NULL,
    person_id  TEXT NOT NULL,
    issued_by  TEXT,
    created_at BIGINT NOT NULL,
    expires_at BIGINT NOT NULL,
    used_at    BIGINT
);
CREATE INDEX enrolment_codes_person ON enrolment_codes (person_id, used_at);

-- A person authorises another to act for them for named services until a date (exclusive
-- end of the last day, in microseconds). Parents of minors need no row: the family registry
-- decides.
CREATE TABLE delegations (
    id           TEXT PRIMARY KEY NOT NULL,
    grantor      TEXT NOT NULL,      -- person id
    grantee      TEXT NOT NULL,      -- person id
    grantor_name TEXT NOT NULL,      -- from the registry, shown to the grantee
    grantee_name TEXT NOT NULL,      -- as the grantor typed it and the registry confirmed
    services     TEXT NOT NULL,      -- JSON array of service codes, or ["*"] for all
    valid_until  BIGINT NOT NULL,
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX delegations_grantor ON delegations (grantor, revoked_at);
CREATE INDEX delegations_grantee ON delegations (grantee, revoked_at);

CREATE INDEX accounts_business ON accounts (business_id, status);
