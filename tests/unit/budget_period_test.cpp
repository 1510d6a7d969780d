// The calendar of periodic budgets (domain/budget_period.h): which window an instant falls in,
// across month ends, leap years, year ends, Monday boundaries and instants on a boundary; and
// in IANA zones, against windows computed from the host's tzdata at run time.
#include <gtest/gtest.h>

#include <map>
#include <string>

#include "domain/budget_period.h"
#include "support/host_zoneinfo.h"
#include "util/clock.h"

namespace {

using iron::domain::BudgetPeriod;

iron::util::TimePoint at(const std::string& rfc3339) {
  auto t = iron::util::parse_rfc3339(rfc3339);
  EXPECT_TRUE(t.has_value()) << rfc3339;
  return t.value_or(iron::util::TimePoint{});
}

struct WindowCase {
  BudgetPeriod period;
  std::string instant, start, end;
};

TEST(BudgetPeriod, WindowsAreCalendarAlignedInUtc) {
  const WindowCase cases[] = {
      // daily: the UTC day; midnight belongs to the day it starts
      {BudgetPeriod::daily, "2026-11-30T13:45:10Z", "2026-11-30T00:00:00Z", "2026-12-01T00:00:00Z"},
      {BudgetPeriod::daily, "2026-12-01T00:00:00Z", "2026-12-01T00:00:00Z", "2026-12-02T00:00:00Z"},
      {BudgetPeriod::daily, "2026-11-30T23:59:59.999Z", "2026-11-30T00:00:00Z", "2026-12-01T00:00:00Z"},
      {BudgetPeriod::daily, "2024-02-28T22:00:00Z", "2024-02-28T00:00:00Z", "2024-02-29T00:00:00Z"},  // leap day next
      {BudgetPeriod::daily, "2024-02-29T05:00:00Z", "2024-02-29T00:00:00Z", "2024-03-01T00:00:00Z"},
      {BudgetPeriod::daily, "2026-12-31T23:00:00Z", "2026-12-31T00:00:00Z", "2027-01-01T00:00:00Z"},
      {BudgetPeriod::daily, "1969-12-31T12:00:00Z", "1969-12-31T00:00:00Z", "1970-01-01T00:00:00Z"},  // before the epoch
      // weekly: Monday 00:00 to the next Monday (2026-11-30 is a Monday)
      {BudgetPeriod::weekly, "2026-11-30T00:00:00Z", "2026-11-30T00:00:00Z", "2026-12-07T00:00:00Z"},
      {BudgetPeriod::weekly, "2026-11-29T23:59:59Z", "2026-11-23T00:00:00Z", "2026-11-30T00:00:00Z"},  // Sunday
      {BudgetPeriod::weekly, "2026-12-02T10:00:00Z", "2026-11-30T00:00:00Z", "2026-12-07T00:00:00Z"},  // Wednesday
      {BudgetPeriod::weekly, "2027-01-01T09:00:00Z", "2026-12-28T00:00:00Z", "2027-01-04T00:00:00Z"},  // across a year
      {BudgetPeriod::weekly, "2024-03-01T00:00:00Z", "2024-02-26T00:00:00Z", "2024-03-04T00:00:00Z"},  // across a leap day
      {BudgetPeriod::weekly, "1970-01-01T00:00:00Z", "1969-12-29T00:00:00Z", "1970-01-05T00:00:00Z"},  // a Thursday
      // monthly: the 1st 00:00 to the next 1st, whatever the month's length
      {BudgetPeriod::monthly, "2026-01-31T23:59:59Z", "2026-01-01T00:00:00Z", "2026-02-01T00:00:00Z"},
      {BudgetPeriod::monthly, "2024-02-10T00:00:00Z", "2024-02-01T00:00:00Z", "2024-03-01T00:00:00Z"},  // 29 days
      {BudgetPeriod::monthly, "2023-02-28T23:00:00Z", "2023-02-01T00:00:00Z", "2023-03-01T00:00:00Z"},  // 28 days
      {BudgetPeriod::monthly, "2100-02-15T00:00:00Z", "2100-02-01T00:00:00Z", "2100-03-01T00:00:00Z"},  // no leap year
      {BudgetPeriod::monthly, "2026-04-30T12:00:00Z", "2026-04-01T00:00:00Z", "2026-05-01T00:00:00Z"},  // 30 days
      {BudgetPeriod::monthly, "2026-12-31T23:59:59.999Z", "2026-12-01T00:00:00Z", "2027-01-01T00:00:00Z"},
      {BudgetPeriod::monthly, "2027-01-01T00:00:00Z", "2027-01-01T00:00:00Z", "2027-02-01T00:00:00Z"},
  };
  for (const auto& c : cases) {
    const auto w = iron::domain::period_window(c.period, "UTC", at(c.instant));
    const std::string label = std::string(iron::domain::budget_period_name(c.period)) + " at " + c.instant;
    EXPECT_EQ(iron::util::to_rfc3339_millis(w.start), iron::util::to_rfc3339_millis(at(c.start))) << label;
    EXPECT_EQ(iron::util::to_rfc3339_millis(w.end), iron::util::to_rfc3339_millis(at(c.end))) << label;
  }
}

// The end of one window is the start of the next: stepping never skips or repeats a period,
// also across DST changes.
TEST(BudgetPeriod, ConsecutiveWindowsTile) {
  for (const char* zone : {"UTC", "Europe/Berlin", "America/Santiago", "Australia/Lord_Howe", "Africa/Casablanca"})
    for (auto p : {BudgetPeriod::daily, BudgetPeriod::weekly, BudgetPeriod::monthly}) {
      auto w = iron::domain::period_window(p, zone, at("2023-12-20T07:00:00Z"));
      for (int i = 0; i < 400; ++i) {
        const auto next = iron::domain::period_window(p, zone, w.end);
        EXPECT_EQ(next.start, w.end) << zone << " " << iron::domain::budget_period_name(p) << " step " << i;
        EXPECT_LT(next.start, next.end);
        w = next;
      }
    }
}

// Daily, weekly and monthly windows in DST zones, for instants on both sides of every
// transition from 2024 to 2037 and every month between: boundaries at local midnight,
// the first valid instant when midnight is skipped, 23- and 25-hour days.
TEST(BudgetPeriod, WindowsInZonesMatchTheHost) {
  using namespace std::chrono;
  constexpr int64_t from = 1704067200, to = 2145916800;  // 2024-01-01 .. 2038-01-01 UTC
  for (const char* zone : {"Europe/Berlin", "America/New_York", "Australia/Sydney", "Asia/Kolkata", "Asia/Kathmandu",
                           "Pacific/Chatham", "America/Santiago", "Africa/Casablanca", "Etc/GMT+5", "UTC",
                           "Asia/Beirut", "America/Havana", "Australia/Lord_Howe"}) {
    SCOPED_TRACE(zone);
    if (!iron::test::host_has_zone(zone)) GTEST_SKIP() << "the host has no zoneinfo for " << zone;
    iron::test::HostZone host(zone);
    std::vector<int64_t> instants;
    for (int64_t t : host.transitions(from, to, 6 * 3600)) instants.insert(instants.end(), {t - 1, t, t + 3600});
    for (int64_t t = from; t < to; t += 30 * 86400 + 5 * 3600) instants.push_back(t);
    std::map<sys_days, int64_t> starts;  // the host's day starts, each searched for once
    const auto start_of = [&](sys_days d) {
      auto [it, fresh] = starts.try_emplace(d, 0);
      if (fresh) it->second = host.first_instant_at_or_after(duration_cast<seconds>(d.time_since_epoch()).count());
      return it->second;
    };
    for (int64_t t : instants) {
      const sys_days day = floor<days>(sys_seconds{seconds{host.to_local(t)}});
      const year_month_day ymd{day};
      const sys_days monday = day - days{(weekday{day} - Monday).count()};
      const sys_days first{ymd.year() / ymd.month() / 1};
      const std::pair<BudgetPeriod, std::pair<sys_days, sys_days>> expected[] = {
          {BudgetPeriod::daily, {day, day + days{1}}},
          {BudgetPeriod::weekly, {monday, monday + days{7}}},
          {BudgetPeriod::monthly, {first, sys_days{(ymd.year() / ymd.month() + months{1}) / 1}}}};
      for (const auto& [p, local] : expected) {
        const auto w = iron::domain::period_window(p, zone, iron::util::TimePoint{seconds{t}});
        const std::string label = std::string(iron::domain::budget_period_name(p)) + " at " +
                                  iron::util::to_rfc3339(iron::util::TimePoint{seconds{t}});
        EXPECT_EQ(duration_cast<seconds>(w.start.time_since_epoch()).count(), start_of(local.first)) << label;
        EXPECT_EQ(duration_cast<seconds>(w.end.time_since_epoch()).count(), start_of(local.second)) << label;
      }
    }
  }
}

TEST(BudgetPeriod, NamesAndZones) {
  for (auto p : {BudgetPeriod::one_off, BudgetPeriod::daily, BudgetPeriod::weekly, BudgetPeriod::monthly})
    EXPECT_EQ(iron::domain::parse_budget_period(iron::domain::budget_period_name(p)), p);
  for (const char* bad : {"", "Daily", "yearly", "one-off"})
    EXPECT_FALSE(iron::domain::parse_budget_period(bad).has_value()) << bad;
  EXPECT_THROW(iron::domain::period_window(BudgetPeriod::one_off, "UTC", at("2026-01-01T00:00:00Z")), std::invalid_argument);
  EXPECT_THROW(iron::domain::period_window(BudgetPeriod::daily, "Mars/Olympus_Mons", at("2026-01-01T00:00:00Z")),
               std::invalid_argument);

  const std::pair<const char*, std::optional<std::string>> zones[] = {
      {"UTC", "UTC"}, {"Etc/UTC", "UTC"}, {"Zulu", "UTC"}, {"utc", std::nullopt}, {"", std::nullopt},
      {"Europe/Berlin", "Europe/Berlin"}, {"America/New_York", "America/New_York"},
      // links are stored as their target; names are case-sensitive; offsets are no zones
      {"US/Eastern", "America/New_York"}, {"Asia/Calcutta", "Asia/Kolkata"}, {"europe/berlin", std::nullopt},
      {"UTC+01:00", std::nullopt}, {"Mars/Olympus_Mons", std::nullopt}};
  for (const auto& [name, expected] : zones) EXPECT_EQ(iron::domain::known_time_zone(name), expected) << name;
}

}  // namespace
