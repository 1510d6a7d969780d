#include "util/build_info.h"
#include "server/metrics.h"

#include <sstream>

namespace iron::server {
namespace {
std::string escape_label(const std::string& v) {
  std::string out;
  for (char c : v) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') { out += "\\n"; continue; }
    out += c;
  }
  return out;
}
}  // namespace

void Metrics::observe(std::string_view method, std::string_view route, int status, double seconds) {
  std::string key;
  key.reserve(method.size() + route.size() + 5);
  key.append(method).append(1, '\x1f').append(route).append(1, '\x1f');
  key += static_cast<char>('0' + status / 100 % 10);
  key += "xx";
  std::lock_guard lock(mutex_);
  auto it = series_.find(key);
  if (it == series_.end()) it = series_.emplace(std::move(key), Series{}).first;
  auto& s = it->second;
  ++s.count;
  s.sum += seconds;
  for (size_t i = 0; i < kBuckets.size(); ++i)
    if (seconds <= kBuckets[i]) ++s.buckets[i];
}

std::string Metrics::render(int64_t db_bytes, int64_t wal_bytes) const {
  std::ostringstream out;
  out << "# HELP ironpanel_http_requests_total HTTP requests by route template and status class.\n"
         "# TYPE ironpanel_http_requests_total counter\n";
  std::map<std::string, Series, std::less<>> copy;
  {
    std::lock_guard lock(mutex_);
    copy = series_;
  }
  auto labels = [](const std::string& key) {
    const auto a = key.find('\x1f');
    const auto b = key.find('\x1f', a + 1);
    return "method=\"" + escape_label(key.substr(0, a)) + "\",route=\"" + escape_label(key.substr(a + 1, b - a - 1)) +
           "\",status=\"" + key.substr(b + 1) + "\"";
  };
  for (const auto& [key, s] : copy) out << "ironpanel_http_requests_total{" << labels(key) << "} " << s.count << "\n";
  out << "# HELP ironpanel_http_request_duration_seconds Request latency.\n"
         "# TYPE ironpanel_http_request_duration_seconds histogram\n";
  for (const auto& [key, s] : copy) {
    const std::string l = labels(key);
    for (size_t i = 0; i < kBuckets.size(); ++i)
      out << "ironpanel_http_request_duration_seconds_bucket{" << l << ",le=\"" << kBuckets[i] << "\"} " << s.buckets[i]
          << "\n";
    out << "ironpanel_http_request_duration_seconds_bucket{" << l << ",le=\"+Inf\"} " << s.count << "\n";
    out << "ironpanel_http_request_duration_seconds_sum{" << l << "} " << s.sum << "\n";
    out << "ironpanel_http_request_duration_seconds_count{" << l << "} " << s.count << "\n";
  }
  out << "# HELP ironpanel_http_requests_in_flight Requests being handled now.\n"
         "# TYPE ironpanel_http_requests_in_flight gauge\n"
      << "ironpanel_http_requests_in_flight " << in_flight_.load() << "\n"
      << "# HELP ironpanel_db_size_bytes Size of iron.db.\n# TYPE ironpanel_db_size_bytes gauge\n"
      << "ironpanel_db_size_bytes " << db_bytes << "\n"
      << "# HELP ironpanel_db_wal_size_bytes Size of the write-ahead log.\n# TYPE ironpanel_db_wal_size_bytes gauge\n"
      << "ironpanel_db_wal_size_bytes " << wal_bytes << "\n"
      << "# HELP ironpanel_build_info Build information.\n# TYPE ironpanel_build_info gauge\n"
      << "ironpanel_build_info{version=\"" << iron::util::build_version() << "\",build_sha=\"" << escape_label(iron::util::build_sha())
      << "\"} 1\n";
  return out.str();
}

}  // namespace iron::server
