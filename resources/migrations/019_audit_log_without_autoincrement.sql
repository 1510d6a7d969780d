-- audit_log's id without AUTOINCREMENT: with it, every audit row (one per budget report, lease
-- and mutation) also reads and rewrites its row in sqlite_sequence, one more b-tree write and
-- page per transaction (callgrind, docs/benchmarks.md, sixth pass). A plain INTEGER PRIMARY
-- KEY hands out max(id) + 1, which increases as long as the row with the largest id is never
-- deleted: the audit retention (store/audit_repo.cpp) keeps that row from now on. The b-tree
-- is the same either way, so, as in 016, only the table's text in the schema is edited (the
-- log holds a row per report: rebuilding it would cost start-up time on a large panel).
--
-- If the retention already deleted the rows at the top (a log idle past its retention), the
-- ids handed out so far would be handed out again: one system row takes the next id first.
INSERT INTO audit_log(id, at, actor_type, action)
  SELECT seq + 1, CAST((julianday('now') - 2440587.5) * 86400000 AS INTEGER), 'system', 'audit.ids_continued'
    FROM sqlite_sequence
   WHERE name = 'audit_log' AND seq > (SELECT coalesce(max(id), 0) FROM audit_log);
PRAGMA writable_schema = ON;
UPDATE sqlite_schema
   SET sql = replace(sql, 'id          INTEGER PRIMARY KEY AUTOINCREMENT,', 'id          INTEGER PRIMARY KEY,')
 WHERE type = 'table' AND name = 'audit_log';
-- Schema writing off, and this connection (the writer, which goes on serving) re-reads the
-- schema, so its own inserts no longer touch sqlite_sequence.
PRAGMA writable_schema = RESET;
DELETE FROM sqlite_sequence WHERE name = 'audit_log';
-- A schema change bumps the schema cookie, so any other connection to the file re-reads the
-- schema too.
CREATE TABLE migration_019_schema_cookie (x);
DROP TABLE migration_019_schema_cookie;
