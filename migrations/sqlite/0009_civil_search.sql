-- Full-text search of the catalogue (FTS5). Names weigh most, then keywords, then descriptions;
-- a word matches any token it begins (Korean particles follow the stem: 여권 finds 여권을).
-- Kept in step with civil_services by dasan-civil on every definition change.
CREATE VIRTUAL TABLE civil_services_fts USING fts5(
    code UNINDEXED,
    names,
    keywords,
    descriptions,
    tokenize = 'unicode61 remove_diacritics 0'
);

INSERT INTO civil_services_fts (code, names, keywords, descriptions)
SELECT code,
       coalesce(json_extract(definition, '$.name.en'), '') || ' ' || coalesce(json_extract(definition, '$.name.ko'), ''),
       coalesce((SELECT group_concat(value, ' ') FROM json_each(definition, '$.keywords')), '') || ' ' || code || ' ' || agency,
       coalesce(json_extract(definition, '$.description.en'), '') || ' ' || coalesce(json_extract(definition, '$.description.ko'), '')
FROM civil_services;
