-- PostgreSQL equivalent of resources/migrations/006_sessions_valid_after.sql.
ALTER TABLE users ADD COLUMN sessions_valid_after BIGINT NOT NULL DEFAULT 0;
