// Model allow-lists over real HTTP (docs/model-allow-lists.md): set on agents and API tokens,
// shown and audited; enforced at the budget handshake and the agent key fetch (the agent's
// list) and at GET /keys (the token's list); at ingestion an event for a disallowed model is
// recorded but flagged, visible and filterable in the event list and its CSV.
#include <gtest/gtest.h>

#include <algorithm>
#include <string>
#include <vector>

#include "alerts_support.h"
#include "support/panel.h"
#include "util/clock.h"

using namespace iron::test;

namespace {

class ModelAllowLists : public PanelSuite {
 protected:
  // A fresh user per test: API-token creation is limited per user.
  static Account user(const std::string& label) { return panel().add_user("user", label); }

  // An agent of `owner` using an openai key of theirs, with an IC token.
  struct Runner {
    int64_t id = 0;
    std::string ic;
  };
  static Runner runner(const Account& owner, const json& allowed_models = nullptr) {
    const int64_t key = panel().add_key(owner, "openai");
    json body = {{"name", "runner"}, {"initial_budget_microdollars", 50'000'000}, {"owner_id", owner.id},
                 {"provider_key_id", key}};
    if (!allowed_models.is_null()) body["allowed_models"] = allowed_models;
    const json agent = panel().create_agent(body);
    const int64_t id = agent.value("id", int64_t{0});
    return {id, panel().ic_token(id, owner.token)};
  }

  static Reply set_agent_list(int64_t agent_id, const json& list) {
    return panel().call("PUT", agent_path(agent_id), panel().admin.token, {{"allowed_models", list}});
  }

  static Reply handshake(const Runner& r, const std::optional<std::string>& model) {
    json body = {{"ic_token", r.ic}, {"provider", "openai"}, {"requested_budget", 1'000'000}};
    if (model) body["model"] = *model;
    return panel().call("POST", "/api/v1/budget/handshake", "", body);
  }

  static json event(const std::string& id, const std::string& model, const std::string& provider = "openai") {
    return {{"event_id", id},          {"timestamp_ms", iron::util::now_unix_ms()},
            {"event_type", "llm_request_completed"}, {"model", model},
            {"provider", provider},    {"input_tokens", 10},
            {"output_tokens", 20},     {"cost_micros", 700}};
  }

  static json audit(const std::string& action, const std::string& entity_id) {
    const Reply r = panel().call("GET", "/api/v1/audit?action=" + action + "&limit=200", panel().admin.token);
    EXPECT_EQ(r.status, 200) << r.raw;
    for (const auto& row : r.body["items"])
      if (row.value("entity_id", "") == entity_id) return row;
    return nullptr;
  }
};

// One shape, many lists: the handshake names a model (or none) against the agent's list.
struct HandshakeCase {
  const char* name;
  json list;  // null: no list
  std::optional<std::string> model;
  int status;
  const char* code;  // "" on success
};

TEST_F(ModelAllowLists, HandshakeAllowsOnlyTheListedModelsAndRefusesBeforeReserving) {
  const Account alice = user("alice");
  const Runner r = runner(alice);
  const std::vector<HandshakeCase> cases = {
      {"no list, a model", nullptr, "o1-preview", 200, ""},
      {"no list, no model (the predecessor's body)", nullptr, std::nullopt, 200, ""},
      {"exact", json::array({"gpt-4o"}), "gpt-4o", 200, ""},
      {"exact is not a prefix", json::array({"gpt-4o"}), "gpt-4o-mini", 403, "MODEL_NOT_ALLOWED"},
      {"trailing wildcard", json::array({"gpt-4o*"}), "gpt-4o-mini", 200, ""},
      {"leading wildcard", json::array({"*-mini"}), "gpt-4o-mini", 200, ""},
      {"inner wildcard", json::array({"gpt-*-mini"}), "gpt-4o-mini", 200, ""},
      {"wildcard that does not fit", json::array({"claude-*"}), "gpt-4o", 403, "MODEL_NOT_ALLOWED"},
      {"case-sensitive", json::array({"GPT-4o"}), "gpt-4o", 403, "MODEL_NOT_ALLOWED"},
      {"provider-qualified, same provider", json::array({"openai/gpt-4o*"}), "gpt-4o", 200, ""},
      {"provider-qualified, other provider", json::array({"anthropic/*"}), "gpt-4o", 403, "MODEL_NOT_ALLOWED"},
      {"a model name holding a slash", json::array({"meta-llama/llama-3*"}), "meta-llama/llama-3-70b", 200, ""},
      {"one of several", json::array({"claude-*", "o1", "gpt-4o"}), "o1", 200, ""},
      {"empty list: nothing", json::array(), "gpt-4o", 403, "MODEL_NOT_ALLOWED"},
      {"a list needs the model named", json::array({"gpt-4o"}), std::nullopt, 400, "MODEL_REQUIRED"},
      {"star alone: any named model", json::array({"*"}), "anything", 200, ""},
      {"an empty model, without a list", nullptr, "", 400, "VALIDATION_ERROR"},
      {"an empty model, with a list", json::array({"*"}), "", 400, "VALIDATION_ERROR"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    ASSERT_EQ(set_agent_list(r.id, c.list).status, 200);
    const Reply hs = handshake(r, c.model);
    if (c.status == 200) {
      ASSERT_EQ(hs.status, 200) << hs.raw;
      const Reply back = panel().call("POST", "/api/v1/budget/return", "",
                                  {{"ic_token", r.ic}, {"lease_id", hs.body["lease_id"]}});
      ASSERT_EQ(back.status, 200) << back.raw;
    } else {
      expect_error(hs, c.status, c.code, "model");
      // No lease, nothing reserved: the refusal comes before the reservation.
      const json budget = panel().budget(r.id);
      EXPECT_EQ(budget["reserved"], 0);
      EXPECT_EQ(budget["remaining"], 50'000'000);
      const Reply leases = panel().call("GET", agent_path(r.id, "/leases?status=active"), panel().admin.token);
      ASSERT_EQ(leases.status, 200) << leases.raw;
      EXPECT_EQ(leases.body["pagination"]["total"], 0) << leases.raw;
    }
  }
}

TEST_F(ModelAllowLists, AgentListIsShownAndEveryChangeAuditedWithOldAndNewList) {
  const Account bob = user("bob");
  const Runner r = runner(bob, json::array({"gpt-4o*", "gpt-4o*", "o1"}));  // the duplicate is dropped
  const Reply got = panel().call("GET", agent_path(r.id), bob.token);
  ASSERT_EQ(got.status, 200) << got.raw;
  EXPECT_EQ(got.body["allowed_models"], json::array({"gpt-4o*", "o1"}));
  const json created = audit("agent.set_allowed_models", std::to_string(r.id));
  ASSERT_FALSE(created.is_null());
  EXPECT_TRUE(created["before"]["allowed_models"].is_null()) << created;
  EXPECT_EQ(created["after"]["allowed_models"], json::array({"gpt-4o*", "o1"}));

  ASSERT_EQ(set_agent_list(r.id, json::array({"claude-*"})).status, 200);
  const json changed = audit("agent.update", std::to_string(r.id));
  ASSERT_FALSE(changed.is_null());
  EXPECT_EQ(changed["before"]["allowed_models"], json::array({"gpt-4o*", "o1"}));
  EXPECT_EQ(changed["after"]["allowed_models"], json::array({"claude-*"}));

  // A PUT without the field keeps the list; null lifts it.
  const Reply renamed = panel().call("PUT", agent_path(r.id), panel().admin.token, {{"name", "renamed"}});
  ASSERT_EQ(renamed.status, 200) << renamed.raw;
  EXPECT_EQ(renamed.body["allowed_models"], json::array({"claude-*"}));
  const Reply lifted = set_agent_list(r.id, nullptr);
  ASSERT_EQ(lifted.status, 200) << lifted.raw;
  EXPECT_TRUE(lifted.body["allowed_models"].is_null());
  // The list (GET /agents) carries it too.
  const Reply list = panel().call("GET", "/api/v1/agents", bob.token);
  ASSERT_EQ(list.status, 200) << list.raw;
  ASSERT_EQ(list.body.size(), 1u);
  EXPECT_TRUE(list.body[0].contains("allowed_models"));
}

// Spend is never lost: a disallowed model's events are stored and counted, only flagged.
TEST_F(ModelAllowLists, IngestionRecordsDisallowedModelsFlaggedAndFilterable) {
  const Account carol = user("carol");
  const Runner r = runner(carol, json::array({"gpt-4o*"}));
  EXPECT_EQ(panel().call("POST", "/api/v1/analytics/events", r.ic, event("one-ok", "gpt-4o-mini")).status, 202);
  EXPECT_EQ(panel().call("POST", "/api/v1/analytics/events", r.ic, event("one-bad", "claude-3")).status, 202);
  const Reply batch = panel().call("POST", "/api/v1/analytics/events/batch", r.ic,
                               {{"events", {event("b-ok", "gpt-4o"), event("b-bad", "o1"), event("b-bad2", "o1")}}});
  ASSERT_EQ(batch.status, 200) << batch.raw;
  EXPECT_EQ(batch.body["accepted"], 3);

  const std::string base = "/api/v1/analytics/events/list?period=today&per_page=50&agent_id=" + std::to_string(r.id);
  const Reply all = panel().call("GET", base, carol.token);
  ASSERT_EQ(all.status, 200) << all.raw;
  EXPECT_EQ(all.body["pagination"]["total"], 5);
  std::map<std::string, bool> flag;
  for (const auto& e : all.body["data"]) flag[e["event_id"]] = e["model_allowed"];
  EXPECT_EQ(flag, (std::map<std::string, bool>{
                      {"one-ok", true}, {"one-bad", false}, {"b-ok", true}, {"b-bad", false}, {"b-bad2", false}}));

  const Reply flagged = panel().call("GET", base + "&model_allowed=false", carol.token);
  ASSERT_EQ(flagged.status, 200) << flagged.raw;
  EXPECT_EQ(flagged.body["pagination"]["total"], 3);
  EXPECT_EQ(flagged.body["filters"]["model_allowed"], false);
  for (const auto& e : flagged.body["data"]) EXPECT_EQ(e["model_allowed"], false) << e;
  const Reply allowed = panel().call("GET", base + "&model_allowed=true", carol.token);
  ASSERT_EQ(allowed.status, 200) << allowed.raw;
  EXPECT_EQ(allowed.body["pagination"]["total"], 2);

  // The keyset log filters the same way.
  const Reply log = panel().call("GET", "/api/v1/analytics/events?period=today&model_allowed=false&agent_id=" +
                                        std::to_string(r.id), carol.token);
  ASSERT_EQ(log.status, 200) << log.raw;
  EXPECT_EQ(log.body["items"].size(), 3u);

  // The CSV has the column.
  const Reply csv = panel().call("GET", base + "&format=csv&model_allowed=false", carol.token);
  ASSERT_EQ(csv.status, 200) << csv.raw;
  const std::string header = csv.raw.substr(0, csv.raw.find('\n'));
  EXPECT_NE(header.find("model_allowed"), std::string::npos) << header;
  EXPECT_NE(csv.raw.find(",false"), std::string::npos) << csv.raw;

  // Counted in the spend like any event: 5 × 700 µ$.
  const Reply spend = panel().call("GET", "/api/v1/analytics/spending/total?period=today&agent_id=" + std::to_string(r.id),
                               carol.token);
  ASSERT_EQ(spend.status, 200) << spend.raw;
  EXPECT_EQ(spend.body.value("total_spend_microdollars", int64_t{-1}), 3'500) << spend.raw;

  expect_error(panel().call("GET", base + "&model_allowed=maybe", carol.token), 400, "VALIDATION_ERROR", "model_allowed");
}

TEST_F(ModelAllowLists, AgentKeyFetchAppliesTheAgentsListLikeTheHandshake) {
  const Account dave = user("dave");
  const Runner r = runner(dave, json::array({"gpt-4o*"}));
  const auto fetch = [&](const json& extra) {
    json body = {{"ic_token", r.ic}};
    body.update(extra);
    return panel().call("POST", "/api/v1/agents/provider-key", "", body);
  };
  expect_error(fetch(json::object()), 400, "MODEL_REQUIRED", "model");
  expect_error(fetch({{"model", "claude-3"}}), 403, "MODEL_NOT_ALLOWED", "model");
  EXPECT_EQ(fetch({{"model", "gpt-4o"}}).status, 200);
}

TEST_F(ModelAllowLists, TokenListIsSetShownAuditedAndEnforcedAtTheKeyFetch) {
  const Account erin = user("erin");
  const int64_t key = panel().add_key(erin, "openai");
  ASSERT_EQ(panel().call("POST", "/api/v1/projects/proj-a/provider", erin.token, json{{"provider_key_id", key}}).status, 200);
  const Reply created = panel().call("POST", "/api/v1/api-tokens", erin.token,
                                 {{"name", "runtime"}, {"project_id", "proj-a"}, {"scope", "runtime"},
                                  {"allowed_models", json::array({"openai/gpt-4o*"})}});
  ASSERT_EQ(created.status, 201) << created.raw;
  EXPECT_EQ(created.body["allowed_models"], json::array({"openai/gpt-4o*"}));
  const std::string secret = created.body["token"];
  const std::string id = std::to_string(created.body["id"].get<int64_t>());
  const Reply shown = panel().call("GET", "/api/v1/api-tokens/" + id, erin.token);
  EXPECT_EQ(shown.body["allowed_models"], json::array({"openai/gpt-4o*"}));

  expect_error(panel().call("GET", "/api/v1/keys", secret), 400, "MODEL_REQUIRED", "model");
  expect_error(panel().call("GET", "/api/v1/keys?model=o1", secret), 403, "MODEL_NOT_ALLOWED", "model");
  const Reply ok = panel().call("GET", "/api/v1/keys?model=gpt-4o-mini", secret);
  ASSERT_EQ(ok.status, 200) << ok.raw;

  // A token must not lift its own restriction; the owner's session may, audited.
  const Reply by_token = panel().call("PUT", "/api/v1/api-tokens/" + id, secret, {{"allowed_models", nullptr}});
  EXPECT_TRUE(by_token.status == 403) << by_token.raw;
  const Reply lifted = panel().call("PUT", "/api/v1/api-tokens/" + id, erin.token, {{"allowed_models", nullptr}});
  ASSERT_EQ(lifted.status, 200) << lifted.raw;
  EXPECT_TRUE(lifted.body["allowed_models"].is_null());
  const json row = audit("api_token.update", id);
  ASSERT_FALSE(row.is_null());
  EXPECT_EQ(row["before"]["allowed_models"], json::array({"openai/gpt-4o*"}));
  EXPECT_TRUE(row["after"]["allowed_models"].is_null());
  EXPECT_EQ(panel().call("GET", "/api/v1/keys", secret).status, 200);  // unrestricted: no model needed

  // Rotation keeps the list.
  ASSERT_EQ(panel().call("PUT", "/api/v1/api-tokens/" + id, erin.token, {{"allowed_models", json::array()}}).status, 200);
  const Reply rotated = panel().call("POST", "/api/v1/api-tokens/" + id + "/rotate", erin.token, json::object());
  ASSERT_EQ(rotated.status, 200) << rotated.raw;
  EXPECT_EQ(rotated.body["allowed_models"], json::array());
}

// Bad lists are refused with the envelope naming the field, on all four bodies.
TEST_F(ModelAllowLists, BadListsAreRefusedOnEveryBody) {
  const Account frank = user("frank");
  const Runner r = runner(frank);
  const Reply tok = panel().call("POST", "/api/v1/api-tokens", frank.token, {{"name", "t"}});
  ASSERT_EQ(tok.status, 201) << tok.raw;
  const std::string token_path = "/api/v1/api-tokens/" + std::to_string(tok.body["id"].get<int64_t>());
  json too_many = json::array();
  for (int i = 0; i < 101; ++i) too_many.push_back("m" + std::to_string(i));
  const std::vector<std::pair<const char*, json>> bad = {
      {"a string", "gpt-4o"},
      {"an object", json::object({{"a", 1}})},
      {"a number entry", json::array({1})},
      {"a null entry", json::array({nullptr})},
      {"an empty entry", json::array({""})},
      {"a leading space", json::array({" gpt-4o"})},
      {"a trailing space", json::array({"gpt-4o "})},
      {"a control character", json::array({std::string("gpt\x01-4o")})},
      {"a tab", json::array({"gpt\t4o"})},
      {"an entry of 201 characters", json::array({std::string(201, 'm')})},
      {"101 entries", too_many},
  };
  for (const auto& [name, list] : bad) {
    SCOPED_TRACE(name);
    expect_error(panel().call("POST", "/api/v1/agents", panel().admin.token,
                          {{"name", "x"}, {"initial_budget_microdollars", 1}, {"allowed_models", list}}),
                 400, "VALIDATION_ERROR", "allowed_models");
    expect_error(set_agent_list(r.id, list), 400, "VALIDATION_ERROR", "allowed_models");
    expect_error(panel().call("POST", "/api/v1/api-tokens", frank.token, {{"name", "t2"}, {"allowed_models", list}}), 400,
                 "VALIDATION_ERROR", "allowed_models");
    expect_error(panel().call("PUT", token_path, frank.token, {{"allowed_models", list}}), 400, "VALIDATION_ERROR",
                 "allowed_models");
  }
  // Nothing changed on the way.
  EXPECT_TRUE(panel().call("GET", agent_path(r.id), panel().admin.token).body["allowed_models"].is_null());
  EXPECT_TRUE(panel().call("GET", token_path, frank.token).body["allowed_models"].is_null());
  // The longest entry and the most entries are accepted.
  json most = too_many;
  most.erase(most.begin());
  EXPECT_EQ(set_agent_list(r.id, most).status, 200);
  EXPECT_EQ(set_agent_list(r.id, json::array({std::string(200, 'm')})).status, 200);
}

// The alert through the outbox, once per agent, model and day: two flagged events of one model
// (one single, one in a batch) and one of another model make two alerts; allowed events none.
TEST(ModelAllowListAlerts, FlaggedEventsRaiseOneAlertPerModelAndDay) {
  alerts_test::Receiver receiver;
  alerts_test::AlertPanel p(alerts_test::loopback_env());
  const json ch = p.add_channel(receiver.url());
  p.add_rule({"usage.model_not_allowed"}, ch["id"]);
  const json created = p.create_agent(
      {{"name", "listed"}, {"initial_budget_microdollars", 1'000'000}, {"allowed_models", json::array({"gpt-4o*"})}});
  const int64_t agent = created.value("id", int64_t{0});
  const std::string ic = p.ic_token(agent);
  const auto event = [](const std::string& id, const std::string& model) {
    return json{{"event_id", id},          {"timestamp_ms", iron::util::now_unix_ms()},
                {"event_type", "llm_request_completed"}, {"model", model},
                {"provider", "openai"},    {"input_tokens", 5},
                {"output_tokens", 5},      {"cost_micros", 10}};
  };
  EXPECT_EQ(p.call("POST", "/api/v1/analytics/events", ic, event("a", "gpt-4o")).status, 202);
  EXPECT_EQ(p.call("POST", "/api/v1/analytics/events", ic, event("b", "o1")).status, 202);
  const Reply batch = p.call("POST", "/api/v1/analytics/events/batch", ic,
                             {{"events", {event("c", "o1"), event("d", "claude-3"), event("e", "gpt-4o-mini")}}});
  ASSERT_EQ(batch.status, 200) << batch.raw;

  const auto got = receiver.wait_for(2);
  ASSERT_EQ(got.size(), 2u);
  std::vector<std::string> models;
  for (const auto& r : got) {
    const json payload = json::parse(r.body);
    EXPECT_EQ(payload["type"], "usage.model_not_allowed");
    EXPECT_EQ(payload["data"]["agent_id"], agent);
    models.push_back(payload["data"]["model"]);
  }
  std::sort(models.begin(), models.end());
  EXPECT_EQ(models, (std::vector<std::string>{"claude-3", "o1"}));
  // Nothing more is pending or sent: the second o1 event was the same edge.
  ASSERT_EQ(p.wait_for_deliveries(ch["id"], 2).size(), 2u);
  EXPECT_EQ(p.call("GET", "/api/v1/alert-channels/" + std::to_string(ch["id"].get<int64_t>()), p.admin.token)
                .body["pending_deliveries"],
            0);
}

}  // namespace
