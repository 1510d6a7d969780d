// Plaintext key hand-out over real HTTP against the real binary (docs/compatibility.md,
// Key fetch): GET /api/v1/keys for API tokens bound to a project, POST
// /api/v1/agents/provider-key for IC tokens. Every rule, and named regressions for the
// predecessor's weaknesses (/keys refuses agent-bound tokens, as it did; C11: the
// /keys limiter allowed only 1/min after its burst instead of 10 per minute).
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "store/connection.h"
#include "support/panel.h"
#include "support/server_database.h"

using namespace iron::test;

namespace {

class GovernanceKeyFetch : public PanelSuite {
 protected:
  // A fresh user per test: API-token creation is limited per user (10 per minute, 10 active).
  Account user(const std::string& label) { return panel().add_user("user", label); }

  std::string api_token(const Account& owner, json fields) {
    fields["name"] = "key-fetch";
    auto r = panel().call("POST", "/api/v1/api-tokens", owner.token, fields);
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body.value("token", "");
  }

  void assign(const Account& owner, const std::string& project, int64_t key_id) {
    auto r = panel().call("POST", "/api/v1/projects/" + project + "/provider", owner.token, json{{"provider_key_id", key_id}});
    ASSERT_EQ(r.status, 200) << r.raw;
  }

  void disable(const Account& owner, int64_t key_id) {
    auto r = panel().call("PUT", "/api/v1/providers/" + std::to_string(key_id), owner.token, json{{"is_enabled", false}});
    ASSERT_EQ(r.status, 200) << r.raw;
  }

  Reply keys(const std::string& bearer) { return panel().call("GET", "/api/v1/keys", bearer); }

  int64_t agent(const Account& owner, std::optional<int64_t> key_id) {
    json body = {{"name", "fetcher"}, {"initial_budget_microdollars", 1'000'000}, {"owner_id", owner.id}};
    if (key_id) body["provider_key_id"] = *key_id;
    return panel().create_agent(body).value("id", int64_t{0});
  }

  Reply agent_key(const std::string& ic) {
    return panel().call("POST", "/api/v1/agents/provider-key", "", json{{"ic_token", ic}});
  }

  json audit(const std::string& action) {
    auto r = panel().call("GET", "/api/v1/audit?action=" + action + "&limit=200", panel().admin.token);
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body["items"];
  }
};

TEST_F(GovernanceKeyFetch, ReturnsTheProjectKeyAndAuditsWithoutIt) {
  const Account alice = user("alice");
  const std::string secret = "sk-fetch-plain-0123456789abcdef";
  const int64_t key = panel().add_key(alice, "anthropic", secret);
  assign(alice, "proj-ok", key);
  const std::string tok = api_token(alice, {{"project_id", "proj-ok"}});

  auto r = keys(tok);
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body, (json{{"provider", "anthropic"}, {"api_key", secret}, {"base_url", nullptr}}));

  // base_url is passed through when the key has one.
  const int64_t key2 = panel().add_key(alice, "openai", "sk-fetch-second-0123456789abcdef");
  ASSERT_EQ(panel().call("PUT", "/api/v1/providers/" + std::to_string(key2), alice.token,
                     json{{"base_url", "https://llm.example.test/v1"}}).status, 200);
  assign(alice, "proj-url", key2);
  r = keys(api_token(alice, {{"project_id", "proj-url"}}));
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["base_url"], "https://llm.example.test/v1");

  const json rows = audit("key_fetched");
  bool found = false;
  for (const auto& row : rows) {
    EXPECT_EQ(row.dump().find(secret), std::string::npos) << "the audit row carries the key";
    if (row.value("entity_id", "") == std::to_string(key)) {
      found = true;
      EXPECT_EQ(row["actor_id"], alice.id);
      EXPECT_EQ(row["after"]["project_id"], "proj-ok");
    }
  }
  EXPECT_TRUE(found) << rows.dump();
}

TEST_F(GovernanceKeyFetch, RefusalsTable) {
  const Account alice = user("refuse");
  const int64_t off = panel().add_key(alice, "openai", "sk-disabled-0123456789abcdef");
  assign(alice, "proj-disabled", off);
  disable(alice, off);

  struct Case {
    std::string name;
    std::string bearer;
    int status;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"no credentials", "", 401, "AUTH_MISSING_TOKEN"},
      {"a session JWT", alice.token, 401, "API_TOKEN_REQUIRED"},
      {"an unknown API token", "apitok_" + std::string(64, 'x'), 401, "AUTH_INVALID_TOKEN"},
      {"an IC token", "ic_1_" + std::string(48, 'a'), 401, "API_TOKEN_REQUIRED"},
      {"a token without project", api_token(alice, {{"description", "no project"}}), 400, "TOKEN_HAS_NO_PROJECT"},
      {"a project without key", api_token(alice, {{"project_id", "proj-none"}}), 404, "NO_KEY_ASSIGNED"},
      {"a disabled key", api_token(alice, {{"project_id", "proj-disabled"}}), 403, "KEY_DISABLED"},
      // A read-only token never fetches keys.
      {"a read-scoped token", api_token(alice, {{"project_id", "proj-disabled"}, {"scope", "read"}}), 403,
       "TOKEN_SCOPE_INSUFFICIENT"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    expect_error(keys(c.bearer), c.status, c.code);
  }
}

TEST_F(GovernanceKeyFetch, keys_refuses_agent_bound_tokens) {
  const Account alice = user("agentbound");
  const int64_t key = panel().add_key(alice);
  assign(alice, "proj-agentbound", key);
  const int64_t id = agent(alice, key);

  // Bound to an agent, with or without a project that has a key: agents use the handshake.
  expect_error(keys(api_token(alice, {{"agent_id", id}, {"project_id", "proj-agentbound"}})), 403, "USE_HANDSHAKE");
  expect_error(keys(api_token(alice, {{"agent_id", id}})), 403, "USE_HANDSHAKE");
  // The same project through a token bound to it alone works.
  EXPECT_EQ(keys(api_token(alice, {{"project_id", "proj-agentbound"}})).status, 200);
}

TEST_F(GovernanceKeyFetch, keys_rate_limit_is_10_per_minute) {
  const Account alice = user("ratelimit");
  const int64_t key = panel().add_key(alice);
  assign(alice, "proj-rate", key);
  assign(alice, "proj-rate-other", key);
  const std::string tok = api_token(alice, {{"project_id", "proj-rate"}});

  // Ten in a minute, not a burst followed by one per minute (docs/compatibility.md C11).
  for (int i = 1; i <= 10; ++i) {
    auto r = keys(tok);
    ASSERT_EQ(r.status, 200) << "fetch " << i << ": " << r.raw;
  }
  httplib::Headers h{{"Authorization", "Bearer " + tok}};
  auto eleventh = panel().server().client()->Get("/api/v1/keys", h);
  ASSERT_TRUE(eleventh);
  ASSERT_EQ(eleventh->status, 429) << eleventh->body;
  EXPECT_EQ(iron::test::json_of(eleventh)["error"]["code"], "RATE_LIMIT_EXCEEDED");
  ASSERT_TRUE(eleventh->has_header("Retry-After"));
  const int retry = std::stoi(eleventh->get_header_value("Retry-After"));
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 60);

  // Another token of the same user on the same project shares the budget...
  expect_error(keys(api_token(alice, {{"project_id", "proj-rate"}})), 429, "RATE_LIMIT_EXCEEDED");
  // ...while the limit is per (user, project): another project is unaffected.
  EXPECT_EQ(keys(api_token(alice, {{"project_id", "proj-rate-other"}})).status, 200);
}

// One rule for who may obtain a plaintext key — its owner — on every path. An
// admin's token bound to "the user's project" used to return the user's key.
TEST_F(GovernanceKeyFetch, keys_never_for_foreign_key_not_even_for_an_admin) {
  const Account alice = user("owner");
  const Account mallory = user("mallory");
  const std::string secret = "sk-alice-only-0123456789abcdef";
  const int64_t key = panel().add_key(alice, "openai", secret);
  assign(alice, "proj-alice", key);

  // Project ids are per owner: a token of someone else bound to "proj-alice" names their own
  // project of that name, which has no key.
  for (const Account* who : {&mallory, static_cast<const Account*>(&panel().admin)}) {
    auto r = keys(api_token(*who, {{"project_id", "proj-alice"}}));
    expect_error(r, 404, "NO_KEY_ASSIGNED");
    EXPECT_EQ(r.raw.find(secret), std::string::npos);
  }
  // The admin cannot point a project of their own at alice's key either (the assign path).
  auto steal = panel().call("POST", "/api/v1/projects/proj-admin/provider", panel().admin.token, json{{"provider_key_id", key}});
  expect_error(steal, 404, "NOT_FOUND", "provider_key_id");
  // The owner still can.
  auto own = keys(api_token(alice, {{"project_id", "proj-alice"}}));
  ASSERT_EQ(own.status, 200) << own.raw;
  EXPECT_EQ(own.body["api_key"], secret);
}

// User B naming his project "prod" neither breaks nor reads A's "prod".
TEST_F(GovernanceKeyFetch, project_ids_are_per_owner_so_nobody_squats_them) {
  const Account alice = user("prod-a");
  const Account bob = user("prod-b");
  const std::string a_secret = "sk-prod-alice-0123456789abcdef";
  const std::string b_secret = "sk-prod-bob-0123456789abcdefgh";
  const int64_t a_key = panel().add_key(alice, "openai", a_secret);
  const int64_t b_key = panel().add_key(bob, "openai", b_secret);
  assign(bob, "prod", b_key);    // bob first: he cannot squat the name...
  assign(alice, "prod", a_key);  // ...alice's assignment still succeeds (it used to be 409)
  EXPECT_EQ(keys(api_token(alice, {{"project_id", "prod"}})).body.value("api_key", ""), a_secret);
  EXPECT_EQ(keys(api_token(bob, {{"project_id", "prod"}})).body.value("api_key", ""), b_secret);
  // Unassigning is per owner too: bob's DELETE removes his "prod", not alice's.
  ASSERT_EQ(panel().call("DELETE", "/api/v1/projects/prod/provider", bob.token).status, 204);
  EXPECT_EQ(keys(api_token(alice, {{"project_id", "prod"}})).body.value("api_key", ""), a_secret);
  expect_error(keys(api_token(bob, {{"project_id", "prod"}})), 404, "NO_KEY_ASSIGNED");
  // An admin removes another user's assignment by naming the owner.
  expect_error(panel().call("DELETE", "/api/v1/projects/prod/provider?owner_id=" + alice.id, bob.token), 403,
               "INSUFFICIENT_PERMISSIONS");
  ASSERT_EQ(panel().call("DELETE", "/api/v1/projects/prod/provider?owner_id=" + alice.id, panel().admin.token).status, 204);
  expect_error(keys(api_token(alice, {{"project_id", "prod"}})), 404, "NO_KEY_ASSIGNED");
}

// Credentials in a base_url are secrets: masked in responses and audit rows,
// handed out in full only where the key itself is.
TEST_F(GovernanceKeyFetch, base_url_credentials_are_sealed_and_masked) {
  const Account alice = user("creds");
  const std::string url = "https://proxyuser:s3cret-pw@llm.example.test/v1";
  const std::string masked = "https://***@llm.example.test/v1";
  auto created = panel().call("POST", "/api/v1/providers", alice.token,
                          json{{"provider", "openai"}, {"api_key", "sk-creds-0123456789abcdef"}, {"base_url", url}});
  ASSERT_EQ(created.status, 201) << created.raw;
  EXPECT_EQ(created.body["base_url"], masked);
  const int64_t key = created.body.value("id", int64_t{0});
  const std::string key_path = "/api/v1/providers/" + std::to_string(key);
  EXPECT_EQ(panel().call("GET", key_path, alice.token).body["base_url"], masked);
  EXPECT_EQ(panel().call("GET", key_path, panel().admin.token).body["base_url"], masked);
  // The same through an update.
  const std::string url2 = "https://other:pw-two@llm2.example.test";
  auto updated = panel().call("PUT", key_path, alice.token, json{{"base_url", url2}});
  ASSERT_EQ(updated.status, 200) << updated.raw;
  EXPECT_EQ(updated.body["base_url"], "https://***@llm2.example.test");

  // The plaintext paths get the full URL: the key fetch and the agent's key fetch.
  assign(alice, "proj-creds", key);
  EXPECT_EQ(keys(api_token(alice, {{"project_id", "proj-creds"}})).body["base_url"], url2);
  EXPECT_EQ(agent_key(panel().ic_token(agent(alice, key))).body["base_url"], url2);

  // No audit row carries either password.
  auto all = panel().call("GET", "/api/v1/audit?limit=200", panel().admin.token);
  ASSERT_EQ(all.status, 200);
  EXPECT_EQ(all.raw.find("s3cret-pw"), std::string::npos);
  EXPECT_EQ(all.raw.find("pw-two"), std::string::npos);
  // Nor does the database hold them in clear.
  const auto stored = iron::test::open_server_database(panel().server().data_dir())->read([&](iron::store::Connection& c) {
    return c.prepare("SELECT base_url FROM provider_keys WHERE id = ?").bind(1, key).value<std::string>();
  });
  EXPECT_EQ(stored, "https://***@llm2.example.test");
}

TEST_F(GovernanceKeyFetch, AgentGetsItsOwnKey) {
  const Account alice = user("agentkey");
  const std::string secret = "sk-agent-own-0123456789abcdef";
  const int64_t key = panel().add_key(alice, "openai", secret);
  const int64_t id = agent(alice, key);
  const std::string ic = panel().ic_token(id);

  auto r = agent_key(ic);
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body, (json{{"provider_key", secret}, {"provider", "openai"}, {"base_url", nullptr}}));
  // The same through Authorization: Bearer ic_… and no body.
  auto b = panel().call("POST", "/api/v1/agents/provider-key", ic);
  ASSERT_EQ(b.status, 200) << b.raw;
  EXPECT_EQ(b.body["provider_key"], secret);

  bool found = false;
  for (const auto& row : audit("agent_key_fetched")) {
    EXPECT_EQ(row.dump().find(secret), std::string::npos) << "the audit row carries the key";
    if (row["after"].value("agent_id", int64_t{0}) == id) {
      found = true;
      EXPECT_EQ(row["actor_type"], "agent");
    }
  }
  EXPECT_TRUE(found);
}

TEST_F(GovernanceKeyFetch, AgentRefusalsTable) {
  const Account alice = user("agentrefuse");
  const int64_t off = panel().add_key(alice, "openai", "sk-agent-off-0123456789abcdef");
  const int64_t with_off = agent(alice, off);
  disable(alice, off);
  const int64_t without = agent(alice, std::nullopt);

  struct Case {
    std::string name;
    std::string ic;
    int status;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"no key assigned", panel().ic_token(without), 403, "NO_PROVIDER_ASSIGNED"},
      {"a disabled key", panel().ic_token(with_off), 403, "KEY_DISABLED"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    expect_error(agent_key(c.ic), c.status, c.code);
  }
}

// One rule, one answer. After the agent's key is deleted the handshake and the
// agent key fetch answer alike (they used to say 404 PROVIDER_KEY_NOT_FOUND and 403
// NO_PROVIDER_ASSIGNED), and the agent no longer points at the deleted key.
TEST_F(GovernanceKeyFetch, deleted_key_same_answer_on_every_agent_path) {
  const Account alice = user("deleted");
  const int64_t key = panel().add_key(alice, "openai", "sk-deleted-0123456789abcdef");
  const int64_t id = agent(alice, key);
  const std::string ic = panel().ic_token(id);
  ASSERT_EQ(agent_key(ic).status, 200);
  ASSERT_EQ(panel().call("DELETE", "/api/v1/providers/" + std::to_string(key), alice.token).status, 204);

  expect_error(agent_key(ic), 403, "NO_PROVIDER_ASSIGNED");
  expect_error(panel().call("POST", "/api/v1/budget/handshake", "", json{{"ic_token", ic}, {"provider", "openai"}}), 403,
               "NO_PROVIDER_ASSIGNED");
  auto a = panel().call("GET", "/api/v1/agents/" + std::to_string(id), panel().admin.token);
  EXPECT_EQ(a.body["provider_key_id"], nullptr) << a.raw;
  EXPECT_EQ(a.body["providers"], json::array()) << a.raw;
  // The delete's audit row names the agent that lost the key.
  bool found = false;
  for (const auto& row : audit("provider_key.delete"))
    if (row.value("entity_id", "") == std::to_string(key)) {
      found = true;
      EXPECT_EQ(row["before"]["agents_unassigned"], json::array({id})) << row.dump();
    }
  EXPECT_TRUE(found);
}

TEST_F(GovernanceKeyFetch, agent_provider_key_requires_ic_token) {
  const Account alice = user("needsic");
  const int64_t key = panel().add_key(alice);
  const int64_t id = agent(alice, key);
  const std::string ic = panel().ic_token(id);
  const std::string apitok = api_token(alice, {{"agent_id", id}});

  struct Case {
    std::string name;
    std::string bearer;
    std::optional<json> body;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"nothing", "", std::nullopt, "IC_TOKEN_MISSING"},
      {"an empty body", "", json::object(), "IC_TOKEN_MISSING"},
      {"the owner's JWT", alice.token, json::object(), "IC_TOKEN_MISSING"},
      {"the admin's JWT", panel().admin.token, json::object(), "IC_TOKEN_MISSING"},
      {"an agent-bound API token", apitok, json::object(), "IC_TOKEN_MISSING"},
      {"a forged IC token", "", json{{"ic_token", "ic_" + std::to_string(id) + "_" + std::string(48, 'Z')}},
       "INVALID_IC_TOKEN"},
      {"an API token as ic_token", "", json{{"ic_token", apitok}}, "INVALID_IC_TOKEN"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    expect_error(panel().call("POST", "/api/v1/agents/provider-key", c.bearer, c.body.value_or(nullptr)), 401, c.code);
  }
  EXPECT_EQ(agent_key(ic).status, 200);
}

TEST_F(GovernanceKeyFetch, regenerated_ic_token_cannot_fetch_key) {
  const Account alice = user("regen");
  const int64_t key = panel().add_key(alice);
  const int64_t id = agent(alice, key);
  const std::string old_ic = panel().ic_token(id);
  ASSERT_EQ(agent_key(old_ic).status, 200);

  auto regen = panel().call("POST", agent_path(id, "/ic-token/regenerate"), alice.token);
  ASSERT_EQ(regen.status, 200) << regen.raw;
  const std::string new_ic = regen.body.value("ic_token", "");
  expect_error(agent_key(old_ic), 401, "INVALID_IC_TOKEN");
  EXPECT_EQ(agent_key(new_ic).status, 200);

  // Revoked: nothing fetches any more.
  ASSERT_EQ(panel().call("DELETE", agent_path(id, "/ic-token"), alice.token).status, 204);
  expect_error(agent_key(new_ic), 401, "INVALID_IC_TOKEN");
}

}  // namespace
