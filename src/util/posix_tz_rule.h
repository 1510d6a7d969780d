#pragma once
// A POSIX TZ rule string, as found in the footer of a TZif file (RFC 8536 section 3.3), e.g.
// "CET-1CEST,M3.5.0,M10.5.0/3" or "<+1245>-12:45<+1345>,M9.5.0/2:45,M4.1.0/3:45": standard
// and daylight offsets and the yearly rule switching between them. It describes a zone's
// *current* rules for every year; util/time_zone.h adds the few explicit transitions a rule
// cannot express.
//
// Supported: quoted (<...>) and alphabetic abbreviations; offsets [+-]hh[:mm[:ss]] (POSIX
// signs: positive is west of Greenwich); dates Mm.w.d, Jn (Feb 29 never counted) and n
// (zero-based, Feb 29 counted); transition times [+-]hh[:mm[:ss]] from -167 to 167 hours
// (the RFC 8536 extension zic uses, e.g. "/24", "/-1", "/25"). A daylight name without a
// rule is refused: zic always writes the rule, and guessing one (glibc uses US rules) would
// put boundaries on wrong days.
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace iron::util {

// The local time type in force at an instant: seconds east of UTC, and whether it is DST.
struct LocalType {
  int32_t utoff = 0;
  bool is_dst = false;
  bool operator==(const LocalType&) const = default;
};

class PosixTzRule {
 public:
  // nullopt when `text` is not a complete, valid rule.
  static std::optional<PosixTzRule> parse(std::string_view text);

  LocalType at(int64_t utc_seconds) const;
  LocalType standard() const { return {std_utoff_, false}; }
  bool has_dst() const { return has_dst_; }

  // A date rule: kind J (1..365, no Feb 29), Z (0..365, zero-based) or M (month.week.day).
  struct DateRule {
    char kind = 'M';
    int day = 0;  // J/Z: the day number; M: the weekday (0 = Sunday)
    int month = 0, week = 0;
    int32_t time = 7200;  // seconds after local midnight (may be negative or over 24 h)
  };

 private:
  // The UTC instant of the start (true) or end (false) of DST in `year`.
  int64_t transition(int year, bool start) const;

  int32_t std_utoff_ = 0;
  int32_t dst_utoff_ = 0;
  bool has_dst_ = false;
  DateRule start_, end_;
};

}  // namespace iron::util
