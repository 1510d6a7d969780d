// Migration 008 (ownership, scopes and key rules) on a database written before it: existing API tokens keep
// today's behaviour explicitly (legacy_full) except agent-bound ones (runtime), project
// assignments move to their key owner's projects, and dangling agent key references go.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <string>

#include "store/database.h"
#include "store/migrations.h"
#include "store/sqlite_database.h"
#include "migration_support.h"
#include "temp_db.h"

TEST(Migration008, ExistingRowsKeepTheirMeaningExplicitly) {
  iron::store::SqliteConnection c(temp_db(), false);
  migrate_with_rows(
      c, 8,
      "INSERT INTO users(id, username, email, password_hash, role, created_at, updated_at) VALUES"
      " ('user_a', 'a', 'a@x.test', 'h', 'admin', 1, 1), ('user_b', 'b', 'b@x.test', 'h', 'user', 1, 1);"
      "INSERT INTO provider_keys(id, owner_id, provider, ciphertext, nonce, created_at, updated_at) VALUES"
      " (1, 'user_b', 'openai', x'00', x'00', 1, 1);"
      "INSERT INTO project_providers(project_id, provider_key_id, assigned_by, assigned_at) VALUES ('prod', 1, 'user_b', 1);"
      "INSERT INTO agents(id, name, owner_id, provider_key_id, providers, created_at, updated_at) VALUES"
      " (1, 'kept', 'user_b', 1, '[\"openai\"]', 1, 1), (2, 'dangling', 'user_b', 77, '[\"openai\"]', 1, 1);"
      "INSERT INTO api_tokens(id, user_id, token_hash, created_at) VALUES (1, 'user_a', 'h1', 1);"
      "INSERT INTO api_tokens(id, user_id, token_hash, agent_id, created_at) VALUES (2, 'user_b', 'h2', 1, 1);");

  EXPECT_EQ(text_of(c, "SELECT scope FROM api_tokens WHERE id = 1"), "legacy_full");
  EXPECT_EQ(text_of(c, "SELECT scope FROM api_tokens WHERE id = 2"), "runtime") << "agent-bound: never the owner";
  EXPECT_EQ(text_of(c, "SELECT owner_id || '/' || project_id || '=' || provider_key_id FROM project_providers"),
            "user_b/prod=1");
  EXPECT_EQ(text_of(c, "SELECT coalesce(provider_key_id, 'NULL') || providers FROM agents WHERE id = 1"), "1[\"openai\"]");
  EXPECT_EQ(text_of(c, "SELECT coalesce(provider_key_id, 'NULL') || providers FROM agents WHERE id = 2"), "NULL[]");

  // The same project id of another user is another project now...
  c.exec(
      "INSERT INTO provider_keys(id, owner_id, provider, ciphertext, nonce, created_at, updated_at) VALUES"
      " (2, 'user_a', 'openai', x'00', x'00', 1, 1);"
      "INSERT INTO project_providers(owner_id, project_id, provider_key_id, assigned_by, assigned_at) VALUES"
      " ('user_a', 'prod', 2, 'user_a', 1);");
  // ...and a user's project can only ever use that user's key.
  expect_refused(c, "INSERT INTO project_providers(owner_id, project_id, provider_key_id, assigned_by, assigned_at)"
                    " VALUES ('user_a', 'other', 1, 'user_a', 1)");
  expect_refused(c, "INSERT INTO api_tokens(user_id, token_hash, created_at, scope) VALUES ('user_a', 'h3', 1, 'root')");
}
