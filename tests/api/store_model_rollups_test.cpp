// Whole-panel analytics reads answer from the per-model rollups (migration 009), kept by
// triggers on the per-agent rollups. They must always equal what the events say: after
// ingestion (new rows and upserts) and after an agent is deleted (its rollups cascade away,
// and the day's min / max per request are recomputed from what is left).
#include <gtest/gtest.h>

#include <map>
#include <set>

#include "analytics_support.h"

using analytics_test::json;

namespace {

using analytics_test::kDay;
using Ev = analytics_test::PastEvent;

// What /usage/models, /spending/by-provider, /spending/avg-per-request and /events/list must
// say about `events`.
void expect_reads_match(analytics_test::Panel& p, const std::vector<Ev>& events, const std::string& when) {
  std::map<std::string, std::pair<int64_t, int64_t>> by_model;  // model/provider -> requests, cost
  int64_t total = 0, lo = INT64_MAX, hi = 0;
  for (const auto& e : events) {
    auto& m = by_model[e.model + "/" + e.provider];
    ++m.first;
    m.second += e.cost;
    total += e.cost;
    lo = std::min(lo, e.cost);
    hi = std::max(hi, e.cost);
  }
  const auto models = p.get("/usage/models?period=all-time", p.admin_token);
  ASSERT_EQ(models.status, 200) << models.raw;
  ASSERT_EQ(models.body["data"].size(), by_model.size()) << when << models.raw;
  for (const auto& row : models.body["data"]) {
    const auto& want = by_model[row.value("model", "") + "/" + row.value("provider", "")];
    EXPECT_EQ(row["request_count"], want.first) << when << row.dump();
    EXPECT_EQ(row["spending_microdollars"], want.second) << when << row.dump();
  }
  EXPECT_EQ(models.body["summary"]["total_spend_microdollars"], total) << when;
  std::map<std::string, std::pair<std::set<int64_t>, int64_t>> by_provider;  // provider -> agents, cost
  for (const auto& e : events) {
    by_provider[e.provider].first.insert(e.agent);
    by_provider[e.provider].second += e.cost;
  }
  for (const std::string period : {"all-time", "last7-days"}) {
    const auto providers = p.get("/spending/by-provider?period=" + period, p.admin_token);
    ASSERT_EQ(providers.status, 200) << providers.raw;
    ASSERT_EQ(providers.body["data"].size(), by_provider.size()) << when << providers.raw;
    for (const auto& row : providers.body["data"]) {
      const auto& want = by_provider[row.value("provider", "")];
      EXPECT_EQ(row["agent_count"], static_cast<int64_t>(want.first.size())) << when << period << row.dump();
      EXPECT_EQ(row["spending_microdollars"], want.second) << when << period << row.dump();
    }
  }
  const auto avg = p.get("/spending/avg-per-request?period=all-time", p.admin_token);
  ASSERT_EQ(avg.status, 200) << avg.raw;
  EXPECT_EQ(avg.body["total_requests"], static_cast<int64_t>(events.size())) << when;
  EXPECT_EQ(avg.body["min_cost_per_request_microdollars"], lo) << when;
  EXPECT_EQ(avg.body["max_cost_per_request_microdollars"], hi) << when;
  const auto list = p.get("/events/list?period=all-time&per_page=1", p.admin_token);
  EXPECT_EQ(list.body["pagination"]["total"], static_cast<int64_t>(events.size())) << when;
}

}  // namespace

TEST(StoreModelRollups, WholePanelReadsEqualTheEventsAfterIngestionAndAgentDeletion) {
  analytics_test::Panel p;
  const int64_t keep = p.add_agent(p.admin.id, 1'000'000);
  const int64_t gone = p.add_agent(p.admin.id, 1'000'000);
  const int64_t today = analytics_test::now_ms() / kDay * kDay;
  std::vector<Ev> events;
  // Same days and models for both agents; the agent to be deleted holds each day's cheapest
  // and dearest request, so its deletion must move min and max.
  for (int d = 4; d >= 1; --d) {
    for (int k = 0; k < 4; ++k) {
      const std::string model = k % 2 ? "gpt-4o" : "claude";
      events.push_back({keep, today - d * kDay + k * 1000, "openai", model, 100 + d * 10 + k});
      events.push_back({gone, today - d * kDay + k * 1000 + 1, k < 2 ? "openai" : "anthropic", model, k % 2 ? 5 : 9'000});
    }
  }
  analytics_test::add_events(p, events, [&](int64_t) { return p.admin.id; });
  expect_reads_match(p, events, "after ingestion: ");

  ASSERT_EQ(p.call("DELETE", "/api/v1/agents/" + std::to_string(gone), p.admin_token).status, 204);
  std::erase_if(events, [&](const Ev& e) { return e.agent == gone; });
  expect_reads_match(p, events, "after deleting an agent: ");
}
