#pragma once
// budget_requests table access. Plain structs in, plain structs out. Status changes are
// guarded UPDATEs (`WHERE status = 'pending'`) that say whether they applied, so a decision
// never rests on a status read earlier in the transaction.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite.h"

namespace iron::store {

struct BudgetRequest {
  std::string id;  // breq_<uuid>
  int64_t agent_id = 0;
  std::string requester_id;
  int64_t current_budget_micros = 0;
  int64_t requested_budget_micros = 0;
  std::string justification;
  std::string status = "pending";  // pending | approved | rejected | cancelled
  std::optional<std::string> rejection_reason;
  std::optional<std::string> decided_by;
  std::optional<int64_t> decided_at;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct BudgetRequestFilter {
  std::optional<int64_t> agent_id;
  std::optional<std::string> status;
  std::optional<std::string> owner_id;  // only requests for agents owned by this user
};

namespace budget_requests {
void insert(Connection& c, const BudgetRequest& r);
std::optional<BudgetRequest> find(Connection& c, const std::string& id);
// Newest first.
std::vector<BudgetRequest> list(Connection& c, const BudgetRequestFilter& f);
// pending -> status, recording who decided and when (and the reason for a rejection).
// Returns the updated row, or nullopt when the request was not pending.
std::optional<BudgetRequest> decide(Connection& c, const std::string& id, const std::string& status,
                                    const std::string& decided_by, const std::optional<std::string>& reason,
                                    int64_t now);
}  // namespace budget_requests

}  // namespace iron::store
