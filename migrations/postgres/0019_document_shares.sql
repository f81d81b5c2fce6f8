-- A document its holder sent to a receiving organisation (an agency in the registry, whose
-- officials and API clients sign in or call the API). The organisation sees it verified at
-- view time until the holder withdraws it; each view is an audit event the holder is shown.
CREATE TABLE civil_document_shares (
    id              TEXT PRIMARY KEY NOT NULL,
    issue_number    TEXT NOT NULL REFERENCES civil_documents (issue_number),
    -- The receiving organisation's agency code.
    recipient       TEXT NOT NULL,
    -- The account that sent it (the holder of the document).
    sender          TEXT NOT NULL,
    purpose         TEXT,
    created_at      BIGINT NOT NULL,
    withdrawn_at    BIGINT,
    first_viewed_at BIGINT
);
CREATE INDEX civil_document_shares_recipient ON civil_document_shares (recipient, created_at);
CREATE INDEX civil_document_shares_sender ON civil_document_shares (sender, created_at);
