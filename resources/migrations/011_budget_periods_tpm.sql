-- Periodic agent budgets (docs/budgets.md, "Periodic budgets") and tokens-per-minute limits.
-- Money is µ$, times ms since the Unix epoch (UTC).

-- period one_off keeps today's behaviour. A periodic budget resets at resets_at (the next
-- calendar boundary in time_zone): spent returns to 0 and remaining to the period's amount.
-- Leases still open at the reset keep their reservation; it is "carried": counted in
-- total_allocated and total_reserved, and in carried_reserved, until those leases settle.
-- The period's amount is therefore total_allocated - carried_reserved. period_seq counts
-- resets; a lease records the period_seq it was reserved in, so the ledger knows which
-- period its spend belongs to.
ALTER TABLE agent_budgets ADD COLUMN period TEXT NOT NULL DEFAULT 'one_off'
  CHECK (period IN ('one_off', 'daily', 'weekly', 'monthly'));
ALTER TABLE agent_budgets ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE agent_budgets ADD COLUMN period_seq INTEGER NOT NULL DEFAULT 0;
ALTER TABLE agent_budgets ADD COLUMN period_started_at INTEGER;
ALTER TABLE agent_budgets ADD COLUMN resets_at INTEGER;
ALTER TABLE agent_budgets ADD COLUMN carried_reserved INTEGER NOT NULL DEFAULT 0
  CHECK (carried_reserved >= 0 AND carried_reserved <= total_reserved);
CREATE INDEX agent_budgets_resets_at ON agent_budgets(resets_at) WHERE resets_at IS NOT NULL;

ALTER TABLE budget_leases ADD COLUMN period_seq INTEGER NOT NULL DEFAULT 0;

-- A reset is a history entry of its own kind: the allocation stays, the period's spend is
-- recorded in period_spent.
ALTER TABLE budget_history ADD COLUMN kind TEXT NOT NULL DEFAULT 'allocation'
  CHECK (kind IN ('allocation', 'period_reset'));
ALTER TABLE budget_history ADD COLUMN period_spent INTEGER;

-- Tokens per UTC minute, beside requests per minute and tokens per day.
ALTER TABLE usage_limits ADD COLUMN max_tokens_per_minute INTEGER
  CHECK (max_tokens_per_minute IS NULL OR max_tokens_per_minute > 0);

-- usage_counters' kind CHECK gains 'tokens_minute'; SQLite cannot alter a CHECK, so the
-- table is rebuilt with its rows.
CREATE TABLE usage_counters_011 (
  user_id      TEXT NOT NULL,
  project_id   TEXT NOT NULL DEFAULT '',
  kind         TEXT NOT NULL CHECK (kind IN ('tokens_day', 'tokens_minute', 'requests_minute', 'cost_month')),
  period_start INTEGER NOT NULL,
  value        INTEGER NOT NULL DEFAULT 0 CHECK (value >= 0),
  PRIMARY KEY (user_id, project_id, kind, period_start)
);
INSERT INTO usage_counters_011(user_id, project_id, kind, period_start, value)
  SELECT user_id, project_id, kind, period_start, value FROM usage_counters;
DROP TABLE usage_counters;
ALTER TABLE usage_counters_011 RENAME TO usage_counters;
CREATE INDEX usage_counters_period ON usage_counters(kind, period_start);
