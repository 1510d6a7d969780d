// What the dashboard needs from analytics, over real HTTP against the real binary (issue 10):
// the spend series from the daily rollups, burn rate and projected exhaustion, an agent's
// leases, the one-request Overview and CSV exports; plus the predecessor's /usage reads and
// /version (issue 9 item 25). Everything owner-scoped; a viewer reads like everyone else.
#include <gtest/gtest.h>
#include <map>

#include <set>
#include <sstream>

#include "analytics_support.h"
#include "support/csv_records.h"

using nlohmann::json;
using namespace analytics_test;
using iron::test::parse_csv;

namespace {

int64_t day_ms(int y, unsigned m, unsigned d, int hour = 12) {
  using namespace std::chrono;
  const sys_days day = year{y} / month{m} / d;
  return duration_cast<milliseconds>((day + hours{hour}).time_since_epoch()).count();
}

struct Http {
  int status = 0;
  std::string body;
  std::string content_type;
  std::string disposition;
};

Http fetch(Panel& p, const std::string& path, const std::string& bearer, httplib::Headers extra = {}) {
  if (!bearer.empty()) extra.emplace("Authorization", "Bearer " + bearer);
  auto r = p.server().client()->Get(path, extra);
  if (!r) return {};
  return {r->status, r->body, r->get_header_value("Content-Type"), r->get_header_value("Content-Disposition")};
}

}  // namespace

TEST(AnalyticsDashboard, TimeseriesFillsEveryBucketFromTheRollups) {
  Panel p;
  const std::string alice = p.add_user("user", "alice"), bob = p.add_user("viewer", "bob");
  const std::string alice_id = p.user_id_of(alice);
  const int64_t agent = p.add_agent(alice_id, 10'000'000);
  p.add_event_at(agent, alice_id, "t1", 1'000, day_ms(2026, 1, 3), "openai");
  p.add_event_at(agent, alice_id, "t2", 2'000, day_ms(2026, 1, 3), "anthropic");
  p.add_event_at(agent, alice_id, "t3", 4'000, day_ms(2026, 1, 5), "openai");
  p.add_event_at(agent, alice_id, "t4", 0, day_ms(2026, 1, 5), "openai", "gpt-4o", "llm_request_failed");

  auto r = p.get("/spending/timeseries?from=2026-01-01&to=2026-01-07", alice);
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["bucket"], "day");
  EXPECT_EQ(r.body["period"], "custom");
  ASSERT_EQ(r.body["data"].size(), 7u) << r.raw;
  const json& jan3 = r.body["data"][2];
  EXPECT_EQ(jan3["start"], "2026-01-03");
  EXPECT_EQ(jan3["spending_microdollars"], 3'000);
  ASSERT_EQ(jan3["by_provider"].size(), 2u);
  EXPECT_EQ(jan3["by_provider"][0], (json{{"provider", "anthropic"}, {"spending_microdollars", 2'000},
                                          {"spending", 0.002}, {"requests", 1}}));
  EXPECT_EQ(r.body["data"][4]["requests"], 2);
  EXPECT_EQ(r.body["data"][4]["failed_requests"], 1);
  EXPECT_DOUBLE_EQ(r.body["data"][4]["success_rate"].get<double>(), 50.0);
  EXPECT_TRUE(r.body["data"][0]["success_rate"].is_null()) << "an empty bucket has no rate";
  EXPECT_EQ(r.body["data"][0]["spending_microdollars"], 0);
  EXPECT_EQ(r.body["summary"]["spending_microdollars"], 7'000);

  // Week buckets start on Monday (2025-12-29); month buckets on the 1st.
  auto weeks = p.get("/spending/timeseries?from=2026-01-01&to=2026-01-07&bucket=week", alice).body;
  ASSERT_EQ(weeks["data"].size(), 2u) << weeks;
  EXPECT_EQ(weeks["data"][0]["start"], "2025-12-29");
  EXPECT_EQ(weeks["data"][0]["spending_microdollars"], 3'000);
  EXPECT_EQ(weeks["data"][1]["spending_microdollars"], 4'000);
  auto months = p.get("/spending/timeseries?from=2026-01-01&to=2026-02-10&bucket=month", alice).body;
  ASSERT_EQ(months["data"].size(), 2u) << months;
  EXPECT_EQ(months["data"][1]["start"], "2026-02-01");
  // The same buckets as CSV (one row per bucket, totals of every provider).
  auto csv = fetch(p, kBase + "/spending/timeseries?from=2026-01-01&to=2026-01-07&format=csv", alice);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.disposition,
            "attachment; filename=\"ironpanel-spending-per-day-custom-from-2026-01-01-to-2026-01-07.csv\"");
  const auto rows = parse_csv(csv.body);
  ASSERT_EQ(rows.size(), 8u);
  EXPECT_EQ(rows[3], (std::vector<std::string>{"2026-01-03", "0.003000", "2", "2", "0", "20", "10"}));
  // All time starts at the first day with data and ends today.
  auto all = p.get("/spending/timeseries", alice).body;
  EXPECT_EQ(all["from"], "2026-01-03");
  EXPECT_EQ(all["to"], iron::domain::utc_day(now_ms()));
  // Filters and scoping.
  EXPECT_EQ(p.get("/spending/timeseries?from=2026-01-03&to=2026-01-03&provider=openai", alice)
                .body["data"][0]["spending_microdollars"], 1'000);
  EXPECT_EQ(p.get("/spending/timeseries?from=2026-01-01&to=2026-01-07", bob).body["summary"]["spending_microdollars"], 0);
  EXPECT_EQ(p.get("/spending/timeseries?from=2026-01-01&to=2026-01-07", p.admin_token)
                .body["summary"]["spending_microdollars"], 7'000);

  struct Case { std::string query; std::string field; };
  for (const auto& c : std::vector<Case>{{"bucket=hour", "bucket"},          {"from=2026-02-30", "from"},
                                         {"to=26-01-01", "to"},              {"from=2026-01-05&to=2026-01-01", "from"},
                                         {"period=today&from=2026-01-01", "period"},
                                         {"from=2000-01-01&to=2026-01-01", "bucket"}})
    expect_error(p.get("/spending/timeseries?" + c.query, alice), 400, "VALIDATION_ERROR", c.field);
  // The custom range applies to every period read.
  EXPECT_EQ(p.get("/spending/total?from=2026-01-05&to=2026-01-05", alice).body["total_spend_microdollars"], 4'000);
  EXPECT_EQ(p.get("/events/list?from=2026-01-03&to=2026-01-03", alice).body["pagination"]["total"], 2);
}

TEST(AnalyticsDashboard, BurnRateAndProjectedExhaustionOnTheAgentAndBudgetStatus) {
  Panel p;
  const std::string alice = p.add_user("user", "alice");
  const std::string alice_id = p.user_id_of(alice);
  const int64_t spender = p.add_agent(alice_id, 10'000'000), idle = p.add_agent(alice_id, 5'000'000);
  const int64_t day = 86'400'000;
  p.add_event_at(spender, alice_id, "w1", 3'500'000, now_ms() - 2 * day);
  p.add_event_at(spender, alice_id, "w2", 3'500'000, now_ms());
  p.add_event_at(spender, alice_id, "old", 9'000'000, now_ms() - 8 * day);  // outside the 7-day window
  p.add_event_at(idle, alice_id, "i-old", 9'000'000, now_ms() - 30 * day);

  // 7,000,000 µ$ in 7 days = 1,000,000 per day; 10,000,000 remaining lasts 10 days.
  const auto expect_ten_days = [&](const json& row) {
    EXPECT_EQ(row["burn_rate_micros_per_day"], 1'000'000) << row;
    ASSERT_TRUE(row["projected_exhaustion_at"].is_string()) << row;
    const auto at = iron::util::parse_rfc3339(row["projected_exhaustion_at"].get<std::string>());
    ASSERT_TRUE(at.has_value());
    EXPECT_NEAR(static_cast<double>(iron::util::to_unix_ms(*at) - now_ms()), 10.0 * day, 120'000.0) << row;
  };
  auto agent = p.call("GET", gov::agent_path(spender), alice);
  ASSERT_EQ(agent.status, 200) << agent.raw;
  expect_ten_days(agent.body);
  auto quiet = p.call("GET", gov::agent_path(idle), alice).body;
  EXPECT_EQ(quiet["burn_rate_micros_per_day"], 0);
  EXPECT_TRUE(quiet["projected_exhaustion_at"].is_null());
  auto list = p.call("GET", "/api/v1/agents", alice).body;
  ASSERT_EQ(list.size(), 2u);
  for (const auto& a : list)
    if (a["id"] == spender) expect_ten_days(a);

  auto status = p.get("/budget/status?agent_id=" + std::to_string(spender), alice);
  ASSERT_EQ(status.status, 200) << status.raw;
  expect_ten_days(status.body["data"][0]);
  EXPECT_TRUE(p.get("/budget/status?agent_id=" + std::to_string(idle), alice).body["data"][0]["projected_exhaustion_at"].is_null());
}

TEST(AnalyticsDashboard, BudgetStatusRiskFilterIsExactAndLeavesTheSummaryWhole) {
  Panel p;
  const std::string alice_id = p.user_id_of(p.add_user("user", "alice"));
  const auto ctx = iron::domain::RequestContext::system();
  // One agent per risk level: budget 1,000,000 µ$ with this much spent through a lease.
  struct Level { std::string risk; int64_t spent; };
  const std::vector<Level> levels = {{"low", 100'000}, {"medium", 500'000}, {"high", 800'000},
                                     {"critical", 960'000}, {"exhausted", 1'000'000}};
  std::map<std::string, int64_t> agent_at;
  for (const auto& l : levels) {
    const int64_t agent = p.add_agent(alice_id, 1'000'000);
    auto lease = p.ledger().reserve(agent, l.spent, iron::util::now(), ctx);
    ASSERT_TRUE(lease.ok());
    ASSERT_TRUE(p.ledger().report(lease->id, agent, {"r-" + l.risk, 1, l.spent, "gpt-4o", "openai"}, iron::util::now()).ok());
    agent_at[l.risk] = agent;
  }
  for (const auto& l : levels) {
    auto r = p.get("/budget/status?risk=" + l.risk, p.admin_token);
    ASSERT_EQ(r.status, 200) << r.raw;
    ASSERT_EQ(r.body["data"].size(), 1u) << l.risk << ": exactly this level, not this level or worse";
    EXPECT_EQ(r.body["data"][0]["agent_id"], agent_at[l.risk]);
    EXPECT_EQ(r.body["data"][0]["risk_level"], l.risk);
    EXPECT_EQ(r.body["pagination"]["total"], 1);
    EXPECT_EQ(r.body["summary"]["total_agents"], 5) << "the summary stays the per-level breakdown";
  }
  expect_error(p.get("/budget/status?risk=severe", p.admin_token), 400, "VALIDATION_ERROR", "risk");
}

TEST(AnalyticsDashboard, AgentLeasesActiveFirstPagedAndOwnerScoped) {
  gov::Panel p;
  const gov::Account alice = p.add_user("viewer", "alice"), bob = p.add_user("user", "bob");
  const int64_t agent = p.add_agent(alice.id, 10'000'000);
  const auto ctx = iron::domain::RequestContext::system();
  auto ledger = p.ledger();
  auto first = ledger.reserve(agent, 1'000, iron::util::now(), ctx);
  ASSERT_TRUE(first.ok());
  ASSERT_TRUE(ledger.release(first->id, agent, iron::util::now(), ctx).ok());
  auto second = ledger.reserve(agent, 2'000, iron::util::now(), ctx);
  ASSERT_TRUE(second.ok());

  const std::string path = gov::agent_path(agent, "/leases");
  auto r = p.call("GET", path, alice.token);  // a viewer reads their own agent's leases
  ASSERT_EQ(r.status, 200) << r.raw;
  ASSERT_EQ(r.body["data"].size(), 2u);
  EXPECT_EQ(r.body["data"][0]["id"], second->id) << "active first";
  EXPECT_EQ(r.body["data"][0]["status"], "active");
  EXPECT_EQ(r.body["data"][0]["available_microdollars"], 2'000);
  EXPECT_TRUE(r.body["data"][0]["closed_at"].is_null());
  EXPECT_EQ(r.body["data"][1]["status"], "closed");
  EXPECT_EQ(r.body["data"][1]["released_microdollars"], 1'000);
  EXPECT_TRUE(iron::util::parse_rfc3339(r.body["data"][1]["closed_at"].get<std::string>()).has_value());
  EXPECT_EQ(r.body["pagination"], (json{{"page", 1}, {"per_page", 20}, {"total", 2}, {"total_pages", 1}}));

  auto page2 = p.call("GET", path + "?per_page=1&page=2", alice.token).body;
  ASSERT_EQ(page2["data"].size(), 1u);
  EXPECT_EQ(page2["data"][0]["id"], first->id);
  EXPECT_EQ(p.call("GET", path + "?status=closed", alice.token).body["data"].size(), 1u);
  EXPECT_EQ(p.call("GET", path, p.admin.token).status, 200);

  expect_error(p.call("GET", path, bob.token), 404, "AGENT_NOT_FOUND");  // not revealed
  expect_error(p.call("GET", path, ""), 401, "AUTH_MISSING_TOKEN");
  expect_error(p.call("GET", path + "?status=pending", alice.token), 400, "VALIDATION_ERROR", "status");
  expect_error(p.call("GET", path + "?page=0", alice.token), 400, "VALIDATION_ERROR", "page");
  expect_error(p.call("GET", gov::agent_path(999'999, "/leases"), p.admin.token), 404, "AGENT_NOT_FOUND");
}

TEST(AnalyticsDashboard, OverviewInOneRequestOwnerScoped) {
  Panel p;
  const Seeded s = seed(p);  // alice: 1500 + a failure today; bob (viewer): 70000 today
  const std::string alice_id = p.user_id_of(s.alice);
  p.add_event_at(s.alice_agent, alice_id, "long-ago", 100, day_ms(2020, 6, 1));
  ASSERT_TRUE(p.ledger().reserve(s.alice_agent, 4'000, iron::util::now(), iron::domain::RequestContext::system()).ok());

  auto r = p.get("/overview", s.alice);
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["today"]["spending_microdollars"], 1'500);
  EXPECT_EQ(r.body["today"]["requests"], 3);
  EXPECT_NEAR(r.body["today"]["success_rate"].get<double>(), 200.0 / 3.0, 1e-9);
  EXPECT_EQ(r.body["all_time"]["spending_microdollars"], 1'600);
  EXPECT_EQ(r.body["active_leases"], (json{{"count", 1}, {"reserved_microdollars", 4'000}}));
  EXPECT_EQ(r.body["budgets"]["total_agents"], 1);
  ASSERT_EQ(r.body["top_agents_this_month"].size(), 1u);
  EXPECT_EQ(r.body["top_agents_this_month"][0]["agent_id"], s.alice_agent);

  auto bob = p.get("/overview", s.bob).body;  // a viewer: only their own
  EXPECT_EQ(bob["all_time"]["spending_microdollars"], 70'000);
  EXPECT_EQ(bob["active_leases"]["count"], 0);
  auto admin = p.get("/overview", p.admin_token).body;
  EXPECT_EQ(admin["all_time"]["spending_microdollars"], 71'600);
  EXPECT_EQ(admin["budgets"]["total_agents"], 2);
  EXPECT_EQ(admin["top_agents_this_month"][0]["agent_id"], s.bob_agent) << "highest spend first";

  // Pending budget requests: admins count all, users their agents'.
  auto filed = p.call("POST", "/api/v1/budget/requests", s.alice,
                      json{{"agent_id", s.alice_agent}, {"requested_budget_usd", 5},
                           {"justification", "the nightly evaluation run needs more headroom"}});
  ASSERT_EQ(filed.status, 201) << filed.raw;
  EXPECT_EQ(p.get("/overview", p.admin_token).body["pending_budget_requests"], 1);
  EXPECT_EQ(p.get("/overview", s.alice).body["pending_budget_requests"], 1);
  EXPECT_EQ(p.get("/overview", s.bob).body["pending_budget_requests"], 0);
}

TEST(AnalyticsDashboard, CsvExportsTheSameRowsAsJsonStreamedAndQuoted) {
  Panel p;
  const Seeded s = seed(p);
  const std::string alice_id = p.user_id_of(s.alice);
  p.add_event_at(s.alice_agent, alice_id, "quoted", 1'234'567, now_ms(), "openai", "gpt,4 \"mini\"",
                 "llm_request_completed", "=HYPERLINK(\"x\")\nsecond line");

  auto csv = fetch(p, kBase + "/events/list?format=csv", s.alice);
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.content_type, "text/csv; charset=utf-8");
  EXPECT_EQ(csv.disposition, "attachment; filename=\"ironpanel-events-all-time.csv\"");
  const auto rows = parse_csv(csv.body);
  ASSERT_EQ(rows.size(), 1u + 4u) << csv.body;  // header + alice's 4 events, none of bob's
  EXPECT_EQ(rows[0][0], "timestamp");
  EXPECT_EQ(rows[0][10], "cost_usd");
  const auto json_list = p.get("/events/list?per_page=200", s.alice).body["data"];
  for (size_t i = 0; i < json_list.size(); ++i) EXPECT_EQ(rows[i + 1][1], json_list[i]["event_id"]) << i;
  const auto& quoted = rows[1];  // newest first
  EXPECT_EQ(quoted[1], "quoted");
  EXPECT_EQ(quoted[6], "gpt,4 \"mini\"");
  EXPECT_EQ(quoted[10], "1.234567") << "dollars with six decimals, exact";
  EXPECT_EQ(quoted[12], "'=HYPERLINK(\"x\")\nsecond line") << "formula text is neutralised";
  EXPECT_TRUE(iron::util::parse_rfc3339(quoted[0]).has_value()) << quoted[0];
  EXPECT_NE(csv.body.find("\r\n"), std::string::npos);

  // Accept: text/csv works like ?format=csv; a period narrows it like JSON.
  auto by_accept = fetch(p, kBase + "/spending/by-agent?period=today", p.admin_token, {{"Accept", "text/csv"}});
  ASSERT_EQ(by_accept.status, 200) << by_accept.body;
  EXPECT_EQ(by_accept.disposition, "attachment; filename=\"ironpanel-spending-by-agent-today.csv\"");
  const auto agents = parse_csv(by_accept.body);
  ASSERT_EQ(agents.size(), 3u);
  EXPECT_EQ(agents[0], (std::vector<std::string>{"agent_id", "agent_name", "spending_usd", "budget_usd", "percent_used",
                                                 "request_count"}));
  EXPECT_EQ(agents[1][0], std::to_string(s.alice_agent)) << "highest spend first, as in JSON";
  EXPECT_EQ(agents[1][2], "1.236067");
  EXPECT_EQ(agents[2][2], "0.070000");
  for (const std::string table : {"/spending/by-provider", "/usage/models", "/usage/tokens/by-agent"}) {
    auto t = fetch(p, kBase + table + "?format=csv", s.bob);
    EXPECT_EQ(t.status, 200) << table << t.body;
    EXPECT_EQ(t.content_type, "text/csv; charset=utf-8") << table;
    EXPECT_EQ(parse_csv(t.body).size(), 2u) << table << ": header + bob's one row";
  }
  expect_error(p.get("/events/list?format=xml", s.alice), 400, "VALIDATION_ERROR", "format");
  EXPECT_EQ(fetch(p, kBase + "/events/list?format=csv", "").status, 401);
}

TEST(AnalyticsDashboard, CsvEventExportStreamsPastOneBatch) {
  Panel p;
  const std::string alice = p.add_user("user", "alice");
  const std::string alice_id = p.user_id_of(alice);
  const int64_t agent = p.add_agent(alice_id, 10'000'000);
  std::vector<iron::domain::AnalyticsEvent> events;
  const int64_t at = now_ms();
  for (int i = 0; i < 2'500; ++i) {
    iron::domain::AnalyticsEvent e;
    e.event_id = "bulk-" + std::to_string(i);
    e.timestamp_ms = at - (i % 7);  // equal timestamps across batch edges: the keyset must use the row id
    e.event_type = "llm_request_completed";
    e.model = "m";
    e.provider = "openai";
    e.input_tokens = 1;
    e.output_tokens = 1;
    e.cost_micros = 1;
    events.push_back(e);
    if (events.size() == iron::domain::kMaxBatchEvents || i == 2'499) {
      iron::domain::Analytics analytics(p.db());
      ASSERT_TRUE(analytics.ingest_batch({agent, alice_id}, events, iron::domain::RequestContext::system()).ok());
      events.clear();
    }
  }
  auto csv = fetch(p, kBase + "/events/list?format=csv", alice);
  ASSERT_EQ(csv.status, 200);
  const auto rows = parse_csv(csv.body);
  ASSERT_EQ(rows.size(), 2'501u);
  std::set<std::string> ids;
  for (size_t i = 1; i < rows.size(); ++i) ids.insert(rows[i][1]);
  EXPECT_EQ(ids.size(), 2'500u) << "every event exactly once";
}

TEST(AnalyticsDashboard, EventLogByCursorWalksEveryEventOnceOwnerScoped) {
  Panel p;
  const Seeded s = seed(p);  // alice: 3 events, bob: 1
  const std::string alice_id = p.user_id_of(s.alice);
  for (int i = 0; i < 22; ++i) p.add_event_at(s.alice_agent, alice_id, "c" + std::to_string(i), 1, now_ms() - i % 3);
  std::set<std::string> seen;
  std::string cursor;
  int pages = 0;
  for (;;) {
    auto r = p.get("/events?limit=10" + (cursor.empty() ? "" : "&cursor=" + cursor), s.alice);
    ASSERT_EQ(r.status, 200) << r.raw;
    ++pages;
    for (const auto& e : r.body["items"]) {
      EXPECT_EQ(e["agent_id"], s.alice_agent);
      EXPECT_TRUE(seen.insert(e["event_id"].get<std::string>()).second) << "twice: " << e["event_id"];
    }
    if (r.body["next_cursor"].is_null()) break;
    cursor = r.body["next_cursor"].get<std::string>();
  }
  EXPECT_EQ(seen.size(), 25u);
  EXPECT_EQ(pages, 3);
  EXPECT_EQ(p.get("/events?limit=200", s.bob).body["items"].size(), 1u);
  EXPECT_EQ(p.get("/events?from=2020-01-01&to=2020-01-02", s.alice).body["items"].size(), 0u);
  for (const std::string bad : {"x", "1.", ".1", "1.2.3", "-1.5", "99999999999999999999.1"})
    expect_error(p.get("/events?cursor=" + bad, s.alice), 400, "INVALID_CURSOR", "cursor");
  expect_error(p.get("/events?limit=0", s.alice), 400, "VALIDATION_ERROR", "limit");
}

// Issue 9 item 25: the predecessor's /usage reads, authenticated, owner-scoped, from analytics.
TEST(AnalyticsDashboard, PredecessorUsageReadsAreOwnerScoped) {
  Panel p;
  const Seeded s = seed(p);
  for (const std::string path : {"/api/v1/usage/aggregate", "/api/v1/usage/by-project/p1", "/api/v1/usage/by-provider/openai"})
    expect_error(p.call("GET", path), 401, "AUTH_MISSING_TOKEN");

  auto bob = p.call("GET", "/api/v1/usage/aggregate", s.bob);
  ASSERT_EQ(bob.status, 200) << bob.raw;
  EXPECT_EQ(bob.body["total_cost_microdollars"], 70'000);
  EXPECT_EQ(bob.body["total_cost_cents"], 7);
  EXPECT_EQ(bob.body["total_requests"], 1);
  EXPECT_EQ(bob.body["total_tokens"], 15);
  ASSERT_EQ(bob.body["providers"].size(), 1u);
  EXPECT_EQ(bob.body["providers"][0], (json{{"provider", "openai"}, {"tokens", 15}, {"requests", 1},
                                            {"cost_cents", 7}, {"cost_microdollars", 70'000}}));
  EXPECT_EQ(p.call("GET", "/api/v1/usage/aggregate", p.admin_token).body["total_cost_microdollars"], 71'500);

  auto alice_openai = p.call("GET", "/api/v1/usage/by-provider/openai", s.alice).body;
  EXPECT_EQ(alice_openai["requests"], 3);
  EXPECT_EQ(alice_openai["tokens"], 45);
  EXPECT_EQ(alice_openai["cost_microdollars"], 1'500);
  EXPECT_EQ(p.call("GET", "/api/v1/usage/by-provider/anthropic", s.alice).body["requests"], 0);

  // A project's usage is that of the agents its API tokens are bound to.
  auto token = p.call("POST", "/api/v1/api-tokens", s.alice,
                      json{{"name", "runtime"}, {"project_id", "proj-a"}, {"agent_id", s.alice_agent}});
  ASSERT_EQ(token.status, 201) << token.raw;
  auto project = p.call("GET", "/api/v1/usage/by-project/proj-a", s.alice).body;
  EXPECT_EQ(project["project_id"], "proj-a");
  EXPECT_EQ(project["total_cost_microdollars"], 1'500);
  EXPECT_EQ(p.call("GET", "/api/v1/usage/by-project/proj-a", s.bob).body["total_cost_microdollars"], 0);
  EXPECT_EQ(p.call("GET", "/api/v1/usage/by-project/other", s.alice).body["total_requests"], 0);
  expect_error(p.call("GET", "/api/v1/usage/by-provider/" + std::string(101, 'p'), s.alice), 400, "VALIDATION_ERROR",
               "provider");
  expect_error(p.call("GET", "/api/v1/usage/aggregate?period=eternity", s.alice), 400, "VALIDATION_ERROR", "period");
}

TEST(AnalyticsDashboard, PredecessorVersionRoute) {
  Panel p;
  auto r = p.call("GET", "/api/v1/version");
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["current_version"], "v1");
  EXPECT_EQ(r.body["supported_versions"], json::array({"v1"}));
  EXPECT_EQ(r.body["latest_endpoint"], "/api/v1");
  EXPECT_EQ(r.body["build"]["commit"], p.call("GET", "/health").body["build_sha"]);
}
