-- Email alert channels (docs/alerts.md, "Email"): alert_channels' kind CHECK gains 'email'.
-- An email channel's recipients and subject prefix live in the sealed column like a
-- webhook's URL; url_display shows `mailto:` and the recipients.
--
-- SQLite cannot alter a CHECK, so the table is rebuilt. It is a parent (rule links, outbox
-- and delivery log reference it ON DELETE CASCADE) and migrations run with foreign keys on
-- inside a transaction, where they cannot be switched off: dropping it would cascade into its
-- children, and renaming it would repoint their references at the old name. So the children
-- are set aside in temporary copies, dropped (deliveries first: they reference the outbox),
-- and all four tables rebuilt as 010 made them, with every row, id and AUTOINCREMENT counter.

CREATE TEMP TABLE m014_sequence AS SELECT name, seq FROM sqlite_sequence
  WHERE name IN ('alert_channels', 'alert_outbox', 'alert_deliveries');
CREATE TEMP TABLE m014_channels AS SELECT * FROM alert_channels;
CREATE TEMP TABLE m014_rule_channels AS SELECT * FROM alert_rule_channels;
CREATE TEMP TABLE m014_outbox AS SELECT * FROM alert_outbox;
CREATE TEMP TABLE m014_deliveries AS SELECT * FROM alert_deliveries;

DROP TABLE alert_deliveries;
DROP TABLE alert_outbox;
DROP TABLE alert_rule_channels;
DROP TABLE alert_channels;

CREATE TABLE alert_channels (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  name         TEXT NOT NULL CHECK (length(name) BETWEEN 1 AND 200),
  kind         TEXT NOT NULL CHECK (kind IN ('webhook', 'slack', 'email')),
  url_display  TEXT NOT NULL,
  sealed       BLOB NOT NULL,
  nonce        BLOB NOT NULL,
  is_enabled   INTEGER NOT NULL DEFAULT 1,
  created_by   TEXT NOT NULL,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL
);

CREATE TABLE alert_rule_channels (
  rule_id    INTEGER NOT NULL REFERENCES alert_rules(id) ON DELETE CASCADE,
  channel_id INTEGER NOT NULL REFERENCES alert_channels(id) ON DELETE CASCADE,
  PRIMARY KEY (rule_id, channel_id)
);
CREATE INDEX alert_rule_channels_channel ON alert_rule_channels(channel_id);

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

INSERT INTO alert_channels SELECT * FROM m014_channels;
INSERT INTO alert_rule_channels SELECT * FROM m014_rule_channels;
INSERT INTO alert_outbox SELECT * FROM m014_outbox;
INSERT INTO alert_deliveries SELECT * FROM m014_deliveries;
-- Ids of deleted rows are not handed out again.
UPDATE sqlite_sequence SET seq = max(seq, (SELECT s.seq FROM m014_sequence s WHERE s.name = sqlite_sequence.name))
  WHERE name IN (SELECT name FROM m014_sequence);
INSERT INTO sqlite_sequence(name, seq)
  SELECT name, seq FROM m014_sequence WHERE name NOT IN (SELECT name FROM sqlite_sequence);

DROP TABLE m014_sequence;
DROP TABLE m014_channels;
DROP TABLE m014_rule_channels;
DROP TABLE m014_outbox;
DROP TABLE m014_deliveries;
