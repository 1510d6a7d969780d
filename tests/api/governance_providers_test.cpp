// Provider keys over real HTTP against the real binary: create, mask, list, get, update and
// delete, and the named regression for the predecessor's POST /providers, which hijacked other
// users' keys (docs/compatibility.md, Provider keys). Project assignment is in
// governance_provider_projects_test.cpp, refusals of bad input in
// governance_provider_input_test.cpp, audit and plaintext in governance_provider_secrets_test.cpp.
#include <gtest/gtest.h>

#include "provider_keys_support.h"

#include "util/clock.h"

using namespace providers_test;

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
    EXPECT_EQ(call("GET", key_path(k), bob_).body["masked_key"], tc.masked);
    bool listed = false;
    auto list = call("GET", "/api/v1/providers", bob_);
    for (auto& item : list.body)
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
  ASSERT_EQ(again.status, 200) << again.raw;
  EXPECT_EQ(again.body["owner_id"], alice_.id);
  EXPECT_EQ(again.body["masked_key"], a["masked_key"]);
  EXPECT_EQ(again.body["masked_key"].get<std::string>().substr(0, 4), "sk-a");
  EXPECT_EQ(again.body["description"], "alice");
  // Neither can reach the other's key, and each list holds only the caller's own.
  EXPECT_EQ(call("GET", key_path(a), bob_).status, 404);
  EXPECT_EQ(call("GET", key_path(b), alice_).status, 404);
  auto alice_list = call("GET", "/api/v1/providers", alice_).body;
  EXPECT_TRUE(contains_id(alice_list, a["id"]));
  EXPECT_FALSE(contains_id(alice_list, b["id"]));
  EXPECT_FALSE(contains_id(alice_list, c["id"]));
  // And Alice can still assign her own key: it was not re-owned.
  auto assigned = call("POST", project_path(unique_project("hijack")), alice_, json{{"provider_key_id", a["id"]}});
  EXPECT_EQ(assigned.status, 200) << assigned.raw;
}

TEST_F(GovernanceProviders, ListShowsOwnKeysAndAdminsMaySeeEveryone) {
  auto a = create(alice_, "anthropic", fresh_secret());
  auto b = create(bob_, "anthropic", fresh_secret());
  auto m = create(admin_, "anthropic", fresh_secret());

  auto alice_list = call("GET", "/api/v1/providers", alice_);
  ASSERT_EQ(alice_list.status, 200);
  ASSERT_TRUE(alice_list.body.is_array());
  for (const auto& k : alice_list.body) EXPECT_EQ(k.value("owner_id", ""), alice_.id);
  EXPECT_TRUE(contains_id(alice_list.body, a["id"]));

  // Admins list their own keys by default...
  auto own = call("GET", "/api/v1/providers?all=false", admin_);
  ASSERT_EQ(own.status, 200);
  for (const auto& k : own.body) EXPECT_EQ(k.value("owner_id", ""), admin_.id);
  EXPECT_TRUE(contains_id(own.body, m["id"]));
  EXPECT_FALSE(contains_id(own.body, a["id"]));
  // ...and everyone's with ?all=true, still masked.
  auto everyone = call("GET", "/api/v1/providers?all=true", admin_);
  ASSERT_EQ(everyone.status, 200);
  for (const auto& k : everyone.body) expect_key_shape(k);
  EXPECT_TRUE(contains_id(everyone.body, a["id"]));
  EXPECT_TRUE(contains_id(everyone.body, b["id"]));
  EXPECT_TRUE(contains_id(everyone.body, m["id"]));

  // ?all=true is for admins only.
  expect_error(call("GET", "/api/v1/providers?all=true", alice_), 403, "INSUFFICIENT_PERMISSIONS");
  expect_error(call("GET", "/api/v1/providers?all=true", vera_), 403, "INSUFFICIENT_PERMISSIONS");
  // A user without keys gets an empty list.
  auto vera_list = call("GET", "/api/v1/providers", vera_);
  EXPECT_EQ(vera_list.status, 200);
  EXPECT_EQ(vera_list.body, json::array());
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
  for (const Account* who : {&bob_, &vera_}) {
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
        EXPECT_EQ(missing.body["error"]["message"], r.body["error"]["message"]);
      }
    }
  }
  // Nothing changed.
  auto after = call("GET", path, alice_);
  ASSERT_EQ(after.status, 200);
  EXPECT_EQ(after.body["description"], "alice only");
  EXPECT_EQ(after.body["is_enabled"], true);
}

TEST_F(GovernanceProviders, AdminsMayManageAnyKeyButAssignOnlyTheirOwn) {
  auto k = create(alice_, "openai", fresh_secret());
  auto got = call("GET", key_path(k), admin_);
  ASSERT_EQ(got.status, 200) << got.raw;
  EXPECT_EQ(got.body["owner_id"], alice_.id);
  // An admin can switch off a user's (say, leaked) key; the owner stays the owner.
  auto off = call("PUT", key_path(k), admin_, json{{"is_enabled", false}});
  ASSERT_EQ(off.status, 200) << off.raw;
  EXPECT_EQ(off.body["is_enabled"], false);
  EXPECT_EQ(off.body["owner_id"], alice_.id);
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
    ASSERT_EQ(r.status, 200) << r.raw;
    expect_key_shape(r.body);
    EXPECT_EQ(r.body["base_url"], tc.base_url);
    EXPECT_EQ(r.body["description"], tc.description);
    EXPECT_EQ(r.body["is_enabled"], tc.is_enabled);
    EXPECT_EQ(r.body["masked_key"], k["masked_key"]);
    EXPECT_EQ(r.body["provider"], "openai");
    EXPECT_EQ(r.body["owner_id"], alice_.id);
    EXPECT_EQ(call("GET", key_path(k), alice_).body, r.body) << "GET agrees with the PUT response";
  }
}

TEST_F(GovernanceProviders, DeleteRemovesTheKeyAndItsAssignments) {
  auto k = create(alice_, "openai", fresh_secret());
  const std::string p1 = unique_project("del"), p2 = unique_project("del");
  ASSERT_EQ(call("POST", project_path(p1), alice_, json{{"provider_key_id", k["id"]}}).status, 200);
  ASSERT_EQ(call("POST", project_path(p2), alice_, json{{"provider_key_id", k["id"]}}).status, 200);
  auto listed = call("GET", key_path(k), alice_).body["assigned_projects"];
  EXPECT_EQ(listed, (json{std::min(p1, p2), std::max(p1, p2)}));

  auto del = call("DELETE", key_path(k), alice_);
  EXPECT_EQ(del.status, 204);
  EXPECT_TRUE(del.raw.empty());
  expect_error(call("GET", key_path(k), alice_), 404, "NOT_FOUND");
  expect_error(call("DELETE", key_path(k), alice_), 404, "NOT_FOUND");
  EXPECT_FALSE(contains_id(call("GET", "/api/v1/providers", alice_).body, k["id"]));
  // The assignments went with the key.
  expect_error(call("DELETE", project_path(p1), alice_), 404, "NOT_FOUND");
  expect_error(call("DELETE", project_path(p2), admin_), 404, "NOT_FOUND");
}
