#pragma once
// Agent budgets, budget leases, lease usage reports and allocation history. Plain structs in,
// plain structs out. Every mutation of money is one guarded UPDATE: it applies only when the
// amounts allow it and says so (nullopt / false) otherwise, so correctness never rests on a
// value read earlier in the transaction (the door to a multi-writer PostgreSQL stays open).
// Amounts are µ$; times are ms since the Unix epoch.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite.h"

namespace iron::store {

// An agent's money, µ$: allocated = spent + reserved + remaining (a CHECK on agent_budgets).
// The budget row, the ledger's answers and the analytics budget rows all carry these four.
struct BudgetFigures {
  int64_t allocated = 0;
  int64_t spent = 0;
  int64_t reserved = 0;
  int64_t remaining = 0;
};

// Columns total_allocated, total_spent, total_reserved and budget_remaining hold the figures.
struct AgentBudget : BudgetFigures {
  int64_t agent_id = 0;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  // Periodic budgets (migration 011): one_off | daily | weekly | monthly.
  std::string period = "one_off";
  std::string time_zone = "UTC";
  int64_t period_seq = 0;                   // resets so far
  std::optional<int64_t> period_started_at;
  std::optional<int64_t> resets_at;         // null for one_off
  int64_t carried_reserved = 0;             // reserved by leases of earlier periods
};

struct BudgetLease {
  std::string id;  // lease_<uuid>
  int64_t agent_id = 0;
  int64_t granted = 0;
  int64_t spent = 0;
  std::string status = "active";  // active | closed | expired | revoked
  int64_t created_at = 0;
  int64_t expires_at = 0;
  std::optional<int64_t> closed_at;
  std::optional<int64_t> released;  // granted - spent, set when the lease ends
  int64_t period_seq = 0;           // the budget's period_seq when the lease was reserved
};

// Active leases of a scope right now: how many and the µ$ they still hold.
struct ActiveLeaseTotals {
  int64_t count = 0;
  int64_t reserved = 0;
};

struct LeaseReport {
  std::string lease_id;
  std::string request_id;
  int64_t tokens = 0;
  int64_t cost_microdollars = 0;
  std::string model;
  std::string provider;
  int64_t lease_spent_after = 0;
  int64_t budget_remaining_after = 0;
  int64_t created_at = 0;
};

struct BudgetHistoryEntry {
  int64_t id = 0;
  int64_t agent_id = 0;
  int64_t previous_allocated = 0;
  int64_t new_allocated = 0;
  std::string changed_by;
  std::optional<std::string> reason;
  std::optional<std::string> budget_request_id;
  int64_t created_at = 0;
  std::string kind = "allocation";          // allocation | period_reset
  std::optional<int64_t> period_spent;      // period_reset: the ended period's spend
};

namespace budgets {
void insert(Connection& c, const AgentBudget& b);
std::optional<AgentBudget> find(Connection& c, int64_t agent_id);
// Every budget row, or those of one owner's agents.
std::vector<AgentBudget> list(Connection& c, const std::optional<std::string>& owner_id);
// The period's amount := new_allocated: allocated := new_allocated + carried_reserved,
// remaining := allocated - spent - reserved; only when that is not negative. Returns the row.
std::optional<AgentBudget> set_allocation(Connection& c, int64_t agent_id, int64_t new_allocated, int64_t now);
// Sets the period, time zone and the current period's bounds (null for one_off); money is
// untouched.
std::optional<AgentBudget> set_period(Connection& c, int64_t agent_id, const std::string& period,
                                      const std::string& time_zone, std::optional<int64_t> period_started_at,
                                      std::optional<int64_t> resets_at, int64_t now);
// The period reset, only while resets_at still equals `due_at` (so it applies once): every
// reserved µ$ becomes carried, spent := 0, remaining := the period's amount
// (allocated - carried before), allocated := that amount + reserved; period_seq + 1.
std::optional<AgentBudget> reset_period(Connection& c, int64_t agent_id, int64_t due_at, int64_t period_started_at,
                                        int64_t next_resets_at, int64_t now);
// A lease of an earlier period settles `amount` (reported spend or its unreported rest):
// allocated, reserved and carried_reserved all fall by it, so the current period's spent and
// remaining do not move. Only when carried_reserved >= amount.
std::optional<AgentBudget> settle_carried(Connection& c, int64_t agent_id, int64_t amount, int64_t now);
// Agents whose resets_at <= now, earliest first.
std::vector<int64_t> list_due(Connection& c, int64_t now, int64_t limit);
bool any_due(Connection& c, int64_t now);
// remaining -> reserved, only when remaining >= amount.
std::optional<AgentBudget> reserve(Connection& c, int64_t agent_id, int64_t amount, int64_t now);
// reserved -> spent (a reported cost), only when reserved >= amount. This and the
// settle_carried below work on the row `before` read earlier in this transaction: they apply
// only while the row's figures, carried part and period_seq are still those, and return
// `before` with the move applied (updated_at = now) without reading the row again.
std::optional<AgentBudget> commit_spend(Connection& c, const AgentBudget& before, int64_t amount, int64_t now);
std::optional<AgentBudget> settle_carried(Connection& c, const AgentBudget& before, int64_t amount, int64_t now);
// reserved -> remaining (the unreported part of an ending lease), only when reserved >= amount.
std::optional<AgentBudget> release(Connection& c, int64_t agent_id, int64_t amount, int64_t now);
// Sum of (granted - spent) over the agent's active leases: always equal to reserved.
int64_t outstanding_reservations(Connection& c, int64_t agent_id);
}  // namespace budgets

namespace leases {
void insert(Connection& c, const BudgetLease& l);
std::optional<BudgetLease> find(Connection& c, const std::string& id);
// spent += amount on the active lease `before` (read earlier in this transaction), only while
// its spent is still before.spent and spent + amount <= granted. Returns the new spent.
std::optional<int64_t> add_spend(Connection& c, const BudgetLease& before, int64_t amount);
// Ends an active lease (status closed | expired | revoked), recording released = granted - spent.
// Returns the released amount, or nullopt when the lease was not active.
std::optional<int64_t> finish(Connection& c, const std::string& id, const std::string& status, int64_t now);
// Active leases whose expires_at <= now, oldest expiry first.
std::vector<BudgetLease> list_expired_active(Connection& c, int64_t now, int64_t limit);
// An agent's leases, newest first; status filters when given.
std::vector<BudgetLease> list_for_agent(Connection& c, int64_t agent_id, const std::optional<std::string>& status);
// One page of an agent's leases for the dashboard: active ones first, then newest first.
std::vector<BudgetLease> page_for_agent(Connection& c, int64_t agent_id, const std::optional<std::string>& status,
                                        int64_t limit, int64_t offset);
int64_t count_for_agent(Connection& c, int64_t agent_id, const std::optional<std::string>& status);
// Active leases of every agent, or of one owner's agents.
ActiveLeaseTotals active_totals(Connection& c, const std::optional<std::string>& owner_id);
}  // namespace leases

namespace lease_reports {
std::optional<LeaseReport> find(Connection& c, const std::string& lease_id, const std::string& request_id);
// Records the report unless a report of the same (lease_id, request_id) exists: false then, nothing written.
bool insert_new(Connection& c, const LeaseReport& r);
}  // namespace lease_reports

namespace budget_history {
void insert(Connection& c, const BudgetHistoryEntry& e);
std::vector<BudgetHistoryEntry> list_for_agent(Connection& c, int64_t agent_id);  // newest first
}  // namespace budget_history

}  // namespace iron::store
