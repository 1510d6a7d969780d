-- PostgreSQL equivalent of resources/migrations/013_agent_day_rollups.sql: the per-(day,
-- agent) rollups kept equal to the sums of usage_rollups_daily by trigger functions, exactly
-- as usage_rollups_daily_models (009).
CREATE TABLE usage_rollups_daily_agents (
  day             TEXT NOT NULL,
  agent_id        BIGINT NOT NULL,
  requests        BIGINT NOT NULL DEFAULT 0,
  completed       BIGINT NOT NULL DEFAULT 0,
  failed          BIGINT NOT NULL DEFAULT 0,
  input_tokens    BIGINT NOT NULL DEFAULT 0,
  output_tokens   BIGINT NOT NULL DEFAULT 0,
  cost_micros     BIGINT NOT NULL DEFAULT 0,
  min_cost_micros BIGINT,
  max_cost_micros BIGINT,
  PRIMARY KEY (day, agent_id)
);

INSERT INTO usage_rollups_daily_agents
  SELECT day, agent_id, sum(requests), sum(completed), sum(failed), sum(input_tokens), sum(output_tokens),
         sum(cost_micros), min(min_cost_micros), max(max_cost_micros)
  FROM usage_rollups_daily GROUP BY day, agent_id;

CREATE FUNCTION usage_rollups_daily_agents_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO usage_rollups_daily_agents AS a
    VALUES (NEW.day, NEW.agent_id, NEW.requests, NEW.completed, NEW.failed, NEW.input_tokens,
            NEW.output_tokens, NEW.cost_micros, NEW.min_cost_micros, NEW.max_cost_micros)
  ON CONFLICT (day, agent_id) DO UPDATE SET
    requests = a.requests + excluded.requests, completed = a.completed + excluded.completed,
    failed = a.failed + excluded.failed, input_tokens = a.input_tokens + excluded.input_tokens,
    output_tokens = a.output_tokens + excluded.output_tokens, cost_micros = a.cost_micros + excluded.cost_micros,
    min_cost_micros = least(a.min_cost_micros, excluded.min_cost_micros),
    max_cost_micros = greatest(a.max_cost_micros, excluded.max_cost_micros);
  RETURN NULL;
END $$;
CREATE TRIGGER usage_rollups_daily_agents_insert AFTER INSERT ON usage_rollups_daily
  FOR EACH ROW EXECUTE FUNCTION usage_rollups_daily_agents_insert();

CREATE FUNCTION usage_rollups_daily_agents_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE usage_rollups_daily_agents SET
    requests = requests + NEW.requests - OLD.requests, completed = completed + NEW.completed - OLD.completed,
    failed = failed + NEW.failed - OLD.failed, input_tokens = input_tokens + NEW.input_tokens - OLD.input_tokens,
    output_tokens = output_tokens + NEW.output_tokens - OLD.output_tokens,
    cost_micros = cost_micros + NEW.cost_micros - OLD.cost_micros,
    min_cost_micros = least(min_cost_micros, NEW.min_cost_micros),
    max_cost_micros = greatest(max_cost_micros, NEW.max_cost_micros)
  WHERE day = NEW.day AND agent_id = NEW.agent_id;
  RETURN NULL;
END $$;
CREATE TRIGGER usage_rollups_daily_agents_update AFTER UPDATE ON usage_rollups_daily
  FOR EACH ROW EXECUTE FUNCTION usage_rollups_daily_agents_update();

CREATE FUNCTION usage_rollups_daily_agents_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
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
  RETURN NULL;
END $$;
CREATE TRIGGER usage_rollups_daily_agents_delete AFTER DELETE ON usage_rollups_daily
  FOR EACH ROW EXECUTE FUNCTION usage_rollups_daily_agents_delete();
