-- analytics_events' cost_source CHECK (012) as a chain of equalities instead of IN (...):
-- SQLite (3.40) evaluates a CHECK's IN list of more than two values through an ephemeral
-- table it opens, fills and frees on every INSERT, so once per ingested event (~20k of its
-- ~361k instructions under callgrind, docs/benchmarks.md). The same five values are allowed.
-- 017 rebuilt the small usage_counters for the same reason; analytics_events holds every event
-- (1.7 GB at 10M), so instead the CHECK's text in the schema is edited in place. That is safe
-- because it changes nothing stored: every row satisfying the old CHECK satisfies the new one.
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql,
                     'CHECK (cost_source IN (''legacy'', ''reported'', ''catalogue'', ''unpriced'', ''none''))',
                     'CHECK (cost_source = ''legacy'' OR cost_source = ''reported'' OR cost_source = ''catalogue''' ||
                     ' OR cost_source = ''unpriced'' OR cost_source = ''none'')')
 WHERE type = 'table' AND name = 'analytics_events';
-- Schema writing off, and this connection (the writer, which goes on serving) re-reads the
-- schema, so its own inserts use the new CHECK.
PRAGMA writable_schema = RESET;
-- A schema change bumps the schema cookie, so any other connection to the file re-reads the
-- schema too.
CREATE TABLE migration_016_schema_cookie (x);
DROP TABLE migration_016_schema_cookie;
