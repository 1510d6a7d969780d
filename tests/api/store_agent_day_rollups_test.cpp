// Per-agent analytics reads answer from the per-(day, agent) rollups (migration 013), kept by
// triggers on the per-agent, per-model rollups. They must always equal what the events say:
// the by-agent spend (whole period, a recent period, and with a provider filter, which still
// reads the per-model rows), an agent's totals and min / max per request, an owner's totals
// and the agent list's 7-day burn rate, after ingestion (new rows and upserts) and after an
// agent is deleted (its rollups cascade away).
#include <gtest/gtest.h>

#include <map>

#include "analytics_support.h"

using analytics_test::json;

namespace {

using analytics_test::kDay;
using Ev = analytics_test::PastEvent;

struct Sums {
  int64_t requests = 0, cost = 0, lo = INT64_MAX, hi = 0;
  void add(const Ev& e) {
    ++requests;
    cost += e.cost;
    lo = std::min(lo, e.cost);
    hi = std::max(hi, e.cost);
  }
};

void expect_reads_match(analytics_test::Panel& p, const std::vector<Ev>& events, int64_t since_ms,
                        const std::string& owner_token, int64_t owner_agent, const std::string& when) {
  struct Read {
    std::string query;
    std::function<bool(const Ev&)> counts;
  };
  const std::vector<Read> reads = {
      {"period=all-time", [](const Ev&) { return true; }},
      {"period=last7-days", [&](const Ev& e) { return e.at >= since_ms; }},
      {"period=all-time&provider=anthropic", [](const Ev& e) { return e.provider == "anthropic"; }},
  };
  for (const auto& r : reads) {
    std::map<int64_t, Sums> want;
    for (const auto& e : events)
      if (r.counts(e)) want[e.agent].add(e);
    const auto got = p.get("/spending/by-agent?per_page=100&" + r.query, p.admin_token);
    ASSERT_EQ(got.status, 200) << got.raw;
    ASSERT_EQ(got.body["data"].size(), want.size()) << when << r.query << got.raw;
    for (const auto& row : got.body["data"]) {
      const auto& w = want[row["agent_id"].get<int64_t>()];
      EXPECT_EQ(row["spending_microdollars"], w.cost) << when << r.query << row.dump();
      EXPECT_EQ(row["request_count"], w.requests) << when << r.query << row.dump();
    }
  }
  std::map<int64_t, Sums> per_agent;
  for (const auto& e : events) per_agent[e.agent].add(e);
  for (const auto& [agent, w] : per_agent) {
    const auto avg = p.get("/spending/avg-per-request?period=all-time&agent_id=" + std::to_string(agent), p.admin_token);
    ASSERT_EQ(avg.status, 200) << avg.raw;
    EXPECT_EQ(avg.body["total_requests"], w.requests) << when << agent;
    EXPECT_EQ(avg.body["min_cost_per_request_microdollars"], w.lo) << when << agent;
    EXPECT_EQ(avg.body["max_cost_per_request_microdollars"], w.hi) << when << agent;
    // The burn rate: the spend of the last 7 UTC days (today included) / 7.
    int64_t recent = 0;
    for (const auto& e : events)
      if (e.agent == agent && e.at >= since_ms) recent += e.cost;
    const auto shown = p.call("GET", "/api/v1/agents/" + std::to_string(agent), p.admin_token);
    EXPECT_EQ(shown.body["burn_rate_micros_per_day"], recent / 7) << when << agent;
  }
  const auto total = p.get("/spending/total?period=all-time", owner_token);
  ASSERT_EQ(total.status, 200) << total.raw;
  EXPECT_EQ(total.body["total_spend_microdollars"], per_agent[owner_agent].cost) << when << total.raw;
}

}  // namespace

TEST(StoreAgentDayRollups, PerAgentReadsEqualTheEventsAfterIngestionAndAgentDeletion) {
  analytics_test::Panel p;
  const std::string owner = p.add_user("user", "owner");
  const int64_t mine = p.add_agent(p.user_id_of(owner), 1'000'000);
  const int64_t keep = p.add_agent(p.admin.id, 1'000'000);
  const int64_t gone = p.add_agent(p.admin.id, 1'000'000);
  const int64_t today = analytics_test::now_ms() / kDay * kDay;
  std::vector<Ev> events;
  // Every agent on the same days with two providers and two models, so each (day, agent) row
  // sums several per-model rows and is updated many times; 9 days back falls outside 7 days.
  for (int d : {9, 6, 3, 0}) {
    for (int k = 0; k < 4; ++k) {
      const std::string model = k % 2 ? "gpt-4o" : "claude";
      const std::string provider = k < 2 ? "openai" : "anthropic";
      events.push_back({keep, today - d * kDay + k * 1000, provider, model, 100 + d * 10 + k});
      events.push_back({gone, today - d * kDay + k * 1000 + 1, provider, model, k % 2 ? 5 : 9'000});
      events.push_back({mine, today - d * kDay + k * 1000 + 2, provider, model, 40 + k});
    }
  }
  const std::string owner_id = p.user_id_of(owner);
  analytics_test::add_events(p, events, [&](int64_t agent) { return agent == mine ? owner_id : p.admin.id; });
  const int64_t since = today - 6 * kDay;
  expect_reads_match(p, events, since, owner, mine, "after ingestion: ");

  ASSERT_EQ(p.call("DELETE", "/api/v1/agents/" + std::to_string(gone), p.admin_token).status, 204);
  std::erase_if(events, [&](const Ev& e) { return e.agent == gone; });
  expect_reads_match(p, events, since, owner, mine, "after deleting an agent: ");
}
