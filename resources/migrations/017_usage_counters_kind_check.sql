-- usage_counters' kind CHECK as a chain of equalities instead of IN (...): SQLite (3.40)
-- evaluates a CHECK's IN list of more than two values through an ephemeral table it opens,
-- fills and frees on every INSERT, and every budget report and ingested usage upserts two to
-- four counters (a fifth of a report's instructions under callgrind, docs/benchmarks.md).
-- The same values are allowed; SQLite cannot alter a CHECK, so the table (small: finished
-- periods are pruned) is rebuilt with its rows.
CREATE TABLE usage_counters_017 (
  user_id      TEXT NOT NULL,
  project_id   TEXT NOT NULL DEFAULT '',
  kind         TEXT NOT NULL CHECK (kind = 'tokens_day' OR kind = 'tokens_minute' OR kind = 'requests_minute'
                                    OR kind = 'cost_month'),
  period_start INTEGER NOT NULL,
  value        INTEGER NOT NULL DEFAULT 0 CHECK (value >= 0),
  PRIMARY KEY (user_id, project_id, kind, period_start)
);
INSERT INTO usage_counters_017(user_id, project_id, kind, period_start, value)
  SELECT user_id, project_id, kind, period_start, value FROM usage_counters;
DROP TABLE usage_counters;
ALTER TABLE usage_counters_017 RENAME TO usage_counters;
CREATE INDEX usage_counters_period ON usage_counters(kind, period_start);
