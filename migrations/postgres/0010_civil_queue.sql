-- Work queues read in order from an index instead of sorting every open application of an
-- agency on each page (measured: 14 ms → 0.2 ms for a 40,000-application office on SQLite).
-- The "open" filter (submitted or in review) has its own partial index: neither engine reads an
-- IN list over an index in the order of a later column.
DROP INDEX civil_applications_queue;
CREATE INDEX civil_applications_queue ON civil_applications (agency, status, submitted_at, id);
CREATE INDEX civil_applications_open ON civil_applications (agency, submitted_at, id)
    WHERE status IN ('submitted', 'in_review');
-- "Mine": what one official works on.
CREATE INDEX civil_applications_assigned ON civil_applications (assigned_to, submitted_at, id)
    WHERE assigned_to IS NOT NULL;

-- Where each version came from: the services folder ('file') or an administrator in the portal
-- ('portal'). At start a file is loaded only when it differs from the last version loaded from
-- the file, so a restart never undoes an administrator's edit.
ALTER TABLE civil_service_versions ADD COLUMN source TEXT NOT NULL DEFAULT 'file'
    CHECK (source IN ('file', 'portal'));
