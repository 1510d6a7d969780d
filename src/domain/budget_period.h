#pragma once
// The calendar of periodic budgets (docs/budgets.md, "Periodic budgets"): which period an
// instant falls in, as pure arithmetic on UTC instants, so it is tested table-driven without
// a clock (tests/unit/budget_period_test.cpp).
//
// Periods are calendar-aligned in the budget's IANA time zone: daily at local 00:00, weekly at
// Monday 00:00, monthly at 00:00 on the 1st. GCC 12's libstdc++ has no std::chrono::tzdb and
// the distroless image carries no zoneinfo, so the zones come from the table embedded in the
// binary (util/time_zone_table.h); a name it does not know is refused with
// 400 UNKNOWN_TIME_ZONE rather than silently read as UTC. A local midnight that clocks skip
// (a DST gap) starts its day at the first valid local instant; days last 23 or 25 hours
// across DST changes.
#include <optional>
#include <string>
#include <string_view>

#include "util/clock.h"

namespace iron::domain {

enum class BudgetPeriod { one_off, daily, weekly, monthly };

std::optional<BudgetPeriod> parse_budget_period(std::string_view name);
std::string_view budget_period_name(BudgetPeriod p);

inline constexpr std::string_view kBudgetTimeZone = "UTC";
// The name stored for an embedded zone name (case-sensitive): a link becomes its target
// (US/Eastern -> America/New_York), and the UTC family (Etc/UTC, Zulu, ...) stays "UTC", the
// name budgets had before zones existed. nullopt for a name the table does not know.
std::optional<std::string> known_time_zone(std::string_view name);

// The period of `p` (not one_off) that contains `t` in the zone called `zone` (a name
// known_time_zone accepts; anything else throws std::invalid_argument): start <= t < end.
struct PeriodWindow {
  util::TimePoint start;
  util::TimePoint end;
};
PeriodWindow period_window(BudgetPeriod p, std::string_view zone, util::TimePoint t);

}  // namespace iron::domain
