-- Ownership and token scopes (issue 9, items 15-18). Times are ms since the Unix epoch (UTC).

-- 1. API token scopes. A token now carries what it may do, chosen at creation:
--      read     GET routes only, with at most viewer rights: the owner's own resources
--      runtime  GET /api/v1/keys only (the project's provider key); refused on every other route
--      user     the owner's rights, capped at the user role (never admin routes)
--      admin    the owner's current rights, admin routes included (admin owners only)
--    EXISTING TOKENS keep today's behaviour ON PURPOSE: they get `legacy_full` (the owner's
--    current role on every route, plus the key fetch), which cannot be chosen for a new token.
--    The one exception: tokens bound to an agent were meant for that agent's runtime and must
--    not act as their owner, so they become `runtime`.
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'legacy_full'
  CHECK (scope IN ('read', 'runtime', 'user', 'admin', 'legacy_full'));
UPDATE api_tokens SET scope = 'runtime' WHERE agent_id IS NOT NULL;

-- 2. Project ids are per owner: "prod" of one user is not "prod" of another, so nobody can
--    squat another user's project name. A project of user U uses one of U's own keys, which
--    the composite foreign key enforces. Existing assignments move to the key owner's projects
--    (only a key's owner could ever assign it, so that is who made them).
CREATE UNIQUE INDEX provider_keys_id_owner ON provider_keys(id, owner_id);
CREATE TABLE project_providers_v8 (
  owner_id        TEXT NOT NULL REFERENCES users(id),
  project_id      TEXT NOT NULL,
  provider_key_id INTEGER NOT NULL,
  assigned_by     TEXT NOT NULL,
  assigned_at     INTEGER NOT NULL,
  PRIMARY KEY (owner_id, project_id),
  FOREIGN KEY (provider_key_id, owner_id) REFERENCES provider_keys(id, owner_id) ON DELETE CASCADE
);
INSERT INTO project_providers_v8(owner_id, project_id, provider_key_id, assigned_by, assigned_at)
  SELECT k.owner_id, p.project_id, p.provider_key_id, p.assigned_by, p.assigned_at
  FROM project_providers p JOIN provider_keys k ON k.id = p.provider_key_id;
DROP TABLE project_providers;
ALTER TABLE project_providers_v8 RENAME TO project_providers;
CREATE INDEX project_providers_key ON project_providers(provider_key_id);

-- 3. Credentials in a base_url (`scheme://user:pw@host`) are secrets: the full URL is sealed
--    like the key (base_url_sealed + base_url_nonce) and base_url keeps only the masked form
--    (`scheme://***@host`). Rows written before this migration are sealed by the server at its
--    next start (it holds the master key; SQL does not).
ALTER TABLE provider_keys ADD COLUMN base_url_sealed BLOB;
ALTER TABLE provider_keys ADD COLUMN base_url_nonce BLOB;

-- 4. An agent never points at a key that is gone: deleting a key now clears the reference in
--    the same transaction; references already dangling are cleared here.
UPDATE agents SET provider_key_id = NULL, providers = '[]'
  WHERE provider_key_id IS NOT NULL AND provider_key_id NOT IN (SELECT id FROM provider_keys);
