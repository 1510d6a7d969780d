#pragma once
// An IANA time zone as embedded in the binary (resources/tz/zones.tsv, written by
// scripts/gen-tz-table): the zone's current POSIX TZ rule plus, only where that rule cannot
// describe it, the explicit transitions since 2020 (e.g. Africa/Casablanca's yearly Ramadan
// changes). Converts between UTC and local time and finds where a local day starts.
//
// Limitation (docs/budgets.md, "Time zones"): rules in force before the current ones are not
// represented, so local times before the zone's last rule change (and before 2020 at all)
// may be wrong. Periodic budgets only ask about now and the next boundary.
#include <chrono>
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "util/posix_tz_rule.h"

namespace iron::util {

struct ZoneTransition {
  int64_t at;  // UTC seconds; this type is in force from here on
  LocalType type;
};

class TimeZone {
 public:
  // `transitions` sorted by time; after the last one (or with none) the rule applies.
  TimeZone(std::string name, PosixTzRule rule, std::vector<ZoneTransition> transitions);

  // The canonical IANA name (a link such as US/Eastern resolves to America/New_York).
  const std::string& name() const { return name_; }

  LocalType type_at(int64_t utc_seconds) const;
  int64_t to_local(int64_t utc_seconds) const { return utc_seconds + type_at(utc_seconds).utoff; }

  // The earliest UTC instant whose local time is at or after `local_seconds`: the instant of
  // that local time, its first occurrence when clocks went back over it, or, when clocks
  // skipped it (a DST gap), the first valid local instant after the gap.
  int64_t first_instant_at_or_after(int64_t local_seconds) const;

  // The local date of an instant, and the UTC instant its local day `d` starts.
  std::chrono::sys_days local_date(int64_t utc_seconds) const;
  int64_t start_of_day(std::chrono::sys_days d) const;

 private:
  std::string name_;
  PosixTzRule rule_;
  std::vector<ZoneTransition> transitions_;
};

}  // namespace iron::util
