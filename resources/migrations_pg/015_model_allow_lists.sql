-- PostgreSQL equivalent of resources/migrations/015_model_allow_lists.sql: the model allow-lists
-- of agents and API tokens (JSON text; NULL = every model, '[]' = none) and the flag of events
-- whose model the agent's list did not allow, with the partial index of flagged events.
ALTER TABLE agents ADD COLUMN allowed_models TEXT;
ALTER TABLE api_tokens ADD COLUMN allowed_models TEXT;
ALTER TABLE analytics_events ADD COLUMN model_allowed BIGINT NOT NULL DEFAULT 1 CHECK (model_allowed IN (0, 1));
CREATE INDEX analytics_events_model_not_allowed ON analytics_events(timestamp_ms, id, agent_id) WHERE model_allowed = 0;
