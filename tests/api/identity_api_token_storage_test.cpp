// What API tokens leave behind, over real HTTP and in the database file: only a hash of the
// secret is stored, every mutation is audited with its actor, and last_used_at is written in
// batches and survives a restart.
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

#include "api_tokens_support.h"
#include "security/crypto.h"
#include "support/files.h"

using namespace api_tokens_test;

TEST(IdentityApiTokens, db_stores_only_hash) {
  Panel p;
  const auto [a, t, secret] = p.user_with_token();
  auto rotated = p.call("POST", id_path(t["id"]) + "/rotate", a.token);
  ASSERT_EQ(rotated.status, 200);
  const std::string secret2 = rotated.body["token"];
  ASSERT_EQ(p.call("GET", "/api/v1/me", secret2).status, 200);
  ASSERT_EQ(p.call("DELETE", id_path(rotated.body["id"]), a.token).status, 200);

  const std::string db_path = iron::store::database_path(p.server().data_dir());
  for (const auto& s : {secret, secret2}) {
    const std::string body = s.substr(7);
    const std::string hash = iron::security::sha256_hex(body);
    {
      Db d = p.db();
      auto stored = d.texts("SELECT token_hash FROM api_tokens ORDER BY id");
      EXPECT_NE(std::find(stored.begin(), stored.end(), hash), stored.end()) << "the SHA-256 hex is what is stored";
      for (const auto& row : d.texts("SELECT coalesce(before_json,'') || coalesce(after_json,'') FROM audit_log")) {
        EXPECT_EQ(row.find(hash), std::string::npos) << "audit rows never carry the hash: " << row;
        EXPECT_EQ(row.find(body), std::string::npos) << "audit rows never carry the secret: " << row;
      }
    }
    if (iron::test::on_postgres()) continue;  // no database files here: the rows above are what is stored
    const std::string files = iron::test::read_file(db_path) + iron::test::read_file(db_path + "-wal");
    ASSERT_FALSE(files.empty());
    EXPECT_EQ(files.find(body), std::string::npos) << "the plaintext secret is in the database files";
  }
  ASSERT_EQ(p.server().stop(), 0);
  const std::string after =
      iron::test::on_postgres() ? "" : iron::test::read_file(db_path) + iron::test::read_file(db_path + "-wal");
  std::string logs = p.server().stderr_text();
  for (const auto& l : p.server().log_lines()) logs += l.dump();
  for (const auto& s : {secret, secret2}) {
    EXPECT_EQ(after.find(s.substr(7)), std::string::npos);
    EXPECT_EQ(logs.find(s.substr(7)), std::string::npos) << "the secret leaked into the logs";
  }
}

TEST(IdentityApiTokens, EveryMutationIsAudited) {
  Panel p;
  const Account a = p.add_user("user", "alice");
  const auto t = p.create_ok(a.token, {{"name", "n"}});
  ASSERT_EQ(p.call("PUT", id_path(t["id"]), a.token, json{{"provider", "x"}}).status, 200);
  auto rotated = p.call("POST", id_path(t["id"]) + "/rotate", a.token);
  ASSERT_EQ(rotated.status, 200);
  ASSERT_EQ(p.call("DELETE", id_path(rotated.body["id"]), a.token).status, 200);
  // Refusals change nothing and write nothing.
  ASSERT_EQ(p.call("DELETE", id_path(rotated.body["id"]), a.token).status, 409);

  const auto rows = p.db().rows(
      "SELECT action, entity_id, actor_id, actor_type, request_id FROM audit_log WHERE entity_type = 'api_token' "
      "ORDER BY id",
      5);
  const std::string id1 = std::to_string(t["id"].get<int64_t>());
  const std::string id2 = std::to_string(rotated.body["id"].get<int64_t>());
  ASSERT_EQ(rows.size(), 4u);
  EXPECT_EQ(rows[0][0], "api_token.create");
  EXPECT_EQ(rows[0][1], id1);
  EXPECT_EQ(rows[1][0], "api_token.update");
  EXPECT_EQ(rows[1][1], id1);
  EXPECT_EQ(rows[2][0], "api_token.rotate");
  EXPECT_EQ(rows[2][1], id1);
  EXPECT_EQ(rows[3][0], "api_token.revoke");
  EXPECT_EQ(rows[3][1], id2);
  for (const auto& r : rows) {
    EXPECT_EQ(r[2], a.id);
    EXPECT_EQ(r[3], "user");
    EXPECT_FALSE(r[4].empty()) << "request id recorded";
  }
}

TEST(IdentityApiTokens, last_used_at_is_batched) {
  const auto started = std::chrono::steady_clock::now();
  const std::string dir = iron::test::make_temp_dir() + "/data";
  int64_t id = 0;
  int64_t used_from = 0;
  {
    Panel p(dir);
    const auto t = p.create_ok(p.admin.token, {{"name", "n"}});
    id = t["id"].get<int64_t>();
    used_from = now_ms();
    ASSERT_EQ(p.call("GET", "/api/v1/me", tok(t)).status, 200);
    ASSERT_EQ(p.call("GET", kBase, tok(t)).status, 200);
    // The API already reports the use (from the in-memory batch)...
    auto one = p.call("GET", id_path(id), p.admin.token);
    ASSERT_TRUE(one.body["last_used_at"].is_number_integer()) << one.raw;
    EXPECT_GE(one.body["last_used_at"].get<int64_t>(), used_from);
    // ...but no request wrote it. (The periodic flush runs every 30 s; only assert while
    // it cannot have run yet, so a slow machine does not make this flaky.)
    if (std::chrono::steady_clock::now() - started < std::chrono::seconds(25)) {
      EXPECT_FALSE(p.db().int_of("SELECT last_used_at FROM api_tokens WHERE id = ?", id).has_value())
          << "last_used_at was written on the request path";
    }
    // Shutdown flushes the batch.
    ASSERT_EQ(p.server().stop(), 0);
    const auto stored = Db(dir).int_of("SELECT last_used_at FROM api_tokens WHERE id = ?", id);
    ASSERT_TRUE(stored.has_value()) << "the shutdown flush did not write last_used_at";
    EXPECT_GE(*stored, used_from);
  }
  Panel restarted(dir);
  auto one = restarted.call("GET", id_path(id), restarted.admin.token);
  ASSERT_EQ(one.status, 200) << one.raw;
  ASSERT_TRUE(one.body["last_used_at"].is_number_integer()) << one.raw;
  EXPECT_GE(one.body["last_used_at"].get<int64_t>(), used_from);
}
