// API tokens over real HTTP against the real binary: create / list / get / update / rotate /
// revoke / validate, bearer authentication with apitok_ tokens, caps, audit, storage.
// Named regressions cover the predecessor's weaknesses (§9 security 1 and 8).
#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>
#include <fstream>
#include <optional>
#include <regex>
#include <set>
#include <sstream>
#include <vector>

#include "security/crypto.h"
#include "security/password.h"
#include "security/random.h"
#include "store/data_dir.h"
#include "store/database.h"
#include "store/sqlite.h"
#include "store/user_repo.h"
#include "support/server_process.h"
#include "util/clock.h"

using iron::test::ServerProcess;
using nlohmann::json;

namespace {

constexpr const char* kAdminEmail = "root@example.test";
constexpr const char* kAdminPassword = "admin-password-0123";
constexpr const char* kUserPassword = "user-password-0123";
const std::string kBase = "/api/v1/api-tokens";

int64_t now_ms() { return iron::util::to_unix_ms(iron::util::now()); }

struct Resp {
  int status = 0;
  json body;
  std::string raw;
  std::string retry_after;
  std::string cache_control;
};

struct User {
  std::string id;
  std::string email;
  std::string access;  // access JWT
};

std::string file_bytes(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::stringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

// ---- test setup: direct database access ----
// The users routes are written in parallel and may not exist on this branch, so non-admin
// users are inserted (and suspended / re-roled / expired) straight in the server's iron.db.
// This is TEST SETUP ONLY; every behaviour under test is exercised over HTTP.
class Db {
 public:
  explicit Db(const std::string& data_dir) : conn_(iron::store::database_path(data_dir), false) {
    iron::store::apply_connection_pragmas(conn_);
  }
  iron::store::Connection& conn() { return conn_; }
  void exec_with_id(const std::string& sql, const std::string& id) { conn_.prepare(sql).bind(1, id).run(); }
  void exec_with_id(const std::string& sql, int64_t id) { conn_.prepare(sql).bind(1, id).run(); }
  std::optional<int64_t> int_of(const std::string& sql, int64_t id) {
    auto& s = conn_.prepare(sql);
    s.bind(1, id);
    if (!s.step()) return std::nullopt;
    auto v = s.opt_int64(0);
    s.reset();
    return v;
  }
  std::vector<std::string> texts(const std::string& sql) {
    auto& s = conn_.prepare(sql);
    std::vector<std::string> out;
    while (s.step()) out.push_back(s.opt_text(0).value_or(""));
    return out;
  }

 private:
  iron::store::Connection conn_;
};

const std::string& user_password_hash() {
  static const std::string hash = [] {
    iron::security::init();
    return iron::security::hash_password(kUserPassword);
  }();
  return hash;
}

// One running server with a bootstrapped admin (IRON_ADMIN_EMAIL / IRON_ADMIN_PASSWORD).
class Panel {
 public:
  explicit Panel(const std::string& data_dir = "")
      : server_(ServerProcess::Options{.extra_args = {},
                                       .env = {{"IRON_ADMIN_EMAIL", kAdminEmail}, {"IRON_ADMIN_PASSWORD", kAdminPassword}},
                                       .data_dir = data_dir}) {
    admin.email = kAdminEmail;
    admin.access = login(kAdminEmail, kAdminPassword);
    admin.id = call("GET", "/api/v1/me", admin.access).body.value("id", "");
  }

  ServerProcess& server() { return server_; }
  Db db() { return Db(server_.data_dir()); }

  Resp call(const std::string& method, const std::string& path, const std::string& bearer = "",
            const std::optional<std::string>& body = std::nullopt, const std::string& content_type = "application/json") {
    httplib::Request req;
    req.method = method;
    req.path = path;
    if (!bearer.empty()) req.headers.emplace("Authorization", "Bearer " + bearer);
    if (body) {
      req.body = *body;
      req.headers.emplace("Content-Type", content_type);
    }
    auto r = server_.client()->send(req);
    Resp out;
    if (!r) return out;
    out.status = r->status;
    out.raw = r->body;
    out.body = iron::test::json_of(r);
    out.retry_after = r->get_header_value("Retry-After");
    out.cache_control = r->get_header_value("Cache-Control");
    return out;
  }
  Resp call(const std::string& method, const std::string& path, const std::string& bearer, const json& body) {
    return call(method, path, bearer, std::optional<std::string>(body.dump()));
  }

  std::string login(const std::string& email, const std::string& password) {
    auto r = call("POST", "/api/v1/auth/login", "", json{{"email", email}, {"password", password}});
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body.value("user_token", "");
  }

  // Inserts a user row (test setup, see Db) and logs in over HTTP.
  User add_user(const std::string& role, const std::string& label) {
    User u;
    u.email = label + "@example.test";
    iron::store::User row;
    row.id = "user_" + iron::security::uuid_v4();
    row.username = label;
    row.email = u.email;
    row.password_hash = user_password_hash();
    row.role = role;
    row.created_at = row.updated_at = now_ms();
    {
      Db d = db();
      iron::store::users::insert(d.conn(), row);
    }
    u.id = row.id;
    u.access = login(u.email, kUserPassword);
    return u;
  }

  // An agent of `owner_id`, created by the admin over HTTP (tokens may bind only to their
  // owner's existing agents).
  int64_t add_agent(const std::string& owner_id) {
    auto r = call("POST", "/api/v1/agents", admin.access,
                  json{{"name", "bound"}, {"initial_budget_microdollars", 1'000'000}, {"owner_id", owner_id}});
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body.value("id", int64_t{0});
  }

  Resp create(const std::string& bearer, const json& body) { return call("POST", kBase, bearer, body); }
  // Creates a token and returns the create response, failing the test unless it is 201.
  json create_ok(const std::string& bearer, const json& body = {{"name", "ci"}}) {
    auto r = create(bearer, body);
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body;
  }
  User admin;

 private:
  ServerProcess server_;
};

std::string id_path(int64_t id) { return kBase + "/" + std::to_string(id); }
std::string id_path(const json& id) { return id_path(id.get<int64_t>()); }
std::string tok(const json& created) { return created.at("token").get<std::string>(); }

void expect_error(const Resp& r, int status, const std::string& code, const std::string& field = "") {
  EXPECT_EQ(r.status, status) << r.raw;
  EXPECT_EQ(r.body["error"]["code"], code) << r.raw;
  if (!field.empty()) {
    EXPECT_EQ(r.body["error"]["details"]["field"], field) << r.raw;
  }
}

std::set<std::string> keys_of(const json& j) {
  std::set<std::string> out;
  for (auto it = j.begin(); it != j.end(); ++it) out.insert(it.key());
  return out;
}

// "t3": appends rather than `"t" + std::to_string(i)`, which trips GCC 12's -Wrestrict at -O3.
std::string numbered(const char* prefix, int i) {
  std::string s = prefix;
  s += std::to_string(i);
  return s;
}

std::string rfc3339_in(int64_t delta_ms) { return iron::util::to_rfc3339(iron::util::from_unix_ms(now_ms() + delta_ms)); }

}  // namespace

// ---------------------------------------------------------------------------------------
// Create, list, get
// ---------------------------------------------------------------------------------------

TEST(IdentityApiTokens, CreateShowsTheSecretOnceAndListShowsMetadataOnly) {
  Panel p;
  const User u = p.add_user("user", "alice");
  const int64_t agent = p.add_agent(u.id);
  const int64_t before = now_ms();
  const std::string expires = rfc3339_in(7LL * 24 * 3600 * 1000);
  auto r = p.create(u.access, {{"name", "deploy bot"}, {"description", "ships builds"}, {"project_id", "proj-1"},
                               {"agent_id", agent}, {"provider", "openai"}, {"expires_at", expires}});
  ASSERT_EQ(r.status, 201) << r.raw;
  EXPECT_EQ(r.cache_control, "no-store");
  const json& c = r.body;
  EXPECT_EQ(keys_of(c), (std::set<std::string>{"id", "token", "user_id", "project_id", "description", "name",
                                               "agent_id", "provider", "created_at", "expires_at", "scope"}));
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

  auto list = p.call("GET", kBase, u.access);
  ASSERT_EQ(list.status, 200) << list.raw;
  ASSERT_TRUE(list.body.is_array());
  ASSERT_EQ(list.body.size(), 1u);
  const json& item = list.body[0];
  EXPECT_EQ(keys_of(item), (std::set<std::string>{"id", "user_id", "project_id", "name", "description", "agent_id", "scope",
                                                  "provider", "created_at", "last_used_at", "expires_at", "is_active"}));
  EXPECT_EQ(item["id"], c["id"]);
  EXPECT_EQ(item["is_active"], true);
  EXPECT_TRUE(item["last_used_at"].is_null());
  EXPECT_EQ(item["expires_at"], expires);
  EXPECT_EQ(list.raw.find(c["token"].get<std::string>()), std::string::npos) << "list must never show the secret";

  auto one = p.call("GET", id_path(c["id"]), u.access);
  ASSERT_EQ(one.status, 200) << one.raw;
  EXPECT_EQ(one.body, item);

  // Without optional fields: nulls, never missing keys; expires_at null means "never".
  auto bare = p.create_ok(u.access, {{"provider", "anthropic"}});
  EXPECT_TRUE(bare["name"].is_null());
  EXPECT_TRUE(bare["expires_at"].is_null());
  EXPECT_TRUE(bare["agent_id"].is_null());
  EXPECT_EQ(bare["scope"], "user") << "the default scope: the owner's rights, never admin ones";
  EXPECT_NE(bare["token"], c["token"]);
}

TEST(IdentityApiTokens, ListIsOwnTokensNewestFirstInactiveIncluded) {
  Panel p;
  const User a = p.add_user("user", "alice");
  const User b = p.add_user("user", "bob");
  const auto t1 = p.create_ok(a.access, {{"name", "first"}});
  const auto t2 = p.create_ok(a.access, {{"name", "second"}});
  const auto t3 = p.create_ok(a.access, {{"name", "third"}});
  p.create_ok(b.access, {{"name", "bob's"}});
  ASSERT_EQ(p.call("DELETE", id_path(t2["id"]), a.access).status, 200);

  auto list = p.call("GET", kBase, a.access);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body.size(), 3u) << list.raw;
  EXPECT_EQ(list.body[0]["id"], t3["id"]);
  EXPECT_EQ(list.body[1]["id"], t2["id"]);
  EXPECT_EQ(list.body[2]["id"], t1["id"]);
  EXPECT_EQ(list.body[1]["is_active"], false);
  EXPECT_EQ(list.body[0]["is_active"], true);
  for (const auto& item : list.body) EXPECT_EQ(item["user_id"], a.id);

  // Admins list their own tokens too: the list is "mine", not "everyone's".
  auto admin_list = p.call("GET", kBase, p.admin.access);
  ASSERT_EQ(admin_list.status, 200);
  EXPECT_TRUE(admin_list.body.empty()) << admin_list.raw;
}

TEST(IdentityApiTokens, CreateValidationTable) {
  Panel p;
  const User u = p.add_user("user", "alice");
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
    auto r = p.call("POST", kBase, u.access, std::optional<std::string>(c.body));
    if (c.status == 201) {
      EXPECT_EQ(r.status, 201) << r.raw;
    } else {
      expect_error(r, c.status, c.code, c.field);
    }
  }
  // Wrong content type: 415 in the one envelope.
  expect_error(p.call("POST", kBase, u.access, std::optional<std::string>(R"({"name":"x"})"), "text/plain"), 415,
               "UNSUPPORTED_MEDIA_TYPE");
  // A valid expiry round-trips as RFC 3339 UTC.
  const std::string in_30_days = rfc3339_in(30LL * 86400 * 1000);
  auto ok = p.create_ok(u.access, {{"name", "expiring"}, {"expires_at", in_30_days}});
  EXPECT_EQ(ok["expires_at"], in_30_days);
}

// ---------------------------------------------------------------------------------------
// Access: authentication, roles, ownership, path ids
// ---------------------------------------------------------------------------------------

TEST(IdentityApiTokens, EveryProtectedRouteRequiresAuthentication) {
  Panel p;
  const auto t = p.create_ok(p.admin.access);
  const std::string id = std::to_string(t["id"].get<int64_t>());
  struct Case {
    std::string method, path;
    std::optional<std::string> body;
  };
  const std::vector<Case> routes = {
      {"POST", kBase, R"({"name":"x"})"}, {"GET", kBase, std::nullopt},
      {"GET", kBase + "/" + id, std::nullopt}, {"PUT", kBase + "/" + id, R"({"provider":"x"})"},
      {"DELETE", kBase + "/" + id, std::nullopt}, {"POST", kBase + "/" + id + "/rotate", std::nullopt},
  };
  for (const auto& c : routes) {
    SCOPED_TRACE(c.method + " " + c.path);
    expect_error(p.call(c.method, c.path, "", c.body), 401, "AUTH_MISSING_TOKEN");
    expect_error(p.call(c.method, c.path, "apitok_" + std::string(64, 'A'), c.body), 401, "AUTH_INVALID_TOKEN");
    expect_error(p.call(c.method, c.path, "not-a-jwt", c.body), 401, "AUTH_INVALID_TOKEN");
  }
  // Nothing changed: the token is still the only one, active.
  auto list = p.call("GET", kBase, p.admin.access);
  ASSERT_EQ(list.body.size(), 1u);
  EXPECT_EQ(list.body[0]["is_active"], true);
  // validate is public.
  auto v = p.call("POST", kBase + "/validate", "", json{{"token", t["token"]}});
  EXPECT_EQ(v.status, 200);
  EXPECT_EQ(v.body["valid"], true);
}

TEST(IdentityApiTokens, PathIdMustBeAPositiveInteger) {
  Panel p;
  for (const std::string& bad : std::vector<std::string>{"abc", "0", "-1", "1.5", "12abc", "99999999999999999999999"}) {
    for (const auto& [method, suffix] : std::vector<std::pair<std::string, std::string>>{
             {"GET", ""}, {"PUT", ""}, {"DELETE", ""}, {"POST", "/rotate"}}) {
      SCOPED_TRACE(method + " " + bad + suffix);
      std::optional<std::string> body;
      if (method == "PUT") body = R"({"provider":"x"})";
      expect_error(p.call(method, kBase + "/" + bad + suffix, p.admin.access, body), 400, "INVALID_PARAMETER", "id");
    }
  }
}

TEST(IdentityApiTokens, ViewerIsReadOnly) {
  Panel p;
  const User v = p.add_user("viewer", "vera");
  expect_error(p.create(v.access, {{"name", "x"}}), 403, "INSUFFICIENT_PERMISSIONS");
  // An admin issues a token to the viewer: the viewer may read it, never change it.
  const auto t = p.create_ok(p.admin.access, {{"name", "for vera"}, {"user_id", v.id}});
  EXPECT_EQ(t["user_id"], v.id);
  auto list = p.call("GET", kBase, v.access);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body.size(), 1u);
  EXPECT_EQ(p.call("GET", id_path(t["id"]), v.access).status, 200);
  expect_error(p.call("PUT", id_path(t["id"]), v.access, json{{"provider", "x"}}), 403, "INSUFFICIENT_PERMISSIONS");
  expect_error(p.call("DELETE", id_path(t["id"]), v.access), 403, "INSUFFICIENT_PERMISSIONS");
  expect_error(p.call("POST", id_path(t["id"]) + "/rotate", v.access), 403, "INSUFFICIENT_PERMISSIONS");
  // Through the viewer's API token the same rule holds.
  const std::string secret = t["token"];
  EXPECT_EQ(p.call("GET", kBase, secret).status, 200);
  expect_error(p.call("PUT", id_path(t["id"]), secret, json{{"provider", "x"}}), 403, "INSUFFICIENT_PERMISSIONS");
  expect_error(p.call("DELETE", id_path(t["id"]), secret), 403, "INSUFFICIENT_PERMISSIONS");
  EXPECT_EQ(p.call("GET", id_path(t["id"]), v.access).body["is_active"], true);
}

TEST(IdentityApiTokens, AnotherUsersTokenIs403ForGetUpdateRevokeAnd404WhenMissing) {
  Panel p;
  const User a = p.add_user("user", "alice");
  const User b = p.add_user("user", "bob");
  const auto t = p.create_ok(a.access, {{"name", "alice's"}, {"provider", "openai"}});
  const std::string path = id_path(t["id"]);
  // The predecessor's contract answers 403 here (kept for compatibility), for admins too
  // except revoke (AdminListsAndRevokesOtherUsersTokens).
  for (const auto& who : {b.access, p.admin.access}) {
    expect_error(p.call("GET", path, who), 403, "NOT_TOKEN_OWNER");
    expect_error(p.call("PUT", path, who, json{{"provider", "stolen"}}), 403, "NOT_TOKEN_OWNER");
  }
  expect_error(p.call("DELETE", path, b.access), 403, "NOT_TOKEN_OWNER");
  auto mine = p.call("GET", path, a.access);
  ASSERT_EQ(mine.status, 200);
  EXPECT_EQ(mine.body["provider"], "openai");
  EXPECT_EQ(mine.body["is_active"], true);
  // Missing ids.
  const std::string missing = id_path(t["id"].get<int64_t>() + 1000);
  expect_error(p.call("GET", missing, a.access), 404, "NOT_FOUND");
  expect_error(p.call("PUT", missing, a.access, json{{"provider", "x"}}), 404, "NOT_FOUND");
  expect_error(p.call("DELETE", missing, a.access), 404, "NOT_FOUND");
  expect_error(p.call("POST", missing + "/rotate", a.access), 404, "NOT_FOUND");
}

TEST(IdentityApiTokens, rotate_requires_owner) {
  Panel p;
  const User a = p.add_user("user", "alice");
  const User b = p.add_user("user", "bob");
  const auto t = p.create_ok(a.access, {{"name", "alice's"}});
  // Neither another user nor an admin can rotate it (and learn a fresh secret); no 403
  // here: rotate never had the predecessor's 403 contract, so existence is not revealed.
  for (const auto& who : {b.access, p.admin.access}) {
    auto r = p.call("POST", id_path(t["id"]) + "/rotate", who);
    expect_error(r, 404, "NOT_FOUND");
    EXPECT_FALSE(r.body.contains("token")) << r.raw;
  }
  // Untouched: still one active token, and its secret still works.
  auto list = p.call("GET", kBase, a.access);
  ASSERT_EQ(list.body.size(), 1u);
  EXPECT_EQ(list.body[0]["is_active"], true);
  EXPECT_EQ(p.call("GET", "/api/v1/me", tok(t)).status, 200);
  EXPECT_TRUE(p.call("GET", kBase, b.access).body.empty());
}

TEST(IdentityApiTokens, rotate_requires_auth) {
  Panel p;
  const User a = p.add_user("user", "alice");
  const auto t = p.create_ok(a.access, {{"name", "alice's"}});
  const std::string path = id_path(t["id"]) + "/rotate";
  auto anonymous = p.call("POST", path);
  expect_error(anonymous, 401, "AUTH_MISSING_TOKEN");
  EXPECT_FALSE(anonymous.body.contains("token"));
  expect_error(p.call("POST", path, "garbage"), 401, "AUTH_INVALID_TOKEN");
  auto list = p.call("GET", kBase, a.access);
  ASSERT_EQ(list.body.size(), 1u);
  EXPECT_EQ(list.body[0]["is_active"], true);
  EXPECT_EQ(p.call("GET", "/api/v1/me", tok(t)).status, 200);
}

TEST(IdentityApiTokens, TokenCannotMintTokens) {
  Panel p;
  const User a = p.add_user("user", "alice");
  const auto t = p.create_ok(a.access, {{"name", "alice's"}});
  const std::string secret = t["token"];
  expect_error(p.create(secret, {{"name", "child"}}), 403, "SESSION_REQUIRED");
  expect_error(p.call("POST", id_path(t["id"]) + "/rotate", secret), 403, "SESSION_REQUIRED");
  EXPECT_EQ(p.call("GET", kBase, a.access).body.size(), 1u);
}

// ---------------------------------------------------------------------------------------
// Update, rotate, revoke
// ---------------------------------------------------------------------------------------

TEST(IdentityApiTokens, UpdateChangesProviderAndMetadata) {
  Panel p;
  const User a = p.add_user("user", "alice");
  const auto t = p.create_ok(a.access, {{"name", "n"}, {"provider", "openai"}, {"project_id", "p1"}});
  const std::string path = id_path(t["id"]);
  auto r = p.call("PUT", path, a.access, json{{"provider", "anthropic"}});
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["provider"], "anthropic");
  EXPECT_EQ(r.body["name"], "n");
  EXPECT_EQ(r.body["project_id"], "p1");
  EXPECT_EQ(r.body["is_active"], true);
  EXPECT_FALSE(r.body.contains("token"));
  auto r2 = p.call("PUT", path, a.access, json{{"name", "renamed"}, {"description", "d"}});
  ASSERT_EQ(r2.status, 200) << r2.raw;
  EXPECT_EQ(r2.body["name"], "renamed");
  EXPECT_EQ(r2.body["provider"], "anthropic");
  EXPECT_EQ(p.call("GET", path, a.access).body, r2.body);

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
    expect_error(p.call("PUT", path, a.access, std::optional<std::string>(c.body)), c.status, c.code, c.field);
  }
  EXPECT_EQ(p.call("GET", path, a.access).body["provider"], "anthropic");
  // A revoked token's metadata is frozen.
  ASSERT_EQ(p.call("DELETE", path, a.access).status, 200);
  expect_error(p.call("PUT", path, a.access, json{{"provider", "x"}}), 409, "TOKEN_REVOKED");
}

TEST(IdentityApiTokens, RotateRetiresTheOldRowAndIssuesANewOneWithTheSameMetadata) {
  Panel p;
  const User a = p.add_user("user", "alice");
  const std::string expires = rfc3339_in(10LL * 86400 * 1000);
  const auto old = p.create_ok(a.access, {{"name", "n"}, {"description", "d"}, {"project_id", "p"},
                                          {"scope", "read"}, {"provider", "openai"}, {"expires_at", expires}});
  auto r = p.call("POST", id_path(old["id"]) + "/rotate", a.access);
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.cache_control, "no-store");
  const json& fresh = r.body;
  EXPECT_EQ(keys_of(fresh), keys_of(old)) << "rotate returns the create shape";
  EXPECT_NE(fresh["id"], old["id"]);
  EXPECT_NE(fresh["token"], old["token"]);
  EXPECT_TRUE(std::regex_match(fresh["token"].get<std::string>(), std::regex("^apitok_[0-9A-Za-z]{64}$")));
  for (const char* k : {"user_id", "name", "description", "project_id", "agent_id", "provider", "expires_at", "scope"})
    EXPECT_EQ(fresh[k], old[k]) << k;

  EXPECT_EQ(p.call("GET", "/api/v1/me", tok(fresh)).status, 200);
  expect_error(p.call("GET", "/api/v1/me", tok(old)), 401, "AUTH_TOKEN_REVOKED");

  auto list = p.call("GET", kBase, a.access);
  ASSERT_EQ(list.body.size(), 2u);
  EXPECT_EQ(list.body[0]["id"], fresh["id"]);
  EXPECT_EQ(list.body[0]["is_active"], true);
  EXPECT_EQ(list.body[1]["id"], old["id"]);
  EXPECT_EQ(list.body[1]["is_active"], false);
  // The rotated id is gone for every lifecycle operation.
  expect_error(p.call("POST", id_path(old["id"]) + "/rotate", a.access), 404, "NOT_FOUND");
  expect_error(p.call("DELETE", id_path(old["id"]), a.access), 404, "NOT_FOUND");
  expect_error(p.call("PUT", id_path(old["id"]), a.access, json{{"provider", "x"}}), 404, "NOT_FOUND");
  // Rotation chains work.
  auto again = p.call("POST", id_path(fresh["id"]) + "/rotate", a.access);
  ASSERT_EQ(again.status, 200) << again.raw;
  EXPECT_EQ(p.call("GET", "/api/v1/me", tok(again.body)).status, 200);
  EXPECT_EQ(p.call("GET", "/api/v1/me", tok(fresh)).status, 401);
}

TEST(IdentityApiTokens, RevokeIsSoftAndAnsweredOnce) {
  Panel p;
  const User a = p.add_user("user", "alice");
  const auto t = p.create_ok(a.access, {{"name", "n"}});
  const std::string path = id_path(t["id"]);
  auto r = p.call("DELETE", path, a.access);
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["id"], t["id"]);
  EXPECT_EQ(r.body["revoked"], true);
  EXPECT_TRUE(r.body["message"].is_string());
  expect_error(p.call("DELETE", path, a.access), 409, "TOKEN_ALREADY_REVOKED");
  expect_error(p.call("POST", path + "/rotate", a.access), 404, "NOT_FOUND");
  // Soft: still listed and readable, inactive.
  auto one = p.call("GET", path, a.access);
  ASSERT_EQ(one.status, 200);
  EXPECT_EQ(one.body["is_active"], false);
}

// ---------------------------------------------------------------------------------------
// Bearer authentication with apitok_ tokens
// ---------------------------------------------------------------------------------------

TEST(IdentityApiTokens, revoked_token_refused) {
  Panel p;
  const User a = p.add_user("user", "alice");
  const auto t = p.create_ok(a.access, {{"name", "n"}});
  const std::string secret = t["token"];
  auto me = p.call("GET", "/api/v1/me", secret);
  ASSERT_EQ(me.status, 200) << me.raw;
  EXPECT_EQ(me.body["id"], a.id);
  ASSERT_EQ(p.call("DELETE", id_path(t["id"]), a.access).status, 200);
  expect_error(p.call("GET", "/api/v1/me", secret), 401, "AUTH_TOKEN_REVOKED");
  expect_error(p.call("GET", kBase, secret), 401, "AUTH_TOKEN_REVOKED");
  auto v = p.call("POST", kBase + "/validate", "", json{{"token", secret}});
  EXPECT_EQ(v.status, 200);
  EXPECT_EQ(v.body, json({{"valid", false}}));
}

TEST(IdentityApiTokens, expired_token_refused) {
  Panel p;
  const User a = p.add_user("user", "alice");
  const auto t = p.create_ok(a.access, {{"name", "n"}, {"expires_at", rfc3339_in(3600'000)}});
  const std::string secret = t["token"];
  ASSERT_EQ(p.call("GET", "/api/v1/me", secret).status, 200);
  EXPECT_EQ(p.call("POST", kBase + "/validate", "", json{{"token", secret}}).body["valid"], true);
  // Test setup: move the expiry into the past instead of waiting for it.
  p.db().exec_with_id("UPDATE api_tokens SET expires_at = " + std::to_string(now_ms() - 1000) + " WHERE id = ?",
                      t["id"].get<int64_t>());
  expect_error(p.call("GET", "/api/v1/me", secret), 401, "AUTH_TOKEN_EXPIRED");
  EXPECT_EQ(p.call("POST", kBase + "/validate", "", json{{"token", secret}}).body, json({{"valid", false}}));
  expect_error(p.call("POST", id_path(t["id"]) + "/rotate", a.access), 409, "TOKEN_EXPIRED");
  // Still listed; the list reports the expiry.
  auto one = p.call("GET", id_path(t["id"]), a.access);
  ASSERT_EQ(one.status, 200);
  EXPECT_TRUE(one.body["expires_at"].is_string());
}

TEST(IdentityApiTokens, suspended_owner_token_refused) {
  Panel p;
  const User a = p.add_user("user", "alice");
  const auto t = p.create_ok(a.access, {{"name", "n"}});
  const std::string secret = t["token"];
  ASSERT_EQ(p.call("GET", "/api/v1/me", secret).status, 200);
  // Test setup: suspend the owner directly (the users routes live on another branch).
  p.db().exec_with_id("UPDATE users SET is_active = 0, suspended_at = 1 WHERE id = ?", a.id);
  expect_error(p.call("GET", "/api/v1/me", secret), 401, "AUTH_ACCOUNT_DISABLED");
  EXPECT_EQ(p.call("POST", kBase + "/validate", "", json{{"token", secret}}).body, json({{"valid", false}}));
  // Re-activated: the same token works again (the owner is re-read on every request).
  p.db().exec_with_id("UPDATE users SET is_active = 1, suspended_at = NULL WHERE id = ?", a.id);
  EXPECT_EQ(p.call("GET", "/api/v1/me", secret).status, 200);
  // Deleted owner: refused.
  p.db().exec_with_id("UPDATE users SET is_active = 0, deleted_at = 1 WHERE id = ?", a.id);
  expect_error(p.call("GET", "/api/v1/me", secret), 401, "AUTH_ACCOUNT_DISABLED");
  EXPECT_EQ(p.call("POST", kBase + "/validate", "", json{{"token", secret}}).body, json({{"valid", false}}));
}

TEST(IdentityApiTokens, token_acts_with_owner_current_role) {
  Panel p;
  const User a = p.add_user("user", "alice");
  const auto t = p.create_ok(a.access, {{"name", "n"}});
  const std::string secret = t["token"];
  const std::string path = id_path(t["id"]);
  auto me = p.call("GET", "/api/v1/me", secret);
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.body["role"], "user");
  EXPECT_EQ(p.call("PUT", path, secret, json{{"provider", "as-user"}}).status, 200);

  // Test setup: demote the owner in the database; the token follows at once.
  p.db().exec_with_id("UPDATE users SET role = 'viewer' WHERE id = ?", a.id);
  EXPECT_EQ(p.call("GET", "/api/v1/me", secret).body["role"], "viewer");
  expect_error(p.call("PUT", path, secret, json{{"provider", "as-viewer"}}), 403, "INSUFFICIENT_PERMISSIONS");

  p.db().exec_with_id("UPDATE users SET role = 'admin' WHERE id = ?", a.id);
  EXPECT_EQ(p.call("GET", "/api/v1/me", secret).body["role"], "admin");
  EXPECT_EQ(p.call("PUT", path, secret, json{{"provider", "as-admin"}}).status, 200);
  EXPECT_EQ(p.call("GET", path, a.access).body["provider"], "as-admin");
}

TEST(IdentityApiTokens, user_id_override_admin_only) {
  Panel p;
  const User a = p.add_user("user", "alice");
  const User b = p.add_user("user", "bob");
  // A non-admin naming someone else: 403, and nothing is created for anyone.
  expect_error(p.create(a.access, {{"name", "hijack"}, {"user_id", b.id}}), 403, "USER_ID_OVERRIDE_FORBIDDEN");
  EXPECT_TRUE(p.call("GET", kBase, b.access).body.empty());
  EXPECT_TRUE(p.call("GET", kBase, a.access).body.empty());
  // Naming yourself is fine.
  auto own = p.create_ok(a.access, {{"name", "mine"}, {"user_id", a.id}});
  EXPECT_EQ(own["user_id"], a.id);
  // An admin may issue for another user; the token then acts as that user.
  auto issued = p.create_ok(p.admin.access, {{"name", "for bob"}, {"user_id", b.id}});
  EXPECT_EQ(issued["user_id"], b.id);
  auto blist = p.call("GET", kBase, b.access);
  ASSERT_EQ(blist.body.size(), 1u);
  EXPECT_EQ(blist.body[0]["id"], issued["id"]);
  auto me = p.call("GET", "/api/v1/me", tok(issued));
  ASSERT_EQ(me.status, 200);
  EXPECT_EQ(me.body["id"], b.id);
  EXPECT_EQ(me.body["role"], "user");
  // Unknown or deleted owner.
  expect_error(p.create(p.admin.access, {{"name", "x"}, {"user_id", "user_does-not-exist"}}), 404, "USER_NOT_FOUND",
               "user_id");
  p.db().exec_with_id("UPDATE users SET is_active = 0, deleted_at = 1 WHERE id = ?", a.id);
  expect_error(p.create(p.admin.access, {{"name", "x"}, {"user_id", a.id}}), 404, "USER_NOT_FOUND", "user_id");
}

TEST(IdentityApiTokens, AdminListsOtherUsersTokensByUserIdQuery) {
  Panel p;
  const User a = p.add_user("user", "alice");
  const User b = p.add_user("user", "bob");
  const auto ta = p.create_ok(a.access, {{"name", "alice's"}});
  const auto tb = p.create_ok(b.access, {{"name", "bob's"}});
  const auto tadmin = p.create_ok(p.admin.access, {{"name", "admin's"}});
  const auto admin_tok = p.create_ok(p.admin.access, {{"name", "admin scope"}, {"scope", "admin"}});
  const auto admin_read = p.create_ok(p.admin.access, {{"name", "admin read"}, {"scope", "read"}});
  const auto admin_user = p.create_ok(p.admin.access, {{"name", "admin user"}, {"scope", "user"}});
  const auto alice_read = p.create_ok(a.access, {{"name", "alice read"}, {"scope", "read"}});
  const std::string alice_q = kBase + "?user_id=" + a.id;
  const std::string bob_q = kBase + "?user_id=" + b.id;
  const std::string all_q = kBase + "?user_id=*";
  auto ids_of = [](const json& rows) {
    std::set<int64_t> out;
    for (const auto& r : rows) out.insert(r["id"].get<int64_t>());
    return out;
  };
  const std::set<int64_t> alice_ids{ta["id"].get<int64_t>(), alice_read["id"].get<int64_t>()};
  struct Case {
    const char* name;
    std::string bearer;
    std::string path;
    int status;
    std::string code;              // on errors
    std::set<int64_t> must_have;   // on 200
    std::set<std::string> owners;  // on 200: exactly these user_ids appear
  };
  const std::vector<Case> cases = {
      {"admin session lists alice's", p.admin.access, alice_q, 200, "", alice_ids, {a.id}},
      {"admin-scoped token lists alice's", tok(admin_tok), alice_q, 200, "", alice_ids, {a.id}},
      {"admin lists everyone's", p.admin.access, all_q, 200, "",
       {ta["id"].get<int64_t>(), tb["id"].get<int64_t>(), tadmin["id"].get<int64_t>()}, {a.id, b.id, p.admin.id}},
      {"admin lists own by default", p.admin.access, kBase, 200, "", {tadmin["id"].get<int64_t>()}, {p.admin.id}},
      {"admin, unknown user: empty", p.admin.access, kBase + "?user_id=user_nobody", 200, "", {}, {}},
      {"user cannot list bob's", a.access, bob_q, 403, "USER_ID_OVERRIDE_FORBIDDEN", {}, {}},
      {"user cannot list everyone's", a.access, all_q, 403, "USER_ID_OVERRIDE_FORBIDDEN", {}, {}},
      {"user may name themselves", a.access, alice_q, 200, "", alice_ids, {a.id}},
      {"read token of a user names itself", tok(alice_read), alice_q, 200, "", alice_ids, {a.id}},
      {"read token of a user cannot list others", tok(alice_read), bob_q, 403, "USER_ID_OVERRIDE_FORBIDDEN", {}, {}},
      {"read token of an admin is capped", tok(admin_read), alice_q, 403, "USER_ID_OVERRIDE_FORBIDDEN", {}, {}},
      {"user token of an admin is capped", tok(admin_user), all_q, 403, "USER_ID_OVERRIDE_FORBIDDEN", {}, {}},
      {"empty user_id is a validation error", p.admin.access, kBase + "?user_id=", 400, "VALIDATION_ERROR", {}, {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = p.call("GET", c.path, c.bearer);
    if (c.status != 200) {
      expect_error(r, c.status, c.code);
      continue;
    }
    ASSERT_EQ(r.status, 200) << r.raw;
    ASSERT_TRUE(r.body.is_array());
    const auto ids = ids_of(r.body);
    for (auto id : c.must_have) EXPECT_TRUE(ids.count(id)) << id;
    std::set<std::string> owners;
    for (const auto& row : r.body) {
      owners.insert(row["user_id"].get<std::string>());
      EXPECT_FALSE(row.contains("token")) << row.dump();
      EXPECT_FALSE(row.contains("token_hash")) << row.dump();
    }
    EXPECT_EQ(owners, c.owners);
  }
}

TEST(IdentityApiTokens, AdminRevokesAnotherUsersTokenButCannotRotateIt) {
  Panel p;
  const User a = p.add_user("user", "alice");
  const User b = p.add_user("user", "bob");
  const auto t = p.create_ok(a.access, {{"name", "alice's"}});
  const std::string path = id_path(t["id"]);
  ASSERT_EQ(p.call("GET", "/api/v1/me", tok(t)).status, 200);
  // Rotating someone else's token stays refused: the new secret would reach the admin.
  expect_error(p.call("POST", path + "/rotate", p.admin.access), 404, "NOT_FOUND");
  // A non-admin still cannot revoke it; a user-scoped token of an admin is capped too.
  expect_error(p.call("DELETE", path, b.access), 403, "NOT_TOKEN_OWNER");
  const auto admin_user = p.create_ok(p.admin.access, {{"name", "capped"}, {"scope", "user"}});
  expect_error(p.call("DELETE", path, tok(admin_user)), 403, "NOT_TOKEN_OWNER");
  // The admin revokes it; alice's token is refused from then on, and the row shows revoked.
  auto r = p.call("DELETE", path, p.admin.access);
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["revoked"], true);
  expect_error(p.call("GET", "/api/v1/me", tok(t)), 401, "AUTH_TOKEN_REVOKED");
  expect_error(p.call("DELETE", path, p.admin.access), 409, "TOKEN_ALREADY_REVOKED");
  auto mine = p.call("GET", path, a.access);
  ASSERT_EQ(mine.status, 200);
  EXPECT_EQ(mine.body["is_active"], false);
  // Audited with the admin as the actor.
  Db d = p.db();
  const auto actors = d.texts("SELECT actor_id || ':' || entity_id FROM audit_log WHERE action = 'api_token.revoke'");
  ASSERT_EQ(actors.size(), 1u);
  EXPECT_EQ(actors[0], p.admin.id + ":" + std::to_string(t["id"].get<int64_t>()));
}

// ---------------------------------------------------------------------------------------
// validate
// ---------------------------------------------------------------------------------------

TEST(IdentityApiTokens, validate_reveals_nothing_for_unknown) {
  Panel p;
  const User a = p.add_user("user", "alice");
  const auto t = p.create_ok(a.access, {{"name", "n"}, {"project_id", "proj-9"}});
  const std::string secret = t["token"];

  auto ok = p.call("POST", kBase + "/validate", "", json{{"token", secret}});
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body, json({{"valid", true}, {"user_id", a.id}, {"project_id", "proj-9"}, {"token_id", t["id"]}}));

  std::string flipped = secret;
  flipped.back() = flipped.back() == 'a' ? 'b' : 'a';
  for (const std::string& unknown : {std::string("apitok_") + std::string(64, '0'), flipped, std::string("apitok_"),
                                    std::string("hello"), secret.substr(7), secret + "x"}) {
    SCOPED_TRACE(unknown);
    auto r = p.call("POST", kBase + "/validate", "", json{{"token", unknown}});
    EXPECT_EQ(r.status, 200);
    EXPECT_EQ(r.raw, R"({"valid":false})");
  }
  // Bad requests are 400 in the envelope, never a hint about tokens.
  expect_error(p.call("POST", kBase + "/validate", "", json::object()), 400, "MISSING_FIELD", "token");
  expect_error(p.call("POST", kBase + "/validate", "", json{{"token", 5}}), 400, "VALIDATION_ERROR", "token");
  expect_error(p.call("POST", kBase + "/validate", "", json{{"token", ""}}), 400, "VALIDATION_ERROR", "token");
  expect_error(p.call("POST", kBase + "/validate", "", std::optional<std::string>("{")), 400, "MALFORMED_JSON");
  // Validation is not use: no last_used_at.
  EXPECT_TRUE(p.call("GET", id_path(t["id"]), a.access).body["last_used_at"].is_null());
}

// ---------------------------------------------------------------------------------------
// Caps
// ---------------------------------------------------------------------------------------

TEST(IdentityApiTokens, token_limit_429) {
  Panel p;
  const User u = p.add_user("user", "ulla");
  // The admin issues ten tokens to ulla: the cap counts the OWNER's active tokens, while
  // the per-minute budget is the caller's, so ulla's own creation budget stays untouched.
  for (int i = 0; i < 10; ++i) p.create_ok(p.admin.access, {{"name", numbered("t", i)}, {"user_id", u.id}});
  auto r = p.create(u.access, {{"name", "eleventh"}});
  expect_error(r, 429, "TOKEN_LIMIT_EXCEEDED");
  EXPECT_FALSE(r.retry_after.empty());
  EXPECT_EQ(p.call("GET", kBase, u.access).body.size(), 10u);
  // Revoking one frees a slot.
  const auto list = p.call("GET", kBase, u.access).body;
  ASSERT_EQ(p.call("DELETE", id_path(list[0]["id"]), u.access).status, 200);
  p.create_ok(u.access, {{"name", "replacement"}});
  expect_error(p.create(u.access, {{"name", "twelfth"}}), 429, "TOKEN_LIMIT_EXCEEDED");
  // An expired token does not hold a slot either (test setup: expire one in the database).
  p.db().exec_with_id("UPDATE api_tokens SET expires_at = 1 WHERE id = ?", list[1]["id"].get<int64_t>());
  p.create_ok(u.access, {{"name", "after expiry"}});
}

TEST(IdentityApiTokens, creation_rate_429) {
  Panel p;
  const User u = p.add_user("user", "ulla");
  std::vector<int64_t> ids;
  for (int i = 0; i < 10; ++i) ids.push_back(p.create_ok(u.access, {{"name", numbered("t", i)}})["id"].get<int64_t>());
  // Stay under the active cap, so only the rate can refuse the next one.
  for (int i = 0; i < 5; ++i) ASSERT_EQ(p.call("DELETE", id_path(ids[i]), u.access).status, 200);
  auto r = p.create(u.access, {{"name", "eleventh in a minute"}});
  expect_error(r, 429, "RATE_LIMIT_EXCEEDED");
  ASSERT_FALSE(r.retry_after.empty());
  const int retry = std::stoi(r.retry_after);
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 60);
  EXPECT_EQ(r.body["error"]["details"]["retry_after"], retry);
  EXPECT_EQ(p.call("GET", kBase, u.access).body.size(), 10u) << "the refused creation left no row";
  // Other users have their own budget.
  const User v = p.add_user("user", "vic");
  p.create_ok(v.access, {{"name", "unaffected"}});
}

// ---------------------------------------------------------------------------------------
// Storage, audit, last_used_at
// ---------------------------------------------------------------------------------------

TEST(IdentityApiTokens, db_stores_only_hash) {
  Panel p;
  const User a = p.add_user("user", "alice");
  const auto t = p.create_ok(a.access, {{"name", "n"}});
  const std::string secret = t["token"];
  auto rotated = p.call("POST", id_path(t["id"]) + "/rotate", a.access);
  ASSERT_EQ(rotated.status, 200);
  const std::string secret2 = rotated.body["token"];
  ASSERT_EQ(p.call("GET", "/api/v1/me", secret2).status, 200);
  ASSERT_EQ(p.call("DELETE", id_path(rotated.body["id"]), a.access).status, 200);

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
    const std::string files = file_bytes(db_path) + file_bytes(db_path + "-wal");
    ASSERT_FALSE(files.empty());
    EXPECT_EQ(files.find(body), std::string::npos) << "the plaintext secret is in the database files";
  }
  ASSERT_EQ(p.server().stop(), 0);
  const std::string after = file_bytes(db_path) + file_bytes(db_path + "-wal");
  std::string logs = p.server().stderr_text();
  for (const auto& l : p.server().log_lines()) logs += l.dump();
  for (const auto& s : {secret, secret2}) {
    EXPECT_EQ(after.find(s.substr(7)), std::string::npos);
    EXPECT_EQ(logs.find(s.substr(7)), std::string::npos) << "the secret leaked into the logs";
  }
}

TEST(IdentityApiTokens, EveryMutationIsAudited) {
  Panel p;
  const User a = p.add_user("user", "alice");
  const auto t = p.create_ok(a.access, {{"name", "n"}});
  ASSERT_EQ(p.call("PUT", id_path(t["id"]), a.access, json{{"provider", "x"}}).status, 200);
  auto rotated = p.call("POST", id_path(t["id"]) + "/rotate", a.access);
  ASSERT_EQ(rotated.status, 200);
  ASSERT_EQ(p.call("DELETE", id_path(rotated.body["id"]), a.access).status, 200);
  // Refusals change nothing and write nothing.
  ASSERT_EQ(p.call("DELETE", id_path(rotated.body["id"]), a.access).status, 409);

  Db d = p.db();
  auto& s = d.conn().prepare(
      "SELECT action, entity_id, actor_id, actor_type, request_id FROM audit_log WHERE entity_type = 'api_token' "
      "ORDER BY id");
  std::vector<std::vector<std::string>> rows;
  while (s.step()) rows.push_back({s.text(0), s.text(1), s.opt_text(2).value_or(""), s.text(3), s.opt_text(4).value_or("")});
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
    const auto t = p.create_ok(p.admin.access, {{"name", "n"}});
    id = t["id"].get<int64_t>();
    used_from = now_ms();
    ASSERT_EQ(p.call("GET", "/api/v1/me", tok(t)).status, 200);
    ASSERT_EQ(p.call("GET", kBase, tok(t)).status, 200);
    // The API already reports the use (from the in-memory batch)...
    auto one = p.call("GET", id_path(id), p.admin.access);
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
  auto one = restarted.call("GET", id_path(id), restarted.admin.access);
  ASSERT_EQ(one.status, 200) << one.raw;
  ASSERT_TRUE(one.body["last_used_at"].is_number_integer()) << one.raw;
  EXPECT_GE(one.body["last_used_at"].get<int64_t>(), used_from);
}
