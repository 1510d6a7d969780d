// Provider secrets stay secret, over real HTTP: every mutation is audited with its actor and
// without the key, and the plaintext key appears in no response, log line, audit row or
// database byte.
#include <gtest/gtest.h>

#include "provider_keys_support.h"

#include <memory>

#include "security/crypto.h"
#include "support/files.h"

using namespace providers_test;

TEST_F(GovernanceProviders, EveryMutationIsAuditedWithTheActorAndWithoutTheKey) {
  const std::string secret = fresh_secret();
  auto k = create(alice_, "openai", secret);
  const std::string id = std::to_string(k["id"].get<int64_t>());
  const std::string project = unique_project("audited");
  ASSERT_EQ(call("PUT", key_path(k), alice_, json{{"description", "audited"}}).status, 200);
  ASSERT_EQ(call("POST", project_path(project), alice_, json{{"provider_key_id", k["id"]}}).status, 200);
  ASSERT_EQ(call("DELETE", project_path(project) + "?owner_id=" + alice_.id, admin_).status, 204);
  ASSERT_EQ(call("DELETE", key_path(k), alice_).status, 204);
  // Refused requests change nothing and leave no row.
  ASSERT_EQ(call("DELETE", key_path(k), bob_).status, 404);

  struct Expected {
    std::string action, entity_type, entity_id, actor;
  };
  const std::vector<Expected> expected = {
      {"provider_key.create", "provider_key", id, alice_.id},
      {"provider_key.update", "provider_key", id, alice_.id},
      {"project.provider_assign", "project", project, alice_.id},
      {"project.provider_unassign", "project", project, admin_.id},
      {"provider_key.delete", "provider_key", id, alice_.id},
  };
  std::vector<AuditRow> mine;
  for (const auto& row : audit_rows(server().data_dir()))
    if ((row.entity_type == "provider_key" && row.entity_id == id) || (row.entity_type == "project" && row.entity_id == project))
      mine.push_back(row);
  ASSERT_EQ(mine.size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) {
    SCOPED_TRACE(expected[i].action);
    EXPECT_EQ(mine[i].action, expected[i].action);
    EXPECT_EQ(mine[i].entity_type, expected[i].entity_type);
    EXPECT_EQ(mine[i].entity_id, expected[i].entity_id);
    EXPECT_EQ(mine[i].actor_id, expected[i].actor);
    EXPECT_EQ((mine[i].before + mine[i].after).find(secret), std::string::npos);
  }
  EXPECT_NE(mine[0].after.find(k["masked_key"].get<std::string>()), std::string::npos) << "the masked form is kept";
  EXPECT_TRUE(mine[0].before.empty());
  EXPECT_NE(mine[1].before.find("\"description\":null"), std::string::npos) << mine[1].before;
  EXPECT_NE(mine[1].after.find("\"description\":\"audited\""), std::string::npos) << mine[1].after;
  EXPECT_NE(mine[2].after.find("\"provider_key_id\":" + id), std::string::npos) << mine[2].after;
  EXPECT_NE(mine[3].before.find("\"provider_key_id\":" + id), std::string::npos) << mine[3].before;
  EXPECT_TRUE(mine[3].after.empty());
  EXPECT_NE(mine[4].before.find("\"id\":" + id), std::string::npos) << "delete records what it removed";
  EXPECT_TRUE(mine[4].after.empty());
}

// The two plaintext regressions each run their own server, stopped before the scan: its
// stdout is then complete (no log line still in flight) and the WAL is checkpointed.
class GovernanceProvidersSecrets : public ::testing::Test {
 protected:
  void SetUp() override {
    panel_ = std::make_unique<Panel>(admin_options({"--log-level", "debug"}));
    server_ = &panel_->server();
    admin_ = panel_->admin;
    user_ = panel_->add_user("user", "carol");
    other_ = panel_->add_user("user", "dave");
  }
  std::unique_ptr<Panel> panel_;
  ServerProcess* server_ = nullptr;
  Account admin_, user_, other_;
};

TEST_F(GovernanceProvidersSecrets, key_never_returned_in_plaintext) {
  const std::string secret = fresh_secret("sk-live-");
  const size_t first_body = all_bodies().size();
  const auto& s = *server_;
  // Every route, success and failure paths, with the secret in play.
  auto k = create_key(s, user_, "openai", secret, {{"description", "scan me"}});
  const std::string path = key_path(k);
  const std::string project = unique_project("scan");
  EXPECT_EQ(k["masked_key"], secret.substr(0, 4) + "..." + secret.substr(secret.size() - 4));
  EXPECT_EQ(recorded_call(s, "GET", "/api/v1/providers", user_.token).status, 200);
  EXPECT_EQ(recorded_call(s, "GET", "/api/v1/providers?all=true", admin_.token).status, 200);
  EXPECT_EQ(recorded_call(s, "GET", path, user_.token).status, 200);
  EXPECT_EQ(recorded_call(s, "GET", path, admin_.token).status, 200);
  EXPECT_EQ(recorded_call(s, "PUT", path, user_.token, json{{"is_enabled", false}}).status, 200);
  EXPECT_EQ(recorded_call(s, "PUT", path, user_.token, json{{"is_enabled", true}, {"base_url", "https://x.example"}}).status, 200);
  EXPECT_EQ(recorded_call(s, "POST", project_path(project), user_.token, json{{"provider_key_id", k["id"]}}).status, 200);
  EXPECT_EQ(recorded_call(s, "GET", path, user_.token).status, 200);
  // Refusals that carry the secret in the request must not echo it.
  EXPECT_EQ(recorded_call(s, "PUT", path, user_.token, json{{"api_key", secret}}).status, 400);
  EXPECT_EQ(recorded_call(s, "POST", "/api/v1/providers", user_.token, json{{"provider", "Bad Slug"}, {"api_key", secret}}).status, 400);
  EXPECT_EQ(recorded_call(s, "POST", "/api/v1/providers", user_.token, json{{"provider", "openai"}, {"api_key", secret + " "}}).status, 400);
  EXPECT_EQ(recorded_call(s, "POST", "/api/v1/providers", user_.token, json{{"provider", "openai"}, {"api_key", secret + std::string(500, 'x')}}).status, 400);
  EXPECT_EQ(recorded_call(s, "POST", "/api/v1/providers", user_.token, std::optional<std::string>("{\"api_key\":\"" + secret + "\",")).status, 400);
  EXPECT_EQ(recorded_call(s, "POST", "/api/v1/providers", user_.token, std::optional<std::string>(json{{"provider", "openai"}, {"api_key", secret}}.dump()), "text/plain").status, 415);
  EXPECT_EQ(recorded_call(s, "POST", project_path(project), user_.token, json{{"provider_key_id", secret}}).status, 400);
  EXPECT_EQ(recorded_call(s, "GET", path, other_.token).status, 404);
  EXPECT_EQ(recorded_call(s, "POST", "/api/v1/providers", "", json{{"provider", "openai"}, {"api_key", secret}}).status, 401);
  EXPECT_EQ(recorded_call(s, "DELETE", project_path(project), user_.token).status, 204);
  EXPECT_EQ(recorded_call(s, "DELETE", path, user_.token).status, 204);
  ASSERT_EQ(server_->stop(), 0);

  // 1. Response bodies.
  ASSERT_GT(all_bodies().size(), first_body + 15);
  bool saw_mask = false;
  for (size_t i = first_body; i < all_bodies().size(); ++i) {
    EXPECT_EQ(all_bodies()[i].find(secret), std::string::npos) << all_bodies()[i];
    saw_mask = saw_mask || all_bodies()[i].find(k["masked_key"].get<std::string>()) != std::string::npos;
  }
  EXPECT_TRUE(saw_mask) << "the scan looked at the provider responses";
  // 2. Every stdout log line (debug level) and stderr.
  auto lines = server_->log_lines();
  bool saw_provider_requests = false;
  for (const auto& line : lines) {
    const std::string text = line.dump();
    EXPECT_EQ(text.find(secret), std::string::npos) << text;
    saw_provider_requests = saw_provider_requests || text.find("/api/v1/providers") != std::string::npos;
  }
  EXPECT_TRUE(saw_provider_requests) << "the scan looked at the request log";
  EXPECT_EQ(server_->stderr_text().find(secret), std::string::npos);
  // 3. The audit log.
  const std::string audit = audit_text(server_->data_dir());
  EXPECT_NE(audit.find("provider_key.create"), std::string::npos) << "the scan looked at the provider audit rows";
  EXPECT_EQ(audit.find(secret), std::string::npos) << audit;
}

TEST_F(GovernanceProvidersSecrets, key_encrypted_at_rest) {
  if (iron::test::on_postgres()) GTEST_SKIP() << "about the iron.db file itself; PostgreSQL keeps the data elsewhere";
  const std::string secret = fresh_secret("sk-rest-");
  const std::string marker = "stored-in-clear-" + iron::security::random_hex(8);  // the description: not secret
  auto k = create_key(*server_, user_, "anthropic", secret, {{"description", marker}});
  ASSERT_EQ(recorded_call(*server_, "PUT", key_path(k), user_.token, json{{"is_enabled", false}}).status, 200);

  const std::vector<std::string> encodings = {secret, iron::security::hex_encode(secret),
                                              iron::security::base64_encode(secret),
                                              secret.substr(4, secret.size() - 8)};  // the unmasked middle
  auto scan = [&](const std::string& when) {
    std::string bytes;
    for (const auto& entry : std::filesystem::directory_iterator(server_->data_dir()))
      if (entry.path().filename().string().rfind("iron.db", 0) == 0) bytes += read_file(entry.path());
    ASSERT_NE(bytes.find(marker), std::string::npos) << when << ": the scan sees what the database stores";
    for (const auto& e : encodings) EXPECT_EQ(bytes.find(e), std::string::npos) << when << ": found " << e;
  };
  scan("while running (database + WAL)");
  ASSERT_EQ(server_->stop(), 0);
  scan("after shutdown (checkpointed)");

  // What is stored instead: a 24-byte nonce, the ciphertext with its 16-byte tag, and at most
  // four characters at each end for the mask.
  iron::store::SqliteConnection c(iron::store::database_path(server_->data_dir()), false);
  auto& row = c.prepare(
      "SELECT length(nonce), length(ciphertext), key_prefix, key_suffix, typeof(ciphertext) FROM provider_keys WHERE id = ?");
  row.bind(1, k["id"].get<int64_t>());
  ASSERT_TRUE(row.step());
  EXPECT_EQ(row.int64(0), 24);
  EXPECT_EQ(row.int64(1), static_cast<int64_t>(secret.size()) + 16);
  EXPECT_EQ(row.text(2), secret.substr(0, 4));
  EXPECT_EQ(row.text(3), secret.substr(secret.size() - 4));
  EXPECT_EQ(row.text(4), "blob");
}
