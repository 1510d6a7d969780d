#include "store/budget_request_repo.h"

#include "store/table.h"

namespace iron::store {
namespace {

const Table<BudgetRequest> kBudgetRequests = Table<BudgetRequest>("budget_requests") IRON_COLUMNS(
    BudgetRequest, id, agent_id, requester_id, current_budget_micros, requested_budget_micros, justification,
    status, rejection_reason, decided_by, decided_at, created_at, updated_at);

}  // namespace

namespace budget_requests {

void insert(Connection& c, const BudgetRequest& r) {
  kBudgetRequests.insert(c, r);
  // Its place in filing order (migration 018): one more than the last. Writes never run side
  // by side on one number: SQLite has one writer, and PostgreSQL's SERIALIZABLE transactions
  // retry the second of two that read the same maximum.
  auto& s = c.prepare("UPDATE budget_requests SET filing_order = "
                      "(SELECT COALESCE(MAX(filing_order), 0) + 1 FROM budget_requests) WHERE id = ?");
  s.bind(1, r.id);
  s.run();
}

std::optional<BudgetRequest> find(Connection& c, const std::string& id) { return kBudgetRequests.find(c, id); }

std::vector<BudgetRequest> list(Connection& c, const BudgetRequestFilter& f) {
  // One statement text; absent filters bind NULL and match everything.
  auto& s = c.prepare(kBudgetRequests.select() +
                      " r WHERE (?1 IS NULL OR r.agent_id = ?1)"
                      " AND (?2 IS NULL OR r.status = ?2)"
                      " AND (?3 IS NULL OR r.agent_id IN (SELECT id FROM agents WHERE owner_id = ?3))"
                      // Requests filed in the same millisecond: newest filed first.
                      " ORDER BY r.created_at DESC, r.filing_order DESC");
  s.bind(1, f.agent_id).bind(2, f.status).bind(3, f.owner_id);
  return kBudgetRequests.all(s);
}

std::optional<BudgetRequest> decide(Connection& c, const std::string& id, const std::string& status,
                                    const std::string& decided_by, const std::optional<std::string>& reason,
                                    int64_t now) {
  auto& s = c.prepare(std::string("UPDATE budget_requests SET status = ?, decided_by = ?, rejection_reason = ?, "
                                  "decided_at = ?, updated_at = ? WHERE id = ? AND status = 'pending' RETURNING ") +
                      kBudgetRequests.columns());
  s.bind(1, status).bind(2, decided_by).bind(3, reason).bind(4, now).bind(5, now).bind(6, id);
  return kBudgetRequests.one(s);
}

}  // namespace budget_requests

}  // namespace iron::store
