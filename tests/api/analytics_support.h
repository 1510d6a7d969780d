#pragma once
// The analytics API tests' fixture: the governance Panel plus analytics GETs, token-only users,
// and one documented fixture: events ingested through the domain (add_event_at), because the
// tests need events at chosen past times, owners and costs that the runtime's POST
// /analytics/events would stamp or refuse. Every read under test goes over HTTP.
#include <gtest/gtest.h>

#include "governance_support.h"

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/analytics.h"
#include "util/clock.h"

namespace analytics_test {

using nlohmann::json;

inline const std::string kBase = "/api/v1/analytics";
inline const std::vector<std::string> kReadRoutes = {
    "/events/list",          "/spending/total", "/spending/by-agent", "/spending/by-provider",
    "/spending/avg-per-request", "/budget/status", "/usage/requests", "/usage/tokens/by-agent",
    "/usage/models",         "/spending/timeseries", "/overview", "/events"};

inline int64_t now_ms() { return iron::util::to_unix_ms(iron::util::now()); }

using gov::expect_error;
using gov::Reply;

class Panel : public gov::Panel {
 public:
  Panel() : admin_token(admin.token) {}

  Reply get(const std::string& route, const std::string& bearer) { return call("GET", kBase + route, bearer); }
  std::string add_user(const std::string& role, const std::string& label) { return gov::Panel::add_user(role, label).token; }
  std::string user_id_of(const std::string& token) { return call("GET", "/api/v1/me", token).body.value("id", ""); }
  int64_t add_agent(const std::string& owner_id, int64_t allocated) {
    return iron::test::Panel::add_agent(owner_id, allocated, "agent-of-" + owner_id.substr(0, 12));
  }
  void add_event(int64_t agent_id, const std::string& owner_id, const std::string& id, int64_t cost,
                 const std::string& type = "llm_request_completed") {
    add_event_at(agent_id, owner_id, id, cost, now_ms(), "openai", "gpt-4o", type);
  }
  void add_event_at(int64_t agent_id, const std::string& owner_id, const std::string& id, int64_t cost, int64_t at_ms,
                    const std::string& provider = "openai", const std::string& model = "gpt-4o",
                    const std::string& type = "llm_request_completed", const std::string& error_message = "") {
    iron::domain::AnalyticsEvent e;
    e.event_id = id;
    e.timestamp_ms = at_ms;
    e.event_type = type;
    e.model = model;
    e.provider = provider;
    if (!error_message.empty()) e.error_message = error_message;
    e.input_tokens = 10;
    e.output_tokens = 5;
    e.cost_micros = cost;
    iron::domain::Analytics analytics(db());
    auto r = analytics.ingest({agent_id, owner_id}, e, iron::domain::RequestContext::system());
    EXPECT_TRUE(r.ok());
  }

  const std::string admin_token;
};

inline constexpr int64_t kDay = 86'400'000;

// An event at a chosen past time, for the tests that compare the rollups with the events.
struct PastEvent {
  int64_t agent;
  int64_t at;
  std::string provider, model;
  int64_t cost;
};
// Ingests `events` in order (event ids m0, m1, …), each as its agent's owner, `owner_of(agent)`.
inline void add_events(Panel& p, const std::vector<PastEvent>& events,
                       const std::function<std::string(int64_t agent)>& owner_of) {
  int n = 0;
  for (const auto& e : events)
    p.add_event_at(e.agent, owner_of(e.agent), "m" + std::to_string(n++), e.cost, e.at, e.provider, e.model);
}

// Two users with one agent each and known spend: alice 1500 + a failed request, bob 70000.
struct Seeded {
  std::string alice, bob;
  int64_t alice_agent = 0, bob_agent = 0;
};
inline Seeded seed(Panel& p) {
  Seeded s;
  s.alice = p.add_user("user", "alice");
  s.bob = p.add_user("viewer", "bob");
  const std::string alice_id = p.user_id_of(s.alice), bob_id = p.user_id_of(s.bob);
  s.alice_agent = p.add_agent(alice_id, 10'000);
  s.bob_agent = p.add_agent(bob_id, 1'000'000);
  p.add_event(s.alice_agent, alice_id, "a1", 1000);
  p.add_event(s.alice_agent, alice_id, "a2", 500);
  p.add_event(s.alice_agent, alice_id, "a3", 0, "llm_request_failed");
  p.add_event(s.bob_agent, bob_id, "b1", 70'000);
  return s;
}

inline json event_json(const std::string& id, int64_t cost) {
  return {{"event_id", id}, {"timestamp_ms", now_ms()}, {"event_type", "llm_request_completed"}, {"model", "gpt-4o"},
          {"provider", "openai"}, {"input_tokens", 3}, {"output_tokens", 4}, {"cost_micros", cost}};
}

}  // namespace analytics_test
