// Ownership of everything a request body can name and API token scopes,
// over real HTTP against the real binary. Both are tables: one row per (route, field), and
// one row per (scope, route class).
#include <algorithm>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "governance_support.h"

using gov::agent_path;
using gov::expect_error;
using gov::json;
using gov::Panel;
using gov::Reply;
using gov::Account;

namespace {

constexpr int64_t kMissing = 999'999;  // an id no row has

// A foreign key with a value the caller may not use: another user's, or one that does not exist.
struct ForeignKeyCase {
  std::string name;  // "<route> <field>: <why>"
  std::string method, path;
  std::string bearer;
  json body;
  int status;
  std::string code;
  std::string field;  // "" = the code says it all
};

void expect_refused(Panel& p, const ForeignKeyCase& c) {
  SCOPED_TRACE(c.name);
  const Reply r = p.call(c.method, c.path, c.bearer, c.body);
  expect_error(r, c.status, c.code, c.field);
}

}  // namespace

// Every route whose body names another row: api-tokens (user_id, agent_id), agents (owner_id,
// provider_key_id, on create and update), project assignment (provider_key_id), budget
// requests (agent_id), limits (user_id), the handshake (provider_key_id) and the lease calls
// (lease_id, current_lease_id). Today's main let
// a user bind an API token to another user's agent, or to an agent that does not exist.
TEST(GovernanceOwnership, every_foreign_key_in_a_body_is_owner_checked) {
  Panel p;
  const Account alice = p.add_user("user", "alice");
  const Account bob = p.add_user("user", "bob");
  const int64_t alices_agent = p.add_agent(alice.id, 1'000'000);
  const int64_t alices_key = p.add_key(alice);
  const int64_t bobs_key = p.add_key(bob);
  const int64_t bobs_agent =
      p.create_agent({{"name", "b"}, {"initial_budget_microdollars", 1'000'000}, {"owner_id", bob.id},
                      {"provider_key_id", bobs_key}})
          .value("id", int64_t{0});
  const std::string bobs_ic = p.ic_token(bobs_agent);
  // A lease of another agent (alice's runtime), to name from bob's agent.
  const int64_t alices_runner =
      p.create_agent({{"name", "r"}, {"initial_budget_microdollars", 1'000'000}, {"owner_id", alice.id},
                      {"provider_key_id", alices_key}})
          .value("id", int64_t{0});
  const Reply alices_lease = p.call("POST", "/api/v1/budget/handshake", "",
                                   json{{"ic_token", p.ic_token(alices_runner)}, {"provider", "openai"},
                                        {"requested_budget", 1000}});
  ASSERT_EQ(alices_lease.status, 200) << alices_lease.raw;
  const std::string lease = alices_lease.body.value("lease_id", "");
  const std::string& admin = p.admin.token;
  const json agent_body = {{"name", "x"}, {"initial_budget_microdollars", 1}, {"owner_id", bob.id}};
  auto with = [](json body, const json& extra) {
    body.update(extra);
    return body;
  };

  const std::vector<ForeignKeyCase> cases = {
      {"POST /api-tokens agent_id: another user's agent", "POST", "/api/v1/api-tokens", bob.token,
       {{"name", "t"}, {"agent_id", alices_agent}}, 404, "AGENT_NOT_FOUND", "agent_id"},
      {"POST /api-tokens agent_id: no such agent", "POST", "/api/v1/api-tokens", bob.token,
       {{"name", "t"}, {"agent_id", kMissing}}, 404, "AGENT_NOT_FOUND", "agent_id"},
      {"POST /api-tokens agent_id: an admin's token on a user's agent", "POST", "/api/v1/api-tokens", admin,
       {{"name", "t"}, {"agent_id", alices_agent}}, 404, "AGENT_NOT_FOUND", "agent_id"},
      {"POST /api-tokens agent_id: not the agent of the named owner", "POST", "/api/v1/api-tokens", admin,
       {{"name", "t"}, {"user_id", bob.id}, {"agent_id", alices_agent}}, 404, "AGENT_NOT_FOUND", "agent_id"},
      {"POST /api-tokens user_id: another user, not an admin", "POST", "/api/v1/api-tokens", bob.token,
       {{"name", "t"}, {"user_id", alice.id}}, 403, "USER_ID_OVERRIDE_FORBIDDEN", ""},
      {"POST /api-tokens user_id: no such user", "POST", "/api/v1/api-tokens", admin,
       {{"name", "t"}, {"user_id", "user_nobody"}}, 404, "USER_NOT_FOUND", "user_id"},
      {"POST /agents owner_id: no such user", "POST", "/api/v1/agents", admin,
       with(agent_body, {{"owner_id", "user_nobody"}}), 400, "OWNER_NOT_FOUND", "owner_id"},
      {"POST /agents provider_key_id: another user's key", "POST", "/api/v1/agents", admin,
       with(agent_body, {{"provider_key_id", alices_key}}), 403, "PROVIDER_KEY_NOT_OWNED", "provider_key_id"},
      {"POST /agents provider_key_id: no such key", "POST", "/api/v1/agents", admin,
       with(agent_body, {{"provider_key_id", kMissing}}), 404, "PROVIDER_KEY_NOT_FOUND", "provider_key_id"},
      {"PUT /agents/:id provider_key_id: another user's key", "PUT", agent_path(bobs_agent), admin,
       {{"provider_key_id", alices_key}}, 403, "PROVIDER_KEY_NOT_OWNED", "provider_key_id"},
      {"PUT /agents/:id provider_key_id: no such key", "PUT", agent_path(bobs_agent), admin,
       {{"provider_key_id", kMissing}}, 404, "PROVIDER_KEY_NOT_FOUND", "provider_key_id"},
      {"PUT /agents/:id owner_id: no such user", "PUT", agent_path(bobs_agent), admin, {{"owner_id", "user_nobody"}},
       400, "OWNER_NOT_FOUND", "owner_id"},
      {"PUT /agents/:id owner_id: a new owner not entitled to the agent's key", "PUT", agent_path(bobs_agent), admin,
       {{"owner_id", alice.id}}, 403, "PROVIDER_KEY_NOT_OWNED", "provider_key_id"},
      {"POST /projects/:id/provider provider_key_id: another user's key", "POST", "/api/v1/projects/fk/provider",
       bob.token, {{"provider_key_id", alices_key}}, 404, "NOT_FOUND", "provider_key_id"},
      {"POST /projects/:id/provider provider_key_id: no such key", "POST", "/api/v1/projects/fk/provider", bob.token,
       {{"provider_key_id", kMissing}}, 404, "NOT_FOUND", "provider_key_id"},
      {"POST /budget/requests agent_id: another user's agent", "POST", "/api/v1/budget/requests", bob.token,
       {{"agent_id", alices_agent}, {"requested_budget_usd", 5}, {"justification", "needs more budget for the month"}}, 404, "AGENT_NOT_FOUND", ""},
      {"POST /budget/requests agent_id: no such agent", "POST", "/api/v1/budget/requests", bob.token,
       {{"agent_id", kMissing}, {"requested_budget_usd", 5}, {"justification", "needs more budget for the month"}}, 404, "AGENT_NOT_FOUND", ""},
      {"POST /limits user_id: no such user", "POST", "/api/v1/limits", admin,
       {{"user_id", "user_nobody"}, {"max_tokens_per_day", 1000}}, 400, "USER_NOT_FOUND", "user_id"},
      {"POST /budget/handshake provider_key_id: a key that is not the agent's", "POST", "/api/v1/budget/handshake", "",
       {{"ic_token", bobs_ic}, {"provider", "openai"}, {"requested_budget", 1000}, {"provider_key_id", alices_key}},
       403, "PROVIDER_KEY_MISMATCH", "provider_key_id"},
      {"POST /budget/report lease_id: another agent's lease", "POST", "/api/v1/budget/report", "",
       {{"ic_token", bobs_ic}, {"lease_id", lease}, {"request_id", "r1"}, {"tokens", 1}, {"cost_microdollars", 1},
        {"model", "m"}, {"provider", "openai"}},
       404, "LEASE_NOT_FOUND", ""},
      {"POST /budget/return lease_id: another agent's lease", "POST", "/api/v1/budget/return", "",
       {{"ic_token", bobs_ic}, {"lease_id", lease}}, 404, "LEASE_NOT_FOUND", ""},
      {"POST /budget/refresh current_lease_id: another agent's lease", "POST", "/api/v1/budget/refresh", "",
       {{"ic_token", bobs_ic}, {"current_lease_id", lease}}, 404, "LEASE_NOT_FOUND", ""},
  };
  for (const auto& c : cases) expect_refused(p, c);

  // Nothing was created or changed by any refused request.
  EXPECT_TRUE(p.call("GET", "/api/v1/api-tokens", bob.token).body.empty());
  EXPECT_TRUE(p.call("GET", "/api/v1/api-tokens", p.admin.token).body.empty());
  EXPECT_TRUE(p.call("GET", agent_path(alices_agent, "/tokens"), p.admin.token).body.empty());
  EXPECT_EQ(p.call("GET", "/api/v1/agents", p.admin.token).body.size(), 3u);
  EXPECT_EQ(p.budget(alices_runner)["reserved"], 1000) << "alice's lease is untouched";
  const json bobs = p.call("GET", agent_path(bobs_agent), p.admin.token).body;
  EXPECT_EQ(bobs["owner_id"], bob.id);
  EXPECT_EQ(bobs["provider_key_id"], bobs_key);
  EXPECT_EQ(p.call("GET", "/api/v1/providers/" + std::to_string(alices_key), alice.token).body["assigned_projects"],
            json::array());
  EXPECT_TRUE(p.call("GET", "/api/v1/budget/requests", p.admin.token).body["requests"].empty());
  // The owner's own values are accepted (the checks refuse only what they should).
  EXPECT_EQ(p.call("POST", "/api/v1/api-tokens", alice.token, json{{"name", "t"}, {"agent_id", alices_agent}}).status,
            201);
}

// What each scope may do, per route class. The tokens belong to the admin, so the role
// never limits them: every 403 here is the scope's.
TEST(GovernanceOwnership, token_scope_by_route_class) {
  Panel p;
  const Account alice = p.add_user("user", "alice");
  const int64_t alices_agent = p.add_agent(alice.id, 1'000'000);
  const int64_t admins_key = p.add_key(p.admin, "openai", "sk-admin-scopes-0123456789abcdef");
  ASSERT_EQ(p.call("POST", "/api/v1/projects/scoped/provider", p.admin.token, json{{"provider_key_id", admins_key}})
                .status,
            200);

  std::map<std::string, std::string> token;  // scope → secret
  for (const std::string scope : {"read", "runtime", "user", "admin", "legacy_full"}) {
    // legacy_full cannot be asked for: it is what migration 008 gave tokens older than
    // scopes. Test setup: an admin-scoped token, re-labelled in the database.
    const std::string ask = scope == "legacy_full" ? "admin" : scope;
    auto r = p.call("POST", "/api/v1/api-tokens", p.admin.token,
                    json{{"name", scope}, {"project_id", "scoped"}, {"scope", ask}});
    ASSERT_EQ(r.status, 201) << r.raw;
    EXPECT_EQ(r.body["scope"], ask);
    token[scope] = r.body.value("token", "");
    if (scope == "legacy_full")
      p.db().write([&](iron::store::Connection& c) {
        c.prepare("UPDATE api_tokens SET scope = 'legacy_full' WHERE id = ?").bind(1, r.body.value("id", int64_t{0})).run();
        return 0;
      });
  }
  // The list shows each token's scope.
  std::map<std::string, std::string> listed;
  for (const auto& t : p.call("GET", "/api/v1/api-tokens", p.admin.token).body) listed[t["name"]] = t["scope"];
  EXPECT_EQ(listed, (std::map<std::string, std::string>{{"read", "read"}, {"runtime", "runtime"}, {"user", "user"},
                                                        {"admin", "admin"}, {"legacy_full", "legacy_full"}}));

  int n = 0;
  auto new_user = [&n] {
    return json{{"username", "scoped" + std::to_string(++n)}, {"email", "scoped" + std::to_string(n) + "@example.test"},
                {"password", "a-long-enough-password"}, {"role", "user"}};
  };
  struct RouteClass {
    std::string name, method, path;
    std::function<json()> body;  // null = no body
    int ok;                      // the status when allowed
  };
  const std::vector<RouteClass> classes = {
      {"read, user route", "GET", "/api/v1/agents", nullptr, 200},
      {"read, admin route", "GET", "/api/v1/users", nullptr, 200},
      {"mutation, user route", "POST", "/api/v1/providers",
       [] { return json{{"provider", "openai"}, {"api_key", "sk-scoped-0123456789abcdef"}}; }, 201},
      {"mutation, admin route", "POST", "/api/v1/users", new_user, 201},
      {"key fetch", "GET", "/api/v1/keys", nullptr, 200},
  };
  // scope → allowed, per route class in the order above.
  const std::map<std::string, std::vector<bool>> allowed = {
      {"read", {true, false, false, false, false}},
      {"runtime", {false, false, false, false, true}},
      {"user", {true, false, true, false, true}},
      {"admin", {true, true, true, true, true}},
      {"legacy_full", {true, true, true, true, true}},
  };
  for (const auto& [scope, row] : allowed) {
    for (size_t i = 0; i < classes.size(); ++i) {
      const auto& rc = classes[i];
      SCOPED_TRACE(scope + " × " + rc.name);
      const Reply r = p.call(rc.method, rc.path, token[scope], rc.body ? rc.body() : json(nullptr));
      if (row[i]) EXPECT_EQ(r.status, rc.ok) << r.raw;
      else expect_error(r, 403, "TOKEN_SCOPE_INSUFFICIENT");
    }
    // No scope mints tokens: that needs a session.
    EXPECT_EQ(p.call("POST", "/api/v1/api-tokens", token[scope], json{{"name", "minted"}}).status, 403) << scope;
  }

  // read is "the owner's own resources": the admin's read token does not see alice's agent,
  // the admin's admin token does.
  auto ids = [&](const std::string& bearer) {
    std::vector<int64_t> out;
    for (const auto& a : p.call("GET", "/api/v1/agents", bearer).body) out.push_back(a.value("id", int64_t{0}));
    return out;
  };
  const auto own = ids(token["read"]);
  EXPECT_EQ(std::count(own.begin(), own.end(), alices_agent), 0);
  const auto all = ids(token["admin"]);
  EXPECT_EQ(std::count(all.begin(), all.end(), alices_agent), 1);

  // An agent-bound token is the agent runtime's: it never acts as its owner.
  auto bound = p.call("POST", "/api/v1/api-tokens", alice.token, json{{"name", "rt"}, {"agent_id", alices_agent}});
  ASSERT_EQ(bound.status, 201) << bound.raw;
  EXPECT_EQ(bound.body["scope"], "runtime");
  expect_error(p.call("GET", "/api/v1/agents", bound.body["token"]), 403, "TOKEN_SCOPE_INSUFFICIENT");
  expect_error(p.call("GET", "/api/v1/me", bound.body["token"]), 403, "TOKEN_SCOPE_INSUFFICIENT");
}

TEST(GovernanceOwnership, token_scope_is_chosen_at_creation_and_fixed) {
  Panel p;
  const Account alice = p.add_user("user", "alice");
  const int64_t agent = p.add_agent(alice.id, 1'000'000);
  const std::vector<ForeignKeyCase> refused = {
      {"an unknown scope", "POST", "/api/v1/api-tokens", alice.token, {{"name", "t"}, {"scope", "root"}}, 400,
       "VALIDATION_ERROR", "scope"},
      {"legacy_full is never issued", "POST", "/api/v1/api-tokens", alice.token,
       {{"name", "t"}, {"scope", "legacy_full"}}, 400, "VALIDATION_ERROR", "scope"},
      {"admin scope for a non-admin owner", "POST", "/api/v1/api-tokens", alice.token,
       {{"name", "t"}, {"scope", "admin"}}, 403, "SCOPE_NOT_ALLOWED", "scope"},
      {"admin scope issued by an admin for a non-admin", "POST", "/api/v1/api-tokens", p.admin.token,
       {{"name", "t"}, {"user_id", alice.id}, {"scope", "admin"}}, 403, "SCOPE_NOT_ALLOWED", "scope"},
      {"an agent-bound token with more than runtime", "POST", "/api/v1/api-tokens", alice.token,
       {{"name", "t"}, {"agent_id", agent}, {"scope", "user"}}, 400, "VALIDATION_ERROR", "scope"},
      {"scope not a string", "POST", "/api/v1/api-tokens", alice.token, {{"name", "t"}, {"scope", 3}}, 400,
       "VALIDATION_ERROR", "scope"},
  };
  for (const auto& c : refused) expect_refused(p, c);
  EXPECT_TRUE(p.call("GET", "/api/v1/api-tokens", alice.token).body.empty());

  auto t = p.call("POST", "/api/v1/api-tokens", alice.token, json{{"name", "t"}, {"scope", "read"}});
  ASSERT_EQ(t.status, 201) << t.raw;
  const std::string path = "/api/v1/api-tokens/" + std::to_string(t.body.value("id", int64_t{0}));
  expect_error(p.call("PUT", path, alice.token, json{{"scope", "user"}}), 400, "VALIDATION_ERROR", "scope");
  EXPECT_EQ(p.call("GET", path, alice.token).body["scope"], "read");
}
