#pragma once
// Prometheus metrics: request counts and a latency histogram by route template and status
// class, in-flight requests; gauges for DB/WAL size and build info are added at render time.
#include <array>
#include <atomic>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <string_view>

namespace iron::server {

class Metrics {
 public:
  static constexpr std::array<double, 12> kBuckets{0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
                                                   0.1,   0.25,   0.5,   1.0,  2.5,   5.0};
  void observe(std::string_view method, std::string_view route, int status, double seconds);
  void request_started() { ++in_flight_; }
  void request_finished() { --in_flight_; }
  std::string render(int64_t db_bytes, int64_t wal_bytes) const;

 private:
  struct Series {
    uint64_t count = 0;
    double sum = 0;
    std::array<uint64_t, kBuckets.size()> buckets{};
  };
  mutable std::mutex mutex_;
  std::map<std::string, Series, std::less<>> series_;  // key: method \x1f route \x1f class
  std::atomic<int64_t> in_flight_{0};
};

}  // namespace iron::server
