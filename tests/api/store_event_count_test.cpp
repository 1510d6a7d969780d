// The event list's total (GET /analytics/events/list pagination.total) is counted from the
// daily rollups for whole days, from the events for the oldest stored day, and for a part of
// a day from its events or as its rollup minus the rest of the day (issue 13: the count over
// a period read every row). It must still equal the number of matching events exactly: with
// every filter, for any period, and after retention has deleted part of the oldest day (whose
// rollup still holds the deleted events). The allow-list flag (docs/model-allow-lists.md),
// which the rollups do not carry, is counted from its own index.
#include <gtest/gtest.h>

#include <functional>

#include "analytics_support.h"

using analytics_test::json;

namespace {

constexpr int64_t kDay = 86'400'000;

struct Ev {
  int64_t agent;
  std::string owner;
  int64_t at;
  std::string provider, model, type;
};

}  // namespace

TEST(StoreEventCount, TotalsEqualTheMatchingEventsForEveryFilterAndPeriod) {
  analytics_test::Panel p;
  const std::string alice = p.add_user("user", "alice");
  const std::string alice_id = p.user_id_of(alice);
  const int64_t a1 = p.add_agent(alice_id, 1'000'000);
  const int64_t a2 = p.add_agent(p.admin.id, 1'000'000);
  const int64_t today = analytics_test::now_ms() / kDay * kDay;
  // a1 may use gpt-4o only: its claude events are recorded flagged.
  ASSERT_EQ(p.call("PUT", iron::test::agent_path(a1), p.admin.token, json{{"allowed_models", json::array({"gpt-4o"})}})
                .status,
            200);

  // Twelve days back to today, several events a day at varied times, agents, models, types.
  std::vector<Ev> events;
  for (int d = 12; d >= 0; --d) {
    for (int k = 0; k < 7; ++k) {
      const bool mine = (d + k) % 3 != 0;
      const int64_t at = std::min(today - d * kDay + k * 3'000'000 + 17, analytics_test::now_ms() - 1 - k);
      events.push_back({mine ? a1 : a2, mine ? alice_id : p.admin.id, at, k % 2 ? "openai" : "anthropic",
                        k % 3 ? "gpt-4o" : "claude", k % 4 ? "llm_request_completed" : "llm_request_failed"});
    }
  }
  int n = 0;
  for (const auto& e : events)
    p.add_event_at(e.agent, e.owner, "c" + std::to_string(n++), 10, e.at, e.provider, e.model, e.type,
                   e.type == "llm_request_failed" ? "boom" : "");
  // Retention deletes the oldest day's first events only: that day's rollup now counts more
  // events than are left.
  const int64_t cutoff = events.front().at + 2 * 3'000'000;
  iron::domain::Analytics(p.db()).prune_events_before(cutoff);
  std::erase_if(events, [&](const Ev& e) { return e.at < cutoff; });

  const auto day = [&](int back) {
    const auto t = std::chrono::sys_time<std::chrono::milliseconds>(std::chrono::milliseconds(today - back * kDay));
    const std::chrono::year_month_day ymd{std::chrono::floor<std::chrono::days>(t)};
    char buf[16];
    std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                  static_cast<unsigned>(ymd.day()));
    return std::string(buf);
  };
  struct Case {
    std::string name, query;
    bool as_alice;
    std::function<bool(const Ev&)> match;
  };
  const auto in_days = [&](int from_back, int to_back) {
    return [=](const Ev& e) { return e.at >= today - from_back * kDay && e.at < today - (to_back - 1) * kDay; };
  };
  const auto flagged = [&](const Ev& e) { return e.agent == a1 && e.model == "claude"; };
  const std::vector<Case> cases = {
      {"all time", "period=all-time", false, [](const Ev&) { return true; }},
      {"last 7 days", "period=last7-days", false, in_days(6, 0)},
      {"from the partly pruned day", "from=" + day(12) + "&to=" + day(0), false, in_days(12, 0)},
      {"middle days only", "from=" + day(10) + "&to=" + day(3), false, in_days(10, 3)},
      {"one agent", "period=all-time&agent_id=" + std::to_string(a2), false, [&](const Ev& e) { return e.agent == a2; }},
      {"a provider", "period=all-time&provider=openai", false, [](const Ev& e) { return e.provider == "openai"; }},
      {"a model", "period=all-time&model=claude", false, [](const Ev& e) { return e.model == "claude"; }},
      {"failed only", "period=all-time&type=llm_request_failed", false,
       [](const Ev& e) { return e.type == "llm_request_failed"; }},
      {"completed, one model, ten days", "from=" + day(11) + "&to=" + day(1) + "&type=llm_request_completed&model=gpt-4o",
       false, [&](const Ev& e) { return in_days(11, 1)(e) && e.type == "llm_request_completed" && e.model == "gpt-4o"; }},
      {"an owner's own events", "period=all-time", true, [&](const Ev& e) { return e.owner == alice_id; }},
      {"an owner, middle days", "from=" + day(9) + "&to=" + day(2), true,
       [&](const Ev& e) { return e.owner == alice_id && in_days(9, 2)(e); }},
      {"flagged by the allow-list", "period=all-time&model_allowed=false", false, flagged},
      {"not flagged, middle days", "from=" + day(10) + "&to=" + day(3) + "&model_allowed=true", false,
       [&](const Ev& e) { return in_days(10, 3)(e) && !flagged(e); }},
      {"not flagged, from the partly pruned day", "from=" + day(12) + "&to=" + day(0) + "&model_allowed=1", false,
       [&](const Ev& e) { return in_days(12, 0)(e) && !flagged(e); }},
      {"an owner's flagged events, middle days", "from=" + day(9) + "&to=" + day(2) + "&model_allowed=false", true,
       [&](const Ev& e) { return e.owner == alice_id && in_days(9, 2)(e) && flagged(e); }},
  };
  for (const auto& c : cases) {
    const int64_t expected = std::count_if(events.begin(), events.end(), c.match);
    const auto r = p.get("/events/list?per_page=5&" + c.query, c.as_alice ? alice : p.admin_token);
    ASSERT_EQ(r.status, 200) << c.name << ": " << r.raw;
    EXPECT_EQ(r.body["pagination"]["total"], expected) << c.name;
    EXPECT_EQ(r.body["data"].size(), static_cast<size_t>(std::min<int64_t>(expected, 5))) << c.name;
  }
}
