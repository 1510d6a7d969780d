-- PostgreSQL equivalent of resources/migrations/014_alert_email_channels.sql: alert_channels'
-- kind CHECK gains 'email'. PostgreSQL replaces the constraint in place; SQLite rebuilds the
-- table and its children for it.
ALTER TABLE alert_channels DROP CONSTRAINT alert_channels_kind_check;
ALTER TABLE alert_channels ADD CONSTRAINT alert_channels_kind_check CHECK (kind IN ('webhook', 'slack', 'email'));
