-- The event list's time index also carries the row key and the agent (issue 13). A page is
-- found newest first by (timestamp_ms, id) without a sort, an OFFSET skips index entries
-- instead of whole rows, and the owner / agent filters and the count of a period's partial
-- days are answered from the index alone. It replaces the timestamp-only index of 005 (same
-- name), so ingestion still maintains one time index.
DROP INDEX analytics_events_time;
CREATE INDEX analytics_events_time ON analytics_events(timestamp_ms, id, agent_id);
