#include "store/budget_request_repo.h"

namespace iron::store {
namespace {

constexpr const char* kBudgetRequestColumns =
    "id, agent_id, requester_id, current_budget_micros, requested_budget_micros, justification, status, "
    "rejection_reason, decided_by, decided_at, created_at, updated_at";

BudgetRequest read_budget_request(Statement& s) {
  BudgetRequest r;
  r.id = s.text(0);
  r.agent_id = s.int64(1);
  r.requester_id = s.text(2);
  r.current_budget_micros = s.int64(3);
  r.requested_budget_micros = s.int64(4);
  r.justification = s.text(5);
  r.status = s.text(6);
  r.rejection_reason = s.opt_text(7);
  r.decided_by = s.opt_text(8);
  r.decided_at = s.opt_int64(9);
  r.created_at = s.int64(10);
  r.updated_at = s.int64(11);
  return r;
}

}  // namespace

namespace budget_requests {

void insert(Connection& c, const BudgetRequest& r) {
  auto& s = c.prepare(std::string("INSERT INTO budget_requests(") + kBudgetRequestColumns +
                      ") VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, r.id).bind(2, r.agent_id).bind(3, r.requester_id).bind(4, r.current_budget_micros);
  s.bind(5, r.requested_budget_micros).bind(6, r.justification).bind(7, r.status).bind(8, r.rejection_reason);
  s.bind(9, r.decided_by).bind(10, r.decided_at).bind(11, r.created_at).bind(12, r.updated_at);
  s.run();
}

std::optional<BudgetRequest> find(Connection& c, const std::string& id) {
  auto& s = c.prepare(std::string("SELECT ") + kBudgetRequestColumns + " FROM budget_requests WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  auto r = read_budget_request(s);
  s.reset();
  return r;
}

std::vector<BudgetRequest> list(Connection& c, const BudgetRequestFilter& f) {
  // One statement text; absent filters bind NULL and match everything.
  auto& s = c.prepare(std::string("SELECT ") + kBudgetRequestColumns +
                      " FROM budget_requests r WHERE (?1 IS NULL OR r.agent_id = ?1)"
                      " AND (?2 IS NULL OR r.status = ?2)"
                      " AND (?3 IS NULL OR r.agent_id IN (SELECT id FROM agents WHERE owner_id = ?3))"
                      " ORDER BY r.created_at DESC, r.rowid DESC");
  s.bind(1, f.agent_id).bind(2, f.status).bind(3, f.owner_id);
  std::vector<BudgetRequest> out;
  while (s.step()) out.push_back(read_budget_request(s));
  return out;
}

std::optional<BudgetRequest> decide(Connection& c, const std::string& id, const std::string& status,
                                    const std::string& decided_by, const std::optional<std::string>& reason,
                                    int64_t now) {
  auto& s = c.prepare(std::string("UPDATE budget_requests SET status = ?, decided_by = ?, rejection_reason = ?, "
                                  "decided_at = ?, updated_at = ? WHERE id = ? AND status = 'pending' RETURNING ") +
                      kBudgetRequestColumns);
  s.bind(1, status).bind(2, decided_by).bind(3, reason).bind(4, now).bind(5, now).bind(6, id);
  if (!s.step()) return std::nullopt;
  auto r = read_budget_request(s);
  s.run();
  return r;
}

}  // namespace budget_requests

}  // namespace iron::store
