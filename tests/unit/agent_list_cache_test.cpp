// The GET /agents cache (api/agent_list_cache.h) is exact: an entry is found only for its own
// view and query, at the data version it was built at, and only while every time-dependent
// field would be written the same. agents_unchanged_until is checked against write_agent
// itself: the bytes at the last instant it allows equal those at build time, and change at it.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <string>
#include <vector>

#include "api/agent_list_cache.h"
#include "api/agent_views.h"
#include "util/clock.h"
#include "util/json_writer.h"

namespace {

using iron::util::TimePoint;
using namespace std::chrono_literals;
namespace api = iron::api;

TimePoint at(const char* rfc3339) { return *iron::util::parse_rfc3339(rfc3339); }

iron::domain::AgentView agent(int64_t id, int64_t remaining, std::optional<int64_t> resets_at = std::nullopt) {
  iron::domain::AgentView v;
  v.agent.id = id;
  v.agent.name = "a" + std::to_string(id);
  v.budget.agent_id = id;
  v.budget.allocated = remaining;
  v.budget.remaining = remaining;
  v.budget.resets_at = resets_at;
  return v;
}

std::string written(const std::vector<iron::domain::AgentView>& rows, const std::map<int64_t, int64_t>& spend,
                    TimePoint now) {
  iron::util::JsonWriter w;
  w.begin_array();
  for (const auto& v : rows) api::write_agent(w, v, spend, now);
  w.end_array();
  return w.take();
}

TEST(AgentListValidity, TheBytesHoldUntilTheInstantAProjectionTurnsOver) {
  const struct {
    const char* now;
    std::vector<int64_t> remaining, spend;
  } cases[] = {
      {"2027-03-01T10:00:00Z", {1'000'000}, {7'000}},
      {"2027-03-01T10:00:00Z", {1'000'000, 333'333, 5}, {7'000, 70'001, 3}},
      {"2027-03-01T23:59:58Z", {999}, {1'234'567}},  // midnight is further than a second
  };
  for (const auto& c : cases) {
    for (const auto offset : {0ns, 1ns, 123'456'789ns, 999'999'999ns}) {
      const TimePoint now = at(c.now) + std::chrono::duration_cast<TimePoint::duration>(offset);
      std::vector<iron::domain::AgentView> rows;
      std::map<int64_t, int64_t> spend;
      for (size_t i = 0; i < c.remaining.size(); ++i) {
        rows.push_back(agent(static_cast<int64_t>(i) + 1, c.remaining[i]));
        spend[static_cast<int64_t>(i) + 1] = c.spend[i];
      }
      const TimePoint until = api::agents_unchanged_until(rows, spend, now);
      ASSERT_GT(until, now) << c.now;
      const std::string built = written(rows, spend, now);
      EXPECT_EQ(written(rows, spend, until - TimePoint::duration{1}), built) << c.now << " +" << offset.count();
      EXPECT_NE(written(rows, spend, until), built) << c.now << " +" << offset.count();
    }
  }
}

TEST(AgentListValidity, NextMidnightAndResetsBoundTheEntry) {
  const TimePoint now = at("2027-03-01T10:00:00Z");
  const std::map<int64_t, int64_t> no_spend;
  EXPECT_EQ(api::agents_unchanged_until({agent(1, 100)}, no_spend, now), at("2027-03-02T00:00:00Z"))
      << "the burn-rate window is whole UTC days";
  const int64_t reset_ms = iron::util::to_unix_ms(at("2027-03-01T12:00:00Z"));
  EXPECT_EQ(api::agents_unchanged_until({agent(1, 100), agent(2, 100, reset_ms)}, no_spend, now),
            at("2027-03-01T12:00:00Z"));
}

TEST(AgentListCache, FoundOnlyForItsViewQueryVersionAndTime) {
  api::AgentListCache cache;
  const TimePoint t0 = at("2027-03-01T10:00:00Z");
  const api::AgentListCache::Key admin{"*", ""}, admin_page{"*", "4:page1:2"}, alice{"user:alice", ""};
  cache.put(admin, 7, t0, t0 + 1s, "[1]");
  cache.put(alice, 7, t0, t0 + 1s, "[2]");
  EXPECT_EQ(cache.find(admin, 7, t0).value_or("miss"), "[1]");
  EXPECT_EQ(cache.find(alice, 7, t0 + 999ms).value_or("miss"), "[2]");
  EXPECT_FALSE(cache.find(admin_page, 7, t0)) << "another query";
  EXPECT_FALSE(cache.find(admin, 8, t0)) << "a write committed since";
  EXPECT_FALSE(cache.find(admin, 7, t0 + 1s)) << "a time-dependent field turned over";
  EXPECT_FALSE(cache.find(admin, 7, t0 - 1ms)) << "the clock stepped back";
  cache.put(admin, 6, t0, t0 + 1s, "[old]");
  EXPECT_EQ(cache.find(admin, 7, t0).value_or("miss"), "[1]") << "an answer built before a write is not kept";
  cache.put(admin, 8, t0, t0 + 1s, "[new]");
  EXPECT_EQ(cache.find(admin, 8, t0).value_or("miss"), "[new]");
  EXPECT_FALSE(cache.find(alice, 8, t0)) << "entries of an older version are gone";
}

}  // namespace
