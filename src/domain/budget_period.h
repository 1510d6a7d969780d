#pragma once
// The calendar of periodic budgets (docs/budgets.md, "Periodic budgets"): which period an
// instant falls in, as pure arithmetic on UTC instants, so it is tested table-driven without
// a clock (tests/unit/budget_period_test.cpp).
//
// Periods are calendar-aligned: daily at 00:00, weekly at Monday 00:00, monthly at 00:00 on
// the 1st. The only time zone is UTC: GCC 12's libstdc++ has no std::chrono::tzdb and the
// distroless image carries no zoneinfo, so an IANA zone name other than UTC is refused with
// 400 UNKNOWN_TIME_ZONE rather than silently read as UTC.
#include <optional>
#include <string>
#include <string_view>

#include "util/clock.h"

namespace iron::domain {

enum class BudgetPeriod { one_off, daily, weekly, monthly };

std::optional<BudgetPeriod> parse_budget_period(std::string_view name);
std::string_view budget_period_name(BudgetPeriod p);

inline constexpr std::string_view kBudgetTimeZone = "UTC";
// "UTC" and its alias "Etc/UTC" (normalised to "UTC"); nullopt for any other name.
std::optional<std::string> known_time_zone(std::string_view name);

// The period of `p` (not one_off) that contains `t`: start <= t < end.
struct PeriodWindow {
  util::TimePoint start;
  util::TimePoint end;
};
PeriodWindow period_window(BudgetPeriod p, util::TimePoint t);

}  // namespace iron::domain
