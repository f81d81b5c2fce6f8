-- Tender documents (issue 10): the files a procuring entity uploaded, by content hash. The bytes
-- live in the document store (a folder named by SHA-256); a row says the agency uploaded them
-- and what their content was checked to be. A notice may list only documents of its agency.
CREATE TABLE procurement_documents (
    agency       TEXT NOT NULL,
    sha256       TEXT NOT NULL,
    media_type   TEXT NOT NULL,
    size         BIGINT NOT NULL CHECK (size > 0),
    uploaded_by  TEXT NOT NULL,
    uploaded_at  BIGINT NOT NULL,
    PRIMARY KEY (agency, sha256)
);
