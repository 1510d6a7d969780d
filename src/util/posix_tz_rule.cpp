#include "util/posix_tz_rule.h"

#include <chrono>
#include <cctype>

namespace iron::util {
namespace {

using namespace std::chrono;

// A cursor over the rule text; every reader returns false (and the parse fails) on bad input.
struct TzCursor {
  std::string_view s;
  size_t i = 0;

  bool done() const { return i == s.size(); }
  bool peek(char c) const { return i < s.size() && s[i] == c; }
  bool eat(char c) {
    if (!peek(c)) return false;
    ++i;
    return true;
  }

  // "<...>" (letters, digits, + and -) or at least three letters.
  bool abbreviation() {
    if (eat('<')) {
      const size_t from = i;
      while (i < s.size() && (std::isalnum(static_cast<unsigned char>(s[i])) || s[i] == '+' || s[i] == '-')) ++i;
      return i - from >= 3 && eat('>');
    }
    const size_t from = i;
    while (i < s.size() && std::isalpha(static_cast<unsigned char>(s[i]))) ++i;
    return i - from >= 3;
  }

  bool number(int max, int& out) {
    const size_t from = i;
    out = 0;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i])) && i - from < 3) out = out * 10 + (s[i++] - '0');
    return i > from && out <= max;
  }

  // [+-]hh[:mm[:ss]] in seconds, hours up to `max_hours`.
  bool hms(int max_hours, int32_t& out) {
    const bool negative = eat('-');
    if (!negative) eat('+');
    int h = 0, m = 0, sec = 0;
    if (!number(max_hours, h)) return false;
    if (eat(':') && (!number(59, m) || (eat(':') && !number(59, sec)))) return false;
    out = (negative ? -1 : 1) * (h * 3600 + m * 60 + sec);
    return true;
  }

  bool date_rule(PosixTzRule::DateRule& r) {
    if (eat('J')) {
      r.kind = 'J';
      if (!number(365, r.day) || r.day < 1) return false;
    } else if (eat('M')) {
      r.kind = 'M';
      if (!number(12, r.month) || r.month < 1 || !eat('.') || !number(5, r.week) || r.week < 1 || !eat('.') ||
          !number(6, r.day))
        return false;
    } else {
      r.kind = 'Z';
      if (!number(365, r.day)) return false;
    }
    r.time = 7200;  // POSIX default: 02:00
    return !eat('/') || hms(167, r.time);
  }
};

// The local date a date rule names in `y`.
sys_days rule_day(const PosixTzRule::DateRule& r, int y) {
  const year yr{y};
  const sys_days jan1{yr / January / 1};
  switch (r.kind) {
    case 'J':  // 1..365, February 29 is never counted: day 60 is always March 1
      return jan1 + days{r.day - 1 + (yr.is_leap() && r.day >= 60 ? 1 : 0)};
    case 'Z':
      return jan1 + days{r.day};
    default: {
      // The w-th weekday d of the month; week 5 means the last one.
      const sys_days first{yr / month{static_cast<unsigned>(r.month)} / 1};
      const weekday wanted{static_cast<unsigned>(r.day)};
      sys_days d = first + (wanted - weekday{first});
      d += weeks{r.week - 1};
      const sys_days next_month{(yr / month{static_cast<unsigned>(r.month)} / 1) + months{1}};
      while (d >= next_month) d -= weeks{1};
      return d;
    }
  }
}

int local_year(int64_t local_seconds) {
  const auto day = floor<days>(sys_seconds{seconds{local_seconds}});
  return static_cast<int>(year_month_day{day}.year());
}

}  // namespace

std::optional<PosixTzRule> PosixTzRule::parse(std::string_view text) {
  TzCursor c{text};
  PosixTzRule r;
  int32_t offset = 0;
  if (!c.abbreviation() || !c.hms(24, offset)) return std::nullopt;
  r.std_utoff_ = -offset;  // POSIX counts west of Greenwich as positive
  if (c.done()) return r;
  if (!c.abbreviation()) return std::nullopt;
  r.has_dst_ = true;
  r.dst_utoff_ = r.std_utoff_ + 3600;
  if (!c.peek(',')) {
    if (!c.hms(24, offset)) return std::nullopt;
    r.dst_utoff_ = -offset;
  }
  if (!c.eat(',') || !c.date_rule(r.start_) || !c.eat(',') || !c.date_rule(r.end_) || !c.done()) return std::nullopt;
  return r;
}

int64_t PosixTzRule::transition(int y, bool start) const {
  const DateRule& r = start ? start_ : end_;
  const int64_t local = duration_cast<seconds>(rule_day(r, y).time_since_epoch()).count() + r.time;
  // DST starts at a time given in standard time and ends at a time given in daylight time.
  return local - (start ? std_utoff_ : dst_utoff_);
}

LocalType PosixTzRule::at(int64_t utc_seconds) const {
  if (!has_dst_) return standard();
  // The last switch at or before the instant, among those of the surrounding years (times
  // over 24 h or negative can move a switch into the neighbouring year). When DST ends and
  // starts at the same instant (zic's "DST all year", e.g. ",0/0,J365/25"), DST wins.
  const int y = local_year(utc_seconds + std_utoff_);
  std::optional<int64_t> last_at;
  bool dst = false;
  for (int yy = y - 1; yy <= y + 1; ++yy) {
    for (bool start : {false, true}) {
      const int64_t at = transition(yy, start);
      if (at <= utc_seconds && (!last_at || at > *last_at || (at == *last_at && start))) {
        last_at = at;
        dst = start;
      }
    }
  }
  return dst ? LocalType{dst_utoff_, true} : standard();
}

}  // namespace iron::util
