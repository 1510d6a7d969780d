// API tokens over real HTTP against the real binary: create, list, get, validation, update,
// rotate and revoke. Who may reach which token is in identity_api_token_access_test.cpp,
// bearer use, validate and caps in identity_api_token_auth_test.cpp, storage and audit in
// identity_api_token_storage_test.cpp.
#include <gtest/gtest.h>

#include <regex>

#include "api_tokens_support.h"

using namespace api_tokens_test;

TEST(IdentityApiTokens, CreateShowsTheSecretOnceAndListShowsMetadataOnly) {
  Panel p;
  const Account u = p.add_user("user", "alice");
  const int64_t agent = p.add_agent(u.id);
  const int64_t before = now_ms();
  const std::string expires = rfc3339_in(7LL * 24 * 3600 * 1000);
  auto r = p.create(u.token, {{"name", "deploy bot"}, {"description", "ships builds"}, {"project_id", "proj-1"},
                               {"agent_id", agent}, {"provider", "openai"}, {"expires_at", expires}});
  ASSERT_EQ(r.status, 201) << r.raw;
  EXPECT_EQ(r.header("Cache-Control"), "no-store");
  const json& c = r.body;
  EXPECT_EQ(keys_of(c), (std::set<std::string>{"id", "token", "user_id", "project_id", "description", "name",
                                               "agent_id", "provider", "created_at", "expires_at", "scope",
                                               "allowed_models"}));
  EXPECT_TRUE(std::regex_match(c["token"].get<std::string>(), std::regex("^apitok_[0-9A-Za-z]{64}$"))) << c["token"];
  EXPECT_TRUE(c["id"].is_number_integer());
  EXPECT_EQ(c["user_id"], u.id);
  EXPECT_EQ(c["name"], "deploy bot");
  EXPECT_EQ(c["description"], "ships builds");
  EXPECT_EQ(c["project_id"], "proj-1");
  EXPECT_EQ(c["agent_id"], agent);
  EXPECT_EQ(c["scope"], "runtime") << "an agent-bound token defaults to (and may only have) the runtime scope";
  EXPECT_EQ(c["provider"], "openai");
  EXPECT_EQ(c["expires_at"], expires);
  EXPECT_GE(c["created_at"].get<int64_t>(), before);
  EXPECT_LE(c["created_at"].get<int64_t>(), now_ms());

  auto list = p.call("GET", kBase, u.token);
  ASSERT_EQ(list.status, 200) << list.raw;
  ASSERT_TRUE(list.body.is_array());
  ASSERT_EQ(list.body.size(), 1u);
  const json& item = list.body[0];
  EXPECT_EQ(keys_of(item), (std::set<std::string>{"id", "user_id", "project_id", "name", "description", "agent_id", "scope",
                                                  "provider", "created_at", "last_used_at", "expires_at", "is_active",
                                                  "allowed_models"}));
  EXPECT_EQ(item["id"], c["id"]);
  EXPECT_EQ(item["is_active"], true);
  EXPECT_TRUE(item["last_used_at"].is_null());
  EXPECT_EQ(item["expires_at"], expires);
  EXPECT_EQ(list.raw.find(c["token"].get<std::string>()), std::string::npos) << "list must never show the secret";

  auto one = p.call("GET", id_path(c["id"]), u.token);
  ASSERT_EQ(one.status, 200) << one.raw;
  EXPECT_EQ(one.body, item);

  // Without optional fields: nulls, never missing keys; expires_at null means "never".
  auto bare = p.create_ok(u.token, {{"provider", "anthropic"}});
  EXPECT_TRUE(bare["name"].is_null());
  EXPECT_TRUE(bare["expires_at"].is_null());
  EXPECT_TRUE(bare["agent_id"].is_null());
  EXPECT_EQ(bare["scope"], "user") << "the default scope: the owner's rights, never admin ones";
  EXPECT_NE(bare["token"], c["token"]);
}

TEST(IdentityApiTokens, ListIsOwnTokensNewestFirstInactiveIncluded) {
  Panel p;
  const Account a = p.add_user("user", "alice");
  const Account b = p.add_user("user", "bob");
  const auto t1 = p.create_ok(a.token, {{"name", "first"}});
  const auto t2 = p.create_ok(a.token, {{"name", "second"}});
  const auto t3 = p.create_ok(a.token, {{"name", "third"}});
  p.create_ok(b.token, {{"name", "bob's"}});
  ASSERT_EQ(p.call("DELETE", id_path(t2["id"]), a.token).status, 200);

  auto list = p.call("GET", kBase, a.token);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body.size(), 3u) << list.raw;
  EXPECT_EQ(list.body[0]["id"], t3["id"]);
  EXPECT_EQ(list.body[1]["id"], t2["id"]);
  EXPECT_EQ(list.body[2]["id"], t1["id"]);
  EXPECT_EQ(list.body[1]["is_active"], false);
  EXPECT_EQ(list.body[0]["is_active"], true);
  for (const auto& item : list.body) EXPECT_EQ(item["user_id"], a.id);

  // Admins list their own tokens too: the list is "mine", not "everyone's".
  auto admin_list = p.call("GET", kBase, p.admin.token);
  ASSERT_EQ(admin_list.status, 200);
  EXPECT_TRUE(admin_list.body.empty()) << admin_list.raw;
}

TEST(IdentityApiTokens, CreateValidationTable) {
  Panel p;
  const Account u = p.add_user("user", "alice");
  struct Case {
    std::string name;
    std::string body;
    int status;
    std::string code;
    std::string field;
  };
  const std::string n100(100, 'n');
  const std::vector<Case> cases = {
      {"no field at all", "{}", 400, "VALIDATION_ERROR", "name"},
      {"empty name", R"({"name":""})", 400, "VALIDATION_ERROR", "name"},
      {"name too long", json{{"name", std::string(101, 'n')}}.dump(), 400, "VALIDATION_ERROR", "name"},
      {"name with <", R"({"name":"a<b"})", 400, "VALIDATION_ERROR", "name"},
      {"name with >", R"({"name":"a>b"})", 400, "VALIDATION_ERROR", "name"},
      {"name with NUL", R"({"name":"a\u0000b"})", 400, "VALIDATION_ERROR", "name"},
      {"name not a string", R"({"name":12})", 400, "VALIDATION_ERROR", "name"},
      {"description too long", json{{"name", "x"}, {"description", std::string(501, 'd')}}.dump(), 400,
       "VALIDATION_ERROR", "description"},
      {"project_id too long", json{{"name", "x"}, {"project_id", std::string(501, 'p')}}.dump(), 400,
       "VALIDATION_ERROR", "project_id"},
      {"agent_id as string", R"({"name":"x","agent_id":"7"})", 400, "VALIDATION_ERROR", "agent_id"},
      {"agent_id fractional", R"({"name":"x","agent_id":1.5})", 400, "VALIDATION_ERROR", "agent_id"},
      {"agent_id zero", R"({"name":"x","agent_id":0})", 400, "VALIDATION_ERROR", "agent_id"},
      {"empty provider", R"({"provider":""})", 400, "VALIDATION_ERROR", "provider"},
      {"provider too long", json{{"provider", std::string(65, 'p')}}.dump(), 400, "VALIDATION_ERROR", "provider"},
      {"expires_at not a date", R"({"name":"x","expires_at":"tomorrow"})", 400, "VALIDATION_ERROR", "expires_at"},
      {"expires_at as number", R"({"name":"x","expires_at":1893456000000})", 400, "VALIDATION_ERROR", "expires_at"},
      {"expires_at in the past", json{{"name", "x"}, {"expires_at", rfc3339_in(-60'000)}}.dump(), 400,
       "VALIDATION_ERROR", "expires_at"},
      {"expires_at beyond one year", json{{"name", "x"}, {"expires_at", rfc3339_in(367LL * 86400 * 1000)}}.dump(), 400,
       "VALIDATION_ERROR", "expires_at"},
      {"user_id not a string", R"({"name":"x","user_id":5})", 400, "VALIDATION_ERROR", "user_id"},
      {"malformed JSON", R"({"name":)", 400, "MALFORMED_JSON", ""},
      {"not an object", R"(["name"])", 400, "INVALID_JSON", ""},
      // Boundaries that are accepted (each one creates a token; < 10 in total).
      {"name of 100", json{{"name", n100}}.dump(), 201, "", ""},
      {"description of 500", json{{"description", std::string(500, 'd')}}.dump(), 201, "", ""},
      {"project_id of 500", json{{"project_id", std::string(500, 'p')}}.dump(), 201, "", ""},
      {"provider of 64", json{{"provider", std::string(64, 'p')}}.dump(), 201, "", ""},
      {"expires_at with offset, in the past", json{{"name", "x"}, {"expires_at", "2000-01-01T00:00:00+02:00"}}.dump(), 400,
       "VALIDATION_ERROR", "expires_at"},
      {"unknown fields ignored", R"({"name":"x","colour":"blue"})", 201, "", ""},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = p.call("POST", kBase, u.token, std::optional<std::string>(c.body));
    if (c.status == 201) {
      EXPECT_EQ(r.status, 201) << r.raw;
    } else {
      expect_error(r, c.status, c.code, c.field);
    }
  }
  // Wrong content type: 415 in the one envelope.
  expect_error(p.call("POST", kBase, u.token, std::optional<std::string>(R"({"name":"x"})"), "text/plain"), 415,
               "UNSUPPORTED_MEDIA_TYPE");
  // A valid expiry round-trips as RFC 3339 UTC.
  const std::string in_30_days = rfc3339_in(30LL * 86400 * 1000);
  auto ok = p.create_ok(u.token, {{"name", "expiring"}, {"expires_at", in_30_days}});
  EXPECT_EQ(ok["expires_at"], in_30_days);
}

TEST(IdentityApiTokens, UpdateChangesProviderAndMetadata) {
  Panel p;
  const Account a = p.add_user("user", "alice");
  const auto t = p.create_ok(a.token, {{"name", "n"}, {"provider", "openai"}, {"project_id", "p1"}});
  const std::string path = id_path(t["id"]);
  auto r = p.call("PUT", path, a.token, json{{"provider", "anthropic"}});
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["provider"], "anthropic");
  EXPECT_EQ(r.body["name"], "n");
  EXPECT_EQ(r.body["project_id"], "p1");
  EXPECT_EQ(r.body["is_active"], true);
  EXPECT_FALSE(r.body.contains("token"));
  auto r2 = p.call("PUT", path, a.token, json{{"name", "renamed"}, {"description", "d"}});
  ASSERT_EQ(r2.status, 200) << r2.raw;
  EXPECT_EQ(r2.body["name"], "renamed");
  EXPECT_EQ(r2.body["provider"], "anthropic");
  EXPECT_EQ(p.call("GET", path, a.token).body, r2.body);

  struct Case {
    std::string name, body, code, field;
    int status;
  };
  const std::vector<Case> cases = {
      {"nothing to change", "{}", "VALIDATION_ERROR", "provider", 400},
      {"empty provider", R"({"provider":""})", "VALIDATION_ERROR", "provider", 400},
      {"provider too long", json{{"provider", std::string(65, 'p')}}.dump(), "VALIDATION_ERROR", "provider", 400},
      {"provider not a string", R"({"provider":3})", "VALIDATION_ERROR", "provider", 400},
      {"name with <", R"({"name":"<script>"})", "VALIDATION_ERROR", "name", 400},
      {"malformed", R"({"provider":)", "MALFORMED_JSON", "", 400},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    expect_error(p.call("PUT", path, a.token, std::optional<std::string>(c.body)), c.status, c.code, c.field);
  }
  EXPECT_EQ(p.call("GET", path, a.token).body["provider"], "anthropic");
  // A revoked token's metadata is frozen.
  ASSERT_EQ(p.call("DELETE", path, a.token).status, 200);
  expect_error(p.call("PUT", path, a.token, json{{"provider", "x"}}), 409, "TOKEN_REVOKED");
}

TEST(IdentityApiTokens, RotateRetiresTheOldRowAndIssuesANewOneWithTheSameMetadata) {
  Panel p;
  const Account a = p.add_user("user", "alice");
  const std::string expires = rfc3339_in(10LL * 86400 * 1000);
  const auto old = p.create_ok(a.token, {{"name", "n"}, {"description", "d"}, {"project_id", "p"},
                                          {"scope", "read"}, {"provider", "openai"}, {"expires_at", expires}});
  auto r = p.call("POST", id_path(old["id"]) + "/rotate", a.token);
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.header("Cache-Control"), "no-store");
  const json& fresh = r.body;
  EXPECT_EQ(keys_of(fresh), keys_of(old)) << "rotate returns the create shape";
  EXPECT_NE(fresh["id"], old["id"]);
  EXPECT_NE(fresh["token"], old["token"]);
  EXPECT_TRUE(std::regex_match(fresh["token"].get<std::string>(), std::regex("^apitok_[0-9A-Za-z]{64}$")));
  for (const char* k : {"user_id", "name", "description", "project_id", "agent_id", "provider", "expires_at", "scope"})
    EXPECT_EQ(fresh[k], old[k]) << k;

  EXPECT_EQ(p.call("GET", "/api/v1/me", tok(fresh)).status, 200);
  expect_error(p.call("GET", "/api/v1/me", tok(old)), 401, "AUTH_TOKEN_REVOKED");

  auto list = p.call("GET", kBase, a.token);
  ASSERT_EQ(list.body.size(), 2u);
  EXPECT_EQ(list.body[0]["id"], fresh["id"]);
  EXPECT_EQ(list.body[0]["is_active"], true);
  EXPECT_EQ(list.body[1]["id"], old["id"]);
  EXPECT_EQ(list.body[1]["is_active"], false);
  // The rotated id is gone for every lifecycle operation.
  expect_error(p.call("POST", id_path(old["id"]) + "/rotate", a.token), 404, "NOT_FOUND");
  expect_error(p.call("DELETE", id_path(old["id"]), a.token), 404, "NOT_FOUND");
  expect_error(p.call("PUT", id_path(old["id"]), a.token, json{{"provider", "x"}}), 404, "NOT_FOUND");
  // Rotation chains work.
  auto again = p.call("POST", id_path(fresh["id"]) + "/rotate", a.token);
  ASSERT_EQ(again.status, 200) << again.raw;
  EXPECT_EQ(p.call("GET", "/api/v1/me", tok(again.body)).status, 200);
  EXPECT_EQ(p.call("GET", "/api/v1/me", tok(fresh)).status, 401);
}

TEST(IdentityApiTokens, RevokeIsSoftAndAnsweredOnce) {
  Panel p;
  const Account a = p.add_user("user", "alice");
  const auto t = p.create_ok(a.token, {{"name", "n"}});
  const std::string path = id_path(t["id"]);
  auto r = p.call("DELETE", path, a.token);
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["id"], t["id"]);
  EXPECT_EQ(r.body["revoked"], true);
  EXPECT_TRUE(r.body["message"].is_string());
  expect_error(p.call("DELETE", path, a.token), 409, "TOKEN_ALREADY_REVOKED");
  expect_error(p.call("POST", path + "/rotate", a.token), 404, "NOT_FOUND");
  // Soft: still listed and readable, inactive.
  auto one = p.call("GET", path, a.token);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.body["is_active"], false);
}
