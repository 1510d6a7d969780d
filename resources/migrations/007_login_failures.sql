-- Login throttling per source instead of per account. A failed login used to count against
-- the account from anywhere and lock it after ten failures, so anyone could lock any user out
-- (the only admin included) and the 403 told them which emails exist. Failures are now kept
-- per (source address, account) and per source; the account itself is never locked.
CREATE TABLE login_failures (
  source  TEXT NOT NULL,     -- client address as resolved through the trusted proxies
  account TEXT NOT NULL,     -- the email as typed, lower-cased: unknown accounts count the same
  at      INTEGER NOT NULL   -- ms since the Unix epoch
);
CREATE INDEX login_failures_pair ON login_failures(source, account, at);
CREATE INDEX login_failures_source ON login_failures(source, at);
CREATE INDEX login_failures_account ON login_failures(account);

ALTER TABLE users DROP COLUMN failed_logins;
ALTER TABLE users DROP COLUMN locked_until;
