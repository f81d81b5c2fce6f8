-- Who imported each watchlist (the account; NULL: the platform itself, e.g. the demo or a
-- command run on the server). The audit log has it too; the lists page shows it at a glance.
ALTER TABLE border_watchlists ADD COLUMN imported_by TEXT;
