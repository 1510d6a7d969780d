-- The daily rollups once more without provider and model: one row per (UTC day, agent).
-- The per-agent spend (GET /analytics/spending/by-agent, the overview's top agents, every
-- agent's 7-day burn rate in the agent list and budget status) and an owner's totals sum
-- these instead of usage_rollups_daily, which has a row per provider and model as well: at
-- 100 agents and 8 models the 30-day by-agent read fell from ~20-30 ms to ~1.5 ms (issue 13,
-- docs/benchmarks.md). Kept equal to the sums of usage_rollups_daily by triggers, in the same
-- statement as each change there, exactly as usage_rollups_daily_models (009).
CREATE TABLE usage_rollups_daily_agents (
  day             TEXT NOT NULL,
  agent_id        INTEGER NOT NULL,
  requests        INTEGER NOT NULL DEFAULT 0,
  completed       INTEGER NOT NULL DEFAULT 0,
  failed          INTEGER NOT NULL DEFAULT 0,
  input_tokens    INTEGER NOT NULL DEFAULT 0,
  output_tokens   INTEGER NOT NULL DEFAULT 0,
  cost_micros     INTEGER NOT NULL DEFAULT 0,
  min_cost_micros INTEGER,
  max_cost_micros INTEGER,
  PRIMARY KEY (day, agent_id)
) WITHOUT ROWID;

INSERT INTO usage_rollups_daily_agents
  SELECT day, agent_id, sum(requests), sum(completed), sum(failed), sum(input_tokens), sum(output_tokens),
         sum(cost_micros), min(min_cost_micros), max(max_cost_micros)
  FROM usage_rollups_daily GROUP BY day, agent_id;

CREATE TRIGGER usage_rollups_daily_agents_insert AFTER INSERT ON usage_rollups_daily BEGIN
  INSERT INTO usage_rollups_daily_agents
    VALUES (NEW.day, NEW.agent_id, NEW.requests, NEW.completed, NEW.failed, NEW.input_tokens,
            NEW.output_tokens, NEW.cost_micros, NEW.min_cost_micros, NEW.max_cost_micros)
  ON CONFLICT (day, agent_id) DO UPDATE SET
    requests = requests + excluded.requests, completed = completed + excluded.completed,
    failed = failed + excluded.failed, input_tokens = input_tokens + excluded.input_tokens,
    output_tokens = output_tokens + excluded.output_tokens, cost_micros = cost_micros + excluded.cost_micros,
    min_cost_micros = coalesce(min(min_cost_micros, excluded.min_cost_micros), min_cost_micros, excluded.min_cost_micros),
    max_cost_micros = coalesce(max(max_cost_micros, excluded.max_cost_micros), max_cost_micros, excluded.max_cost_micros);
END;

CREATE TRIGGER usage_rollups_daily_agents_update AFTER UPDATE ON usage_rollups_daily BEGIN
  UPDATE usage_rollups_daily_agents SET
    requests = requests + NEW.requests - OLD.requests, completed = completed + NEW.completed - OLD.completed,
    failed = failed + NEW.failed - OLD.failed, input_tokens = input_tokens + NEW.input_tokens - OLD.input_tokens,
    output_tokens = output_tokens + NEW.output_tokens - OLD.output_tokens,
    cost_micros = cost_micros + NEW.cost_micros - OLD.cost_micros,
    min_cost_micros = coalesce(min(min_cost_micros, NEW.min_cost_micros), min_cost_micros, NEW.min_cost_micros),
    max_cost_micros = coalesce(max(max_cost_micros, NEW.max_cost_micros), max_cost_micros, NEW.max_cost_micros)
  WHERE day = NEW.day AND agent_id = NEW.agent_id;
END;

CREATE TRIGGER usage_rollups_daily_agents_delete AFTER DELETE ON usage_rollups_daily BEGIN
  UPDATE usage_rollups_daily_agents SET
    requests = requests - OLD.requests, completed = completed - OLD.completed, failed = failed - OLD.failed,
    input_tokens = input_tokens - OLD.input_tokens, output_tokens = output_tokens - OLD.output_tokens,
    cost_micros = cost_micros - OLD.cost_micros,
    min_cost_micros = (SELECT min(r.min_cost_micros) FROM usage_rollups_daily r
                       WHERE r.day = OLD.day AND r.agent_id = OLD.agent_id),
    max_cost_micros = (SELECT max(r.max_cost_micros) FROM usage_rollups_daily r
                       WHERE r.day = OLD.day AND r.agent_id = OLD.agent_id)
  WHERE day = OLD.day AND agent_id = OLD.agent_id;
  DELETE FROM usage_rollups_daily_agents WHERE day = OLD.day AND agent_id = OLD.agent_id AND requests = 0;
END;
