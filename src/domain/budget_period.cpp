#include "domain/budget_period.h"

#include <chrono>
#include <stdexcept>

namespace iron::domain {

std::optional<BudgetPeriod> parse_budget_period(std::string_view name) {
  if (name == "one_off") return BudgetPeriod::one_off;
  if (name == "daily") return BudgetPeriod::daily;
  if (name == "weekly") return BudgetPeriod::weekly;
  if (name == "monthly") return BudgetPeriod::monthly;
  return std::nullopt;
}

std::string_view budget_period_name(BudgetPeriod p) {
  switch (p) {
    case BudgetPeriod::one_off: return "one_off";
    case BudgetPeriod::daily: return "daily";
    case BudgetPeriod::weekly: return "weekly";
    case BudgetPeriod::monthly: return "monthly";
  }
  return "one_off";
}

std::optional<std::string> known_time_zone(std::string_view name) {
  if (name == "UTC" || name == "Etc/UTC") return std::string(kBudgetTimeZone);
  return std::nullopt;
}

PeriodWindow period_window(BudgetPeriod p, util::TimePoint t) {
  using namespace std::chrono;
  // floor, not duration_cast: instants before 1970 still land in the day that contains them.
  const sys_days day = floor<days>(t);
  switch (p) {
    case BudgetPeriod::daily:
      return {day, day + days{1}};
    case BudgetPeriod::weekly: {
      // Days since the last Monday: weekday 0 is Sunday, so Monday is 1.
      const auto since_monday = (weekday{day} - Monday).count();
      const sys_days monday = day - days{since_monday};
      return {monday, monday + days{7}};
    }
    case BudgetPeriod::monthly: {
      const year_month_day ymd{day};
      const year_month first = ymd.year() / ymd.month();
      return {sys_days{first / 1}, sys_days{(first + months{1}) / 1}};
    }
    case BudgetPeriod::one_off:
      break;
  }
  throw std::invalid_argument("a one-off budget has no period window");
}

}  // namespace iron::domain
