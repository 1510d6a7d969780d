// Agents and IC tokens over real HTTP against the real binary (docs/compatibility.md: S6, C8, C11):
// admin CRUD, owner-scoped reads (another user's agent is a 404), the allocation, tokens and
// history, and the IC-token lifecycle with its regressions.
#include "governance_support.h"

using gov::agent_path;
using gov::expect_error;
using gov::json;
using gov::Panel;

namespace {

struct Fixture {
  Panel p;
  gov::Account alice = p.add_user("user", "alice");
  gov::Account bob = p.add_user("user", "bob");
  gov::Account vera = p.add_user("viewer", "vera");
  int64_t agent = p.create_agent({{"name", "a1"}, {"initial_budget_microdollars", 5'000'000}, {"owner_id", alice.id}})
                      .value("id", int64_t{0});
};

}  // namespace

TEST(GovernanceAgents, CreateReturnsTheAgentWithItsBudget) {
  Panel p;
  const auto alice = p.add_user("user", "alice");
  const json a = p.create_agent({{"name", "bot"}, {"initial_budget_microdollars", 7'000'000}, {"owner_id", alice.id}});
  EXPECT_GT(a.value("id", 0), 0);
  EXPECT_EQ(a["name"], "bot");
  EXPECT_EQ(a["owner_id"], alice.id);
  EXPECT_TRUE(a["providers"].is_array());
  EXPECT_TRUE(a["provider_key_id"].is_null());
  EXPECT_GT(a.value("created_at", int64_t{0}), int64_t{1'000'000'000'000});  // ms
  EXPECT_EQ(a["budget"], (json{{"allocated", 7'000'000},
                               {"spent", 0},
                               {"reserved", 0},
                               {"remaining", 7'000'000},
                               {"period", "one_off"},
                               {"time_zone", "UTC"},
                               {"period_started_at", nullptr},
                               {"resets_at", nullptr},
                               {"carried_reserved", 0}}));
  // owner_id defaults to the caller; history records the initial allocation.
  const json mine = p.create_agent({{"name", "mine"}, {"initial_budget_microdollars", 1}});
  EXPECT_EQ(mine["owner_id"], p.admin.id);
  auto h = p.call("GET", agent_path(a["id"], "/budget/history"), p.admin.token);
  ASSERT_EQ(h.status, 200) << h.raw;
  ASSERT_EQ(h.body.size(), 1u);
  EXPECT_EQ(h.body[0]["new_allocated"], 7'000'000);
}

TEST(GovernanceAgents, CreateValidation) {
  Panel p;
  const auto alice = p.add_user("user", "alice");
  const auto key = p.add_key(alice);
  const auto off = p.add_key(alice);
  ASSERT_EQ(p.call("PUT", "/api/v1/providers/" + std::to_string(off), alice.token, json{{"is_enabled", false}}).status, 200);
  struct Case {
    json body;
    int status;
    std::string code;
  };
  const std::vector<Case> cases = {
      {{{"initial_budget_microdollars", 1}}, 400, "MISSING_FIELD"},
      {{{"name", ""}, {"initial_budget_microdollars", 1}}, 400, "VALIDATION_ERROR"},
      {{{"name", std::string(256, 'x')}, {"initial_budget_microdollars", 1}}, 400, "VALIDATION_ERROR"},
      {{{"name", "a"}, {"initial_budget_microdollars", 0}}, 400, "VALIDATION_ERROR"},
      {{{"name", "a"}, {"initial_budget_microdollars", -5}}, 400, "VALIDATION_ERROR"},
      {{{"name", "a"}, {"initial_budget_microdollars", "10"}}, 400, "VALIDATION_ERROR"},
      {{{"name", "a"}, {"initial_budget_microdollars", 1}, {"owner_id", "user_nobody"}}, 400, "OWNER_NOT_FOUND"},
      {{{"name", "a"}, {"initial_budget_microdollars", 1}, {"provider_key_id", key + 100}}, 404, "PROVIDER_KEY_NOT_FOUND"},
      // The admin's agent cannot use alice's key: keys are per owner (a specific error).
      {{{"name", "a"}, {"initial_budget_microdollars", 1}, {"provider_key_id", key}}, 403, "PROVIDER_KEY_NOT_OWNED"},
      {{{"name", "a"}, {"initial_budget_microdollars", 1}, {"owner_id", alice.id}, {"provider_key_id", off}}, 409,
       "PROVIDER_KEY_DISABLED"},
  };
  for (const auto& c : cases) expect_error(p.call("POST", "/api/v1/agents", p.admin.token, c.body), c.status, c.code);
  EXPECT_EQ(p.call("GET", "/api/v1/agents", p.admin.token).body.size(), 0u) << "a refused create leaves nothing";
  const json ok = p.create_agent({{"name", "k"}, {"initial_budget_microdollars", 1}, {"owner_id", alice.id}, {"provider_key_id", key}});
  EXPECT_EQ(ok["provider_key_id"], key);
  EXPECT_EQ(ok["providers"], json::array({"openai"}));
}

TEST(GovernanceAgents, ReadsAreOwnerScopedAndMutationsAdminOnly) {
  Fixture f;
  auto& p = f.p;
  const int64_t bobs = p.create_agent({{"name", "b1"}, {"initial_budget_microdollars", 1}, {"owner_id", f.bob.id}}).value("id", int64_t{0});
  const int64_t later = p.create_agent({{"name", "a2"}, {"initial_budget_microdollars", 1}, {"owner_id", f.alice.id}}).value("id", int64_t{0});
  auto all = p.call("GET", "/api/v1/agents", p.admin.token);
  EXPECT_EQ(all.body.size(), 3u);
  auto mine = p.call("GET", "/api/v1/agents", f.alice.token);
  ASSERT_EQ(mine.body.size(), 2u);
  EXPECT_EQ(mine.body[0]["id"], later) << "newest first";
  EXPECT_EQ(mine.body[1]["id"], f.agent);
  EXPECT_EQ(p.call("GET", "/api/v1/agents", f.vera.token).body.size(), 0u);
  EXPECT_EQ(p.call("GET", agent_path(f.agent), f.alice.token).status, 200);
  for (const std::string suffix : {"", "/tokens", "/budget/history", "/ic-token"})
    expect_error(p.call("GET", agent_path(bobs, suffix), f.alice.token), 404, "AGENT_NOT_FOUND");
  expect_error(p.call("GET", agent_path(9999), p.admin.token), 404, "AGENT_NOT_FOUND");
  expect_error(p.call("GET", "/api/v1/agents/abc", p.admin.token), 400, "INVALID_PARAMETER");
  expect_error(p.call("GET", "/api/v1/agents"), 401, "AUTH_MISSING_TOKEN");
  struct Mut {
    std::string method, path;
    json body;
  };
  const std::vector<Mut> admin_only = {
      {"POST", "/api/v1/agents", {{"name", "x"}, {"initial_budget_microdollars", 1}}},
      {"PUT", agent_path(f.agent), {{"name", "x"}}},
      {"DELETE", agent_path(f.agent), nullptr},
      {"PUT", agent_path(f.agent, "/budget"), {{"total_allocated_microdollars", 9}}},
  };
  for (const auto& m : admin_only)
    for (const auto* who : {&f.alice, &f.vera})
      expect_error(p.call(m.method, m.path, who->token, m.body), 403,
                   "INSUFFICIENT_PERMISSIONS");
}

TEST(GovernanceAgents, UpdateAndDelete) {
  Fixture f;
  auto& p = f.p;
  const auto key = p.add_key(f.alice, "anthropic");
  auto r = p.call("PUT", agent_path(f.agent), p.admin.token, json{{"name", "renamed"}, {"provider_key_id", key}});
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["name"], "renamed");
  EXPECT_EQ(r.body["providers"], json::array({"anthropic"}));
  r = p.call("PUT", agent_path(f.agent), p.admin.token, json{{"provider_key_id", nullptr}});
  EXPECT_TRUE(r.body["provider_key_id"].is_null()) << r.raw;
  EXPECT_EQ(r.body["providers"], json::array());
  expect_error(p.call("PUT", agent_path(f.agent), p.admin.token, json{{"owner_id", "user_nope"}}), 400, "OWNER_NOT_FOUND");
  r = p.call("PUT", agent_path(f.agent), p.admin.token, json{{"owner_id", f.bob.id}});
  EXPECT_EQ(r.body["owner_id"], f.bob.id);
  expect_error(p.call("GET", agent_path(f.agent), f.alice.token), 404, "AGENT_NOT_FOUND");
  expect_error(p.call("PUT", agent_path(9999), p.admin.token, json{{"name", "x"}}), 404, "AGENT_NOT_FOUND");
  EXPECT_EQ(p.call("DELETE", agent_path(f.agent), p.admin.token).status, 204);
  expect_error(p.call("GET", agent_path(f.agent), p.admin.token), 404, "AGENT_NOT_FOUND");
  expect_error(p.call("GET", agent_path(f.agent, "/budget/history"), p.admin.token), 404, "AGENT_NOT_FOUND");
  expect_error(p.call("DELETE", agent_path(f.agent), p.admin.token), 404, "AGENT_NOT_FOUND");
}

TEST(GovernanceAgents, SetBudgetNeverBelowCommitted) {
  Fixture f;
  auto& p = f.p;
  auto r = p.call("PUT", agent_path(f.agent, "/budget"), p.admin.token, json{{"total_allocated_microdollars", 8'000'000}});
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body, (json{{"agent_id", f.agent}, {"total_allocated", 8'000'000}, {"total_spent", 0},
                          {"total_reserved", 0}, {"budget_remaining", 8'000'000}}));
  p.budget(f.agent);
  // Commit 3 $ through a lease (handshake), then try to go below it.
  const auto key = p.add_key(f.alice);
  p.call("PUT", agent_path(f.agent), p.admin.token, json{{"provider_key_id", key}});
  const auto ic = p.ic_token(f.agent);
  auto hs = p.call("POST", "/api/v1/budget/handshake", "", json{{"ic_token", ic}, {"provider", "openai"}, {"requested_budget", 3'000'000}});
  ASSERT_EQ(hs.status, 200) << hs.raw;
  expect_error(p.call("PUT", agent_path(f.agent, "/budget"), p.admin.token, json{{"total_allocated_microdollars", 2'999'999}}),
               400, "ALLOCATION_BELOW_COMMITTED");
  for (const json& bad : {json{{"total_allocated_microdollars", 0}}, json{{"total_allocated_microdollars", "1"}}})
    expect_error(p.call("PUT", agent_path(f.agent, "/budget"), p.admin.token, bad), 400, "VALIDATION_ERROR");
  expect_error(p.call("PUT", agent_path(f.agent, "/budget"), p.admin.token, json::object()), 400, "MISSING_FIELD");
  expect_error(p.call("PUT", agent_path(9999, "/budget"), p.admin.token, json{{"total_allocated_microdollars", 5}}), 404,
               "AGENT_NOT_FOUND");
  EXPECT_EQ(p.call("PUT", agent_path(f.agent, "/budget"), p.admin.token, json{{"total_allocated_microdollars", 3'000'000}}).status, 200);
  const json budget = p.budget(f.agent);
  EXPECT_EQ(budget["allocated"], 3'000'000);
  EXPECT_EQ(budget["spent"], 0);
  EXPECT_EQ(budget["reserved"], 3'000'000);
  EXPECT_EQ(budget["remaining"], 0);
  auto h = p.call("GET", agent_path(f.agent, "/budget/history"), f.alice.token);
  ASSERT_EQ(h.body.size(), 3u) << h.raw;
  EXPECT_EQ(h.body[0]["new_allocated"], 3'000'000) << "newest first";
  EXPECT_EQ(h.body[0]["previous_allocated"], 8'000'000);
}

TEST(GovernanceAgents, TokensListsTheAgentsApiTokensScopedToTheCaller) {
  Fixture f;
  auto& p = f.p;
  const json body = {{"name", "t"}, {"agent_id", f.agent}};
  ASSERT_EQ(p.call("POST", "/api/v1/api-tokens", f.alice.token, body).status, 201);
  // Only the agent's owner's tokens bind to it; an admin issues one for her.
  expect_error(p.call("POST", "/api/v1/api-tokens", p.admin.token, body), 404, "AGENT_NOT_FOUND", "agent_id");
  ASSERT_EQ(p.call("POST", "/api/v1/api-tokens", p.admin.token, json{{"name", "t2"}, {"agent_id", f.agent}, {"user_id", f.alice.id}}).status, 201);
  ASSERT_EQ(p.call("POST", "/api/v1/api-tokens", f.alice.token, json{{"name", "other"}}).status, 201);
  auto all = p.call("GET", agent_path(f.agent, "/tokens"), p.admin.token);
  EXPECT_EQ(all.body.size(), 2u) << all.raw;
  auto own = p.call("GET", agent_path(f.agent, "/tokens"), f.alice.token);
  ASSERT_EQ(own.body.size(), 2u) << own.raw;
  EXPECT_EQ(own.body[0]["user_id"], f.alice.id);
  EXPECT_FALSE(own.body[0].contains("token_hash"));
  expect_error(p.call("GET", agent_path(f.agent, "/tokens"), f.bob.token), 404, "AGENT_NOT_FOUND");
}

TEST(GovernanceAgents, IcTokenLifecycle) {
  Fixture f;
  auto& p = f.p;
  auto st = p.call("GET", agent_path(f.agent, "/ic-token"), f.alice.token);
  EXPECT_EQ(st.body, (json{{"agent_id", f.agent}, {"has_ic_token", false}, {"created_at", nullptr}}));
  auto issued = p.call("POST", agent_path(f.agent, "/ic-token"), f.alice.token);
  ASSERT_EQ(issued.status, 201) << issued.raw;
  const std::string tok = issued.body["ic_token"];
  EXPECT_TRUE(std::regex_match(tok, std::regex("ic_" + std::to_string(f.agent) + "_[0-9A-Za-z]{48}"))) << tok;
  EXPECT_LT(issued.body.value("created_at", int64_t{0}), int64_t{100'000'000'000}) << "unix seconds";
  EXPECT_FALSE(issued.body.value("warning", "").empty());
  expect_error(p.call("POST", agent_path(f.agent, "/ic-token"), p.admin.token), 409, "IC_TOKEN_EXISTS");
  st = p.call("GET", agent_path(f.agent, "/ic-token"), f.alice.token);
  EXPECT_EQ(st.body["has_ic_token"], true);
  EXPECT_EQ(st.body["created_at"], issued.body["created_at"]);
  // Viewers read but never mint; other users never see the agent.
  for (const std::string path : {"/ic-token", "/ic-token/regenerate"})
    expect_error(p.call("POST", agent_path(f.agent, path), f.vera.token), 403, "INSUFFICIENT_PERMISSIONS");
  expect_error(p.call("DELETE", agent_path(f.agent, "/ic-token"), f.bob.token), 404, "AGENT_NOT_FOUND");
  expect_error(p.call("POST", agent_path(f.agent, "/ic-token/regenerate"), f.bob.token), 404, "AGENT_NOT_FOUND");
  auto regen = p.call("POST", agent_path(f.agent, "/ic-token/regenerate"), f.alice.token);
  ASSERT_EQ(regen.status, 200) << regen.raw;
  EXPECT_EQ(regen.body["old_token_invalidated"], true);
  EXPECT_NE(regen.body["ic_token"], tok);
  EXPECT_EQ(p.call("DELETE", agent_path(f.agent, "/ic-token"), f.alice.token).status, 204);
  EXPECT_EQ(p.call("GET", agent_path(f.agent, "/ic-token"), f.alice.token).body["has_ic_token"], false);
}

TEST(GovernanceAgents, admin_gets_404_for_missing_agent) {
  Panel p;
  for (const auto& [method, suffix] : std::vector<std::pair<std::string, std::string>>{
           {"POST", "/ic-token"}, {"GET", "/ic-token"}, {"POST", "/ic-token/regenerate"}, {"DELETE", "/ic-token"}})
    expect_error(p.call(method, agent_path(424242, suffix), p.admin.token), 404, "AGENT_NOT_FOUND");
}

// An admin creating or editing another user's agent with a key the admin owns.
// Decision: allowed, as a DELEGATION — audited, shown on the agent (provider_key_owner_id),
// and only by the admin who owns the key; it stops working if that admin loses the role.
TEST(GovernanceAgents, admin_may_delegate_own_key_to_another_users_agent) {
  Fixture f;
  auto& p = f.p;
  const std::string secret = "sk-admin-delegated-0123456789abcdef";
  const int64_t admins_key = p.add_key(p.admin, "openai", secret);
  auto created = p.call("POST", "/api/v1/agents", p.admin.token,
                        json{{"name", "delegated"}, {"initial_budget_microdollars", 5'000'000}, {"owner_id", f.alice.id},
                             {"provider_key_id", admins_key}});
  ASSERT_EQ(created.status, 201) << created.raw;
  EXPECT_EQ(created.body["owner_id"], f.alice.id);
  EXPECT_EQ(created.body["provider_key_id"], admins_key);
  EXPECT_EQ(created.body["provider_key_owner_id"], p.admin.id);
  const int64_t id = created.body.value("id", int64_t{0});
  // Visible to the agent's owner too, and an own key shows its owner.
  EXPECT_EQ(p.call("GET", agent_path(id), f.alice.token).body["provider_key_owner_id"], p.admin.id);
  // Editing: the same admin may put the delegated key on an existing agent of alice's.
  auto edited = p.call("PUT", agent_path(f.agent), p.admin.token, json{{"provider_key_id", admins_key}});
  ASSERT_EQ(edited.status, 200) << edited.raw;
  EXPECT_EQ(edited.body["provider_key_owner_id"], p.admin.id);

  // Audited as a delegation.
  auto rows = p.call("GET", "/api/v1/audit?action=agent.assign_key&limit=50", p.admin.token);
  bool audited = false;
  for (const auto& row : rows.body["items"])
    if (row.value("entity_id", "") == std::to_string(id)) {
      audited = true;
      EXPECT_EQ(row["after"]["provider_key_delegated"], true) << row.dump();
      EXPECT_EQ(row["after"]["provider_key_owner_id"], p.admin.id) << row.dump();
    }
  EXPECT_TRUE(audited) << rows.raw;

  // The agent's runtime uses it on both agent paths.
  const std::string ic = p.ic_token(id);
  auto fetched = p.call("POST", "/api/v1/agents/provider-key", "", json{{"ic_token", ic}});
  ASSERT_EQ(fetched.status, 200) << fetched.raw;
  EXPECT_EQ(fetched.body["provider_key"], secret);
  const json handshake = {{"ic_token", ic}, {"provider", "openai"}, {"requested_budget", 1000}};
  EXPECT_EQ(p.call("POST", "/api/v1/budget/handshake", "", handshake).status, 200);

  // Another admin cannot delegate a key that is not theirs; the refusal says why.
  const gov::Account other_admin = p.add_user("admin", "other-admin");
  auto refused = p.call("PUT", agent_path(id), other_admin.token, json{{"provider_key_id", admins_key}});
  expect_error(refused, 403, "PROVIDER_KEY_NOT_OWNED", "provider_key_id");
  EXPECT_NE(refused.body["error"].value("message", "").find("delegation"), std::string::npos) << refused.raw;

  // A delegation by an admin who is no longer one stops serving the agent, on every path.
  const int64_t lent = p.add_key(other_admin, "openai", "sk-other-admin-0123456789abcdef");
  auto by_other = p.call("POST", "/api/v1/agents", other_admin.token,
                         json{{"name", "lent"}, {"initial_budget_microdollars", 5'000'000}, {"owner_id", f.bob.id},
                              {"provider_key_id", lent}});
  ASSERT_EQ(by_other.status, 201) << by_other.raw;
  const std::string lent_ic = p.ic_token(by_other.body.value("id", int64_t{0}));
  ASSERT_EQ(p.call("PUT", "/api/v1/users/" + other_admin.id + "/role", p.admin.token, json{{"role", "user"}}).status, 200);
  expect_error(p.call("POST", "/api/v1/agents/provider-key", "", json{{"ic_token", lent_ic}}), 403,
               "NO_PROVIDER_ASSIGNED");
  expect_error(p.call("POST", "/api/v1/budget/handshake", "", json{{"ic_token", lent_ic}, {"provider", "openai"}}), 403,
               "NO_PROVIDER_ASSIGNED");
}

// The list without parameters keeps the predecessor's plain array; search, owner_id and sort
// narrow and order it, page/per_page answer {data, pagination} (the dashboard's table, issue 10).
TEST(GovernanceAgents, ListSearchesSortsAndPagesOnRequest) {
  Fixture f;  // alice owns "a1" (5 $)
  auto& p = f.p;
  p.create_agent({{"name", "Alpha-bot"}, {"initial_budget_microdollars", 3'000'000}, {"owner_id", f.alice.id}});
  p.create_agent({{"name", "beta"}, {"initial_budget_microdollars", 9'000'000}});
  p.create_agent({{"name", "ALPHA-two"}, {"initial_budget_microdollars", 1'000'000}});
  const auto names = [](const json& agents) {
    std::vector<std::string> out;
    for (const auto& a : agents) out.push_back(a["name"]);
    return out;
  };
  const auto get = [&](const std::string& query, const std::string& access) {
    return p.call("GET", "/api/v1/agents" + query, access);
  };
  auto plain = get("", p.admin.token);
  ASSERT_EQ(plain.status, 200) << plain.raw;
  ASSERT_TRUE(plain.body.is_array());
  EXPECT_EQ(names(plain.body), (std::vector<std::string>{"ALPHA-two", "beta", "Alpha-bot", "a1"})) << "newest first";
  EXPECT_EQ(plain.body[0]["has_ic_token"], false);

  struct Case {
    std::string query;
    std::vector<std::string> names;
  };
  const std::vector<Case> arrays = {
      {"?search=alpha", {"ALPHA-two", "Alpha-bot"}},
      {"?owner_id=" + f.alice.id, {"Alpha-bot", "a1"}},
      {"?sort=name", {"a1", "Alpha-bot", "ALPHA-two", "beta"}},
      {"?sort=-allocated", {"beta", "a1", "Alpha-bot", "ALPHA-two"}},
      {"?sort=remaining&search=ALPHA", {"ALPHA-two", "Alpha-bot"}},
      {"?search=nothing-matches", {}},
  };
  for (const auto& c : arrays) {
    auto r = get(c.query, p.admin.token);
    ASSERT_EQ(r.status, 200) << c.query << r.raw;
    ASSERT_TRUE(r.body.is_array()) << c.query;
    EXPECT_EQ(names(r.body), c.names) << c.query;
  }

  auto page = get("?sort=name&per_page=3&page=2", p.admin.token);
  ASSERT_EQ(page.status, 200) << page.raw;
  EXPECT_EQ(names(page.body["data"]), (std::vector<std::string>{"beta"}));
  EXPECT_EQ(page.body["pagination"], (json{{"page", 2}, {"per_page", 3}, {"total", 4}, {"total_pages", 2}}));
  auto past = get("?page=9", p.admin.token);
  ASSERT_EQ(past.status, 200) << past.raw;
  EXPECT_EQ(past.body["data"], json::array());
  EXPECT_EQ(past.body["pagination"]["total"], 4);
  // Scoping holds under the parameters: alice pages through her own agents only.
  auto mine = get("?page=1&sort=-name", f.alice.token);
  EXPECT_EQ(names(mine.body["data"]), (std::vector<std::string>{"Alpha-bot", "a1"}));
  EXPECT_EQ(mine.body["pagination"]["total"], 2);
  // The IC-token status shows on the listed agent.
  ASSERT_EQ(p.call("POST", agent_path(f.agent, "/ic-token"), f.alice.token).status, 201);
  EXPECT_EQ(get("?search=a1", p.admin.token).body[0]["has_ic_token"], true);

  for (const std::string bad : {"?sort=owner", "?sort=-", "?page=0", "?per_page=201", "?search=", "?search=a%01b"})
    EXPECT_EQ(get(bad, p.admin.token).status, 400) << bad;
}

// ?provider_key_id= answers "which agents lose this key" (the dashboard's delete dialog) within
// the caller's view, and refuses a malformed id in the envelope.
TEST(GovernanceAgents, ListFiltersByProviderKey) {
  Fixture f;
  auto& p = f.p;
  const auto key = p.add_key(f.alice);
  const auto other = p.add_key(f.alice, "anthropic");
  const int64_t keyed = p.create_agent({{"name", "k1"}, {"initial_budget_microdollars", 1}, {"owner_id", f.alice.id}, {"provider_key_id", key}})
                            .value("id", int64_t{0});
  p.create_agent({{"name", "k2"}, {"initial_budget_microdollars", 1}, {"owner_id", f.alice.id}, {"provider_key_id", other}});
  for (const auto* who : {&p.admin, &f.alice}) {
    const auto r = p.call("GET", "/api/v1/agents?provider_key_id=" + std::to_string(key), who->token);
    ASSERT_EQ(r.status, 200);
    ASSERT_EQ(r.body.size(), 1u);
    EXPECT_EQ(r.body[0]["id"], keyed);
  }
  EXPECT_EQ(p.call("GET", "/api/v1/agents?provider_key_id=" + std::to_string(key), f.bob.token).body.size(), 0u)
      << "another user's agents stay invisible";
  EXPECT_EQ(p.call("GET", "/api/v1/agents", f.alice.token).body.size(), 3u) << "no filter: every agent";
  for (const std::string bad : {"0", "abc", "-1"})
    expect_error(p.call("GET", "/api/v1/agents?provider_key_id=" + bad, p.admin.token), 400, "VALIDATION_ERROR");
}
