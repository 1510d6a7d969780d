-- The price catalogue (docs/prices.md): one row per price VERSION of a (provider, model key).
-- A model key is an exact model name or a prefix pattern ending in one `*` (`gpt-4o*`; `*`
-- alone is the provider's fallback). Prices are integer microdollars per million tokens.
-- Rows are append-only: a price change is a new row with a later effective_from_ms, so an
-- event costed with a version can always be traced back to it. The seed
-- (resources/prices/seed.json) is loaded by the server on its first start with an empty table.
CREATE TABLE model_prices (
  id                           INTEGER PRIMARY KEY,
  provider                     TEXT NOT NULL,
  model                        TEXT NOT NULL,
  input_micros_per_mtok        INTEGER NOT NULL CHECK (input_micros_per_mtok >= 0),
  output_micros_per_mtok       INTEGER NOT NULL CHECK (output_micros_per_mtok >= 0),
  cached_input_micros_per_mtok INTEGER NOT NULL CHECK (cached_input_micros_per_mtok >= 0),
  effective_from_ms            INTEGER NOT NULL,
  source                       TEXT NOT NULL CHECK (source IN ('seed', 'admin', 'import')),
  created_at                   INTEGER NOT NULL,
  UNIQUE (provider, model, effective_from_ms)
);

-- How each event's cost came about. Events stored before this migration are `legacy`
-- (whether the agent reported their cost is unknown); new events are `reported` (the agent
-- sent cost_micros), `catalogue` (computed from the price in effect at the event's time),
-- `unpriced` (tokens > 0, no cost sent, no price found: cost 0 but flagged, never silently
-- $0) or `none` (no tokens, no cost, no price). catalogue_cost_micros is the catalogue's
-- cost whenever a price was found, also beside a reported cost, so the difference shows.
ALTER TABLE analytics_events ADD COLUMN cached_input_tokens INTEGER NOT NULL DEFAULT 0 CHECK (cached_input_tokens >= 0);
ALTER TABLE analytics_events ADD COLUMN cost_source TEXT NOT NULL DEFAULT 'legacy'
  CHECK (cost_source IN ('legacy', 'reported', 'catalogue', 'unpriced', 'none'));
ALTER TABLE analytics_events ADD COLUMN catalogue_cost_micros INTEGER;
