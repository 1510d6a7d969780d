// The pure date and burn-rate rules of analytics (domain/analytics.h), without a database.
#include <gtest/gtest.h>

#include "domain/analytics.h"
#include "util/clock.h"

namespace {

namespace domain = iron::domain;
const iron::util::TimePoint kRulesNow = iron::util::from_unix_ms(1'773'576'000'000);

TEST(AnalyticsDays, ParseDayAcceptsOnlyRealCalendarDays) {
  EXPECT_TRUE(domain::parse_day("2024-02-29"));
  for (const char* bad : {"2026-02-29", "2026-13-01", "2026-00-10", "2026-1-01", "26-01-01", "2026-01-01T00:00:00Z", "",
                          "2026-01-32", "abcd-ef-gh"})
    EXPECT_FALSE(domain::parse_day(bad)) << bad;
  EXPECT_EQ(domain::day_text(*domain::parse_day("2026-03-09")), "2026-03-09");
}

TEST(AnalyticsBurnRate, ProjectsExhaustionFromTheSevenDayPace) {
  // 7,000,000 µ$ in 7 days with 3,500,000 left: half a week.
  auto r = domain::burn_rate_of(7'000'000, 3'500'000, kRulesNow);
  EXPECT_EQ(r.micros_per_day, 1'000'000);
  ASSERT_TRUE(r.exhaustion_at);
  EXPECT_EQ(iron::util::to_unix_ms(*r.exhaustion_at) - iron::util::to_unix_ms(kRulesNow), 84 * 3'600'000);
  // Below 7 µ$ in a week the daily rate rounds to 0, but the projection stays exact.
  r = domain::burn_rate_of(6, 6, kRulesNow);
  EXPECT_EQ(r.micros_per_day, 0);
  ASSERT_TRUE(r.exhaustion_at);
  EXPECT_EQ(iron::util::to_unix_ms(*r.exhaustion_at) - iron::util::to_unix_ms(kRulesNow), 7 * 86'400'000);
  EXPECT_FALSE(domain::burn_rate_of(0, 1'000, kRulesNow).exhaustion_at) << "no recent spend: no projection";
  EXPECT_FALSE(domain::burn_rate_of(1'000, 0, kRulesNow).exhaustion_at) << "nothing left: nothing to project";
  // A billion dollars left at 1 µ$ a week: beyond a century, and no overflow on the way.
  EXPECT_FALSE(domain::burn_rate_of(1, 1'000'000'000'000'000, kRulesNow).exhaustion_at);
  EXPECT_TRUE(domain::burn_rate_of(1'000'000'000'000'000, 1'000'000'000'000'000, kRulesNow).exhaustion_at);
}

}  // namespace
