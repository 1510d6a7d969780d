-- Budget-change requests and usage limits with their enforcement counters. Money is integer
-- microdollars (µ$); times are ms since the Unix epoch (UTC). No rows are seeded.

-- A request to set an agent's allocation to an ABSOLUTE amount. current_budget_micros is the
-- allocation when the request was made (for display); approval applies
-- requested_budget_micros against the allocation at approval time, never a delta.
CREATE TABLE budget_requests (
  id                      TEXT PRIMARY KEY,                 -- breq_<uuid>
  agent_id                INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  requester_id            TEXT NOT NULL,                    -- user id from the caller's token
  current_budget_micros   INTEGER NOT NULL CHECK (current_budget_micros >= 0),
  requested_budget_micros INTEGER NOT NULL CHECK (requested_budget_micros > 0),
  justification           TEXT NOT NULL,
  status                  TEXT NOT NULL DEFAULT 'pending'
                          CHECK (status IN ('pending', 'approved', 'rejected', 'cancelled')),
  rejection_reason        TEXT,
  decided_by              TEXT,                             -- approver / rejecter / canceller
  decided_at              INTEGER,
  created_at              INTEGER NOT NULL,
  updated_at              INTEGER NOT NULL,
  CHECK ((status = 'pending') = (decided_at IS NULL)),
  CHECK (status = 'rejected' OR rejection_reason IS NULL)
);
CREATE INDEX budget_requests_agent ON budget_requests(agent_id, created_at);
CREATE INDEX budget_requests_status ON budget_requests(status, created_at);

-- Usage limits per user, optionally narrowed to one project. A NULL maximum means "no limit";
-- at least one maximum is set (enforced by the API). alert_thresholds is a JSON array of
-- percents at which a budget.alert event is published.
CREATE TABLE usage_limits (
  id                              INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id                         TEXT NOT NULL REFERENCES users(id),
  project_id                      TEXT CHECK (project_id IS NULL OR length(project_id) > 0),
  max_tokens_per_day              INTEGER CHECK (max_tokens_per_day IS NULL OR max_tokens_per_day > 0),
  max_requests_per_minute         INTEGER CHECK (max_requests_per_minute IS NULL OR max_requests_per_minute > 0),
  max_cost_per_month_microdollars INTEGER
                                  CHECK (max_cost_per_month_microdollars IS NULL OR max_cost_per_month_microdollars > 0),
  alert_thresholds                TEXT NOT NULL DEFAULT '[50,80,95]',
  created_at                      INTEGER NOT NULL,
  updated_at                      INTEGER NOT NULL
);
-- UNIQUE(user_id, project_id) would allow any number of NULL-project rows (NULLs are
-- distinct in UNIQUE); the expression index treats "no project" as one value.
CREATE UNIQUE INDEX usage_limits_user_project ON usage_limits(user_id, coalesce(project_id, ''));

-- Usage counted per period: a new period starts a new row, so counters reset by time without
-- any job touching them; old periods are pruned in the background. project_id '' is the
-- user-wide counter (all projects), which every recorded usage also increments.
CREATE TABLE usage_counters (
  user_id      TEXT NOT NULL,
  project_id   TEXT NOT NULL DEFAULT '',
  kind         TEXT NOT NULL CHECK (kind IN ('tokens_day', 'requests_minute', 'cost_month')),
  period_start INTEGER NOT NULL,                          -- UTC start of the day / minute / month
  value        INTEGER NOT NULL DEFAULT 0 CHECK (value >= 0),
  PRIMARY KEY (user_id, project_id, kind, period_start)
);
CREATE INDEX usage_counters_period ON usage_counters(kind, period_start);
