-- Full-text search of the catalogue: a weighted tsvector (names A, keywords B, descriptions C)
-- with the 'simple' configuration, which keeps Korean words whole; and trigrams (pg_trgm, a
-- trusted extension) for the substring fallback inside Korean compounds (등본 in 주민등록등본).
-- Kept in step with civil_services by dasan-civil on every definition change.
CREATE EXTENSION IF NOT EXISTS pg_trgm;

ALTER TABLE civil_services ADD COLUMN search_vector tsvector NOT NULL DEFAULT ''::tsvector;

UPDATE civil_services SET search_vector =
    setweight(to_tsvector('simple', coalesce(definition::jsonb #>> '{name,en}', '') || ' ' || coalesce(definition::jsonb #>> '{name,ko}', '')), 'A') ||
    setweight(to_tsvector('simple', coalesce((SELECT string_agg(k, ' ') FROM jsonb_array_elements_text(definition::jsonb -> 'keywords') k), '') || ' ' || code || ' ' || agency), 'B') ||
    setweight(to_tsvector('simple', coalesce(definition::jsonb #>> '{description,en}', '') || ' ' || coalesce(definition::jsonb #>> '{description,ko}', '')), 'C');

CREATE INDEX civil_services_search ON civil_services USING GIN (search_vector);
CREATE INDEX civil_services_trigram ON civil_services USING GIN (search_text gin_trgm_ops);
