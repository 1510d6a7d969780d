#pragma once
// What the health probes report (api/health.cpp): whether the database answers, whether
// its schema is the one this binary migrates to (a server mid-upgrade is not ready), and
// whether writes are being refused for lack of space.
#include <exception>

#include "store/database.h"

namespace iron::domain {

struct DatabaseHealth {
  bool reachable = false;
  bool schema_current = false;  // false too when unreachable
  bool storage_full = false;    // the latest writes were refused: disk or IRON_MAX_DB_MB full
};

// Whether `e` (thrown out of a use case) is a write refused for lack of space, which the
// caller answers as 503 STORAGE_FULL: nothing of it was stored, and reads still work.
bool is_storage_full(const std::exception& e);

bool database_reachable(store::Database& db);
DatabaseHealth database_health(store::Database& db);

}  // namespace iron::domain
