-- Files attached to applications. The bytes live in the object store, named by their SHA-256
-- (the same file uploaded twice is stored once); this row says whose they are.
CREATE TABLE civil_attachments (
    application TEXT NOT NULL REFERENCES civil_applications (id),
    field       TEXT NOT NULL,
    sha256      TEXT NOT NULL,
    media_type  TEXT NOT NULL,
    size        BIGINT NOT NULL,
    filename    TEXT NOT NULL,
    created_at  BIGINT NOT NULL,
    PRIMARY KEY (application, field)
);
