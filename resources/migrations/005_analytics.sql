-- Usage analytics: the raw events agents report (POST /api/v1/analytics/events) and the daily
-- rollups they are aggregated into at write time, in the same transaction. Every read route
-- answers from usage_rollups_daily, so reads cost O(days × agents × models), not O(events).
-- Raw events are pruned after IRON_EVENT_RETENTION_DAYS; rollups are kept.
-- Money is integer microdollars; times are ms since the Unix epoch; `day` is the UTC date.

CREATE TABLE analytics_events (
  id            INTEGER PRIMARY KEY,
  agent_id      INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  event_id      TEXT NOT NULL CHECK (length(event_id) BETWEEN 1 AND 200),
  timestamp_ms  INTEGER NOT NULL,
  day           TEXT NOT NULL,                         -- YYYY-MM-DD (UTC) of timestamp_ms
  event_type    TEXT NOT NULL CHECK (event_type IN ('llm_request_completed', 'llm_request_failed')),
  model         TEXT NOT NULL,
  provider      TEXT NOT NULL,
  provider_id   TEXT,
  input_tokens  INTEGER NOT NULL DEFAULT 0 CHECK (input_tokens >= 0),
  output_tokens INTEGER NOT NULL DEFAULT 0 CHECK (output_tokens >= 0),
  cost_micros   INTEGER NOT NULL DEFAULT 0 CHECK (cost_micros >= 0),
  error_code    TEXT,
  error_message TEXT,
  created_at    INTEGER NOT NULL,
  UNIQUE (agent_id, event_id)
);
CREATE INDEX analytics_events_agent_time ON analytics_events(agent_id, timestamp_ms);
CREATE INDEX analytics_events_time ON analytics_events(timestamp_ms);

-- One row per (UTC day, agent, provider, model). `requests` = completed + failed; tokens and
-- cost count completed events only (spending counts only completed events, §2.8).
CREATE TABLE usage_rollups_daily (
  day           TEXT NOT NULL,
  agent_id      INTEGER NOT NULL REFERENCES agents(id) ON DELETE CASCADE,
  provider      TEXT NOT NULL,
  model         TEXT NOT NULL,
  requests      INTEGER NOT NULL DEFAULT 0,
  completed     INTEGER NOT NULL DEFAULT 0,
  failed        INTEGER NOT NULL DEFAULT 0,
  input_tokens  INTEGER NOT NULL DEFAULT 0,
  output_tokens INTEGER NOT NULL DEFAULT 0,
  cost_micros   INTEGER NOT NULL DEFAULT 0,
  min_cost_micros INTEGER,                            -- per completed request, for avg-per-request
  max_cost_micros INTEGER,
  PRIMARY KEY (day, agent_id, provider, model),
  CHECK (requests = completed + failed)
);
CREATE INDEX usage_rollups_daily_agent ON usage_rollups_daily(agent_id, day);
