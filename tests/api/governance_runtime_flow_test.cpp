// An agent runtime's whole life against the real binary: provider key → agent → IC token →
// handshake → analytics events + usage reports (one replayed) → return; afterwards the
// budget and the analytics reflect exactly the reported spend. Also: usage limits refuse a
// handshake once the owner's counters are exhausted, naming the limit; an agent of a suspended
// or deleted owner is refused.
#include <chrono>
#include <thread>

#include "governance_support.h"

using gov::json;
using gov::Reply;

namespace {

int64_t now_ms() { return iron::util::to_unix_ms(iron::util::now()); }

// An admin's agent with an OpenAI key and 5 $ of budget, and its IC token.
struct RuntimeAgent {
  int64_t id = 0;
  std::string ic;
};
RuntimeAgent runtime_agent(gov::Panel& panel, const std::string& name) {
  const int64_t key_id = panel.add_key(panel.admin);
  const json agent =
      panel.create_agent({{"name", name}, {"provider_key_id", key_id}, {"initial_budget_microdollars", 5'000'000}});
  RuntimeAgent out;
  out.id = agent.value("id", int64_t{0});
  out.ic = panel.ic_token(out.id);
  return out;
}

// A usage limit on the admin's own usage with the given maximum, e.g. {"max_tokens_per_day", 200}.
Reply add_admin_limit(gov::Panel& panel, json maximum) {
  maximum["user_id"] = panel.admin.id;
  return panel.call("POST", "/api/v1/limits", panel.admin.token, maximum);
}

Reply handshake(gov::Panel& panel, const std::string& ic, int64_t requested = 100'000) {
  return panel.call("POST", "/api/v1/budget/handshake", ic, json{{"provider", "openai"}, {"requested_budget", requested}});
}

// A usage report of one gpt-4o request on `lease`.
Reply report(gov::Panel& panel, const std::string& ic, const std::string& lease, const std::string& request_id,
             int64_t tokens, int64_t cost) {
  return panel.call("POST", "/api/v1/budget/report", ic,
                    json{{"lease_id", lease}, {"request_id", request_id}, {"tokens", tokens},
                         {"cost_microdollars", cost}, {"model", "gpt-4o"}, {"provider", "openai"}});
}

json event(const std::string& id, int64_t cost) {
  return {{"event_id", id}, {"timestamp_ms", now_ms()}, {"event_type", "llm_request_completed"}, {"model", "gpt-4o"},
          {"provider", "openai"}, {"input_tokens", 100}, {"output_tokens", 50}, {"cost_micros", cost}};
}

}  // namespace

TEST(GovernanceRuntimeFlow, AnalyticsAndBudgetReflectExactlyTheReportedSpend) {
  gov::Panel panel;
  const auto [agent_id, ic] = runtime_agent(panel, "flow-agent");

  auto hs = panel.call("POST", "/api/v1/budget/handshake", "",
                       json{{"ic_token", ic}, {"provider", "openai"}, {"requested_budget", 1'000'000}});
  ASSERT_EQ(hs.status, 200) << hs.raw;
  EXPECT_TRUE(hs.body.value("ip_token", "").starts_with("AES256:"));
  const std::string ip = hs.body.value("ip_token", "");
  EXPECT_EQ(std::count(ip.begin(), ip.end(), ':'), 3) << "AES256:iv:ct:tag";
  EXPECT_EQ(hs.body["budget_granted"], 1'000'000);
  const std::string lease = hs.body["lease_id"];
  EXPECT_EQ(panel.budget(agent_id)["reserved"], 1'000'000);

  const std::vector<std::pair<std::string, int64_t>> calls = {{"req-1", 100'000}, {"req-2", 200'000}, {"req-3", 50'000}};
  for (const auto& [id, cost] : calls) {
    auto ev = panel.call("POST", "/api/v1/analytics/events", "", [&] {
      json e = event(id, cost);
      e["ic_token"] = ic;
      return e;
    }());
    EXPECT_EQ(ev.status, 202) << ev.raw;
    auto rep = report(panel, ic, lease, id, 150, cost);
    EXPECT_EQ(rep.status, 200) << rep.raw;
    panel.budget(agent_id);  // invariant after every operation
  }
  // A retried report and a retried event change nothing.
  auto replay = report(panel, ic, lease, "req-1", 150, 100'000);
  EXPECT_EQ(replay.status, 200);
  EXPECT_EQ(replay.body["replayed"], true);
  auto dup = panel.call("POST", "/api/v1/analytics/events", ic, event("req-1", 100'000));
  EXPECT_EQ(dup.status, 200);
  EXPECT_EQ(dup.body["status"], "duplicate");

  // The client claims it spent more; the server releases granted − reported spend.
  auto ret = panel.call("POST", "/api/v1/budget/return", "", json{{"ic_token", ic}, {"lease_id", lease}, {"spent_microdollars", 900'000}});
  ASSERT_EQ(ret.status, 200) << ret.raw;
  EXPECT_EQ(ret.body["returned"], 1'000'000 - 350'000);

  const json b = panel.budget(agent_id);
  EXPECT_EQ(b["spent"], 350'000);
  EXPECT_EQ(b["reserved"], 0);
  EXPECT_EQ(b["remaining"], 5'000'000 - 350'000);

  auto total = panel.call("GET", "/api/v1/analytics/spending/total?period=today", panel.admin.token);
  ASSERT_EQ(total.status, 200) << total.raw;
  EXPECT_NE(total.raw.find("\"total_spend_microdollars\":350000"), std::string::npos) << total.raw;
}

TEST(GovernanceRuntimeFlow, UsageLimitsAreEnforcedAtHandshakeNamingTheLimit) {
  gov::Panel panel;
  const auto [agent_id, ic] = runtime_agent(panel, "limited");
  auto lim = add_admin_limit(panel, {{"max_tokens_per_day", 200}});
  ASSERT_EQ(lim.status, 201) << lim.raw;

  auto hs = handshake(panel, ic);
  ASSERT_EQ(hs.status, 200) << hs.raw;
  const std::string lease = hs.body["lease_id"];
  // 250 tokens reported: the daily token limit (200) is now exhausted.
  auto rep = report(panel, ic, lease, "big", 250, 10);
  ASSERT_EQ(rep.status, 200) << rep.raw;
  const json before = panel.budget(agent_id);

  auto refused = handshake(panel, ic);
  gov::expect_error(refused, 429, "LIMIT_EXCEEDED");
  EXPECT_EQ(refused.body["error"]["details"]["limit"], "max_tokens_per_day") << refused.raw;
  EXPECT_EQ(panel.budget(agent_id), before) << "a refused handshake reserves nothing";

  auto refresh = panel.call("POST", "/api/v1/budget/refresh", ic, json{{"current_lease_id", lease}});
  gov::expect_error(refresh, 429, "LIMIT_EXCEEDED");
}

// An agent acts for its owner: while the owner is suspended or once deleted, the agent's IC
// token is refused (the same answer as a wrong token); an activated owner's agent works again.
TEST(GovernanceRuntimeFlow, AnAgentOfASuspendedOrDeletedOwnerIsRefused) {
  gov::Panel panel;
  struct Case {
    std::string label;
    std::function<void(const std::string& user_path)> lock_out;
    std::function<void(const std::string& user_path)> let_back;  // none: for good
  };
  const std::vector<Case> cases = {
      {"suspended",
       [&](const std::string& u) { ASSERT_EQ(panel.call("PUT", u + "/suspend", panel.admin.token, json{{"reason", "t"}}).status, 200); },
       [&](const std::string& u) { ASSERT_EQ(panel.call("PUT", u + "/activate", panel.admin.token).status, 200); }},
      {"deleted", [&](const std::string& u) { ASSERT_EQ(panel.call("DELETE", u, panel.admin.token).status, 200); }, nullptr},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.label);
    const auto owner = panel.add_user("user", c.label);
    const int64_t agent_id = panel.add_agent(owner.id);
    const std::string ic = panel.ic_token(agent_id);
    const std::string user_path = "/api/v1/users/" + owner.id;
    int n = 0;
    const auto ingest = [&] {
      json e = event(c.label + "-" + std::to_string(n++), 10);
      e["ic_token"] = ic;
      return panel.call("POST", "/api/v1/analytics/events", "", e);
    };
    ASSERT_EQ(ingest().status, 202);
    c.lock_out(user_path);
    const auto refused = ingest();
    EXPECT_EQ(refused.status, 401) << refused.raw;
    EXPECT_EQ(refused.code(), "INVALID_IC_TOKEN") << refused.raw;
    if (c.let_back) {
      c.let_back(user_path);
      EXPECT_EQ(ingest().status, 202);
    }
  }
}

// Tokens per minute (TPM) refuse the next handshake once the minute's reported tokens reach
// the maximum, with Retry-After bounded by the minute's end; /limits/usage shows the counter.
TEST(GovernanceRuntimeFlow, TokensPerMinuteAreEnforcedAtHandshake) {
  gov::Panel panel;
  const auto [agent_id, ic] = runtime_agent(panel, "tpm");
  auto lim = add_admin_limit(panel, {{"max_tokens_per_minute", 200}});
  ASSERT_EQ(lim.status, 201) << lim.raw;
  EXPECT_EQ(lim.body["max_tokens_per_minute"], 200);
  EXPECT_TRUE(lim.body["max_tokens_per_day"].is_null());

  // The counter is per UTC minute: start the scenario with at least 15 s of the minute left,
  // so report and refusal fall in the same minute (waiting on the clock, not on the server).
  const auto minute_left = [] { return 60'000 - now_ms() % 60'000; };
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (minute_left() < 15'000 && std::chrono::steady_clock::now() < deadline)
    std::this_thread::sleep_for(std::chrono::milliseconds(minute_left() + 5));
  const int64_t minute_end = now_ms() - now_ms() % 60'000 + 60'000;

  auto hs = handshake(panel, ic);
  ASSERT_EQ(hs.status, 200) << hs.raw;
  const std::string lease = hs.body["lease_id"];
  auto rep = report(panel, ic, lease, "burst", 200, 10);
  ASSERT_EQ(rep.status, 200) << rep.raw;
  auto usage = panel.call("GET", "/api/v1/limits/usage", panel.admin.token);
  ASSERT_EQ(usage.status, 200) << usage.raw;
  EXPECT_EQ(usage.body["tokens_this_minute"], 200);
  EXPECT_EQ(usage.body["limits"][0]["tokens_this_minute"], 200);

  auto refused = handshake(panel, ic);
  gov::expect_error(refused, 429, "LIMIT_EXCEEDED");
  EXPECT_EQ(refused.body["error"]["details"]["limit"], "max_tokens_per_minute") << refused.raw;
  EXPECT_EQ(refused.body["error"]["details"]["current"], 200);
  EXPECT_EQ(refused.body["error"]["details"]["period_resets_at"],
            iron::util::to_rfc3339(iron::util::from_unix_ms(minute_end)));
  const int retry = std::stoi(refused.headers.count("Retry-After") ? refused.headers.find("Retry-After")->second : "0");
  EXPECT_GE(retry, 1);
  EXPECT_LE(retry, 60);

  // Clearing TPM lifts the refusal at once.
  auto cleared = panel.call("PUT", "/api/v1/limits/" + std::to_string(lim.body["id"].get<int64_t>()),
                            panel.admin.token, json{{"max_tokens_per_minute", nullptr}, {"max_requests_per_minute", 1000}});
  ASSERT_EQ(cleared.status, 200) << cleared.raw;
  EXPECT_TRUE(cleared.body["max_tokens_per_minute"].is_null());
  EXPECT_EQ(handshake(panel, ic, 1000).status, 200);
}
