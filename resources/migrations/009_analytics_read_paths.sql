-- The event list's time index also carries the row key and the agent (issue 13). A page is
-- found newest first by (timestamp_ms, id) without a sort, an OFFSET skips index entries
-- instead of whole rows, and the owner / agent filters and the count of a period's partial
-- days are answered from the index alone. It replaces the timestamp-only index of 005 (same
-- name), so ingestion still maintains one time index.
DROP INDEX analytics_events_time;
CREATE INDEX analytics_events_time ON analytics_events(timestamp_ms, id, agent_id);

-- The daily rollups once more without the agent: one row per (UTC day, provider, model), a
-- hundred times fewer rows than usage_rollups_daily with a hundred agents. Whole-panel reads
-- (an admin's totals, model breakdown, daily series, count of the event list) sum these
-- instead of every agent's rows. Kept equal to the sum of usage_rollups_daily by triggers, in
-- the same statement as each change there: ingestion upserts, and an agent's deletion
-- (its rollups cascade), which also recomputes the day's min / max from what is left.
CREATE TABLE usage_rollups_daily_models (
  day             TEXT NOT NULL,
  provider        TEXT NOT NULL,
  model           TEXT NOT NULL,
  requests        INTEGER NOT NULL DEFAULT 0,
  completed       INTEGER NOT NULL DEFAULT 0,
  failed          INTEGER NOT NULL DEFAULT 0,
  input_tokens    INTEGER NOT NULL DEFAULT 0,
  output_tokens   INTEGER NOT NULL DEFAULT 0,
  cost_micros     INTEGER NOT NULL DEFAULT 0,
  min_cost_micros INTEGER,
  max_cost_micros INTEGER,
  PRIMARY KEY (day, provider, model)
) WITHOUT ROWID;

INSERT INTO usage_rollups_daily_models
  SELECT day, provider, model, sum(requests), sum(completed), sum(failed), sum(input_tokens), sum(output_tokens),
         sum(cost_micros), min(min_cost_micros), max(max_cost_micros)
  FROM usage_rollups_daily GROUP BY day, provider, model;

CREATE TRIGGER usage_rollups_daily_models_insert AFTER INSERT ON usage_rollups_daily BEGIN
  INSERT INTO usage_rollups_daily_models
    VALUES (NEW.day, NEW.provider, NEW.model, NEW.requests, NEW.completed, NEW.failed, NEW.input_tokens,
            NEW.output_tokens, NEW.cost_micros, NEW.min_cost_micros, NEW.max_cost_micros)
  ON CONFLICT (day, provider, model) DO UPDATE SET
    requests = requests + excluded.requests, completed = completed + excluded.completed,
    failed = failed + excluded.failed, input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens, cost_micros = cost_micros + excluded.cost_micros,
    min_cost_micros = coalesce(min(min_cost_micros, excluded.min_cost_micros), min_cost_micros, excluded.min_cost_micros),
    max_cost_micros = coalesce(max(max_cost_micros, excluded.max_cost_micros), max_cost_micros, excluded.max_cost_micros);
END;

CREATE TRIGGER usage_rollups_daily_models_update AFTER UPDATE ON usage_rollups_daily BEGIN
  UPDATE usage_rollups_daily_models SET
    requests = requests + NEW.requests - OLD.requests, completed = completed + NEW.completed - OLD.completed,
    failed = failed + NEW.failed - OLD.failed, input_tokens = input_tokens + NEW.input_tokens - OLD.input_tokens,
    output_tokens = output_tokens + NEW.output_tokens - OLD.output_tokens,
    cost_micros = cost_micros + NEW.cost_micros - OLD.cost_micros,
    min_cost_micros = coalesce(min(min_cost_micros, NEW.min_cost_micros), min_cost_micros, NEW.min_cost_micros),
    max_cost_micros = coalesce(max(max_cost_micros, NEW.max_cost_micros), max_cost_micros, NEW.max_cost_micros)
  WHERE day = NEW.day AND provider = NEW.provider AND model = NEW.model;
END;

CREATE TRIGGER usage_rollups_daily_models_delete AFTER DELETE ON usage_rollups_daily BEGIN
  UPDATE usage_rollups_daily_models SET
    requests = requests - OLD.requests, completed = completed - OLD.completed, failed = failed - OLD.failed,
    input_tokens = input_tokens - OLD.input_tokens, output_tokens = output_tokens - OLD.output_tokens,
    cost_micros = cost_micros - OLD.cost_micros,
    min_cost_micros = (SELECT min(r.min_cost_micros) FROM usage_rollups_daily r
                       WHERE r.day = OLD.day AND r.provider = OLD.provider AND r.model = OLD.model),
    max_cost_micros = (SELECT max(r.max_cost_micros) FROM usage_rollups_daily r
                       WHERE r.day = OLD.day AND r.provider = OLD.provider AND r.model = OLD.model)
  WHERE day = OLD.day AND provider = OLD.provider AND model = OLD.model;
  DELETE FROM usage_rollups_daily_models
  WHERE day = OLD.day AND provider = OLD.provider AND model = OLD.model AND requests = 0;
END;

-- Which agents used a provider in a period, one seek per agent and provider (the whole-panel
-- provider breakdown's agent count). Rollup upserts never change these columns.
CREATE INDEX usage_rollups_daily_provider_agent ON usage_rollups_daily(provider, agent_id, day);
