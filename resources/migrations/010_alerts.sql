-- Alert delivery (docs/alerts.md): notification channels, the rules that route event types to
-- them, the durable outbox and the delivery log. Times are ms since the Unix epoch (UTC).
-- Numbered 010: 011..014 belong to other concurrent changes.

-- A channel's destination URL and signing secret are secrets (a Slack-style incoming webhook
-- URL is itself the credential): both live only sealed, as one JSON object, under the master
-- key with associated data naming the row (src/security/aead.h). url_display keeps the
-- scheme, host and port for the list view, never the path or query.
CREATE TABLE alert_channels (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind         TEXT NOT NULL CHECK (kind IN ('webhook', 'slack')),
  url_display  TEXT NOT NULL,
  sealed       BLOB NOT NULL,
  nonce        BLOB NOT NULL,
  is_enabled   INTEGER NOT NULL DEFAULT 1,
  created_by   TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);

-- A rule sends the event types it names (alert_rule_events, domain/alert_events.h) to its
-- channels (alert_rule_channels).
CREATE TABLE alert_rules (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  is_enabled   INTEGER NOT NULL DEFAULT 1,
  created_by   TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);

CREATE TABLE alert_rule_events (
  rule_id    INTEGER NOT NULL REFERENCES alert_rules(id) ON DELETE CASCADE,
  event_type TEXT NOT NULL,
  PRIMARY KEY (rule_id, event_type)
);
CREATE INDEX alert_rule_events_type ON alert_rule_events(event_type);

CREATE TABLE alert_rule_channels (
  rule_id    INTEGER NOT NULL REFERENCES alert_rules(id) ON DELETE CASCADE,
  channel_id INTEGER NOT NULL REFERENCES alert_channels(id) ON DELETE CASCADE,
  PRIMARY KEY (rule_id, channel_id)
);
CREATE INDEX alert_rule_channels_channel ON alert_rule_channels(channel_id);

-- One row per (event, rule, channel), written in the transaction of the event that raised it.
-- dedup_key makes alerts edge-triggered: the same key (rule, channel, event identity such as
-- limit + threshold + period) is inserted once and ignored after. delivery_id is the
-- idempotency id sent with every attempt (delivery is at least once). state: pending until
-- acknowledged by the receiver (delivered) or out of attempts (failed).
CREATE TABLE alert_outbox (
  id              INTEGER PRIMARY KEY AUTOINCREMENT,
  delivery_id     TEXT NOT NULL UNIQUE,
  dedup_key       TEXT NOT NULL UNIQUE,
  rule_id         INTEGER REFERENCES alert_rules(id) ON DELETE SET NULL,
  channel_id      INTEGER NOT NULL REFERENCES alert_channels(id) ON DELETE CASCADE,
  event_type      TEXT NOT NULL,
  payload         TEXT NOT NULL,
  state           TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'delivered', 'failed')),
  attempts        INTEGER NOT NULL DEFAULT 0,
  next_attempt_at INTEGER NOT NULL,
  created_at      INTEGER NOT NULL,
  finished_at     INTEGER
);
CREATE INDEX alert_outbox_due ON alert_outbox(state, next_attempt_at);
CREATE INDEX alert_outbox_channel ON alert_outbox(channel_id);

-- Every attempt, per channel (outbox_id NULL for a "send test"). error never holds secrets:
-- it is written from the transport's error class and the receiver's status, not its body.
CREATE TABLE alert_deliveries (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  channel_id  INTEGER NOT NULL REFERENCES alert_channels(id) ON DELETE CASCADE,
  outbox_id   INTEGER REFERENCES alert_outbox(id) ON DELETE SET NULL,
  delivery_id TEXT NOT NULL,
  event_type  TEXT NOT NULL,
  attempt     INTEGER NOT NULL,
  outcome     TEXT NOT NULL CHECK (outcome IN ('delivered', 'retrying', 'failed')),
  status_code INTEGER,
  error       TEXT,
  duration_ms INTEGER NOT NULL,
  at          INTEGER NOT NULL
);
CREATE INDEX alert_deliveries_channel ON alert_deliveries(channel_id, id);
