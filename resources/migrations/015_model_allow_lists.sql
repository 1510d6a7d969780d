-- Model allow-lists (docs/model-allow-lists.md): an agent, and an API token, may carry the list
-- of models it may use — exact names or `*` patterns, optionally `provider/`-qualified.
-- NULL = every model (the state of every existing row); '[]' = no model at all.
--
-- JSON text in the owner's row rather than a child table: a list is small and bounded
-- (100 entries), always read and written whole with its agent or token, never searched by
-- entry (patterns are matched in memory, not in SQL), and NULL vs '[]' says "unrestricted"
-- vs "nothing" without an extra flag. agents.providers is stored the same way.
ALTER TABLE agents ADD COLUMN allowed_models TEXT;
ALTER TABLE api_tokens ADD COLUMN allowed_models TEXT;

-- Events are recorded whatever the model (spend is never lost), but one for a model its
-- agent's list did not allow at ingestion is flagged 0. Existing events were not checked: 1.
ALTER TABLE analytics_events ADD COLUMN model_allowed INTEGER NOT NULL DEFAULT 1 CHECK (model_allowed IN (0, 1));
-- Flagged events are rare: a partial index in list order finds and counts them without
-- reading the others (the event list's `model_allowed=false` filter).
CREATE INDEX analytics_events_model_not_allowed ON analytics_events(timestamp_ms, id, agent_id) WHERE model_allowed = 0;
