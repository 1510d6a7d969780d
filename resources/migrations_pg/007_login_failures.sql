-- PostgreSQL equivalent of resources/migrations/007_login_failures.sql.
CREATE TABLE login_failures (
  source  TEXT NOT NULL,
  account TEXT NOT NULL,
  at      BIGINT NOT NULL
);
CREATE INDEX login_failures_pair ON login_failures(source, account, at);
CREATE INDEX login_failures_source ON login_failures(source, at);
CREATE INDEX login_failures_account ON login_failures(account);

ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN locked_until;
