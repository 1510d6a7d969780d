#pragma once
// What the health probes report (api/health.cpp): whether the database answers, and whether
// its schema is the one this binary migrates to (a server mid-upgrade is not ready).
#include "store/database.h"

namespace iron::domain {

struct DatabaseHealth {
  bool reachable = false;
  bool schema_current = false;  // false too when unreachable
};

bool database_reachable(store::Database& db);
DatabaseHealth database_health(store::Database& db);

}  // namespace iron::domain
