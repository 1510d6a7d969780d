-- Identity and access: users, sessions, API tokens, login throttling, audit log, settings.
-- Times are ms since the Unix epoch (UTC) unless a column says otherwise.
CREATE TABLE settings (
  key        TEXT PRIMARY KEY,
  value      TEXT NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE users (
  id                    TEXT PRIMARY KEY,              -- user_<uuid>
  username              TEXT NOT NULL UNIQUE,
  email                 TEXT NOT NULL UNIQUE COLLATE NOCASE,
  name                  TEXT,
  password_hash         TEXT NOT NULL,                 -- argon2id ($argon2id$...)
  role                  TEXT NOT NULL CHECK (role IN ('admin', 'user', 'viewer')),
  is_active             INTEGER NOT NULL DEFAULT 1,
  force_password_change INTEGER NOT NULL DEFAULT 0,
  created_at            INTEGER NOT NULL,
  updated_at            INTEGER NOT NULL,
  last_login            INTEGER,
  suspended_at          INTEGER,
  suspended_reason      TEXT,
  deleted_at            INTEGER,
  failed_logins         INTEGER NOT NULL DEFAULT 0,
  locked_until          INTEGER
);
CREATE INDEX users_role_active ON users(role, is_active) WHERE deleted_at IS NULL;

-- Refresh tokens are rotated on every use; a family is one login's chain. Presenting a
-- token that was already used revokes the whole family (token theft detection).
CREATE TABLE refresh_tokens (
  jti        TEXT PRIMARY KEY,
  family_id  TEXT NOT NULL,
  user_id    TEXT NOT NULL REFERENCES users(id),
  issued_at  INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  used_at    INTEGER,
  revoked_at INTEGER
);
CREATE INDEX refresh_tokens_family ON refresh_tokens(family_id);
CREATE INDEX refresh_tokens_expiry ON refresh_tokens(expires_at);

-- Access tokens revoked before their expiry (logout). Purged once expired.
CREATE TABLE revoked_access_tokens (
  jti        TEXT PRIMARY KEY,
  expires_at INTEGER NOT NULL
);
CREATE INDEX revoked_access_tokens_expiry ON revoked_access_tokens(expires_at);

-- Sliding-window counters shared by every replica (login failures, token creations, ...).
CREATE TABLE rate_limit_hits (
  bucket TEXT NOT NULL,
  at     INTEGER NOT NULL
);
CREATE INDEX rate_limit_hits_bucket ON rate_limit_hits(bucket, at);

CREATE TABLE api_tokens (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  user_id      TEXT NOT NULL REFERENCES users(id),
  token_hash   TEXT NOT NULL UNIQUE,                  -- SHA-256 hex of the secret
  name         TEXT,
  description  TEXT,
  project_id   TEXT,
  agent_id     INTEGER,
  provider     TEXT,
  created_at   INTEGER NOT NULL,
  last_used_at INTEGER,
  expires_at   INTEGER,
  revoked_at   INTEGER,
  rotated_at   INTEGER,
  is_active    INTEGER NOT NULL DEFAULT 1
);
CREATE INDEX api_tokens_user ON api_tokens(user_id, created_at);

-- Append-only: rows are only ever inserted (and pruned by retention).
CREATE TABLE audit_log (
  id          INTEGER PRIMARY KEY AUTOINCREMENT,
  at          INTEGER NOT NULL,
  actor_id    TEXT,
  actor_type  TEXT NOT NULL,                          -- user | api_token | agent | system | anonymous
  action      TEXT NOT NULL,
  entity_type TEXT,
  entity_id   TEXT,
  before_json TEXT,
  after_json  TEXT,
  request_id  TEXT,
  client_ip   TEXT,
  user_agent  TEXT
);
CREATE INDEX audit_log_at ON audit_log(at);
CREATE INDEX audit_log_actor ON audit_log(actor_id, id);
CREATE INDEX audit_log_entity ON audit_log(entity_type, entity_id, id);
