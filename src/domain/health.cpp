#include "domain/health.h"

#include "store/migrations.h"

namespace iron::domain {

bool database_reachable(store::Database& db) { return db.ping(); }

DatabaseHealth database_health(store::Database& db) {
  DatabaseHealth h;
  h.reachable = db.ping();
  h.storage_full = db.storage_full();
  if (h.reachable) {
    try {
      h.schema_current = db.schema_version() == store::latest_schema_version();
    } catch (const std::exception&) {
      // an unreadable version is not a current one
    }
  }
  return h;
}

bool is_storage_full(const std::exception& e) {
  const auto* store = dynamic_cast<const store::StoreError*>(&e);
  return store && store->is_storage_full();
}

}  // namespace iron::domain
