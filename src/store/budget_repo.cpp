#include "store/budget_repo.h"

namespace iron::store {
namespace {

constexpr const char* kBudgetColumns =
    "agent_id, total_allocated, total_spent, total_reserved, budget_remaining, created_at, updated_at, period, "
    "time_zone, period_seq, period_started_at, resets_at, carried_reserved";
constexpr const char* kLeaseColumns =
    "id, agent_id, granted, spent, status, created_at, expires_at, closed_at, released, period_seq";

AgentBudget read_budget(Statement& s) {
  AgentBudget b;
  b.agent_id = s.int64(0);
  b.total_allocated = s.int64(1);
  b.total_spent = s.int64(2);
  b.total_reserved = s.int64(3);
  b.budget_remaining = s.int64(4);
  b.created_at = s.int64(5);
  b.updated_at = s.int64(6);
  b.period = s.text(7);
  b.time_zone = s.text(8);
  b.period_seq = s.int64(9);
  b.period_started_at = s.opt_int64(10);
  b.resets_at = s.opt_int64(11);
  b.carried_reserved = s.int64(12);
  return b;
}

BudgetLease read_lease(Statement& s) {
  BudgetLease l;
  l.id = s.text(0);
  l.agent_id = s.int64(1);
  l.granted = s.int64(2);
  l.spent = s.int64(3);
  l.status = s.text(4);
  l.created_at = s.int64(5);
  l.expires_at = s.int64(6);
  l.closed_at = s.opt_int64(7);
  l.released = s.opt_int64(8);
  l.period_seq = s.int64(9);
  return l;
}

// Runs a one-row UPDATE of agent_id's budget and reads the row back when it matched. No
// RETURNING: SQLite (3.40) gathers RETURNING rows in an ephemeral table opened and freed per
// execution, several times the cost of the update itself on the budget report path
// (callgrind, docs/benchmarks.md); a point lookup by primary key is cheaper.
std::optional<AgentBudget> updated_budget(Connection& c, Statement& update, int64_t agent_id) {
  update.run();
  if (c.changes() == 0) return std::nullopt;
  return budgets::find(c, agent_id);
}

// The same for a one-row UPDATE of lease `id`: `column` of the updated row.
std::optional<int64_t> updated_lease_value(Connection& c, Statement& update, const std::string& id,
                                           const std::string& column) {
  update.run();
  if (c.changes() == 0) return std::nullopt;
  auto& s = c.prepare("SELECT " + column + " FROM budget_leases WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  const int64_t v = s.int64(0);
  s.reset();
  return v;
}

}  // namespace

namespace budgets {

void insert(Connection& c, const AgentBudget& b) {
  auto& s = c.prepare(std::string("INSERT INTO agent_budgets(") + kBudgetColumns +
                      ") VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, b.agent_id).bind(2, b.total_allocated).bind(3, b.total_spent).bind(4, b.total_reserved);
  s.bind(5, b.budget_remaining).bind(6, b.created_at).bind(7, b.updated_at).bind(8, b.period).bind(9, b.time_zone);
  s.bind(10, b.period_seq).bind(11, b.period_started_at).bind(12, b.resets_at).bind(13, b.carried_reserved);
  s.run();
}

std::optional<AgentBudget> find(Connection& c, int64_t agent_id) {
  auto& s = c.prepare(std::string("SELECT ") + kBudgetColumns + " FROM agent_budgets WHERE agent_id = ?");
  s.bind(1, agent_id);
  if (!s.step()) return std::nullopt;
  auto b = read_budget(s);
  s.reset();
  return b;
}

std::vector<AgentBudget> list(Connection& c, const std::optional<std::string>& owner_id) {
  auto& s = c.prepare(std::string("SELECT ") + kBudgetColumns +
                      " FROM agent_budgets WHERE ?1 IS NULL OR agent_id IN (SELECT id FROM agents WHERE owner_id = ?1)");
  s.bind(1, owner_id);
  std::vector<AgentBudget> out;
  while (s.step()) out.push_back(read_budget(s));
  return out;
}

std::optional<AgentBudget> set_allocation(Connection& c, int64_t agent_id, int64_t new_allocated, int64_t now) {
  auto& s = c.prepare(
      "UPDATE agent_budgets SET total_allocated = ?1 + carried_reserved, "
      "budget_remaining = ?1 + carried_reserved - total_spent - total_reserved, updated_at = ?2 "
      "WHERE agent_id = ?3 AND ?1 + carried_reserved >= total_spent + total_reserved");
  s.bind(1, new_allocated).bind(2, now).bind(3, agent_id);
  return updated_budget(c, s, agent_id);
}

std::optional<AgentBudget> set_period(Connection& c, int64_t agent_id, const std::string& period,
                                      const std::string& time_zone, std::optional<int64_t> period_started_at,
                                      std::optional<int64_t> resets_at, int64_t now) {
  auto& s = c.prepare(
      "UPDATE agent_budgets SET period = ?1, time_zone = ?2, period_started_at = ?3, "
      "resets_at = ?4, updated_at = ?5 WHERE agent_id = ?6");
  s.bind(1, period).bind(2, time_zone).bind(3, period_started_at).bind(4, resets_at).bind(5, now).bind(6, agent_id);
  return updated_budget(c, s, agent_id);
}

std::optional<AgentBudget> reset_period(Connection& c, int64_t agent_id, int64_t due_at, int64_t period_started_at,
                                        int64_t next_resets_at, int64_t now) {
  // SET expressions read the row as it was before the UPDATE.
  auto& s = c.prepare(
      "UPDATE agent_budgets SET "
      "total_allocated = total_allocated - carried_reserved + total_reserved, "
      "budget_remaining = total_allocated - carried_reserved, total_spent = 0, "
      "carried_reserved = total_reserved, period_seq = period_seq + 1, "
      "period_started_at = ?1, resets_at = ?2, updated_at = ?3 "
      "WHERE agent_id = ?4 AND resets_at = ?5");
  s.bind(1, period_started_at).bind(2, next_resets_at).bind(3, now).bind(4, agent_id).bind(5, due_at);
  return updated_budget(c, s, agent_id);
}

std::optional<AgentBudget> settle_carried(Connection& c, int64_t agent_id, int64_t amount, int64_t now) {
  auto& s = c.prepare(
      "UPDATE agent_budgets SET total_allocated = total_allocated - ?1, "
      "total_reserved = total_reserved - ?1, carried_reserved = carried_reserved - ?1, "
      "updated_at = ?2 WHERE agent_id = ?3 AND carried_reserved >= ?1");
  s.bind(1, amount).bind(2, now).bind(3, agent_id);
  return updated_budget(c, s, agent_id);
}

std::vector<int64_t> list_due(Connection& c, int64_t now, int64_t limit) {
  auto& s = c.prepare(
      "SELECT agent_id FROM agent_budgets WHERE resets_at IS NOT NULL AND resets_at <= ? ORDER BY resets_at, agent_id "
      "LIMIT ?");
  s.bind(1, now).bind(2, limit);
  std::vector<int64_t> out;
  while (s.step()) out.push_back(s.int64(0));
  return out;
}

bool any_due(Connection& c, int64_t now) {
  auto& s = c.prepare("SELECT 1 FROM agent_budgets WHERE resets_at IS NOT NULL AND resets_at <= ? LIMIT 1");
  s.bind(1, now);
  const bool due = s.step();
  s.reset();
  return due;
}

std::optional<AgentBudget> reserve(Connection& c, int64_t agent_id, int64_t amount, int64_t now) {
  auto& s = c.prepare(
      "UPDATE agent_budgets SET budget_remaining = budget_remaining - ?1, "
      "total_reserved = total_reserved + ?1, updated_at = ?2 "
      "WHERE agent_id = ?3 AND budget_remaining >= ?1");
  s.bind(1, amount).bind(2, now).bind(3, agent_id);
  return updated_budget(c, s, agent_id);
}

std::optional<AgentBudget> commit_spend(Connection& c, int64_t agent_id, int64_t amount, int64_t now) {
  auto& s = c.prepare(
      "UPDATE agent_budgets SET total_reserved = total_reserved - ?1, "
      "total_spent = total_spent + ?1, updated_at = ?2 "
      "WHERE agent_id = ?3 AND total_reserved >= ?1");
  s.bind(1, amount).bind(2, now).bind(3, agent_id);
  return updated_budget(c, s, agent_id);
}

std::optional<AgentBudget> release(Connection& c, int64_t agent_id, int64_t amount, int64_t now) {
  auto& s = c.prepare(
      "UPDATE agent_budgets SET total_reserved = total_reserved - ?1, "
      "budget_remaining = budget_remaining + ?1, updated_at = ?2 "
      "WHERE agent_id = ?3 AND total_reserved >= ?1");
  s.bind(1, amount).bind(2, now).bind(3, agent_id);
  return updated_budget(c, s, agent_id);
}

int64_t outstanding_reservations(Connection& c, int64_t agent_id) {
  auto& s = c.prepare(
      "SELECT coalesce(sum(granted - spent), 0) FROM budget_leases WHERE agent_id = ? AND status = 'active'");
  s.bind(1, agent_id);
  s.step();
  return s.int64(0);
}

}  // namespace budgets

namespace leases {

void insert(Connection& c, const BudgetLease& l) {
  auto& s = c.prepare(std::string("INSERT INTO budget_leases(") + kLeaseColumns +
                      ") VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, l.id).bind(2, l.agent_id).bind(3, l.granted).bind(4, l.spent).bind(5, l.status);
  s.bind(6, l.created_at).bind(7, l.expires_at).bind(8, l.closed_at).bind(9, l.released).bind(10, l.period_seq);
  s.run();
}

std::optional<BudgetLease> find(Connection& c, const std::string& id) {
  auto& s = c.prepare(std::string("SELECT ") + kLeaseColumns + " FROM budget_leases WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read_lease(s);
}

std::optional<int64_t> add_spend(Connection& c, const std::string& id, int64_t amount) {
  auto& s = c.prepare(
      "UPDATE budget_leases SET spent = spent + ?1 "
      "WHERE id = ?2 AND status = 'active' AND spent + ?1 <= granted");
  s.bind(1, amount).bind(2, id);
  return updated_lease_value(c, s, id, "spent");
}

std::optional<int64_t> finish(Connection& c, const std::string& id, const std::string& status, int64_t now) {
  auto& s = c.prepare(
      "UPDATE budget_leases SET status = ?1, closed_at = ?2, released = granted - spent "
      "WHERE id = ?3 AND status = 'active'");
  s.bind(1, status).bind(2, now).bind(3, id);
  return updated_lease_value(c, s, id, "released");
}

std::vector<BudgetLease> list_expired_active(Connection& c, int64_t now, int64_t limit) {
  auto& s = c.prepare(std::string("SELECT ") + kLeaseColumns +
                      " FROM budget_leases WHERE status = 'active' AND expires_at <= ? ORDER BY expires_at, id LIMIT ?");
  s.bind(1, now).bind(2, limit);
  std::vector<BudgetLease> out;
  while (s.step()) out.push_back(read_lease(s));
  return out;
}

std::vector<BudgetLease> list_for_agent(Connection& c, int64_t agent_id, const std::optional<std::string>& status) {
  auto& s = c.prepare(std::string("SELECT ") + kLeaseColumns +
                      " FROM budget_leases WHERE agent_id = ?1 AND (?2 IS NULL OR status = ?2) "
                      "ORDER BY created_at DESC, id");
  s.bind(1, agent_id).bind(2, status);
  std::vector<BudgetLease> out;
  while (s.step()) out.push_back(read_lease(s));
  return out;
}

std::vector<BudgetLease> page_for_agent(Connection& c, int64_t agent_id, const std::optional<std::string>& status,
                                        int64_t limit, int64_t offset) {
  auto& s = c.prepare(std::string("SELECT ") + kLeaseColumns +
                      " FROM budget_leases WHERE agent_id = ?1 AND (?2 IS NULL OR status = ?2) "
                      "ORDER BY status = 'active' DESC, created_at DESC, id LIMIT ?3 OFFSET ?4");
  s.bind(1, agent_id).bind(2, status).bind(3, limit).bind(4, offset);
  std::vector<BudgetLease> out;
  while (s.step()) out.push_back(read_lease(s));
  return out;
}

int64_t count_for_agent(Connection& c, int64_t agent_id, const std::optional<std::string>& status) {
  auto& s = c.prepare("SELECT count(*) FROM budget_leases WHERE agent_id = ?1 AND (?2 IS NULL OR status = ?2)");
  s.bind(1, agent_id).bind(2, status);
  const int64_t n = s.step() ? s.int64(0) : 0;
  s.reset();
  return n;
}

ActiveLeaseTotals active_totals(Connection& c, const std::optional<std::string>& owner_id) {
  auto& s = c.prepare(
      "SELECT count(*), coalesce(sum(l.granted - l.spent), 0) FROM budget_leases l JOIN agents a ON a.id = l.agent_id "
      "WHERE l.status = 'active' AND (?1 IS NULL OR a.owner_id = ?1)");
  s.bind(1, owner_id);
  ActiveLeaseTotals t;
  if (s.step()) t = {s.int64(0), s.int64(1)};
  s.reset();
  return t;
}

}  // namespace leases

namespace lease_reports {

std::optional<LeaseReport> find(Connection& c, const std::string& lease_id, const std::string& request_id) {
  auto& s = c.prepare(
      "SELECT lease_id, request_id, tokens, cost_microdollars, model, provider, lease_spent_after, "
      "budget_remaining_after, created_at FROM lease_reports WHERE lease_id = ? AND request_id = ?");
  s.bind(1, lease_id).bind(2, request_id);
  if (!s.step()) return std::nullopt;
  LeaseReport r;
  r.lease_id = s.text(0);
  r.request_id = s.text(1);
  r.tokens = s.int64(2);
  r.cost_microdollars = s.int64(3);
  r.model = s.text(4);
  r.provider = s.text(5);
  r.lease_spent_after = s.int64(6);
  r.budget_remaining_after = s.int64(7);
  r.created_at = s.int64(8);
  return r;
}

void insert(Connection& c, const LeaseReport& r) {
  auto& s = c.prepare(
      "INSERT INTO lease_reports(lease_id, request_id, tokens, cost_microdollars, model, provider, "
      "lease_spent_after, budget_remaining_after, created_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, r.lease_id).bind(2, r.request_id).bind(3, r.tokens).bind(4, r.cost_microdollars).bind(5, r.model);
  s.bind(6, r.provider).bind(7, r.lease_spent_after).bind(8, r.budget_remaining_after).bind(9, r.created_at);
  s.run();
}

}  // namespace lease_reports

namespace budget_history {

void insert(Connection& c, const BudgetHistoryEntry& e) {
  auto& s = c.prepare(
      "INSERT INTO budget_history(agent_id, previous_allocated, new_allocated, changed_by, reason, "
      "budget_request_id, created_at, kind, period_spent) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, e.agent_id).bind(2, e.previous_allocated).bind(3, e.new_allocated).bind(4, e.changed_by);
  s.bind(5, e.reason).bind(6, e.budget_request_id).bind(7, e.created_at).bind(8, e.kind).bind(9, e.period_spent);
  s.run();
}

std::vector<BudgetHistoryEntry> list_for_agent(Connection& c, int64_t agent_id) {
  auto& s = c.prepare(
      "SELECT id, agent_id, previous_allocated, new_allocated, changed_by, reason, budget_request_id, created_at, "
      "kind, period_spent FROM budget_history WHERE agent_id = ? ORDER BY id DESC");
  s.bind(1, agent_id);
  std::vector<BudgetHistoryEntry> out;
  while (s.step()) {
    BudgetHistoryEntry e;
    e.id = s.int64(0);
    e.agent_id = s.int64(1);
    e.previous_allocated = s.int64(2);
    e.new_allocated = s.int64(3);
    e.changed_by = s.text(4);
    e.reason = s.opt_text(5);
    e.budget_request_id = s.opt_text(6);
    e.created_at = s.int64(7);
    e.kind = s.text(8);
    e.period_spent = s.opt_int64(9);
    out.push_back(std::move(e));
  }
  return out;
}

}  // namespace budget_history

}  // namespace iron::store
