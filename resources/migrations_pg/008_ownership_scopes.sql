-- PostgreSQL equivalent of resources/migrations/008_ownership_scopes.sql. PostgreSQL alters
-- constraints in place where SQLite rebuilds project_providers; the resulting columns,
-- keys and indexes are the same (column order is not part of the schema contract: the
-- application names the columns it writes).
ALTER TABLE api_tokens ADD COLUMN scope TEXT NOT NULL DEFAULT 'legacy_full'
  CHECK (scope IN ('read', 'runtime', 'user', 'admin', 'legacy_full'));
UPDATE api_tokens SET scope = 'runtime' WHERE agent_id IS NOT NULL;

-- Project ids are per owner; a project of user U uses one of U's own keys (composite FK).
CREATE UNIQUE INDEX provider_keys_id_owner ON provider_keys(id, owner_id);
ALTER TABLE project_providers ADD COLUMN owner_id TEXT REFERENCES users(id);
UPDATE project_providers p SET owner_id = k.owner_id FROM provider_keys k WHERE k.id = p.provider_key_id;
DELETE FROM project_providers WHERE owner_id IS NULL;  -- SQLite's copy is an inner join
ALTER TABLE project_providers ALTER COLUMN owner_id SET NOT NULL;
ALTER TABLE project_providers DROP CONSTRAINT project_providers_pkey;
ALTER TABLE project_providers ADD PRIMARY KEY (owner_id, project_id);
ALTER TABLE project_providers DROP CONSTRAINT project_providers_provider_key_id_fkey;
ALTER TABLE project_providers ADD FOREIGN KEY (provider_key_id, owner_id)
  REFERENCES provider_keys(id, owner_id) ON DELETE CASCADE;

ALTER TABLE provider_keys ADD COLUMN base_url_sealed BYTEA;
ALTER TABLE provider_keys ADD COLUMN base_url_nonce BYTEA;

UPDATE agents SET provider_key_id = NULL, providers = '[]'
  WHERE provider_key_id IS NOT NULL AND provider_key_id NOT IN (SELECT id FROM provider_keys);
