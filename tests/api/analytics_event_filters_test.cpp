// The event log's model and type filters (GET /analytics/events, /events/list and its CSV):
// each narrows, they combine with agent_id, a non-admin still sees only their own agents' events,
// and an unknown type is 400 VALIDATION_ERROR.
#include "analytics_support.h"

#include <algorithm>
#include <set>

namespace analytics_test {
namespace {

struct Fixture {
  std::string alice, bob;
  int64_t alice_a = 0, alice_b = 0, bob_a = 0;
};

// alice: agent A (gpt-4o ok, gpt-4o failed, claude ok), agent B (gpt-4o ok); bob: gpt-4o ok, gpt-4o failed.
Fixture seed_models(Panel& p) {
  Fixture f;
  f.alice = p.add_user("user", "alice");
  f.bob = p.add_user("viewer", "bob");
  const std::string alice_id = p.user_id_of(f.alice), bob_id = p.user_id_of(f.bob);
  f.alice_a = p.add_agent(alice_id, 1'000'000);
  f.alice_b = p.gov::Panel::add_agent(alice_id, 1'000'000, "alice-second");
  f.bob_a = p.add_agent(bob_id, 1'000'000);
  const int64_t t = now_ms();
  p.add_event_at(f.alice_a, alice_id, "a1", 10, t - 5, "openai", "gpt-4o", "llm_request_completed");
  p.add_event_at(f.alice_a, alice_id, "a2", 0, t - 4, "openai", "gpt-4o", "llm_request_failed");
  p.add_event_at(f.alice_a, alice_id, "a3", 20, t - 3, "anthropic", "claude-3", "llm_request_completed");
  p.add_event_at(f.alice_b, alice_id, "b1", 30, t - 2, "openai", "gpt-4o", "llm_request_completed");
  p.add_event_at(f.bob_a, bob_id, "c1", 40, t - 1, "openai", "gpt-4o", "llm_request_completed");
  p.add_event_at(f.bob_a, bob_id, "c2", 0, t, "openai", "gpt-4o", "llm_request_failed");
  return f;
}

std::set<std::string> ids_of(const json& rows) {
  std::set<std::string> out;
  for (const auto& e : rows) out.insert(e["event_id"].get<std::string>());
  return out;
}

TEST(AnalyticsEventFilters, EachFilterNarrowsOnEveryEventRead) {
  Panel p;
  const auto f = seed_models(p);
  const std::string A = std::to_string(f.alice_a);
  struct Case {
    std::string name, bearer, query;
    std::set<std::string> want;
  };
  const std::vector<Case> cases = {
      {"admin, no filter", p.admin_token, "", {"a1", "a2", "a3", "b1", "c1", "c2"}},
      {"admin, model", p.admin_token, "model=claude-3", {"a3"}},
      {"admin, type failed", p.admin_token, "type=llm_request_failed", {"a2", "c2"}},
      {"admin, type completed", p.admin_token, "type=llm_request_completed", {"a1", "a3", "b1", "c1"}},
      {"admin, model + type", p.admin_token, "model=gpt-4o&type=llm_request_completed", {"a1", "b1", "c1"}},
      {"admin, model + agent", p.admin_token, "model=gpt-4o&agent_id=" + A, {"a1", "a2"}},
      {"admin, type + agent", p.admin_token, "type=llm_request_failed&agent_id=" + A, {"a2"}},
      {"admin, all three", p.admin_token, "model=gpt-4o&type=llm_request_completed&agent_id=" + A, {"a1"}},
      {"admin, unknown model", p.admin_token, "model=nope", {}},
      {"alice, type failed (own only)", f.alice, "type=llm_request_failed", {"a2"}},
      {"alice, model gpt-4o (own only)", f.alice, "model=gpt-4o", {"a1", "a2", "b1"}},
      {"bob, model + type (own only)", f.bob, "model=gpt-4o&type=llm_request_completed", {"c1"}},
      {"bob, model of alice's only", f.bob, "model=claude-3", {}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string qs = c.query.empty() ? "" : "&" + c.query;
    auto page = p.get("/events?limit=200" + qs, c.bearer);
    ASSERT_EQ(page.status, 200) << page.raw;
    EXPECT_EQ(ids_of(page.body["items"]), c.want);
    auto list = p.get("/events/list?per_page=200" + qs, c.bearer);
    ASSERT_EQ(list.status, 200) << list.raw;
    EXPECT_EQ(ids_of(list.body["data"]), c.want);
    EXPECT_EQ(list.body["pagination"]["total"], static_cast<int64_t>(c.want.size()));
    auto csv = p.get("/events/list?format=csv" + qs, c.bearer);
    ASSERT_EQ(csv.status, 200);
    const auto lines = std::count(csv.raw.begin(), csv.raw.end(), '\n');
    EXPECT_EQ(lines, static_cast<int64_t>(c.want.size()) + 1) << csv.raw;  // header + rows
    for (const auto& id : c.want) EXPECT_NE(csv.raw.find("," + id + ","), std::string::npos) << id;
  }
}

TEST(AnalyticsEventFilters, FiltersHoldAcrossKeysetPages) {
  Panel p;
  seed_models(p);
  std::set<std::string> seen;
  std::string cursor;
  for (int i = 0; i < 10; ++i) {
    auto r = p.get("/events?limit=1&model=gpt-4o&type=llm_request_completed" + (cursor.empty() ? "" : "&cursor=" + cursor),
                   p.admin_token);
    ASSERT_EQ(r.status, 200) << r.raw;
    for (const auto& e : r.body["items"]) {
      EXPECT_EQ(e["model"], "gpt-4o");
      EXPECT_EQ(e["event_type"], "llm_request_completed");
      seen.insert(e["event_id"].get<std::string>());
    }
    if (r.body["next_cursor"].is_null()) break;
    cursor = r.body["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(seen, (std::set<std::string>{"a1", "b1", "c1"}));
}

// The event list reads each column of the row and its agent's name (joined) back as written.
TEST(AnalyticsEventFilters, AnEventIsReadBackWithItsAgentsName) {
  Panel p;
  const auto f = seed_models(p);
  auto list = p.get("/events/list?agent_id=" + std::to_string(f.alice_b), p.admin_token);
  ASSERT_EQ(list.status, 200) << list.raw;
  ASSERT_EQ(list.body["data"].size(), 1u) << list.raw;
  const json& e = list.body["data"][0];
  EXPECT_EQ(e["event_id"], "b1");
  EXPECT_EQ(e["agent_id"], f.alice_b);
  EXPECT_EQ(e["agent_name"], "alice-second");
  EXPECT_EQ(e["event_type"], "llm_request_completed");
  EXPECT_EQ(e["provider"], "openai");
  EXPECT_EQ(e["model"], "gpt-4o");
  EXPECT_EQ(e["input_tokens"], 10);
  EXPECT_EQ(e["output_tokens"], 5);
  EXPECT_EQ(e["cost_micros"], 30);
  EXPECT_EQ(e["model_allowed"], true);
  EXPECT_TRUE(e["error_message"].is_null()) << e;
}

TEST(AnalyticsEventFilters, EchoesFiltersAndRefusesUnknownType) {
  Panel p;
  seed_models(p);
  auto ok = p.get("/events?model=gpt-4o&type=llm_request_failed", p.admin_token);
  ASSERT_EQ(ok.status, 200);
  EXPECT_EQ(ok.body["filters"]["model"], "gpt-4o");
  EXPECT_EQ(ok.body["filters"]["type"], "llm_request_failed");
  for (const std::string route : {"/events", "/events/list", "/events/list?format=csv&x=1"}) {
    SCOPED_TRACE(route);
    const char sep = route.find('?') == std::string::npos ? '?' : '&';
    expect_error(p.get(route + sep + "type=completed", p.admin_token), 400, "VALIDATION_ERROR");
    expect_error(p.get(route + sep + "type=", p.admin_token), 400, "VALIDATION_ERROR");
  }
}

}  // namespace
}  // namespace analytics_test
