#pragma once
// The budget ledger: an agent's allocation split into spent, reserved and remaining µ$, and
// the lease protocol that moves money between them.
//
//   reserve  remaining -> reserved   a new active lease holds `granted`
//   report   reserved  -> spent      the lease's reported cost (idempotent per request_id)
//   release  reserved  -> remaining  the unreported part when a lease ends (return, refresh,
//                                    expiry)
//
// allocated = spent + reserved + remaining is a CHECK in the database, so it holds after every
// statement; reserved always equals the unreported part of the agent's active leases. Each
// operation is one write transaction with its audit row; a refused one changes nothing.
//
// Periodic budgets (budget_period.h, docs/budgets.md): at resets_at, spent returns to 0 and
// remaining to the period's amount, while every µ$ still reserved by open leases becomes
// "carried" (carried_reserved, still inside allocated and reserved). A lease belongs to the
// period it was reserved in (its period_seq): what it reports or gives back after a reset
// settles against the carried part (allocated, reserved and carried all fall by it), so it
// is charged to its own period and never moves the new period's spent or remaining. Every
// ledger operation applies a due reset first, in its own transaction (lazy); the scheduler
// applies them too (apply_due_resets). A server that was stopped across several boundaries
// resets ONCE on catch-up, into the period that contains now: the missed periods had no
// activity, so one reset leaves the same books as several (the history row says how many
// periods elapsed).
#include <chrono>
#include <cstdint>
#include <optional>
#include <string>

#include "domain/budget_period.h"
#include "domain/principal.h"
#include "store/agent_repo.h"
#include "store/budget_repo.h"
#include "store/database.h"
#include "util/clock.h"
#include "util/result.h"

namespace iron::domain {

// Largest amount the ledger accepts in one figure (one billion dollars): sums of such
// figures stay far from int64 overflow.
inline constexpr int64_t kMaxLedgerAmountMicros = 1'000'000'000'000'000;

struct LedgerPolicy {
  std::chrono::milliseconds lease_ttl = std::chrono::hours(1);
};

// An agent's budget as the ledger reports it: the budget row itself (its figures, period and
// carried part).
using BudgetSnapshot = store::AgentBudget;

// Shared by the agent, ledger and budget-request services.
Error agent_not_found();  // 404 AGENT_NOT_FOUND

struct CreatedAgent {
  store::Agent agent;
  BudgetSnapshot budget;
};

// Why an allocation changed, for budget_history.
struct AllocationNote {
  std::optional<std::string> reason;
  std::optional<std::string> budget_request_id;  // set by budget-request approval
};

struct Lease {
  std::string id;               // lease_<uuid>
  int64_t agent_id = 0;
  int64_t granted = 0;
  int64_t remaining_after = 0;  // the agent's budget_remaining once this lease is granted
  util::TimePoint expires_at;
};

// One usage report of a runtime against a lease.
struct UsageReport {
  std::string request_id;       // idempotency key within the lease
  int64_t tokens = 0;
  int64_t cost_microdollars = 0;
  std::string model;
  std::string provider;
};

struct ReportOutcome {
  std::string lease_id;
  std::string request_id;
  int64_t cost = 0;
  int64_t lease_spent = 0;       // the lease's reported spend after this report
  int64_t lease_available = 0;   // granted - lease_spent
  int64_t budget_remaining = 0;  // the agent's budget_remaining when the report was accepted
  bool replayed = false;         // this (lease_id, request_id) had been reported before
};

struct ReleaseOutcome {
  std::string lease_id;
  int64_t returned = 0;          // granted - reported spend, back to remaining
  int64_t lease_spent = 0;
  int64_t budget_remaining = 0;
};

struct RefreshOutcome {
  bool approved = false;
  std::string closed_lease_id;
  int64_t released = 0;          // the old lease's unreported part, back to remaining
  std::optional<Lease> lease;    // the new lease when approved
  int64_t budget_remaining = 0;
  std::optional<std::string> reason;  // "insufficient_budget" when denied
};

// Error codes (kind in brackets): AGENT_NOT_FOUND, LEASE_NOT_FOUND [not_found] — a lease of
// another agent is reported as not found; LEASE_NOT_ACTIVE, LEASE_EXPIRED, LEASE_EXCEEDED,
// BUDGET_EXHAUSTED [forbidden]; VALIDATION_ERROR, OWNER_NOT_FOUND, ALLOCATION_BELOW_COMMITTED
// [validation].
class BudgetLedger {
 public:
  BudgetLedger(store::Database& db, LedgerPolicy policy);

  // The agent row and its budget row (allocated = remaining = initial) in one transaction.
  Result<CreatedAgent> create_agent(const std::string& name, const std::string& owner_id,
                                    int64_t initial_allocated_micros, const RequestContext& ctx);

  // New allocation, at least spent + reserved; remaining becomes allocated - spent - reserved.
  Result<BudgetSnapshot> set_allocation(int64_t agent_id, int64_t new_allocated, const RequestContext& ctx,
                                        const AllocationNote& note = {});

  // Grants min(requested, remaining) as a new active lease expiring at now + lease_ttl.
  Result<Lease> reserve(int64_t agent_id, int64_t requested, util::TimePoint now, const RequestContext& ctx);

  // Moves the cost from reserved to spent. Idempotent per (lease_id, request_id): a replay
  // returns the first outcome (replayed = true) and moves nothing. No audit row: the
  // lease_reports row is the record of each report (request id, cost, balances after), and
  // an audit row per model call would bury people's actions under agents' traffic.
  Result<ReportOutcome> report(const std::string& lease_id, int64_t agent_id, const UsageReport& usage,
                               util::TimePoint now);

  // "Return": closes an active lease, releasing granted - reported spend.
  Result<ReleaseOutcome> release(const std::string& lease_id, int64_t agent_id, util::TimePoint now,
                                 const RequestContext& ctx);

  // Closes the old lease (releasing its unreported part) and reserves a new one. When nothing
  // can be granted the outcome is denied — not an error — and the old lease stays closed.
  Result<RefreshOutcome> refresh(const std::string& old_lease_id, int64_t agent_id, int64_t requested,
                                 util::TimePoint now, const RequestContext& ctx);

  // The sweeper: every active lease with expires_at <= now becomes expired and its unreported
  // part is released, in batches of one transaction each. Returns how many leases expired.
  // Throws std::runtime_error only when the books are inconsistent (a bug, not a refusal).
  int64_t expire_stale(util::TimePoint now);

  // A due reset is applied first (lazily), so the answer is never a stale period.
  Result<BudgetSnapshot> snapshot(int64_t agent_id, util::TimePoint now = util::now());

  // The scheduled job: resets every budget whose resets_at <= now, in batches of one
  // transaction each. Returns how many budgets were reset.
  static int64_t apply_due_resets(store::Database& db, util::TimePoint now);
  // For read paths: apply_due_resets only when some budget is due (one indexed read otherwise).
  static void catch_up(store::Database& db, util::TimePoint now);
  // The agent's budget row after applying its due reset, if any (audited, in history).
  static Result<store::AgentBudget> current_budget_in(store::Connection& c, int64_t agent_id, util::TimePoint now);
  // Makes the budget one_off or periodic in `time_zone` (known_time_zone); money is untouched.
  // A periodic budget's current period starts at the boundary before now, resets_at is the next.
  static Result<BudgetSnapshot> set_period_in(store::Connection& c, int64_t agent_id, BudgetPeriod period,
                                              const std::string& time_zone, util::TimePoint now);

  // The same operations on a caller's open write transaction (inside Database::write), for use
  // cases that must commit them together with other changes: the handshake reserves and then
  // checks the provider key, so a refused key rolls the reservation back; an approved budget
  // request sets the allocation and the request's status together.
  Result<Lease> reserve_in(store::Connection& c, int64_t agent_id, int64_t requested, util::TimePoint now,
                           const RequestContext& ctx);
  // The lease protocol commits report / release / refresh together with the IC token check
  // and the usage-limit counters (lease_protocol.h): one transaction, one fsync, no count lost.
  Result<ReportOutcome> report_in(store::Connection& c, const std::string& lease_id, int64_t agent_id,
                                  const UsageReport& usage, util::TimePoint now);
  Result<ReleaseOutcome> release_in(store::Connection& c, const std::string& lease_id, int64_t agent_id,
                                    util::TimePoint now, const RequestContext& ctx);
  Result<RefreshOutcome> refresh_in(store::Connection& c, const std::string& old_lease_id, int64_t agent_id,
                                    int64_t requested, util::TimePoint now, const RequestContext& ctx);
  // create_agent on an open write transaction: agent use cases that also set the agent's
  // provider key create the agent, its budget and the key assignment in one commit.
  static Result<CreatedAgent> create_agent_in(store::Connection& c, const std::string& name,
                                              const std::string& owner_id, int64_t initial_allocated_micros,
                                              const RequestContext& ctx);
  static Result<BudgetSnapshot> set_allocation_in(store::Connection& c, int64_t agent_id, int64_t new_allocated,
                                                  const RequestContext& ctx, const AllocationNote& note = {});

 private:
  store::Database& db_;
  LedgerPolicy policy_;
};

}  // namespace iron::domain
