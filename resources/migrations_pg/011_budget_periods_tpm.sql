-- PostgreSQL equivalent of resources/migrations/011_budget_periods_tpm.sql. usage_counters'
-- kind CHECK is replaced in place (SQLite rebuilds the table for it).
ALTER TABLE agent_budgets ADD COLUMN period TEXT NOT NULL DEFAULT 'one_off'
  CHECK (period IN ('one_off', 'daily', 'weekly', 'monthly'));
ALTER TABLE agent_budgets ADD COLUMN time_zone TEXT NOT NULL DEFAULT 'UTC';
ALTER TABLE agent_budgets ADD COLUMN period_seq BIGINT NOT NULL DEFAULT 0;
ALTER TABLE agent_budgets ADD COLUMN period_started_at BIGINT;
ALTER TABLE agent_budgets ADD COLUMN resets_at BIGINT;
ALTER TABLE agent_budgets ADD COLUMN carried_reserved BIGINT NOT NULL DEFAULT 0
  CHECK (carried_reserved >= 0 AND carried_reserved <= total_reserved);
CREATE INDEX agent_budgets_resets_at ON agent_budgets(resets_at) WHERE resets_at IS NOT NULL;

ALTER TABLE budget_leases ADD COLUMN period_seq BIGINT NOT NULL DEFAULT 0;

ALTER TABLE budget_history ADD COLUMN kind TEXT NOT NULL DEFAULT 'allocation'
  CHECK (kind IN ('allocation', 'period_reset'));
ALTER TABLE budget_history ADD COLUMN period_spent BIGINT;

ALTER TABLE usage_limits ADD COLUMN max_tokens_per_minute BIGINT
  CHECK (max_tokens_per_minute IS NULL OR max_tokens_per_minute > 0);

ALTER TABLE usage_counters DROP CONSTRAINT usage_counters_kind_check;
ALTER TABLE usage_counters ADD CONSTRAINT usage_counters_kind_check
  CHECK (kind IN ('tokens_day', 'tokens_minute', 'requests_minute', 'cost_month'));
