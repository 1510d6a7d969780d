#include "util/time_zone.h"

#include <algorithm>
#include <optional>

namespace iron::util {
namespace {

// No zone's offset reaches a day (they lie within -12 h .. +14 h), so the UTC instants of one
// local time lie within a day of it, and so does the single transition near a local midnight.
constexpr int64_t kSearchWindow = 26 * 3600;

}  // namespace

TimeZone::TimeZone(std::string name, PosixTzRule rule, std::vector<ZoneTransition> transitions)
    : name_(std::move(name)), rule_(std::move(rule)), transitions_(std::move(transitions)) {}

LocalType TimeZone::type_at(int64_t utc_seconds) const {
  if (transitions_.empty() || utc_seconds >= transitions_.back().at) return rule_.at(utc_seconds);
  // The last transition at or before the instant; before the first, its type (the table
  // keeps nothing older).
  auto it = std::upper_bound(transitions_.begin(), transitions_.end(), utc_seconds,
                             [](int64_t t, const ZoneTransition& z) { return t < z.at; });
  return it == transitions_.begin() ? it->type : std::prev(it)->type;
}

int64_t TimeZone::first_instant_at_or_after(int64_t local_seconds) const {
  // Each offset in force near the local time gives a candidate instant; it is real when the
  // offset is in force there too. With two (clocks went back), the earlier one wins.
  std::optional<int64_t> best;
  for (int64_t probe : {local_seconds - kSearchWindow, local_seconds, local_seconds + kSearchWindow}) {
    const int64_t candidate = local_seconds - type_at(probe).utoff;
    if (to_local(candidate) == local_seconds && (!best || candidate < *best)) best = candidate;
  }
  if (best) return *best;
  // A gap: local time jumps over `local_seconds`. Around one forward jump "local time has
  // reached it" is monotonic, so bisect for the first instant past the gap.
  int64_t lo = local_seconds - kSearchWindow;  // local time is before it here
  int64_t hi = local_seconds + kSearchWindow;  // and past it here
  while (hi - lo > 1) {
    const int64_t mid = lo + (hi - lo) / 2;
    (to_local(mid) >= local_seconds ? hi : lo) = mid;
  }
  return hi;
}

std::chrono::sys_days TimeZone::local_date(int64_t utc_seconds) const {
  using namespace std::chrono;
  return floor<days>(sys_seconds{seconds{to_local(utc_seconds)}});
}

int64_t TimeZone::start_of_day(std::chrono::sys_days d) const {
  using namespace std::chrono;
  return first_instant_at_or_after(duration_cast<seconds>(d.time_since_epoch()).count());
}

}  // namespace iron::util
