#pragma once
// The host's own time-zone database (Debian tzdata in /usr/share/zoneinfo, read by glibc's
// localtime_r) as the reference the embedded zones are checked against: expectations are
// computed here at run time, never written into the tests. Brute force on purpose — it shares
// no algorithm with util/time_zone.cpp: transitions are found by scanning and bisecting, and a
// day's start is read off the piecewise-constant offsets between them.
#include <time.h>

#include <cstdint>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <optional>
#include <string>
#include <vector>

namespace iron::test {

inline const char* kHostZoneinfo = "/usr/share/zoneinfo";

// The tzdata release of the host ("2025b"), empty when it has none.
inline std::string host_tzdata_version() {
  std::ifstream f(std::string(kHostZoneinfo) + "/tzdata.zi");
  std::string line;
  if (!std::getline(f, line) || line.rfind("# version ", 0) != 0) return "";
  return line.substr(10);
}

inline bool host_has_zone(const std::string& name) {
  return std::filesystem::is_regular_file(std::string(kHostZoneinfo) + "/" + name);
}

// Points glibc at one zone for the object's lifetime, restoring TZ after: a zone name (its
// file under /usr/share/zoneinfo; check host_has_zone first, glibc silently falls back to
// UTC) or a POSIX TZ rule string, which glibc evaluates itself. Tests run one at a time per
// process, so the process-wide TZ is theirs.
class HostZone {
 public:
  explicit HostZone(const std::string& tz) {
    if (const char* old = std::getenv("TZ")) old_ = old;
    setenv("TZ", tz.c_str(), 1);
    tzset();
  }
  ~HostZone() {
    if (old_) setenv("TZ", old_->c_str(), 1);
    else unsetenv("TZ");
    tzset();
  }
  HostZone(const HostZone&) = delete;
  HostZone& operator=(const HostZone&) = delete;

  int64_t utoff(int64_t utc) const {
    const time_t t = static_cast<time_t>(utc);
    struct tm tm {};
    localtime_r(&t, &tm);
    return tm.tm_gmtoff;
  }
  int64_t to_local(int64_t utc) const { return utc + utoff(utc); }

  // Every instant in [from, to) where the UTC offset changes, scanning in `step` seconds
  // (shorter than any gap between two transitions) and bisecting to the second.
  std::vector<int64_t> transitions(int64_t from, int64_t to, int64_t step) const {
    std::vector<int64_t> out;
    for (int64_t a = from; a < to; a += step) {
      const int64_t b = a + step;
      if (utoff(a) == utoff(b)) continue;
      int64_t lo = a, hi = b;  // utoff(lo) differs from utoff(hi)
      while (hi - lo > 1) {
        const int64_t mid = lo + (hi - lo) / 2;
        (utoff(mid) == utoff(a) ? lo : hi) = mid;
      }
      out.push_back(hi);
    }
    return out;
  }

  // The earliest UTC instant whose local time is at or after `local`: within each stretch of
  // constant offset between transitions, local time is utc + offset.
  int64_t first_instant_at_or_after(int64_t local) const {
    const int64_t from = local - 36 * 3600, to = local + 36 * 3600;  // offsets stay within ±15 h
    std::vector<int64_t> cuts{from};
    for (int64_t t : transitions(from, to, 3600)) cuts.push_back(t);
    cuts.push_back(to);
    for (size_t i = 0; i + 1 < cuts.size(); ++i) {
      const int64_t candidate = std::max(cuts[i], local - utoff(cuts[i]));
      if (candidate < cuts[i + 1]) return candidate;
    }
    return to;
  }

 private:
  std::optional<std::string> old_;
};

}  // namespace iron::test
