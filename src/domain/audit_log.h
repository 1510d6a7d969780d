#pragma once
// Reading the audit log (GET /api/v1/audit and its CSV export): rows matching a filter,
// newest first, `f.limit` at most, below `f.before_id` when set (keyset paging by id).
#include <vector>

#include "store/audit_repo.h"
#include "store/database.h"

namespace iron::domain {

std::vector<store::AuditRow> read_audit(store::Database& db, const store::AuditFilter& f);

}  // namespace iron::domain
