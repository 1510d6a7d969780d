// Provider keys and project assignment over real HTTP against the real binary: every route
// and rule, and named regressions for the predecessor's weaknesses (reference §9 security 4:
// POST /providers hijacked other users' keys; project unassign had no ownership check).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <iterator>
#include <set>

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

constexpr const char* kAdminEmail = "admin@example.com";
constexpr const char* kAdminPassword = "correct-horse-battery-staple";
constexpr const char* kUserPassword = "users-own-long-password";

ServerProcess::Options admin_options(std::vector<std::string> args = {}) {
  return {.extra_args = std::move(args),
          .env = {{"IRON_ADMIN_EMAIL", kAdminEmail}, {"IRON_ADMIN_PASSWORD", kAdminPassword}}};
}

// A fresh provider secret: long enough to be masked as prefix...suffix, unique so that a
// search for it can only find this test's key.
std::string fresh_secret(const std::string& prefix = "sk-test-") {
  iron::security::init();
  return prefix + iron::security::random_hex(20);
}

struct Reply {
  int status = 0;
  std::string body;
  json j;
};

// Every response body this process received, so the plaintext tests can scan them all.
std::vector<std::string>& all_bodies() {
  static std::vector<std::string> bodies;
  return bodies;
}

Reply call(const ServerProcess& server, const std::string& method, const std::string& path, const std::string& token,
           const std::optional<std::string>& body = std::nullopt,
           const std::string& content_type = "application/json") {
  auto c = server.client();
  httplib::Headers h;
  if (!token.empty()) h.emplace("Authorization", "Bearer " + token);
  httplib::Result r;
  if (method == "GET") r = c->Get(path, h);
  else if (method == "POST") r = c->Post(path, h, body.value_or(""), content_type);
  else if (method == "PUT") r = c->Put(path, h, body.value_or(""), content_type);
  else if (method == "DELETE") r = body ? c->Delete(path, h, *body, content_type) : c->Delete(path, h);
  Reply out;
  EXPECT_TRUE(r) << method << " " << path << ": no response";
  if (!r) return out;
  out.status = r->status;
  out.body = r->body;
  out.j = iron::test::json_of(r);
  all_bodies().push_back(r->body);
  return out;
}

Reply call(const ServerProcess& server, const std::string& method, const std::string& path, const std::string& token,
           const json& body) {
  return call(server, method, path, token, std::optional<std::string>(body.dump()));
}

std::string login(const ServerProcess& server, const std::string& email, const std::string& password) {
  auto r = call(server, "POST", "/api/v1/auth/login", "", json{{"email", email}, {"password", password}});
  EXPECT_EQ(r.status, 200) << r.body;
  return r.j.value("user_token", "");
}

struct Actor {
  std::string id;
  std::string token;
};

// TEST SETUP ONLY: the users API lives in another branch, so users other than the admin
// from IRON_ADMIN_EMAIL are inserted straight into the server's database (WAL mode and the
// busy timeout make this safe beside the running server), then log in over HTTP.
Actor seed_user(const ServerProcess& server, const std::string& name, const std::string& role) {
  iron::security::init();
  iron::store::Connection c(iron::store::database_path(server.data_dir()), false);
  iron::store::apply_connection_pragmas(c);
  iron::store::User u;
  u.id = "user_" + iron::security::uuid_v4();
  u.username = name + "-" + iron::security::random_hex(4);
  u.email = u.username + "@example.com";
  u.password_hash = iron::security::hash_password(kUserPassword);
  u.role = role;
  u.created_at = u.updated_at = iron::util::to_unix_ms(iron::util::now());
  iron::store::users::insert(c, u);
  return {u.id, login(server, u.email, kUserPassword)};
}

Actor admin_actor(const ServerProcess& server) {
  Actor a;
  a.token = login(server, kAdminEmail, kAdminPassword);
  auto me = call(server, "GET", "/api/v1/me", a.token);
  a.id = me.j.value("id", "");
  return a;
}

json create_key(const ServerProcess& server, const Actor& who, const std::string& provider, const std::string& secret,
                json extra = json::object()) {
  extra["provider"] = provider;
  extra["api_key"] = secret;
  auto r = call(server, "POST", "/api/v1/providers", who.token, extra);
  EXPECT_EQ(r.status, 201) << r.body;
  return r.j;
}

std::string key_path(int64_t id) { return "/api/v1/providers/" + std::to_string(id); }
std::string key_path(const json& key) { return key_path(key.value("id", int64_t{0})); }
std::string project_path(const std::string& project) { return "/api/v1/projects/" + project + "/provider"; }

std::string unique_project(const std::string& name) { return name + "-" + iron::security::random_hex(4); }

void expect_error(const Reply& r, int status, const std::string& code, const std::string& field = "") {
  EXPECT_EQ(r.status, status) << r.body;
  const json error = r.j.is_object() && r.j.contains("error") ? r.j.at("error") : json::object();
  ASSERT_TRUE(error.is_object()) << r.body;
  EXPECT_EQ(error.value("code", ""), code) << r.body;
  EXPECT_TRUE(error.contains("message") && error.at("message").is_string()) << r.body;
  EXPECT_TRUE(error.contains("details") && error.at("details").is_object()) << r.body;
  if (!field.empty() && error.contains("details") && error.at("details").is_object()) {
    EXPECT_EQ(error.at("details").value("field", ""), field) << r.body;
  }
}

// Exactly the predecessor's K fields plus owner_id: nothing missing, nothing extra (no key).
void expect_key_shape(const json& k) {
  std::set<std::string> fields;
  if (k.is_object())
    for (const auto& [name, value] : k.items()) fields.insert(name);
  EXPECT_EQ(fields, (std::set<std::string>{"id", "provider", "base_url", "description", "is_enabled", "created_at",
                                           "last_used_at", "masked_key", "assigned_projects", "owner_id"}))
      << k.dump();
}

bool contains_id(const json& list, int64_t id) {
  for (const auto& k : list)
    if (k.value("id", int64_t{0}) == id) return true;
  return false;
}

std::string file_bytes(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}

struct AuditRow {
  std::string actor_id, action, entity_type, entity_id, before, after;
};

// The audit_log rows as stored (read straight from the database file).
std::vector<AuditRow> audit_rows(const std::string& data_dir) {
  iron::store::Connection c(iron::store::database_path(data_dir), false);
  iron::store::apply_connection_pragmas(c);
  auto& s = c.prepare(
      "SELECT coalesce(actor_id,''), action, coalesce(entity_type,''), coalesce(entity_id,''), "
      "coalesce(before_json,''), coalesce(after_json,'') FROM audit_log ORDER BY id");
  std::vector<AuditRow> out;
  while (s.step()) out.push_back({s.text(0), s.text(1), s.text(2), s.text(3), s.text(4), s.text(5)});
  return out;
}

// Every text column of every audit row, concatenated: what a leak would end up in.
std::string audit_text(const std::string& data_dir) {
  std::string all;
  iron::store::Connection c(iron::store::database_path(data_dir), false);
  iron::store::apply_connection_pragmas(c);
  auto& s = c.prepare(
      "SELECT coalesce(actor_id,'') || '|' || actor_type || '|' || action || '|' || coalesce(entity_type,'') || '|' || "
      "coalesce(entity_id,'') || '|' || coalesce(before_json,'') || '|' || coalesce(after_json,'') || '|' || "
      "coalesce(request_id,'') || '|' || coalesce(client_ip,'') || '|' || coalesce(user_agent,'') FROM audit_log");
  while (s.step()) all += s.text(0) + "\n";
  return all;
}

}  // namespace

// One server for the suite: an admin (from the environment), two users and a viewer.
class GovernanceProviders : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    server_ = new ServerProcess(admin_options());
    admin_ = admin_actor(*server_);
    alice_ = seed_user(*server_, "alice", "user");
    bob_ = seed_user(*server_, "bob", "user");
    vera_ = seed_user(*server_, "vera", "viewer");
  }
  static void TearDownTestSuite() {
    delete server_;
    server_ = nullptr;
  }
  static const ServerProcess& server() { return *server_; }
  static Reply call(const std::string& method, const std::string& path, const Actor& who,
                    const std::optional<std::string>& body = std::nullopt,
                    const std::string& content_type = "application/json") {
    return ::call(*server_, method, path, who.token, body, content_type);
  }
  static Reply call(const std::string& method, const std::string& path, const Actor& who, const json& body) {
    return ::call(*server_, method, path, who.token, body);
  }
  static json create(const Actor& who, const std::string& provider, const std::string& secret,
                     json extra = json::object()) {
    return create_key(*server_, who, provider, secret, std::move(extra));
  }

  static ServerProcess* server_;
  static Actor admin_, alice_, bob_, vera_;
};
ServerProcess* GovernanceProviders::server_ = nullptr;
Actor GovernanceProviders::admin_, GovernanceProviders::alice_, GovernanceProviders::bob_, GovernanceProviders::vera_;

TEST_F(GovernanceProviders, CreateStoresANewMaskedKeyOwnedByTheCaller) {
  const int64_t before = iron::util::to_unix_ms(iron::util::now());
  const std::string secret = "sk-a" + iron::security::random_hex(10) + "wxyz";
  auto k = create(alice_, "openai", secret,
                        {{"base_url", "https://api.openai.com/v1"}, {"description", "alice's main key"}});
  expect_key_shape(k);
  EXPECT_GT(k.value("id", int64_t{0}), 0);
  EXPECT_EQ(k["provider"], "openai");
  EXPECT_EQ(k["base_url"], "https://api.openai.com/v1");
  EXPECT_EQ(k["description"], "alice's main key");
  EXPECT_EQ(k["is_enabled"], true);
  ASSERT_TRUE(k["created_at"].is_number_integer());
  EXPECT_GE(k["created_at"].get<int64_t>(), before);
  EXPECT_TRUE(k["last_used_at"].is_null());
  EXPECT_EQ(k["masked_key"], "sk-a...wxyz");
  EXPECT_EQ(k["assigned_projects"], json::array());
  EXPECT_EQ(k["owner_id"], alice_.id);
  EXPECT_FALSE(k.contains("api_key"));

  // The predecessor only knew openai and anthropic; the list is open to any slug.
  for (const std::string provider : {"anthropic", "mistral", "azure_openai", "my-gateway-2"}) {
    auto other = create(alice_, provider, fresh_secret());
    EXPECT_EQ(other["provider"], provider);
  }
  // Optional fields may be omitted or given as "" (none).
  auto bare = create(alice_, "openai", fresh_secret(), {{"base_url", ""}, {"description", ""}});
  expect_key_shape(bare);
  EXPECT_TRUE(bare["base_url"].is_null());
  EXPECT_TRUE(bare["description"].is_null());
}

TEST_F(GovernanceProviders, MaskShowsAtMostTheFirstAndLastFourCharacters) {
  struct Case {
    std::string key, masked;
  };
  const std::vector<Case> cases = {
      {"sk-abcdefghijklmnopqrstuvwxyz", "sk-a...wxyz"},
      {"sk-ant-api03-" + std::string(80, 'Q') + "9876", "sk-a...9876"},
      {"0123456789abcdef", "0123...cdef"},  // 16 characters: the shortest key shown at all
      {"0123456789abcde", "***"},           // 15: showing 8 of them would reveal too much
      {"short", "***"},
      {"x", "***"},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.key);
    auto k = create(bob_, "openai", tc.key);
    EXPECT_EQ(k["masked_key"], tc.masked);
    // Every response shape masks the same way: get and list.
    EXPECT_EQ(call("GET", key_path(k), bob_).j["masked_key"], tc.masked);
    bool listed = false;
    auto list = call("GET", "/api/v1/providers", bob_);
    for (auto& item : list.j)
      if (item["id"] == k["id"]) {
        listed = true;
        EXPECT_EQ(item["masked_key"], tc.masked);
      }
    EXPECT_TRUE(listed);
  }
}

TEST_F(GovernanceProviders, provider_create_does_not_hijack) {
  // The predecessor's POST /providers was a system-wide upsert per provider type: a second
  // user's openai key overwrote the first user's row and re-owned it.
  const std::string alice_secret = fresh_secret("sk-alice-");
  const std::string bob_secret = fresh_secret("sk-bobby-");
  auto a = create(alice_, "openai", alice_secret, {{"description", "alice"}});
  auto b = create(bob_, "openai", bob_secret, {{"description", "bob"}});
  auto c = create(admin_, "openai", fresh_secret("sk-admin-"), {{"description", "admin"}});
  EXPECT_NE(a["id"], b["id"]);
  EXPECT_NE(b["id"], c["id"]);
  EXPECT_EQ(b["owner_id"], bob_.id);
  EXPECT_EQ(c["owner_id"], admin_.id);

  // Alice's key is untouched: same owner, same secret (its mask), same description.
  auto again = call("GET", key_path(a), alice_);
  ASSERT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.j["owner_id"], alice_.id);
  EXPECT_EQ(again.j["masked_key"], a["masked_key"]);
  EXPECT_EQ(again.j["masked_key"].get<std::string>().substr(0, 4), "sk-a");
  EXPECT_EQ(again.j["description"], "alice");
  // Neither can reach the other's key, and each list holds only the caller's own.
  EXPECT_EQ(call("GET", key_path(a), bob_).status, 404);
  EXPECT_EQ(call("GET", key_path(b), alice_).status, 404);
  auto alice_list = call("GET", "/api/v1/providers", alice_).j;
  EXPECT_TRUE(contains_id(alice_list, a["id"]));
  EXPECT_FALSE(contains_id(alice_list, b["id"]));
  EXPECT_FALSE(contains_id(alice_list, c["id"]));
  // And Alice can still assign her own key: it was not re-owned.
  auto assigned = call("POST", project_path(unique_project("hijack")), alice_, json{{"provider_key_id", a["id"]}});
  EXPECT_EQ(assigned.status, 200) << assigned.body;
}

TEST_F(GovernanceProviders, ListShowsOwnKeysAndAdminsMaySeeEveryone) {
  auto a = create(alice_, "anthropic", fresh_secret());
  auto b = create(bob_, "anthropic", fresh_secret());
  auto m = create(admin_, "anthropic", fresh_secret());

  auto alice_list = call("GET", "/api/v1/providers", alice_);
  ASSERT_EQ(alice_list.status, 200);
  ASSERT_TRUE(alice_list.j.is_array());
  for (const auto& k : alice_list.j) EXPECT_EQ(k.value("owner_id", ""), alice_.id);
  EXPECT_TRUE(contains_id(alice_list.j, a["id"]));

  // Admins list their own keys by default...
  auto own = call("GET", "/api/v1/providers?all=false", admin_);
  ASSERT_EQ(own.status, 200);
  for (const auto& k : own.j) EXPECT_EQ(k.value("owner_id", ""), admin_.id);
  EXPECT_TRUE(contains_id(own.j, m["id"]));
  EXPECT_FALSE(contains_id(own.j, a["id"]));
  // ...and everyone's with ?all=true, still masked.
  auto everyone = call("GET", "/api/v1/providers?all=true", admin_);
  ASSERT_EQ(everyone.status, 200);
  for (const auto& k : everyone.j) expect_key_shape(k);
  EXPECT_TRUE(contains_id(everyone.j, a["id"]));
  EXPECT_TRUE(contains_id(everyone.j, b["id"]));
  EXPECT_TRUE(contains_id(everyone.j, m["id"]));

  // ?all=true is for admins only.
  expect_error(call("GET", "/api/v1/providers?all=true", alice_), 403, "INSUFFICIENT_PERMISSIONS");
  expect_error(call("GET", "/api/v1/providers?all=true", vera_), 403, "INSUFFICIENT_PERMISSIONS");
  // A user without keys gets an empty list.
  auto vera_list = call("GET", "/api/v1/providers", vera_);
  EXPECT_EQ(vera_list.status, 200);
  EXPECT_EQ(vera_list.j, json::array());
}

TEST_F(GovernanceProviders, other_users_key_is_404) {
  auto k = create(alice_, "openai", fresh_secret(), {{"description", "alice only"}});
  const std::string path = key_path(k);
  struct Case {
    std::string method;
    std::string path;
    std::optional<json> body;
  };
  const std::vector<Case> cases = {
      {"GET", path, std::nullopt},
      {"PUT", path, json{{"description", "bob was here"}, {"is_enabled", false}}},
      {"DELETE", path, std::nullopt},
  };
  for (const Actor* who : {&bob_, &vera_}) {
    for (const auto& tc : cases) {
      SCOPED_TRACE(tc.method + " as " + who->id);
      auto r = tc.body ? call(tc.method, tc.path, *who, *tc.body) : call(tc.method, tc.path, *who);
      if (who == &vera_ && tc.method != "GET") {
        expect_error(r, 403, "INSUFFICIENT_PERMISSIONS");  // viewers never reach the lookup
      } else {
        expect_error(r, 404, "NOT_FOUND");
        // Indistinguishable from a key that does not exist.
        auto missing = tc.body ? call(tc.method, key_path(INT64_MAX), *who, *tc.body)
                                     : call(tc.method, key_path(INT64_MAX), *who);
        EXPECT_EQ(missing.status, 404);
        EXPECT_EQ(missing.j["error"]["message"], r.j["error"]["message"]);
      }
    }
  }
  // Nothing changed.
  auto after = call("GET", path, alice_);
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(after.j["description"], "alice only");
  EXPECT_EQ(after.j["is_enabled"], true);
}

TEST_F(GovernanceProviders, AdminsMayManageAnyKeyButAssignOnlyTheirOwn) {
  auto k = create(alice_, "openai", fresh_secret());
  auto got = call("GET", key_path(k), admin_);
  ASSERT_EQ(got.status, 200) << got.body;
  EXPECT_EQ(got.j["owner_id"], alice_.id);
  // An admin can switch off a user's (say, leaked) key; the owner stays the owner.
  auto off = call("PUT", key_path(k), admin_, json{{"is_enabled", false}});
  ASSERT_EQ(off.status, 200) << off.body;
  EXPECT_EQ(off.j["is_enabled"], false);
  EXPECT_EQ(off.j["owner_id"], alice_.id);
  // Assigning spends the owner's provider account: only the owner may, admins included.
  expect_error(call("POST", project_path(unique_project("admin")), admin_, json{{"provider_key_id", k["id"]}}), 404,
               "NOT_FOUND", "provider_key_id");
  EXPECT_EQ(call("DELETE", key_path(k), admin_).status, 204);
  EXPECT_EQ(call("GET", key_path(k), alice_).status, 404);
}

TEST_F(GovernanceProviders, UpdateChangesOnlyWhatIsGiven) {
  auto k = create(alice_, "openai", fresh_secret(),
                        {{"base_url", "https://proxy.example.com/v1"}, {"description", "original"}});
  struct Case {
    std::string name;
    json body;
    json base_url, description, is_enabled;  // expected after the update
  };
  const std::vector<Case> cases = {
      {"description only", {{"description", "renamed"}}, "https://proxy.example.com/v1", "renamed", true},
      {"disable", {{"is_enabled", false}}, "https://proxy.example.com/v1", "renamed", false},
      {"http base_url", {{"base_url", "http://localhost:8080/v1"}}, "http://localhost:8080/v1", "renamed", false},
      {"empty base_url clears", {{"base_url", ""}}, nullptr, "renamed", false},
      {"null description clears", {{"description", nullptr}}, nullptr, nullptr, false},
      {"all at once",
       {{"base_url", "https://api.anthropic.com"}, {"description", "d"}, {"is_enabled", true}},
       "https://api.anthropic.com", "d", true},
      {"unknown fields are ignored", {{"is_enabled", true}, {"colour", "blue"}}, "https://api.anthropic.com", "d", true},
      {"empty description clears", {{"description", ""}}, "https://api.anthropic.com", nullptr, true},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name);
    auto r = call("PUT", key_path(k), alice_, tc.body);
    ASSERT_EQ(r.status, 200) << r.body;
    expect_key_shape(r.j);
    EXPECT_EQ(r.j["base_url"], tc.base_url);
    EXPECT_EQ(r.j["description"], tc.description);
    EXPECT_EQ(r.j["is_enabled"], tc.is_enabled);
    EXPECT_EQ(r.j["masked_key"], k["masked_key"]);
    EXPECT_EQ(r.j["provider"], "openai");
    EXPECT_EQ(r.j["owner_id"], alice_.id);
    EXPECT_EQ(call("GET", key_path(k), alice_).j, r.j) << "GET agrees with the PUT response";
  }
}

TEST_F(GovernanceProviders, DeleteRemovesTheKeyAndItsAssignments) {
  auto k = create(alice_, "openai", fresh_secret());
  const std::string p1 = unique_project("del"), p2 = unique_project("del");
  ASSERT_EQ(call("POST", project_path(p1), alice_, json{{"provider_key_id", k["id"]}}).status, 200);
  ASSERT_EQ(call("POST", project_path(p2), alice_, json{{"provider_key_id", k["id"]}}).status, 200);
  auto listed = call("GET", key_path(k), alice_).j["assigned_projects"];
  EXPECT_EQ(listed, (json{std::min(p1, p2), std::max(p1, p2)}));

  auto del = call("DELETE", key_path(k), alice_);
  EXPECT_EQ(del.status, 204);
  EXPECT_TRUE(del.body.empty());
  expect_error(call("GET", key_path(k), alice_), 404, "NOT_FOUND");
  expect_error(call("DELETE", key_path(k), alice_), 404, "NOT_FOUND");
  EXPECT_FALSE(contains_id(call("GET", "/api/v1/providers", alice_).j, k["id"]));
  // The assignments went with the key.
  expect_error(call("DELETE", project_path(p1), alice_), 404, "NOT_FOUND");
  expect_error(call("DELETE", project_path(p2), admin_), 404, "NOT_FOUND");
}

TEST_F(GovernanceProviders, AssignAndUnassignAProject) {
  auto k1 = create(alice_, "openai", fresh_secret());
  auto k2 = create(alice_, "anthropic", fresh_secret());
  const std::string project = unique_project("proj");
  const int64_t before = iron::util::to_unix_ms(iron::util::now());

  auto r = call("POST", project_path(project), alice_, json{{"provider_key_id", k1["id"]}});
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.j["project_id"], project);
  EXPECT_EQ(r.j["provider_key_id"], k1["id"]);
  EXPECT_EQ(r.j["assigned_by"], alice_.id);
  EXPECT_GE(r.j.value("assigned_at", int64_t{0}), before);
  EXPECT_EQ(call("GET", key_path(k1), alice_).j["assigned_projects"], json::array({project}));

  // A project uses one key: assigning another of the owner's keys moves it.
  ASSERT_EQ(call("POST", project_path(project), alice_, json{{"provider_key_id", k2["id"]}}).status, 200);
  EXPECT_EQ(call("GET", key_path(k1), alice_).j["assigned_projects"], json::array());
  EXPECT_EQ(call("GET", key_path(k2), alice_).j["assigned_projects"], json::array({project}));
  // Assigning the same key again is harmless.
  EXPECT_EQ(call("POST", project_path(project), alice_, json{{"provider_key_id", k2["id"]}}).status, 200);

  auto un = call("DELETE", project_path(project), alice_);
  EXPECT_EQ(un.status, 204);
  EXPECT_TRUE(un.body.empty());
  EXPECT_EQ(call("GET", key_path(k2), alice_).j["assigned_projects"], json::array());
  // Nothing assigned any more.
  expect_error(call("DELETE", project_path(project), alice_), 404, "NOT_FOUND");
  expect_error(call("DELETE", project_path(unique_project("never")), admin_), 404, "NOT_FOUND");
}

TEST_F(GovernanceProviders, project_assign_requires_key_ownership) {
  auto alices = create(alice_, "openai", fresh_secret());
  const std::string project = unique_project("steal");
  // Bob cannot point any project at Alice's key (he would spend her provider account).
  expect_error(call("POST", project_path(project), bob_, json{{"provider_key_id", alices["id"]}}), 404, "NOT_FOUND",
               "provider_key_id");
  // A key id that does not exist looks the same.
  expect_error(call("POST", project_path(project), bob_, json{{"provider_key_id", INT64_MAX}}), 404, "NOT_FOUND",
               "provider_key_id");
  EXPECT_EQ(call("GET", key_path(alices), alice_).j["assigned_projects"], json::array());
  expect_error(call("DELETE", project_path(project), admin_), 404, "NOT_FOUND");  // nothing was assigned
  // The owner can.
  EXPECT_EQ(call("POST", project_path(project), alice_, json{{"provider_key_id", alices["id"]}}).status, 200);
}

TEST_F(GovernanceProviders, project_unassign_requires_ownership) {
  // The predecessor let any authenticated user unassign any project's key.
  auto k = create(alice_, "openai", fresh_secret());
  const std::string project = unique_project("unassign");
  ASSERT_EQ(call("POST", project_path(project), alice_, json{{"provider_key_id", k["id"]}}).status, 200);

  expect_error(call("DELETE", project_path(project), bob_), 404, "NOT_FOUND");
  expect_error(call("DELETE", project_path(project), vera_), 403, "INSUFFICIENT_PERMISSIONS");
  EXPECT_EQ(call("GET", key_path(k), alice_).j["assigned_projects"], json::array({project})) << "still assigned";

  // Project ids are per owner: the admin's own "project" is another one...
  expect_error(call("DELETE", project_path(project), admin_), 404, "NOT_FOUND");
  // ...and an admin unassigns a user's project by naming its owner.
  EXPECT_EQ(call("DELETE", project_path(project) + "?owner_id=" + alice_.id, admin_).status, 204);
  EXPECT_EQ(call("GET", key_path(k), alice_).j["assigned_projects"], json::array());
}

// Issue 9 §15: project ids used to be one global namespace, so the first user to assign
// "prod" blocked everyone else's "prod" (409). They are per owner now.
TEST_F(GovernanceProviders, SameProjectIdOfTwoUsersAreTwoProjects) {
  auto alices = create(alice_, "openai", fresh_secret());
  auto bobs = create(bob_, "openai", fresh_secret());
  const std::string project = unique_project("taken");
  ASSERT_EQ(call("POST", project_path(project), alice_, json{{"provider_key_id", alices["id"]}}).status, 200);
  auto b = call("POST", project_path(project), bob_, json{{"provider_key_id", bobs["id"]}});
  ASSERT_EQ(b.status, 200) << b.body;
  EXPECT_EQ(b.j["owner_id"], bob_.id);
  // Each key lists its own owner's project; Bob did not redirect Alice's.
  EXPECT_EQ(call("GET", key_path(alices), alice_).j["assigned_projects"], json::array({project}));
  EXPECT_EQ(call("GET", key_path(bobs), bob_).j["assigned_projects"], json::array({project}));
}

TEST_F(GovernanceProviders, viewer_cannot_mutate_providers) {
  auto alices = create(alice_, "openai", fresh_secret());
  const std::string project = unique_project("viewer");
  ASSERT_EQ(call("POST", project_path(project), alice_, json{{"provider_key_id", alices["id"]}}).status, 200);
  struct Case {
    std::string method, path;
    std::optional<json> body;
  };
  const std::vector<Case> cases = {
      {"POST", "/api/v1/providers", json{{"provider", "openai"}, {"api_key", fresh_secret()}}},
      {"PUT", key_path(alices), json{{"is_enabled", false}}},
      {"DELETE", key_path(alices), std::nullopt},
      {"POST", project_path(project), json{{"provider_key_id", alices["id"]}}},
      {"POST", project_path(unique_project("viewer")), json{{"provider_key_id", alices["id"]}}},
      {"DELETE", project_path(project), std::nullopt},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.method + " " + tc.path);
    expect_error(tc.body ? call(tc.method, tc.path, vera_, *tc.body) : call(tc.method, tc.path, vera_), 403,
                 "INSUFFICIENT_PERMISSIONS");
  }
  // Nothing changed, and reads still work for the viewer.
  auto k = call("GET", key_path(alices), alice_);
  EXPECT_EQ(k.j["is_enabled"], true);
  EXPECT_EQ(k.j["assigned_projects"], json::array({project}));
  EXPECT_EQ(call("GET", "/api/v1/providers", vera_).j, json::array());
}

TEST_F(GovernanceProviders, EveryRouteRequiresAuthentication) {
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"POST", "/api/v1/providers"},         {"GET", "/api/v1/providers"},
      {"GET", "/api/v1/providers/1"},        {"PUT", "/api/v1/providers/1"},
      {"DELETE", "/api/v1/providers/1"},     {"POST", "/api/v1/projects/p/provider"},
      {"DELETE", "/api/v1/projects/p/provider"},
  };
  const json body = {{"provider", "openai"}, {"api_key", fresh_secret()}, {"provider_key_id", 1}};
  for (const auto& [method, path] : routes) {
    SCOPED_TRACE(method + " " + path);
    auto none = ::call(server(), method, path, "", std::optional<std::string>(body.dump()));
    expect_error(none, 401, "AUTH_MISSING_TOKEN");
    auto bad = ::call(server(), method, path, "not-a-token", std::optional<std::string>(body.dump()));
    EXPECT_EQ(bad.status, 401) << bad.body;
  }
}

TEST_F(GovernanceProviders, BadInputIs4xxNeverA500) {
  auto own = create(alice_, "openai", fresh_secret(), {{"description", "unchanged"}});
  const std::string own_path = key_path(own);
  const std::string key = fresh_secret("sk-rejected-");  // no other key of this suite masks as "sk-r..."
  const std::string id = std::to_string(own["id"].get<int64_t>());
  struct Case {
    std::string name, method, path, body;
    int status;
    std::string code, field;
    std::string content_type = "application/json";
  };
  auto create_body = [&](json fields) {
    json b = {{"provider", "openai"}, {"api_key", key}};
    for (auto& [k, v] : fields.items()) {
      if (v.is_string() && v == "<omit>") b.erase(k);
      else b[k] = v;
    }
    return b.dump();
  };
  const std::vector<Case> cases = {
      // POST /providers: types, presence, slugs, lengths, characters, encodings
      {"provider not a string", "POST", "/api/v1/providers", create_body({{"provider", 5}}), 400, "VALIDATION_ERROR", "provider"},
      {"provider missing", "POST", "/api/v1/providers", create_body({{"provider", "<omit>"}}), 400, "MISSING_FIELD", "provider"},
      {"provider null", "POST", "/api/v1/providers", create_body({{"provider", nullptr}}), 400, "MISSING_FIELD", "provider"},
      {"provider uppercase", "POST", "/api/v1/providers", create_body({{"provider", "OpenAI"}}), 400, "VALIDATION_ERROR", "provider"},
      {"provider with space", "POST", "/api/v1/providers", create_body({{"provider", "open ai"}}), 400, "VALIDATION_ERROR", "provider"},
      {"provider with slash", "POST", "/api/v1/providers", create_body({{"provider", "open/ai"}}), 400, "VALIDATION_ERROR", "provider"},
      {"provider with dot", "POST", "/api/v1/providers", create_body({{"provider", "open.ai"}}), 400, "VALIDATION_ERROR", "provider"},
      {"provider non-ASCII", "POST", "/api/v1/providers", create_body({{"provider", "opénai"}}), 400, "VALIDATION_ERROR", "provider"},
      {"provider empty", "POST", "/api/v1/providers", create_body({{"provider", ""}}), 400, "VALIDATION_ERROR", "provider"},
      {"provider 65 characters", "POST", "/api/v1/providers", create_body({{"provider", std::string(65, 'a')}}), 400, "VALIDATION_ERROR", "provider"},
      {"api_key not a string", "POST", "/api/v1/providers", create_body({{"api_key", true}}), 400, "VALIDATION_ERROR", "api_key"},
      {"api_key a number", "POST", "/api/v1/providers", create_body({{"api_key", 12345678901234567}}), 400, "VALIDATION_ERROR", "api_key"},
      {"api_key missing", "POST", "/api/v1/providers", create_body({{"api_key", "<omit>"}}), 400, "MISSING_FIELD", "api_key"},
      {"api_key empty", "POST", "/api/v1/providers", create_body({{"api_key", ""}}), 400, "VALIDATION_ERROR", "api_key"},
      {"api_key 501 characters", "POST", "/api/v1/providers", create_body({{"api_key", std::string(501, 'k')}}), 400, "VALIDATION_ERROR", "api_key"},
      {"api_key with a space", "POST", "/api/v1/providers", create_body({{"api_key", key + " x"}}), 400, "VALIDATION_ERROR", "api_key"},
      {"api_key with a newline", "POST", "/api/v1/providers", create_body({{"api_key", key + "\n"}}), 400, "VALIDATION_ERROR", "api_key"},
      {"api_key with a tab", "POST", "/api/v1/providers", create_body({{"api_key", "\t" + key}}), 400, "VALIDATION_ERROR", "api_key"},
      {"api_key with NUL", "POST", "/api/v1/providers", create_body({{"api_key", key + std::string(1, '\0') + "x"}}), 400, "VALIDATION_ERROR", "api_key"},
      {"api_key non-ASCII", "POST", "/api/v1/providers", create_body({{"api_key", key + "é"}}), 400, "VALIDATION_ERROR", "api_key"},
      {"base_url not a string", "POST", "/api/v1/providers", create_body({{"base_url", 12}}), 400, "VALIDATION_ERROR", "base_url"},
      {"base_url ftp", "POST", "/api/v1/providers", create_body({{"base_url", "ftp://example.com"}}), 400, "VALIDATION_ERROR", "base_url"},
      {"base_url no scheme", "POST", "/api/v1/providers", create_body({{"base_url", "api.openai.com"}}), 400, "VALIDATION_ERROR", "base_url"},
      {"base_url scheme only", "POST", "/api/v1/providers", create_body({{"base_url", "https://"}}), 400, "VALIDATION_ERROR", "base_url"},
      {"base_url javascript", "POST", "/api/v1/providers", create_body({{"base_url", "javascript:alert(1)"}}), 400, "VALIDATION_ERROR", "base_url"},
      {"base_url with a space", "POST", "/api/v1/providers", create_body({{"base_url", "https://a b.com"}}), 400, "VALIDATION_ERROR", "base_url"},
      {"base_url 2001 characters", "POST", "/api/v1/providers", create_body({{"base_url", "https://" + std::string(1993, 'a')}}), 400, "VALIDATION_ERROR", "base_url"},
      {"description not a string", "POST", "/api/v1/providers", create_body({{"description", json::array()}}), 400, "VALIDATION_ERROR", "description"},
      {"description 501 characters", "POST", "/api/v1/providers", create_body({{"description", std::string(501, 'd')}}), 400, "VALIDATION_ERROR", "description"},
      {"malformed JSON", "POST", "/api/v1/providers", R"({"provider":"openai","api_key":)", 400, "MALFORMED_JSON", ""},
      {"empty body", "POST", "/api/v1/providers", "", 400, "MALFORMED_JSON", ""},
      {"JSON array", "POST", "/api/v1/providers", "[]", 400, "INVALID_JSON", ""},
      {"JSON string", "POST", "/api/v1/providers", "\"openai\"", 400, "INVALID_JSON", ""},
      {"not JSON content type", "POST", "/api/v1/providers", create_body({}), 415, "UNSUPPORTED_MEDIA_TYPE", "", "text/plain"},
      // GET /providers
      {"all not a boolean", "GET", "/api/v1/providers?all=maybe", "", 400, "VALIDATION_ERROR", "all"},
      // /providers/:id: ids
      {"id not numeric", "GET", "/api/v1/providers/abc", "", 400, "INVALID_PARAMETER", "id"},
      {"id zero", "GET", "/api/v1/providers/0", "", 400, "INVALID_PARAMETER", "id"},
      {"id negative", "GET", "/api/v1/providers/-1", "", 400, "INVALID_PARAMETER", "id"},
      {"id fractional", "GET", "/api/v1/providers/1.5", "", 400, "INVALID_PARAMETER", "id"},
      {"id with trailing text", "GET", "/api/v1/providers/" + id + "x", "", 400, "INVALID_PARAMETER", "id"},
      {"id overflowing int64", "GET", "/api/v1/providers/99999999999999999999", "", 400, "INVALID_PARAMETER", "id"},
      {"PUT id not numeric", "PUT", "/api/v1/providers/abc", R"({"is_enabled":false})", 400, "INVALID_PARAMETER", "id"},
      {"DELETE id not numeric", "DELETE", "/api/v1/providers/abc", "", 400, "INVALID_PARAMETER", "id"},
      // PUT /providers/:id: bodies
      {"PUT is_enabled a string", "PUT", own_path, R"({"is_enabled":"yes"})", 400, "VALIDATION_ERROR", "is_enabled"},
      {"PUT is_enabled a number", "PUT", own_path, R"({"is_enabled":0})", 400, "VALIDATION_ERROR", "is_enabled"},
      {"PUT base_url a number", "PUT", own_path, R"({"base_url":5})", 400, "VALIDATION_ERROR", "base_url"},
      {"PUT base_url bad scheme", "PUT", own_path, R"({"base_url":"file:///etc/passwd"})", 400, "VALIDATION_ERROR", "base_url"},
      {"PUT description 501", "PUT", own_path, json{{"description", std::string(501, 'd')}}.dump(), 400, "VALIDATION_ERROR", "description"},
      {"PUT nothing to update", "PUT", own_path, "{}", 400, "VALIDATION_ERROR", "body"},
      {"PUT only null is_enabled", "PUT", own_path, R"({"is_enabled":null})", 400, "VALIDATION_ERROR", "body"},
      {"PUT api_key", "PUT", own_path, json{{"api_key", key}}.dump(), 400, "VALIDATION_ERROR", "api_key"},
      {"PUT provider", "PUT", own_path, R"({"provider":"anthropic"})", 400, "VALIDATION_ERROR", "provider"},
      {"PUT malformed JSON", "PUT", own_path, R"({"is_enabled":)", 400, "MALFORMED_JSON", ""},
      {"PUT not JSON content type", "PUT", own_path, R"({"is_enabled":false})", 415, "UNSUPPORTED_MEDIA_TYPE", "", "text/plain"},
      // POST /projects/:project_id/provider
      {"provider_key_id a string", "POST", project_path("p1"), R"({"provider_key_id":")" + id + R"("})", 400, "VALIDATION_ERROR", "provider_key_id"},
      {"provider_key_id fractional", "POST", project_path("p1"), R"({"provider_key_id":1.5})", 400, "VALIDATION_ERROR", "provider_key_id"},
      {"provider_key_id zero", "POST", project_path("p1"), R"({"provider_key_id":0})", 400, "VALIDATION_ERROR", "provider_key_id"},
      {"provider_key_id negative", "POST", project_path("p1"), R"({"provider_key_id":-3})", 400, "VALIDATION_ERROR", "provider_key_id"},
      {"provider_key_id past int64", "POST", project_path("p1"), R"({"provider_key_id":18446744073709551615})", 400, "VALIDATION_ERROR", "provider_key_id"},
      {"provider_key_id missing", "POST", project_path("p1"), "{}", 400, "MISSING_FIELD", "provider_key_id"},
      {"assign malformed JSON", "POST", project_path("p1"), "{", 400, "MALFORMED_JSON", ""},
      {"assign not JSON content type", "POST", project_path("p1"), R"({"provider_key_id":1})", 415, "UNSUPPORTED_MEDIA_TYPE", "", "text/plain"},
      {"project_id 501 characters", "POST", project_path(std::string(501, 'p')), R"({"provider_key_id":)" + id + "}", 400, "VALIDATION_ERROR", "project_id"},
      {"project_id invalid UTF-8", "POST", project_path("%FF%FE"), R"({"provider_key_id":)" + id + "}", 400, "VALIDATION_ERROR", "project_id"},
      {"project_id control character", "POST", project_path("a%01b"), R"({"provider_key_id":)" + id + "}", 400, "VALIDATION_ERROR", "project_id"},
      {"unassign project_id 501", "DELETE", project_path(std::string(501, 'p')), "", 400, "VALIDATION_ERROR", "project_id"},
      {"unassign project_id invalid UTF-8", "DELETE", project_path("%C0%AF"), "", 400, "VALIDATION_ERROR", "project_id"},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.name + ": " + tc.method + " " + tc.path.substr(0, 80));
    auto r = (tc.method == "GET" || (tc.method == "DELETE" && tc.body.empty()))
                       ? call(tc.method, tc.path, alice_)
                       : call(tc.method, tc.path, alice_, std::optional<std::string>(tc.body), tc.content_type);
    EXPECT_NE(r.status, 500) << r.body;
    expect_error(r, tc.status, tc.code, tc.field);
  }
  // None of it changed the key or created one.
  auto after = call("GET", own_path, alice_);
  EXPECT_EQ(after.j["description"], "unchanged");
  EXPECT_EQ(after.j["is_enabled"], true);
  EXPECT_EQ(after.j["assigned_projects"], json::array());
  auto list = call("GET", "/api/v1/providers", alice_);
  for (auto& k : list.j)
    EXPECT_NE(k["masked_key"], key.substr(0, 4) + "..." + key.substr(key.size() - 4)) << "a rejected key was stored";
}

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
    server_ = std::make_unique<ServerProcess>(admin_options({"--log-level", "debug"}));
    admin_ = admin_actor(*server_);
    user_ = seed_user(*server_, "carol", "user");
    other_ = seed_user(*server_, "dave", "user");
  }
  std::unique_ptr<ServerProcess> server_;
  Actor admin_, user_, other_;
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
  EXPECT_EQ(call(s, "GET", "/api/v1/providers", user_.token).status, 200);
  EXPECT_EQ(call(s, "GET", "/api/v1/providers?all=true", admin_.token).status, 200);
  EXPECT_EQ(call(s, "GET", path, user_.token).status, 200);
  EXPECT_EQ(call(s, "GET", path, admin_.token).status, 200);
  EXPECT_EQ(call(s, "PUT", path, user_.token, json{{"is_enabled", false}}).status, 200);
  EXPECT_EQ(call(s, "PUT", path, user_.token, json{{"is_enabled", true}, {"base_url", "https://x.example"}}).status, 200);
  EXPECT_EQ(call(s, "POST", project_path(project), user_.token, json{{"provider_key_id", k["id"]}}).status, 200);
  EXPECT_EQ(call(s, "GET", path, user_.token).status, 200);
  // Refusals that carry the secret in the request must not echo it.
  EXPECT_EQ(call(s, "PUT", path, user_.token, json{{"api_key", secret}}).status, 400);
  EXPECT_EQ(call(s, "POST", "/api/v1/providers", user_.token, json{{"provider", "Bad Slug"}, {"api_key", secret}}).status, 400);
  EXPECT_EQ(call(s, "POST", "/api/v1/providers", user_.token, json{{"provider", "openai"}, {"api_key", secret + " "}}).status, 400);
  EXPECT_EQ(call(s, "POST", "/api/v1/providers", user_.token, json{{"provider", "openai"}, {"api_key", secret + std::string(500, 'x')}}).status, 400);
  EXPECT_EQ(call(s, "POST", "/api/v1/providers", user_.token, std::optional<std::string>("{\"api_key\":\"" + secret + "\",")).status, 400);
  EXPECT_EQ(call(s, "POST", "/api/v1/providers", user_.token, std::optional<std::string>(json{{"provider", "openai"}, {"api_key", secret}}.dump()), "text/plain").status, 415);
  EXPECT_EQ(call(s, "POST", project_path(project), user_.token, json{{"provider_key_id", secret}}).status, 400);
  EXPECT_EQ(call(s, "GET", path, other_.token).status, 404);
  EXPECT_EQ(call(s, "POST", "/api/v1/providers", "", json{{"provider", "openai"}, {"api_key", secret}}).status, 401);
  EXPECT_EQ(call(s, "DELETE", project_path(project), user_.token).status, 204);
  EXPECT_EQ(call(s, "DELETE", path, user_.token).status, 204);
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
  const std::string secret = fresh_secret("sk-rest-");
  const std::string marker = "stored-in-clear-" + iron::security::random_hex(8);  // the description: not secret
  auto k = create_key(*server_, user_, "anthropic", secret, {{"description", marker}});
  ASSERT_EQ(call(*server_, "PUT", key_path(k), user_.token, json{{"is_enabled", false}}).status, 200);

  const std::vector<std::string> encodings = {secret, iron::security::hex_encode(secret),
                                              iron::security::base64_encode(secret),
                                              secret.substr(4, secret.size() - 8)};  // the unmasked middle
  auto scan = [&](const std::string& when) {
    std::string bytes;
    for (const auto& entry : std::filesystem::directory_iterator(server_->data_dir()))
      if (entry.path().filename().string().rfind("iron.db", 0) == 0) bytes += file_bytes(entry.path());
    ASSERT_NE(bytes.find(marker), std::string::npos) << when << ": the scan sees what the database stores";
    for (const auto& e : encodings) EXPECT_EQ(bytes.find(e), std::string::npos) << when << ": found " << e;
  };
  scan("while running (database + WAL)");
  ASSERT_EQ(server_->stop(), 0);
  scan("after shutdown (checkpointed)");

  // What is stored instead: a 24-byte nonce, the ciphertext with its 16-byte tag, and at most
  // four characters at each end for the mask.
  iron::store::Connection c(iron::store::database_path(server_->data_dir()), false);
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
