#include "domain/budget_period.h"

#include <chrono>
#include <stdexcept>

#include "util/time_zone_table.h"

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
  const auto* zone = util::find_time_zone(name);
  if (!zone) return std::nullopt;
  if (zone->name() == "Etc/UTC") return std::string(kBudgetTimeZone);
  return zone->name();
}

PeriodWindow period_window(BudgetPeriod p, std::string_view zone_name, util::TimePoint t) {
  using namespace std::chrono;
  const auto* zone = util::find_time_zone(zone_name);
  if (!zone) throw std::invalid_argument("unknown time zone '" + std::string(zone_name) + "'");
  // Whole seconds, floored: boundaries are whole seconds and instants before 1970 still land
  // in the day that contains them.
  const int64_t at = floor<seconds>(t.time_since_epoch()).count();
  const sys_days day = zone->local_date(at);
  sys_days first;
  switch (p) {
    case BudgetPeriod::daily:
      first = day;
      break;
    case BudgetPeriod::weekly:
      // Days since the last Monday: weekday 0 is Sunday, so Monday is 1.
      first = day - days{(weekday{day} - Monday).count()};
      break;
    case BudgetPeriod::monthly: {
      const year_month_day ymd{day};
      first = sys_days{ymd.year() / ymd.month() / 1};
      break;
    }
    case BudgetPeriod::one_off:
      throw std::invalid_argument("a one-off budget has no period window");
  }
  const auto next = [&](sys_days d) -> sys_days {
    if (p == BudgetPeriod::daily) return d + days{1};
    if (p == BudgetPeriod::weekly) return d + days{7};
    const year_month_day ymd{d};
    return sys_days{(ymd.year() / ymd.month() / 1) + months{1}};
  };
  const auto instant = [](int64_t s) { return util::TimePoint{seconds{s}}; };
  return {instant(zone->start_of_day(first)), instant(zone->start_of_day(next(first)))};
}

}  // namespace iron::domain
