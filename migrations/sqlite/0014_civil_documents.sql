-- Official documents issued from applications: the signed PDF is stored by content hash (the
-- row keeps the hash, so a changed file is refused), the QR seal's payload is kept for
-- verification, and a document can later be revoked.
CREATE TABLE civil_documents (
    issue_number   TEXT PRIMARY KEY NOT NULL,
    application    TEXT NOT NULL REFERENCES civil_applications (id),
    document_type  TEXT NOT NULL,
    agency         TEXT NOT NULL,
    -- The agency whose document-signing certificate signed it (the agency or a parent).
    signed_by      TEXT NOT NULL,
    issued_at      INTEGER NOT NULL,
    expires_at     INTEGER NOT NULL,
    sha256         TEXT NOT NULL,
    size           INTEGER NOT NULL,
    qr             TEXT NOT NULL,
    status         TEXT NOT NULL DEFAULT 'valid' CHECK (status IN ('valid', 'revoked')),
    revoked_at     INTEGER,
    revoked_reason TEXT
);
CREATE INDEX civil_documents_application ON civil_documents (application, issued_at);
