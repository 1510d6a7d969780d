#include "domain/audit_log.h"

namespace iron::domain {

std::vector<store::AuditRow> read_audit(store::Database& db, const store::AuditFilter& f) {
  return db.read([&](store::Connection& c) { return store::audit::list(c, f); });
}

}  // namespace iron::domain
