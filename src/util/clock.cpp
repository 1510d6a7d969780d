#include "util/clock.h"

#include <cstdio>
#include <ctime>

namespace iron::util {

TimePoint now() { return Clock::now(); }
int64_t now_unix_ms() { return to_unix_ms(now()); }

int64_t to_unix_ms(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(t.time_since_epoch()).count();
}
int64_t to_unix_s(TimePoint t) {
  return std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch()).count();
}
TimePoint from_unix_ms(int64_t ms) { return TimePoint(std::chrono::milliseconds(ms)); }

namespace {
std::string format(TimePoint t, bool millis) {
  const int64_t ms = to_unix_ms(t);
  std::time_t secs = static_cast<std::time_t>(ms >= 0 ? ms / 1000 : (ms - 999) / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[96];
  if (millis) {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec, static_cast<int>(((ms % 1000) + 1000) % 1000));
  } else {
    std::snprintf(buf, sizeof buf, "%04d-%02d-%02dT%02d:%02d:%02dZ", tm.tm_year + 1900, tm.tm_mon + 1,
                  tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec);
  }
  return buf;
}
}  // namespace

std::string to_rfc3339(TimePoint t) { return format(t, false); }
std::string to_rfc3339_millis(TimePoint t) { return format(t, true); }

std::optional<TimePoint> parse_rfc3339(std::string_view text) {
  // Accepts YYYY-MM-DDTHH:MM:SS[.fff]Z or with a ±HH:MM offset.
  int y, mo, d, h, mi, s, consumed = 0;
  std::string str(text);
  if (std::sscanf(str.c_str(), "%4d-%2d-%2dT%2d:%2d:%2d%n", &y, &mo, &d, &h, &mi, &s, &consumed) != 6) return std::nullopt;
  if (mo < 1 || mo > 12 || d < 1 || d > 31 || h > 23 || mi > 59 || s > 60) return std::nullopt;
  std::string_view rest = std::string_view(str).substr(static_cast<size_t>(consumed));
  int64_t frac_ms = 0;
  if (!rest.empty() && rest[0] == '.') {
    size_t i = 1;
    int digits = 0;
    while (i < rest.size() && rest[i] >= '0' && rest[i] <= '9') {
      if (digits < 3) { frac_ms = frac_ms * 10 + (rest[i] - '0'); ++digits; }
      ++i;
    }
    if (i == 1) return std::nullopt;
    while (digits < 3) { frac_ms *= 10; ++digits; }
    rest = rest.substr(i);
  }
  int64_t offset_s = 0;
  if (rest == "Z" || rest == "z") {
  } else if (rest.size() == 6 && (rest[0] == '+' || rest[0] == '-') && rest[3] == ':') {
    int oh = 0, om = 0;
    if (std::sscanf(std::string(rest.substr(1)).c_str(), "%2d:%2d", &oh, &om) != 2 || oh > 23 || om > 59) return std::nullopt;
    offset_s = (oh * 3600 + om * 60) * (rest[0] == '+' ? 1 : -1);
  } else {
    return std::nullopt;
  }
  std::tm tm{};
  tm.tm_year = y - 1900; tm.tm_mon = mo - 1; tm.tm_mday = d; tm.tm_hour = h; tm.tm_min = mi; tm.tm_sec = s;
  const std::time_t secs = timegm(&tm);
  // TimePoint counts nanoseconds in an int64 (±292 years around 1970): a later or earlier
  // time would silently wrap around, so it is refused like any other unparsable value.
  constexpr int64_t kMaxSeconds = std::chrono::duration_cast<std::chrono::seconds>(TimePoint::duration::max()).count() - 86400;
  const int64_t total_s = static_cast<int64_t>(secs) - offset_s;
  if (total_s > kMaxSeconds || total_s < -kMaxSeconds) return std::nullopt;
  return from_unix_ms(total_s * 1000 + frac_ms);
}

}  // namespace iron::util
