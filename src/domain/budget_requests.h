#pragma once
// Budget-change requests (docs/compatibility.md, with S3 and C4 fixed):
//   create   agent owner or admin; the requester is the caller (never a body field)
//   approve  admin only, never the requester; sets the agent's allocation to the requested
//            ABSOLUTE amount against the CURRENT budget, in one transaction with the status
//            change and the budget_history row (BudgetLedger::set_allocation_in)
//   reject   admin only, never the requester; the reason is stored
//   cancel   the requester only, while pending
// Each successful create/approve/reject/cancel publishes budget_request.<created|approved|
// rejected|cancelled> on the event bus AFTER its transaction commits, scoped to the agent's
// owner (admins see all); data: id, agent_id, status, requester_id.
// Reads are owner-scoped: a user sees requests for agents they own, an admin all; anything
// else is "not found" so ids cannot be probed.
//
// Error codes (kind): NOT_FOUND, AGENT_NOT_FOUND [not_found]; REQUESTER_CANNOT_APPROVE_OWN_REQUEST,
// NOT_REQUESTER [forbidden]; REQUEST_NOT_PENDING, ALLOCATION_BELOW_COMMITTED [conflict];
// VALIDATION_ERROR, REQUESTED_EQUALS_CURRENT [validation].
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/event_bus.h"
#include "domain/principal.h"
#include "store/budget_request_repo.h"
#include "store/database.h"
#include "util/result.h"

namespace iron::domain {

// The predecessor's bounds for requested_budget_usd: (0, 10000].
inline constexpr int64_t kMaxRequestedBudgetMicros = 10'000'000'000;

// requested_budget_usd (a JSON number) to µ$ without binary-float surprises: the double is
// printed as its shortest round-trip decimal (what the client wrote, e.g. 0.29 stays
// "0.29", not 0.28999…), then that decimal is scaled by 10^6 exactly and rounded half away
// from zero at the 7th fractional digit. Must be finite, > 0 and <= 10000 as written, and at
// least one µ$ after rounding: 10000 → 10^10, 10000.01 → refused, 0.000001 → 1,
// 0.0000004 → refused (rounds to 0).
Result<int64_t> usd_to_micros(double usd, const std::string& field = "requested_budget_usd");

struct NewBudgetRequest {
  int64_t agent_id = 0;
  int64_t requested_micros = 0;
  std::string justification;  // trimmed here; 20..500 characters
};

class BudgetRequests {
 public:
  explicit BudgetRequests(store::Database& db, EventBus* events = nullptr) : db_(db), events_(events) {}

  Result<store::BudgetRequest> create(const Principal& p, const NewBudgetRequest& in, const RequestContext& ctx);
  Result<store::BudgetRequest> get(const Principal& p, const std::string& id);
  Result<std::vector<store::BudgetRequest>> list(const Principal& p, const std::optional<int64_t>& agent_id,
                                                 const std::optional<std::string>& status);
  Result<store::BudgetRequest> approve(const Principal& p, const std::string& id, const RequestContext& ctx);
  Result<store::BudgetRequest> reject(const Principal& p, const std::string& id, const std::string& reason,
                                      const RequestContext& ctx);
  Result<store::BudgetRequest> cancel(const Principal& p, const std::string& id, const RequestContext& ctx);

 private:
  // After commit: the event for `r`, scoped to `owner_id` (the agent's owner).
  void publish(const std::string& type, const std::string& owner_id, const store::BudgetRequest& r);
  store::Database& db_;
  EventBus* events_;
};

}  // namespace iron::domain
