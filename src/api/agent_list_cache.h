#pragma once
// The answer of GET /agents, kept while it is still exactly what the handler would write
// (issue 13: the list of 100 agents cost ~1.75M instructions per request, 0.16x of
// /health/live; docs/benchmarks.md). An entry is used only while
// - no write has committed since it was built: store::Database::data_version() is bumped by
//   every committed write batch before its callers are answered, so a write acknowledged to
//   anyone is seen by the next read (the panel's process alone writes the file: the data dir
//   is locked, store/data_dir.h); and
// - its time-dependent fields would still read the same: the clock is before `valid_until`,
//   the earliest of the next UTC midnight (the burn-rate window moves), any listed budget's
//   resets_at (the reset is applied by the next uncached read) and the instant any
//   projected_exhaustion_at (now + a fixed duration, written to the second) turns over.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

#include "api/http_types.h"
#include "domain/principal.h"
#include "util/clock.h"

namespace iron::api {

class AgentListCache {
 public:
  // `who`: whose view (the caller's visibility), `query`: the request's query parameters.
  struct Key {
    std::string who;
    std::string query;
    bool operator==(const Key&) const = default;
  };
  static Key key_for(const domain::Principal& caller, const Request& req);
  // The body built at data version `version`, if still valid at `now`.
  std::optional<std::string> find(const Key& key, uint64_t version, util::TimePoint now);
  void put(Key key, uint64_t version, util::TimePoint built_at, util::TimePoint valid_until, std::string body);

 private:
  struct Entry {
    Key key;
    util::TimePoint built_at, valid_until;
    std::string body;
  };
  static constexpr size_t kMaxEntries = 32;  // views x query shapes between two writes
  std::mutex mutex_;
  uint64_t version_ = 0;  // of every entry
  std::vector<Entry> entries_;
};

}  // namespace iron::api
