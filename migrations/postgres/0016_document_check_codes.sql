-- A short check code printed beside the issue number: a paper copy is checked by both, so
-- guessing issue numbers alone finds nothing. Documents issued before have none and are
-- checked by their number alone.
ALTER TABLE civil_documents ADD COLUMN check_code TEXT;
