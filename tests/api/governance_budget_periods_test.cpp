// Periodic agent budgets over the API (docs/budgets.md, "Periodic budgets"): the period and
// its next reset are set at creation and by update, shown on the agent, audited, and bad
// periods or zones are clear 400s; in IANA zones the boundaries are local midnights, checked
// against the host's tzdata. Crossing a real boundary needs a clock the binary does not
// have (no test-clock knob exists, by design): the reset itself, with leases open, is proved
// on the real ledger and database in tests/unit/budget_ledger_period_test.cpp.
#include <chrono>

#include "governance_support.h"
#include "support/host_zoneinfo.h"
#include "util/clock.h"

using gov::agent_path;
using gov::expect_error;
using gov::json;
using gov::Panel;

namespace {

using namespace std::chrono;

// The calendar days a period containing `today` starts and ends on (the day, the week from
// Monday, the month from the 1st), computed here independently of the server.
std::pair<sys_days, sys_days> period_days(sys_days today, const std::string& period) {
  if (period == "weekly") {
    const sys_days monday = today - days{(weekday{today} - Monday).count()};
    return {monday, monday + days{7}};
  }
  if (period == "monthly") {
    const year_month_day ymd{today};
    return {sys_days{ymd.year() / ymd.month() / 1}, sys_days{(ymd.year() / ymd.month() + months{1}) / 1}};
  }
  return {today, today + days{1}};
}

// The current and next UTC boundaries of a period.
std::pair<std::string, std::string> window_now(const std::string& period) {
  const auto [start, end] = period_days(floor<days>(system_clock::now()), period);
  return {iron::util::to_rfc3339(start), iron::util::to_rfc3339(end)};
}

// The agent's budget matches `period` with boundaries computed just before or just after the
// request (a test running across midnight sees one or the other).
void expect_period(const json& budget, const std::string& period, const std::pair<std::string, std::string>& before) {
  EXPECT_EQ(budget["period"], period);
  EXPECT_EQ(budget["time_zone"], "UTC");
  const auto after = window_now(period);
  const std::pair<std::string, std::string> seen{budget.value("period_started_at", ""), budget.value("resets_at", "")};
  EXPECT_TRUE(seen == before || seen == after) << budget.dump();
}

}  // namespace

TEST(GovernanceBudgetPeriods, CreateAndUpdateSetThePeriodAndItsNextReset) {
  Panel p;
  const auto alice = p.add_user("user", "alice");
  auto expected = window_now("daily");
  json a = p.create_agent({{"name", "daily"}, {"initial_budget_microdollars", 5'000'000}, {"owner_id", alice.id},
                           {"budget_period", "daily"}, {"budget_time_zone", "UTC"}});
  const int64_t id = a.value("id", int64_t{0});
  ASSERT_GT(id, 0) << a.dump();
  expect_period(a["budget"], "daily", expected);
  EXPECT_EQ(a["budget"]["remaining"], 5'000'000);
  EXPECT_EQ(a["budget"]["carried_reserved"], 0);

  // The owner sees the same on the agent; the list carries it too.
  auto got = p.call("GET", agent_path(id), alice.token);
  ASSERT_EQ(got.status, 200) << got.raw;
  expect_period(got.body["budget"], "daily", window_now("daily"));
  auto list = p.call("GET", "/api/v1/agents?search=daily", p.admin.token);
  ASSERT_EQ(list.status, 200) << list.raw;
  ASSERT_EQ(list.body.size(), 1u);
  EXPECT_EQ(list.body[0]["budget"]["period"], "daily");

  for (const std::string period : {"weekly", "monthly"}) {
    expected = window_now(period);
    auto r = p.call("PUT", agent_path(id), p.admin.token, json{{"budget_period", period}});
    ASSERT_EQ(r.status, 200) << r.raw;
    expect_period(r.body["budget"], period, expected);
  }
  // Etc/UTC is UTC; a name-only change keeps the period.
  auto zone = p.call("PUT", agent_path(id), p.admin.token, json{{"name", "renamed"}, {"budget_time_zone", "Etc/UTC"}});
  ASSERT_EQ(zone.status, 200) << zone.raw;
  EXPECT_EQ(zone.body["budget"]["period"], "monthly");
  EXPECT_EQ(zone.body["budget"]["time_zone"], "UTC");

  auto off = p.call("PUT", agent_path(id), p.admin.token, json{{"budget_period", "one_off"}});
  ASSERT_EQ(off.status, 200) << off.raw;
  EXPECT_EQ(off.body["budget"]["period"], "one_off");
  EXPECT_TRUE(off.body["budget"]["resets_at"].is_null());
  EXPECT_TRUE(off.body["budget"]["period_started_at"].is_null());
  EXPECT_EQ(off.body["budget"]["remaining"], 5'000'000) << "changing the period moves no money";

  // Changing the period is no allocation change and no reset: history has the initial entry only.
  auto h = p.call("GET", agent_path(id, "/budget/history"), alice.token);
  ASSERT_EQ(h.status, 200) << h.raw;
  ASSERT_EQ(h.body.size(), 1u);
  EXPECT_EQ(h.body[0]["kind"], "allocation");
  EXPECT_TRUE(h.body[0]["period_spent"].is_null());

  // Audited with the period before and after.
  auto audit = p.call("GET", "/api/v1/audit?action=agent.update&entity_id=" + std::to_string(id), p.admin.token);
  ASSERT_EQ(audit.status, 200) << audit.raw;
  const json& rows = audit.body["items"];
  ASSERT_FALSE(rows.empty()) << audit.raw;
  bool saw_change = false;
  for (const auto& row : rows)
    if (row.contains("before") && row["before"].is_object() && row["before"].value("budget_period", "") == "monthly" &&
        row["after"].value("budget_period", "") == "one_off")
      saw_change = true;
  EXPECT_TRUE(saw_change) << audit.raw;
}

TEST(GovernanceBudgetPeriods, BadPeriodsAndZonesAreClear400s) {
  Panel p;
  const int64_t id = p.add_agent(p.admin.id);
  struct Case {
    json body;
    std::string code, field;
  };
  const Case cases[] = {
      {{{"budget_period", "yearly"}}, "VALIDATION_ERROR", "budget_period"},
      {{{"budget_period", 7}}, "VALIDATION_ERROR", "budget_period"},
      // IANA names are case-sensitive; offsets are not zones
      {{{"budget_period", "daily"}, {"budget_time_zone", "europe/berlin"}}, "UNKNOWN_TIME_ZONE", "budget_time_zone"},
      {{{"budget_period", "daily"}, {"budget_time_zone", "UTC+01:00"}}, "UNKNOWN_TIME_ZONE", "budget_time_zone"},
      {{{"budget_time_zone", "Mars/Olympus_Mons"}}, "UNKNOWN_TIME_ZONE", "budget_time_zone"},
      {{{"budget_time_zone", std::string(65, 'x')}}, "VALIDATION_ERROR", "budget_time_zone"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.body.dump());
    expect_error(p.call("PUT", agent_path(id), p.admin.token, c.body), 400, c.code, c.field);
    json create = c.body;
    create["name"] = "x";
    create["initial_budget_microdollars"] = 1;
    expect_error(p.call("POST", "/api/v1/agents", p.admin.token, create), 400, c.code, c.field);
  }
  // Nothing changed, nothing was created.
  auto got = p.call("GET", agent_path(id), p.admin.token);
  EXPECT_EQ(got.body["budget"]["period"], "one_off");
  auto all = p.call("GET", "/api/v1/agents", p.admin.token);
  EXPECT_EQ(all.body.size(), 1u);
}

namespace {

// The current window of `period` in host zone `zone`, computed here from the host's tzdata:
// the local day (Monday, 1st) containing now and the first instants of it and of the next.
std::pair<std::string, std::string> zoned_window_now(const std::string& zone, const std::string& period) {
  iron::test::HostZone host(zone);
  const int64_t now = duration_cast<seconds>(system_clock::now().time_since_epoch()).count();
  const auto [start, end] = period_days(floor<days>(sys_seconds{seconds{host.to_local(now)}}), period);
  const auto instant = [&](sys_days d) {
    const int64_t s = host.first_instant_at_or_after(duration_cast<seconds>(d.time_since_epoch()).count());
    return iron::util::to_rfc3339(iron::util::TimePoint{seconds{s}});
  };
  return {instant(start), instant(end)};
}

}  // namespace

TEST(GovernanceBudgetPeriods, ZonedBudgetsResetAtLocalMidnight) {
  Panel p;
  struct Case {
    std::string zone, stored, period;
  };
  const Case cases[] = {
      {"Europe/Berlin", "Europe/Berlin", "daily"},     {"America/Santiago", "America/Santiago", "daily"},
      {"Pacific/Chatham", "Pacific/Chatham", "weekly"}, {"Asia/Kathmandu", "Asia/Kathmandu", "monthly"},
      {"US/Eastern", "America/New_York", "daily"},     {"Asia/Calcutta", "Asia/Kolkata", "weekly"},
      {"Etc/GMT+5", "Etc/GMT+5", "monthly"},           {"Australia/Sydney", "Australia/Sydney", "daily"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.zone + " " + c.period);
    if (!iron::test::host_has_zone(c.zone)) GTEST_SKIP() << "the host has no zoneinfo for " << c.zone;
    const auto before = zoned_window_now(c.zone, c.period);
    json a = p.create_agent({{"name", "zoned " + c.zone}, {"initial_budget_microdollars", 1'000'000},
                             {"budget_period", c.period}, {"budget_time_zone", c.zone}});
    ASSERT_TRUE(a.contains("budget")) << a.dump();
    const json& b = a["budget"];
    EXPECT_EQ(b["period"], c.period);
    EXPECT_EQ(b["time_zone"], c.stored) << "a link is stored as its target";
    const std::pair<std::string, std::string> seen{b.value("period_started_at", ""), b.value("resets_at", "")};
    EXPECT_TRUE(seen == before || seen == zoned_window_now(c.zone, c.period)) << b.dump() << " expected "
                                                                              << before.first << " .. " << before.second;
    // A reset in a zone is not one in UTC (none of these zones is UTC at midnight).
    EXPECT_NE(seen, window_now(c.period)) << b.dump();
  }
  // Moving a periodic budget to another zone moves its next reset there.
  const int64_t id = p.add_agent(p.admin.id);
  const auto expected = zoned_window_now("Asia/Tokyo", "daily");
  auto r = p.call("PUT", agent_path(id), p.admin.token, json{{"budget_period", "daily"}, {"budget_time_zone", "Asia/Tokyo"}});
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["budget"]["time_zone"], "Asia/Tokyo");
  const std::pair<std::string, std::string> seen{r.body["budget"].value("period_started_at", ""),
                                                 r.body["budget"].value("resets_at", "")};
  EXPECT_TRUE(seen == expected || seen == zoned_window_now("Asia/Tokyo", "daily")) << r.raw;
}
