// Usage analytics at the domain level on a real SQLite file: ingestion (idempotency, batch,
// validation), write-time rollups, UTC periods, budget status (risk bands, threshold,
// sort-then-page), owner scoping, retention, and the query plans that keep reads off the raw
// events table.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>
#include <memory>
#include <string>

#include "domain/analytics.h"
#include "domain/budget_ledger.h"
#include "security/random.h"
#include "store/database.h"
#include "store/user_repo.h"
#include "support/write_batch.h"
#include "temp_db.h"
#include "util/clock.h"

namespace {

namespace domain = iron::domain;
namespace store = iron::store;
using iron::util::TimePoint;

// 2026-03-15T12:00:00Z
const TimePoint kNow = iron::util::from_unix_ms(1'773'576'000'000);
// Appends rather than `"e" + std::to_string(i)`, which trips GCC 12's -Wrestrict at -O3.
std::string numbered(const char* prefix, int i) {
  std::string s = prefix;
  s += std::to_string(i);
  return s;
}

int64_t ms(const char* rfc3339) { return iron::util::to_unix_ms(*iron::util::parse_rfc3339(rfc3339)); }

domain::AnalyticsQuery period(domain::Period p) {
  domain::AnalyticsQuery q;
  q.period = p;
  return q;
}

domain::AnalyticsEvent completed(const std::string& id, int64_t ts, int64_t cost, const std::string& model = "gpt-4o",
                                 const std::string& provider = "openai") {
  domain::AnalyticsEvent e;
  e.event_id = id;
  e.timestamp_ms = ts;
  e.event_type = "llm_request_completed";
  e.model = model;
  e.provider = provider;
  e.input_tokens = 100;
  e.output_tokens = 50;
  e.cost_micros = cost;
  return e;
}

domain::AnalyticsEvent failed(const std::string& id, int64_t ts) {
  domain::AnalyticsEvent e;
  e.event_id = id;
  e.timestamp_ms = ts;
  e.event_type = "llm_request_failed";
  e.model = "gpt-4o";
  e.provider = "openai";
  e.error_code = "rate_limited";
  return e;
}

domain::Principal principal(const std::string& id, domain::Role role) {
  domain::Principal p;
  p.user_id = id;
  p.role = role;
  return p;
}

class AnalyticsFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    iron::security::init();
    db_ = std::make_unique<store::Database>(dir_.db_path());
    for (const char* id : {"user_alice", "user_bob"}) insert_user(*db_, id, "user");
    ledger_ = std::make_unique<domain::BudgetLedger>(*db_, domain::LedgerPolicy{});
    analytics_ = std::make_unique<domain::Analytics>(*db_, &bus_);
  }
  void TearDown() override {
    analytics_.reset();
    ledger_.reset();
    db_.reset();
  }

  domain::AgentIdentity agent(const std::string& owner, int64_t allocated = 100'000'000) {
    auto r = ledger_->create_agent("agent-" + owner, owner, allocated, domain::RequestContext::system());
    EXPECT_TRUE(r.ok());
    return {r->agent.id, owner};
  }
  // Test setup: sets an agent's ledger figures directly (keeping allocated = spent + remaining).
  void set_spent(int64_t agent_id, int64_t allocated, int64_t spent) {
    db_->write([&](store::Connection& c) {
      c.prepare("UPDATE agent_budgets SET total_allocated = ?, total_spent = ?, total_reserved = 0, "
                "budget_remaining = ? WHERE agent_id = ?")
          .bind(1, allocated).bind(2, spent).bind(3, allocated - spent).bind(4, agent_id).run();
      return 0;
    });
  }
  int64_t scalar(const std::string& sql) {
    return db_->read([&](store::Connection& c) {
      auto& s = c.prepare(sql);
      const int64_t v = s.step() ? s.int64(0) : -1;
      s.reset();
      return v;
    });
  }
  domain::IngestOutcome ingest(const domain::AgentIdentity& who, const domain::AnalyticsEvent& e) {
    auto r = analytics_->ingest(who, e, domain::RequestContext::system(), kNow);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r.value() : domain::IngestOutcome{};
  }

  TempDbDir dir_;  // before db_: outlives it
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<domain::BudgetLedger> ledger_;
  domain::EventBus bus_{4};
  std::unique_ptr<domain::Analytics> analytics_;
  const domain::Principal admin_ = principal("user_root", domain::Role::admin);
};

using AnalyticsIngest = AnalyticsFixture;
using AnalyticsBatch = AnalyticsFixture;
using AnalyticsRollup = AnalyticsFixture;
using AnalyticsPeriods = AnalyticsFixture;
using AnalyticsBudget = AnalyticsFixture;
using AnalyticsScope = AnalyticsFixture;
using AnalyticsRetention = AnalyticsFixture;
using AnalyticsPerformance = AnalyticsFixture;

TEST_F(AnalyticsIngest, AcceptedOnceThenDuplicateChangesNothing) {
  const auto a = agent("user_alice");
  auto sub = bus_.subscribe("user_alice", false);
  EXPECT_EQ(ingest(a, completed("e1", ms("2026-03-15T10:00:00Z"), 1500)).status, "accepted");
  auto replay = completed("e1", ms("2026-03-15T10:00:00Z"), 999'999);  // same id, other content
  EXPECT_EQ(ingest(a, replay).status, "duplicate");
  EXPECT_EQ(scalar("SELECT count(*) FROM analytics_events"), 1);
  EXPECT_EQ(scalar("SELECT sum(cost_micros) FROM usage_rollups_daily"), 1500);
  EXPECT_EQ(scalar("SELECT sum(requests) FROM usage_rollups_daily"), 1);
  const auto ticks = sub->wait(std::chrono::milliseconds(0));
  ASSERT_EQ(ticks.size(), 1u) << "one usage.tick for the accepted event, none for the duplicate";
  EXPECT_EQ(ticks[0].type, "usage.tick");
  EXPECT_EQ(ticks[0].data["agent_id"], a.agent_id);
}

TEST_F(AnalyticsIngest, ValidationNamesTheField) {
  const auto a = agent("user_alice");
  struct Case { std::string name; std::function<void(domain::AnalyticsEvent&)> mutate; std::string field; };
  const std::vector<Case> cases = {
      {"empty event_id", [](auto& e) { e.event_id = ""; }, "event_id"},
      {"long event_id", [](auto& e) { e.event_id = std::string(201, 'x'); }, "event_id"},
      {"no timestamp", [](auto& e) { e.timestamp_ms.reset(); }, "timestamp_ms"},
      {"negative timestamp", [](auto& e) { e.timestamp_ms = -1; }, "timestamp_ms"},
      {"bad type", [](auto& e) { e.event_type = "llm_request_started"; }, "event_type"},
      {"empty model", [](auto& e) { e.model = ""; }, "model"},
      {"upper-case provider", [](auto& e) { e.provider = "OpenAI"; }, "provider"},
      {"long provider", [](auto& e) { e.provider = std::string(65, 'a'); }, "provider"},
      {"completed without input", [](auto& e) { e.input_tokens.reset(); }, "input_tokens"},
      {"completed without output", [](auto& e) { e.output_tokens.reset(); }, "output_tokens"},
      {"negative tokens", [](auto& e) { e.output_tokens = -5; }, "output_tokens"},
      {"negative cost", [](auto& e) { e.cost_micros = -1; }, "cost_micros"},
      {"long error message", [](auto& e) { e.error_message = std::string(2001, 'm'); }, "error_message"},
  };
  for (const auto& c : cases) {
    auto e = completed("ok", ms("2026-03-15T10:00:00Z"), 10);
    c.mutate(e);
    auto r = analytics_->ingest(a, e, domain::RequestContext::system(), kNow);
    ASSERT_FALSE(r.ok()) << c.name;
    EXPECT_EQ(r.error().code, "VALIDATION_ERROR") << c.name;
    EXPECT_EQ(r.error().details["field"], c.field) << c.name;
  }
  EXPECT_EQ(scalar("SELECT count(*) FROM analytics_events"), 0);
  // Accepted: another provider name, and a failed request without token counts.
  EXPECT_EQ(ingest(a, completed("m1", ms("2026-03-15T10:00:00Z"), 10, "mistral-large", "mistral")).status, "accepted");
  EXPECT_EQ(ingest(a, failed("f1", ms("2026-03-15T10:00:00Z"))).status, "accepted");
}

TEST_F(AnalyticsIngest, UnknownAgentIsNotFound) {
  auto r = analytics_->ingest({9999, "user_alice"}, completed("e", ms("2026-03-15T10:00:00Z"), 1),
                              domain::RequestContext::system(), kNow);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "AGENT_NOT_FOUND");
}

TEST_F(AnalyticsBatch, MixedValidInvalidAndDuplicateInOneCall) {
  const auto a = agent("user_alice");
  ingest(a, completed("seen", ms("2026-03-15T09:00:00Z"), 7));
  auto bad = completed("bad", ms("2026-03-15T09:00:00Z"), 1);
  bad.event_type = "nope";
  const std::vector<domain::AnalyticsEvent> batch = {
      completed("b1", ms("2026-03-15T09:00:00Z"), 100), bad, completed("seen", ms("2026-03-15T09:00:00Z"), 5),
      completed("b1", ms("2026-03-15T09:00:00Z"), 100), failed("b2", ms("2026-03-15T09:00:00Z"))};
  auto r = analytics_->ingest_batch(a, batch, domain::RequestContext::system(), kNow);
  ASSERT_TRUE(r.ok());
  ASSERT_EQ(r->results.size(), 5u);
  const std::vector<std::string> expected = {"accepted", "rejected", "duplicate", "duplicate", "accepted"};
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(r->results[i].status, expected[i]) << i;
  ASSERT_TRUE(r->results[1].error.has_value());
  EXPECT_EQ(r->results[1].error->details["field"], "event_type");
  EXPECT_EQ(r->accepted, 2);
  EXPECT_EQ(r->duplicates, 2);
  EXPECT_EQ(r->rejected, 1);
  EXPECT_EQ(scalar("SELECT count(*) FROM analytics_events"), 3);
  EXPECT_EQ(scalar("SELECT sum(cost_micros) FROM usage_rollups_daily"), 107);

  std::vector<domain::AnalyticsEvent> too_many(domain::kMaxBatchEvents + 1, completed("x", 1, 1));
  auto over = analytics_->ingest_batch(a, too_many, domain::RequestContext::system(), kNow);
  ASSERT_FALSE(over.ok());
  EXPECT_EQ(over.error().details["field"], "events");
}

TEST_F(AnalyticsRollup, SumsEqualTheSumOfEvents) {
  const auto a = agent("user_alice");
  const auto b = agent("user_bob");
  const char* models[] = {"gpt-4o", "claude-3", "o1"};
  const char* providers[] = {"openai", "anthropic", "openai"};
  std::vector<domain::AnalyticsEvent> batch;
  for (int i = 0; i < 600; ++i) {
    const int64_t ts = ms("2026-03-01T00:00:00Z") + int64_t{i} * 3'600'000 * 7 / 3;  // spread over ~58 days
    auto e = i % 7 == 0 ? failed(numbered("e", i), ts)
                        : completed(numbered("e", i), ts, 1000 + i * 37, models[i % 3], providers[i % 3]);
    batch.push_back(e);
  }
  ASSERT_TRUE(analytics_->ingest_batch(a, {batch.begin(), batch.begin() + 400}, {}, kNow).ok());
  ASSERT_TRUE(analytics_->ingest_batch(b, {batch.begin() + 400, batch.end()}, {}, kNow).ok());
  EXPECT_EQ(scalar("SELECT sum(requests) FROM usage_rollups_daily"), scalar("SELECT count(*) FROM analytics_events"));
  EXPECT_EQ(scalar("SELECT sum(cost_micros) FROM usage_rollups_daily"),
            scalar("SELECT sum(cost_micros) FROM analytics_events WHERE event_type = 'llm_request_completed'"));
  EXPECT_EQ(scalar("SELECT sum(failed) FROM usage_rollups_daily"),
            scalar("SELECT count(*) FROM analytics_events WHERE event_type = 'llm_request_failed'"));
  EXPECT_EQ(scalar("SELECT sum(input_tokens) FROM usage_rollups_daily"), scalar("SELECT sum(input_tokens) FROM analytics_events"));
  EXPECT_EQ(scalar("SELECT count(*) FROM (SELECT DISTINCT day, agent_id, provider, model FROM analytics_events)"),
            scalar("SELECT count(*) FROM usage_rollups_daily"));
  const auto t = analytics_->totals(admin_, {}, kNow);
  EXPECT_EQ(t.cost_micros, scalar("SELECT sum(cost_micros) FROM analytics_events WHERE event_type = 'llm_request_completed'"));
  EXPECT_EQ(t.min_cost_micros, scalar("SELECT min(cost_micros) FROM analytics_events WHERE event_type = 'llm_request_completed'"));
  EXPECT_EQ(t.max_cost_micros, scalar("SELECT max(cost_micros) FROM analytics_events WHERE event_type = 'llm_request_completed'"));
  domain::AnalyticsQuery anthropic;
  anthropic.provider = "anthropic";
  EXPECT_EQ(analytics_->totals(admin_, anthropic, kNow).cost_micros,
            scalar("SELECT sum(cost_micros) FROM analytics_events WHERE provider = 'anthropic' AND event_type = 'llm_request_completed'"));
}

TEST_F(AnalyticsPeriods, DayBoundsAreUtc) {
  using domain::Period;
  const TimePoint t = iron::util::from_unix_ms(ms("2028-03-01T00:30:00Z"));  // leap year, first of month
  auto days = [&](Period p) { auto r = domain::period_days(p, t); return r.from_day.value_or("-") + ".." + r.to_day.value_or("-"); };
  EXPECT_EQ(days(Period::today), "2028-03-01..2028-03-01");
  EXPECT_EQ(days(Period::yesterday), "2028-02-29..2028-02-29");
  EXPECT_EQ(days(Period::last7_days), "2028-02-24..2028-03-01");
  EXPECT_EQ(days(Period::last30_days), "2028-02-01..2028-03-01");
  EXPECT_EQ(days(Period::this_month), "2028-03-01..2028-03-01");
  EXPECT_EQ(days(Period::last_month), "2028-02-01..2028-02-29");
  EXPECT_EQ(days(Period::all_time), "-..-");
  const TimePoint jan = iron::util::from_unix_ms(ms("2027-01-10T23:59:59Z"));
  EXPECT_EQ(domain::period_days(Period::last_month, jan).from_day, "2026-12-01");
  EXPECT_EQ(domain::period_days(Period::last_month, jan).to_day, "2026-12-31");
  EXPECT_EQ(domain::utc_day(ms("2026-03-14T23:59:59.999Z")), "2026-03-14");
  EXPECT_EQ(domain::utc_day(ms("2026-03-15T00:00:00Z")), "2026-03-15");
  EXPECT_FALSE(domain::parse_period("last-week").has_value());
  EXPECT_EQ(domain::parse_period("last7-days"), Period::last7_days);
}

TEST_F(AnalyticsPeriods, ReadsCountEventsOnTheirUtcDay) {
  const auto a = agent("user_alice");
  ingest(a, completed("late", ms("2026-03-14T23:59:59.999Z"), 1));    // yesterday (kNow is 03-15)
  ingest(a, completed("early", ms("2026-03-15T00:00:00Z"), 10));      // today
  ingest(a, completed("feb", ms("2026-02-28T12:00:00Z"), 100));       // last month
  ingest(a, completed("old", ms("2026-01-31T23:59:59Z"), 1000));      // before last month
  auto spend = [&](domain::Period p) { return analytics_->totals(admin_, period(p), kNow).cost_micros; };
  EXPECT_EQ(spend(domain::Period::today), 10);
  EXPECT_EQ(spend(domain::Period::yesterday), 1);
  EXPECT_EQ(spend(domain::Period::this_month), 11);
  EXPECT_EQ(spend(domain::Period::last_month), 100);
  EXPECT_EQ(spend(domain::Period::last7_days), 11);
  EXPECT_EQ(spend(domain::Period::last30_days), 111);
  EXPECT_EQ(spend(domain::Period::all_time), 1111);
  const auto list = analytics_->list_events(admin_, period(domain::Period::yesterday), {1, 10}, kNow);
  ASSERT_EQ(list.items.size(), 1u);
  EXPECT_EQ(list.items[0].event_id, "late");
}

TEST_F(AnalyticsBudget, RiskBandsAreExactAtTheEdges) {
  using domain::RiskLevel;
  EXPECT_EQ(domain::risk_of(499'999, 1'000'000), RiskLevel::low);
  EXPECT_EQ(domain::risk_of(500'000, 1'000'000), RiskLevel::medium);
  EXPECT_EQ(domain::risk_of(799'999, 1'000'000), RiskLevel::medium);
  EXPECT_EQ(domain::risk_of(800'000, 1'000'000), RiskLevel::high);
  EXPECT_EQ(domain::risk_of(949'999, 1'000'000), RiskLevel::high);
  EXPECT_EQ(domain::risk_of(950'000, 1'000'000), RiskLevel::critical);
  EXPECT_EQ(domain::risk_of(999'999, 1'000'000), RiskLevel::critical);
  EXPECT_EQ(domain::risk_of(1'000'000, 1'000'000), RiskLevel::exhausted);
  EXPECT_EQ(domain::risk_of(0, 0), RiskLevel::exhausted);
  EXPECT_EQ(domain::risk_of(domain::kMaxLedgerAmountMicros, domain::kMaxLedgerAmountMicros), RiskLevel::exhausted);
}

TEST_F(AnalyticsBudget, FiltersThenSummarisesThenSortsThenPages) {
  // Percentages 10, 60, 85, 97, 100 created in an order unlike the sorted one.
  const int64_t spends[] = {60, 10, 100, 85, 97};
  std::vector<int64_t> ids;
  for (int64_t s : spends) {
    const auto a = agent("user_alice");
    set_spent(a.agent_id, 1000, s * 10);
    ids.push_back(a.agent_id);
  }
  auto page1 = analytics_->budget_status(admin_, {}, {1, 2});
  ASSERT_EQ(page1.page.items.size(), 2u);
  EXPECT_EQ(page1.page.items[0].budget.agent_id, ids[2]);  // 100 %
  EXPECT_EQ(page1.page.items[1].budget.agent_id, ids[4]);  // 97 %
  EXPECT_EQ(page1.page.pagination.total, 5);
  EXPECT_EQ(page1.page.pagination.total_pages, 3);
  auto page3 = analytics_->budget_status(admin_, {}, {3, 2});
  ASSERT_EQ(page3.page.items.size(), 1u);
  EXPECT_EQ(page3.page.items[0].budget.agent_id, ids[1]);  // 10 %, last
  EXPECT_EQ(page1.exhausted, 1);
  EXPECT_EQ(page1.critical, 1);
  EXPECT_EQ(page1.high, 1);
  EXPECT_EQ(page1.medium, 1);
  EXPECT_EQ(page1.low, 1);

  domain::BudgetStatusQuery q;
  q.threshold = 80;
  auto over80 = analytics_->budget_status(admin_, q, {1, 50});
  EXPECT_EQ(over80.total_agents, 3) << "the summary counts the filtered agents";
  EXPECT_EQ(over80.low, 0);
  EXPECT_EQ(over80.medium, 0);
  EXPECT_EQ(over80.page.items.back().risk, domain::RiskLevel::high);
  q = {};
  q.status = "exhausted";
  auto ex = analytics_->budget_status(admin_, q, {1, 50});
  ASSERT_EQ(ex.total_agents, 1);
  EXPECT_EQ(ex.active, 0);
  EXPECT_EQ(ex.page.items[0].budget.agent_id, ids[2]);
}

TEST_F(AnalyticsScope, UsersSeeOnlyTheirAgentsAdminsSeeAll) {
  const auto a = agent("user_alice");
  const auto b = agent("user_bob");
  ingest(a, completed("a1", ms("2026-03-15T10:00:00Z"), 5));
  ingest(b, completed("b1", ms("2026-03-15T10:00:00Z"), 70));
  const auto alice = principal("user_alice", domain::Role::user);
  const auto viewer = principal("user_bob", domain::Role::viewer);
  EXPECT_EQ(analytics_->totals(alice, {}, kNow).cost_micros, 5);
  EXPECT_EQ(analytics_->totals(viewer, {}, kNow).cost_micros, 70);
  EXPECT_EQ(analytics_->totals(admin_, {}, kNow).cost_micros, 75);
  domain::AnalyticsQuery bobs;
  bobs.agent_id = b.agent_id;
  EXPECT_EQ(analytics_->totals(alice, bobs, kNow).cost_micros, 0) << "filtering on another user's agent reveals nothing";
  EXPECT_EQ(analytics_->spending_by_agent(alice, {}, {1, 50}, kNow).total_agents, 1);
  EXPECT_EQ(analytics_->by_provider(alice, {}, kNow).at(0).totals.cost_micros, 5);
  EXPECT_EQ(analytics_->by_model(alice, {}, {1, 50}, kNow).items.size(), 1u);
  EXPECT_EQ(analytics_->budget_status(alice, {}, {1, 50}).total_agents, 1);
  EXPECT_EQ(analytics_->budget_status(admin_, {}, {1, 50}).total_agents, 2);
  const auto events = analytics_->list_events(alice, {}, {1, 50}, kNow);
  ASSERT_EQ(events.items.size(), 1u);
  EXPECT_EQ(events.items[0].event_id, "a1");
}

TEST_F(AnalyticsRetention, PrunesRawEventsButKeepsRollups) {
  const auto a = agent("user_alice");
  ingest(a, completed("old", ms("2025-12-01T00:00:00Z"), 300));
  ingest(a, completed("new", ms("2026-03-15T00:00:00Z"), 20));
  EXPECT_EQ(analytics_->prune_events_before(ms("2026-01-01T00:00:00Z")), 1);
  EXPECT_EQ(scalar("SELECT count(*) FROM analytics_events"), 1);
  EXPECT_EQ(analytics_->totals(admin_, {}, kNow).cost_micros, 320) << "rollups survive pruning";
  EXPECT_EQ(analytics_->list_events(admin_, {}, {1, 50}, kNow).pagination.total, 1);
}

// 10 million events must stay fast: every spending/usage read touches only the rollups (by
// their primary key or index), and the event list walks an index. Plans, not timings.
TEST_F(AnalyticsPerformance, ReadsUseRollupsAndIndexesNotRawEvents) {
  const auto a = agent("user_alice");
  const auto b = agent("user_bob");
  db_->write([&](store::Connection& c) {
    store::AnalyticsEventRow r;
    r.event_type = "llm_request_completed";
    r.provider = "openai";
    for (int i = 0; i < 200'000; ++i) {
      r.agent_id = i % 2 ? a.agent_id : b.agent_id;
      r.event_id = numbered("ev", i);
      r.timestamp_ms = ms("2025-06-01T00:00:00Z") + int64_t{i} * 150'000;  // ~350 days
      r.day = domain::utc_day(r.timestamp_ms);
      r.model = i % 3 ? "gpt-4o" : "o1";
      r.cost_micros = i % 1000;
      store::analytics::insert_event(c, r);
      store::analytics::add_to_rollup(c, r);
    }
    c.exec("ANALYZE");
    return 0;
  });
  auto plan = [&](const std::string& sql) {
    return db_->read([&](store::Connection& c) {
      auto& s = c.prepare("EXPLAIN QUERY PLAN " + sql);
      std::string out;
      while (s.step()) out += s.text(3) + "\n";
      return out;
    });
  };
  store::RollupFilter f;
  f.from_day = "2026-03-01";
  f.to_day = "2026-03-15";
  store::RollupFilter scoped = f;
  scoped.owner_id = "user_alice";
  scoped.agent_id = a.agent_id;
  store::RollupFilter all_time;
  for (const auto& filter : {f, scoped, all_time}) {
    for (const auto& sql : store::analytics::rollup_read_sql(filter)) {
      const auto p = plan(sql);
      EXPECT_EQ(p.find("analytics_events"), std::string::npos) << sql << "\n" << p;
      EXPECT_TRUE(p.find("SCAN r") != std::string::npos || p.find("SEARCH r") != std::string::npos) << p;
    }
  }
  for (const auto& sql : store::analytics::rollup_read_sql(f)) {
    const auto p = plan(sql);
    EXPECT_NE(p.find("SEARCH r USING"), std::string::npos) << "a period read must seek, not scan:\n" << sql << "\n" << p;
  }
  EXPECT_LT(scalar("SELECT count(*) FROM usage_rollups_daily"), 2'000) << "rollups are orders of magnitude smaller";
  // The event list: newest first through the time index, never a sort of the whole table.
  const auto p = plan("SELECT e.id FROM analytics_events e JOIN agents a ON a.id = e.agent_id "
                      "ORDER BY e.timestamp_ms DESC, e.id DESC LIMIT 10");
  EXPECT_NE(p.find("analytics_events_time"), std::string::npos) << p;
  // The keyset page (GET /analytics/events, the CSV export) seeks the same index.
  const auto keyset = plan("SELECT e.id FROM analytics_events e JOIN agents a ON a.id = e.agent_id "
                           "WHERE (e.timestamp_ms, e.id) < (1, 2) ORDER BY e.timestamp_ms DESC, e.id DESC LIMIT 10");
  EXPECT_NE(keyset.find("INDEX analytics_events_time (timestamp_ms<?)"), std::string::npos) << keyset;
  const auto list = analytics_->list_events(admin_, {}, {1, 10}, kNow);
  ASSERT_EQ(list.items.size(), 10u);
  EXPECT_EQ(list.pagination.total, 200'000);
  EXPECT_EQ(list.items[0].event_id, "ev199999");
  const auto first = analytics_->event_page(admin_, {}, std::nullopt, 10, kNow);
  ASSERT_TRUE(first.more);
  const auto next = analytics_->event_page(
      admin_, {}, std::pair{first.items.back().timestamp_ms, first.items.back().row_id}, 10, kNow);
  ASSERT_EQ(next.items.size(), 10u);
  EXPECT_EQ(next.items[0].event_id, "ev199989");
  // The spend series over the whole ~350 days (past kNow) adds up to the all-time total.
  domain::AnalyticsQuery whole;
  whole.to_day = "2026-12-31";
  auto series = analytics_->timeseries(admin_, whole, domain::Bucket::day, kNow);
  ASSERT_TRUE(series.ok());
  int64_t sum = 0;
  for (const auto& point : series->points) sum += point.totals.cost_micros;
  EXPECT_EQ(sum, analytics_->totals(admin_, {}, kNow).cost_micros);
  EXPECT_EQ(series->from_day, "2025-06-01");
}

TEST_F(AnalyticsFixture, TimeseriesBucketsAcrossAYearBoundary) {
  const auto a = agent("user_alice");
  ingest(a, completed("d1", ms("2025-12-31T23:59:59Z"), 10));
  ingest(a, completed("d2", ms("2026-01-01T00:00:00Z"), 20, "claude", "anthropic"));
  ingest(a, completed("d3", ms("2026-01-05T08:00:00Z"), 40));
  domain::AnalyticsQuery q;
  q.from_day = "2025-12-30";
  q.to_day = "2026-01-06";
  auto weeks = analytics_->timeseries(admin_, q, domain::Bucket::week, kNow);
  ASSERT_TRUE(weeks.ok());
  ASSERT_EQ(weeks->points.size(), 2u);
  EXPECT_EQ(weeks->points[0].start, "2025-12-29");  // ISO week 1 of 2026 starts on a Monday in 2025
  EXPECT_EQ(weeks->points[0].totals.cost_micros, 30);
  ASSERT_EQ(weeks->points[0].providers.size(), 2u);
  EXPECT_EQ(weeks->points[0].providers[0].provider, "anthropic");
  EXPECT_EQ(weeks->points[1].start, "2026-01-05");
  EXPECT_EQ(weeks->points[1].totals.cost_micros, 40);
  auto months = analytics_->timeseries(admin_, q, domain::Bucket::month, kNow);
  ASSERT_TRUE(months.ok());
  ASSERT_EQ(months->points.size(), 2u);
  EXPECT_EQ(months->points[0].start, "2025-12-01");
  EXPECT_EQ(months->points[0].totals.cost_micros, 10);
  EXPECT_EQ(months->points[1].totals.cost_micros, 60);
  // Non-admins see only their own agents in the series too.
  auto bobs = analytics_->timeseries(principal("user_bob", domain::Role::user), q, domain::Bucket::month, kNow);
  ASSERT_TRUE(bobs.ok());
  EXPECT_EQ(bobs->points[1].totals.cost_micros, 0);
}

}  // namespace

// A batch's body may run twice (a group-commit batch that runs again with savepoints,
// store/database.h): its live tick still carries the batch's cost once.
TEST_F(AnalyticsBatch, ItsTickCountsTheCostOnceWhenTheWriteRunsAgain) {
  const auto a = agent("user_alice");
  auto sub = bus_.subscribe("user_alice", false);
  const std::vector<domain::AnalyticsEvent> events = {completed("r1", ms("2026-03-15T10:00:00Z"), 1500),
                                                      completed("r2", ms("2026-03-15T10:01:00Z"), 500)};
  iron::Result<domain::BatchOutcome> out = iron::Error::internal("not run");
  iron::test::run_as_one_batch(*db_, {[&] { out = analytics_->ingest_batch(a, events, domain::RequestContext::system(), kNow); },
                                      [&] { iron::test::refused_write(*db_); }});
  ASSERT_TRUE(out.ok());
  EXPECT_EQ(out->accepted, 2);
  EXPECT_EQ(scalar("SELECT sum(cost_micros) FROM usage_rollups_daily"), 2000);
  const auto ticks = sub->wait(std::chrono::milliseconds(0));
  ASSERT_EQ(ticks.size(), 1u);
  EXPECT_EQ(ticks[0].data["cost_micros"], 2000);
  EXPECT_EQ(ticks[0].data["events"], 2);
}
