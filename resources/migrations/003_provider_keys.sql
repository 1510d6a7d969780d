-- Provider API keys (OpenAI, Anthropic, ... an open list of slugs), one owner each, and the
-- key each project uses. Times are ms since the Unix epoch (UTC).
-- Numbered 003: 002 belongs to another concurrent change.

-- The key itself is only ever stored sealed (XChaCha20-Poly1305 under the master key, see
-- src/security/aead.h) with associated data naming this row, its owner and its provider.
-- key_prefix / key_suffix keep at most 4 characters each, only for the masked display, and
-- only for keys long enough that 8 characters reveal little (else both are NULL).
CREATE TABLE provider_keys (
  id           INTEGER PRIMARY KEY AUTOINCREMENT,
  owner_id     TEXT NOT NULL REFERENCES users(id),
  provider     TEXT NOT NULL CHECK (length(provider) BETWEEN 1 AND 64 AND provider NOT GLOB '*[^a-z0-9_-]*'),
  ciphertext   BLOB NOT NULL,
  nonce        BLOB NOT NULL,
  key_prefix   TEXT CHECK (key_prefix IS NULL OR length(key_prefix) <= 4),
  key_suffix   TEXT CHECK (key_suffix IS NULL OR length(key_suffix) <= 4),
  base_url     TEXT,
  description  TEXT,
  is_enabled   INTEGER NOT NULL DEFAULT 1,
  created_at   INTEGER NOT NULL,
  updated_at   INTEGER NOT NULL,
  last_used_at INTEGER
);
CREATE INDEX provider_keys_owner ON provider_keys(owner_id, id);

-- A project is a free-form string (there is no projects table); it uses at most one key.
CREATE TABLE project_providers (
  project_id      TEXT PRIMARY KEY,
  provider_key_id INTEGER NOT NULL REFERENCES provider_keys(id) ON DELETE CASCADE,
  assigned_by     TEXT NOT NULL,                     -- the user who made the assignment
  assigned_at     INTEGER NOT NULL
);
CREATE INDEX project_providers_key ON project_providers(provider_key_id);
