-- PostgreSQL equivalent of resources/migrations/009_analytics_read_paths.sql. SQLite's
-- triggers become PL/pgSQL trigger functions with the same effect, in the same statement as
-- each change of usage_rollups_daily. An upsert that updates fires the UPDATE trigger, as in
-- SQLite. SQLite's two-argument min()/max() return NULL when one side is NULL (hence its
-- coalesce); least()/greatest() already ignore NULLs.
DROP INDEX analytics_events_time;
CREATE INDEX analytics_events_time ON analytics_events(timestamp_ms, id, agent_id);

CREATE TABLE usage_rollups_daily_models (
  day             TEXT NOT NULL,
  provider        TEXT NOT NULL,
  model           TEXT NOT NULL,
  requests        BIGINT NOT NULL DEFAULT 0,
  completed       BIGINT NOT NULL DEFAULT 0,
  failed          BIGINT NOT NULL DEFAULT 0,
  input_tokens    BIGINT NOT NULL DEFAULT 0,
  output_tokens   BIGINT NOT NULL DEFAULT 0,
  cost_micros     BIGINT NOT NULL DEFAULT 0,
  min_cost_micros BIGINT,
  max_cost_micros BIGINT,
  PRIMARY KEY (day, provider, model)
);

INSERT INTO usage_rollups_daily_models
  SELECT day, provider, model, sum(requests), sum(completed), sum(failed), sum(input_tokens), sum(output_tokens),
         sum(cost_micros), min(min_cost_micros), max(max_cost_micros)
  FROM usage_rollups_daily GROUP BY day, provider, model;

CREATE FUNCTION usage_rollups_daily_models_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  INSERT INTO usage_rollups_daily_models AS m
    VALUES (NEW.day, NEW.provider, NEW.model, NEW.requests, NEW.completed, NEW.failed, NEW.input_tokens,
            NEW.output_tokens, NEW.cost_micros, NEW.min_cost_micros, NEW.max_cost_micros)
  ON CONFLICT (day, provider, model) DO UPDATE SET
    requests = m.requests + excluded.requests, completed = m.completed + excluded.completed,
    failed = m.failed + excluded.failed, input_tokens = m.input_tokens + excluded.input_tokens,
    output_tokens = m.output_tokens + excluded.output_tokens, cost_micros = m.cost_micros + excluded.cost_micros,
    min_cost_micros = least(m.min_cost_micros, excluded.min_cost_micros),
    max_cost_micros = greatest(m.max_cost_micros, excluded.max_cost_micros);
  RETURN NULL;
END $$;
CREATE TRIGGER usage_rollups_daily_models_insert AFTER INSERT ON usage_rollups_daily
  FOR EACH ROW EXECUTE FUNCTION usage_rollups_daily_models_insert();

CREATE FUNCTION usage_rollups_daily_models_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
  UPDATE usage_rollups_daily_models SET
    requests = requests + NEW.requests - OLD.requests, completed = completed + NEW.completed - OLD.completed,
    failed = failed + NEW.failed - OLD.failed, input_tokens = input_tokens + NEW.input_tokens - OLD.input_tokens,
    output_tokens = output_tokens + NEW.output_tokens - OLD.output_tokens,
    cost_micros = cost_micros + NEW.cost_micros - OLD.cost_micros,
    min_cost_micros = least(min_cost_micros, NEW.min_cost_micros),
    max_cost_micros = greatest(max_cost_micros, NEW.max_cost_micros)
  WHERE day = NEW.day AND provider = NEW.provider AND model = NEW.model;
  RETURN NULL;
END $$;
CREATE TRIGGER usage_rollups_daily_models_update AFTER UPDATE ON usage_rollups_daily
  FOR EACH ROW EXECUTE FUNCTION usage_rollups_daily_models_update();

CREATE FUNCTION usage_rollups_daily_models_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
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
  RETURN NULL;
END $$;
CREATE TRIGGER usage_rollups_daily_models_delete AFTER DELETE ON usage_rollups_daily
  FOR EACH ROW EXECUTE FUNCTION usage_rollups_daily_models_delete();

CREATE INDEX usage_rollups_daily_provider_agent ON usage_rollups_daily(provider, agent_id, day);
