#include "store/budget_repo.h"

#include "store/table.h"

namespace iron::store {
namespace {

const Table<AgentBudget> kBudgets = Table<AgentBudget>("agent_budgets")
    IRON_COLUMNS(AgentBudget, agent_id)
    .column("total_allocated", &AgentBudget::allocated)
    .column("total_spent", &AgentBudget::spent)
    .column("total_reserved", &AgentBudget::reserved)
    .column("budget_remaining", &AgentBudget::remaining)
    IRON_COLUMNS(AgentBudget, created_at, updated_at, period, time_zone, period_seq, period_started_at, resets_at,
                 carried_reserved);

const Table<BudgetLease> kLeases = Table<BudgetLease>("budget_leases") IRON_COLUMNS(
    BudgetLease, id, agent_id, granted, spent, status, created_at, expires_at, closed_at, released,
    period_seq);

const Table<LeaseReport> kLeaseReports = Table<LeaseReport>("lease_reports") IRON_COLUMNS(
    LeaseReport, lease_id, request_id, tokens, cost_microdollars, model, provider, lease_spent_after,
    budget_remaining_after, created_at);

const Table<BudgetHistoryEntry> kBudgetHistory =
    Table<BudgetHistoryEntry>("budget_history").key_assigned_on_insert() IRON_COLUMNS(
        BudgetHistoryEntry, id, agent_id, previous_allocated, new_allocated, changed_by, reason,
        budget_request_id, created_at, kind, period_spent);

// No RETURNING in this file: SQLite (3.40) gathers RETURNING rows in an ephemeral table opened
// and freed per execution, several times the cost of the update itself on the budget report
// path (callgrind, docs/benchmarks.md). An UPDATE runs plain and the changed row is read back by
// its key, when there is one.
std::optional<AgentBudget> updated_budget(Connection& c, Statement& update, int64_t agent_id) {
  update.run();
  if (c.changes() == 0) return std::nullopt;
  return kBudgets.find(c, agent_id);
}

// "UPDATE agent_budgets SET <set>, updated_at = ?2 WHERE agent_id = ?3 AND <guard>", the (at most
// one) changed row returned. Every guarded money move binds ?1 = its amount, ?2 = now, ?3 = the agent.
std::optional<AgentBudget> guarded_update(Connection& c, const std::string& set, const std::string& guard,
                                      int64_t agent_id, int64_t amount, int64_t now) {
  auto& s = c.prepare("UPDATE agent_budgets SET " + set + ", updated_at = ?2 WHERE agent_id = ?3 AND " + guard);
  s.bind(1, amount).bind(2, now).bind(3, agent_id);
  return updated_budget(c, s, agent_id);
}

// guarded_update for a caller that read the row earlier in its transaction (`before`): the
// UPDATE applies only while the row's figures, carried part and period are still the ones read,
// so the changed row is `before` with the move applied and is not read back (a point read of
// the whole row per report, callgrind). figures_sql(set, guard) is its statement, built once
// by each caller; it binds ?1 = amount, ?2 = now, ?3 = the agent, ?4.. the figures read.
std::string figures_sql(const std::string& set, const std::string& guard) {
  return "UPDATE agent_budgets SET " + set + ", updated_at = ?2 WHERE agent_id = ?3 AND " + guard +
         " AND total_allocated = ?4 AND total_spent = ?5 AND total_reserved = ?6 AND budget_remaining = ?7"
         " AND carried_reserved = ?8 AND period_seq = ?9";
}

bool figures_update(Connection& c, const std::string& sql, const AgentBudget& before, int64_t amount, int64_t now) {
  auto& s = c.prepare(sql);
  s.bind(1, amount).bind(2, now).bind(3, before.agent_id).bind(4, before.allocated).bind(5, before.spent);
  s.bind(6, before.reserved).bind(7, before.remaining).bind(8, before.carried_reserved).bind(9, before.period_seq);
  s.run();
  return c.changes() > 0;
}

// The same for a one-row UPDATE of lease `id`: `column` of the changed row.
std::optional<int64_t> updated_lease_value(Connection& c, Statement& update, const std::string& id,
                                           const std::string& column) {
  update.run();
  if (c.changes() == 0) return std::nullopt;
  auto& s = c.prepare("SELECT " + column + " FROM budget_leases WHERE id = ?");
  s.bind(1, id);
  return s.value<int64_t>();
}

}  // namespace

namespace budgets {

void insert(Connection& c, const AgentBudget& b) { kBudgets.insert(c, b); }

std::optional<AgentBudget> find(Connection& c, int64_t agent_id) { return kBudgets.find(c, agent_id); }

std::vector<AgentBudget> list(Connection& c, const std::optional<std::string>& owner_id) {
  auto& s = c.prepare(kBudgets.select() +
                      " WHERE ?1 IS NULL OR agent_id IN (SELECT id FROM agents WHERE owner_id = ?1)");
  s.bind(1, owner_id);
  return kBudgets.all(s);
}

std::optional<AgentBudget> set_allocation(Connection& c, int64_t agent_id, int64_t new_allocated, int64_t now) {
  return guarded_update(c,
                        "total_allocated = ?1 + carried_reserved, "
                        "budget_remaining = ?1 + carried_reserved - total_spent - total_reserved",
                        "?1 + carried_reserved >= total_spent + total_reserved", agent_id, new_allocated, now);
}

std::optional<AgentBudget> set_period(Connection& c, int64_t agent_id, const std::string& period,
                                      const std::string& time_zone, std::optional<int64_t> period_started_at,
                                      std::optional<int64_t> resets_at, int64_t now) {
  auto& s = c.prepare(
      "UPDATE agent_budgets SET period = ?1, time_zone = ?2, period_started_at = ?3, resets_at = ?4, updated_at = ?5 "
      "WHERE agent_id = ?6");
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
  return guarded_update(c,
                        "total_allocated = total_allocated - ?1, total_reserved = total_reserved - ?1, "
                        "carried_reserved = carried_reserved - ?1",
                        "carried_reserved >= ?1", agent_id, amount, now);
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
  return guarded_update(c, "budget_remaining = budget_remaining - ?1, total_reserved = total_reserved + ?1",
                        "budget_remaining >= ?1", agent_id, amount, now);
}

std::optional<AgentBudget> commit_spend(Connection& c, const AgentBudget& before, int64_t amount, int64_t now) {
  static const std::string sql =
      figures_sql("total_reserved = total_reserved - ?1, total_spent = total_spent + ?1", "total_reserved >= ?1");
  if (!figures_update(c, sql, before, amount, now)) return std::nullopt;
  AgentBudget after = before;
  after.reserved -= amount;
  after.spent += amount;
  after.updated_at = now;
  return after;
}

std::optional<AgentBudget> settle_carried(Connection& c, const AgentBudget& before, int64_t amount, int64_t now) {
  static const std::string sql = figures_sql(
      "total_allocated = total_allocated - ?1, total_reserved = total_reserved - ?1, "
      "carried_reserved = carried_reserved - ?1",
      "carried_reserved >= ?1");
  if (!figures_update(c, sql, before, amount, now)) return std::nullopt;
  AgentBudget after = before;
  after.allocated -= amount;
  after.reserved -= amount;
  after.carried_reserved -= amount;
  after.updated_at = now;
  return after;
}

std::optional<AgentBudget> release(Connection& c, int64_t agent_id, int64_t amount, int64_t now) {
  return guarded_update(c, "total_reserved = total_reserved - ?1, budget_remaining = budget_remaining + ?1",
                        "total_reserved >= ?1", agent_id, amount, now);
}

int64_t outstanding_reservations(Connection& c, int64_t agent_id) {
  auto& s = c.prepare(
      "SELECT coalesce(sum(granted - spent), 0) FROM budget_leases WHERE agent_id = ? AND status = 'active'");
  s.bind(1, agent_id);
  return s.value<int64_t>().value_or(0);
}

}  // namespace budgets

namespace leases {

void insert(Connection& c, const BudgetLease& l) { kLeases.insert(c, l); }

std::optional<BudgetLease> find(Connection& c, const std::string& id) { return kLeases.find(c, id); }

std::optional<int64_t> add_spend(Connection& c, const BudgetLease& before, int64_t amount) {
  // Guarded by the spent read earlier as well: the new spent is then known without reading it back.
  static const std::string sql =
      "UPDATE budget_leases SET spent = spent + ?1 "
      "WHERE id = ?2 AND status = 'active' AND spent = ?3 AND spent + ?1 <= granted";
  auto& s = c.prepare(sql);
  s.bind(1, amount).bind(2, before.id).bind(3, before.spent);
  s.run();
  if (c.changes() == 0) return std::nullopt;
  return before.spent + amount;
}

std::optional<int64_t> finish(Connection& c, const std::string& id, const std::string& status, int64_t now) {
  auto& s = c.prepare(
      "UPDATE budget_leases SET status = ?1, closed_at = ?2, released = granted - spent "
      "WHERE id = ?3 AND status = 'active'");
  s.bind(1, status).bind(2, now).bind(3, id);
  return updated_lease_value(c, s, id, "released");
}

std::vector<BudgetLease> list_expired_active(Connection& c, int64_t now, int64_t limit) {
  auto& s = c.prepare(kLeases.select() + " WHERE status = 'active' AND expires_at <= ? ORDER BY expires_at, id LIMIT ?");
  s.bind(1, now).bind(2, limit);
  return kLeases.all(s);
}

std::vector<BudgetLease> list_for_agent(Connection& c, int64_t agent_id, const std::optional<std::string>& status) {
  auto& s = c.prepare(kLeases.select() +
                      " WHERE agent_id = ?1 AND (?2 IS NULL OR status = ?2) ORDER BY created_at DESC, id");
  s.bind(1, agent_id).bind(2, status);
  return kLeases.all(s);
}

std::vector<BudgetLease> page_for_agent(Connection& c, int64_t agent_id, const std::optional<std::string>& status,
                                        int64_t limit, int64_t offset) {
  auto& s = c.prepare(kLeases.select() +
                      " WHERE agent_id = ?1 AND (?2 IS NULL OR status = ?2) "
                      "ORDER BY status = 'active' DESC, created_at DESC, id LIMIT ?3 OFFSET ?4");
  s.bind(1, agent_id).bind(2, status).bind(3, limit).bind(4, offset);
  return kLeases.all(s);
}

int64_t count_for_agent(Connection& c, int64_t agent_id, const std::optional<std::string>& status) {
  auto& s = c.prepare("SELECT count(*) FROM budget_leases WHERE agent_id = ?1 AND (?2 IS NULL OR status = ?2)");
  s.bind(1, agent_id).bind(2, status);
  return s.value<int64_t>().value_or(0);
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
  auto& s = c.prepare(kLeaseReports.select() + " WHERE lease_id = ? AND request_id = ?");
  s.bind(1, lease_id).bind(2, request_id);
  return kLeaseReports.one(s);
}

bool insert_new(Connection& c, const LeaseReport& r) { return kLeaseReports.insert_new(c, r); }

}  // namespace lease_reports

namespace budget_history {

void insert(Connection& c, const BudgetHistoryEntry& e) { kBudgetHistory.insert(c, e); }

std::vector<BudgetHistoryEntry> list_for_agent(Connection& c, int64_t agent_id) {
  auto& s = c.prepare(kBudgetHistory.select() + " WHERE agent_id = ? ORDER BY id DESC");
  s.bind(1, agent_id);
  return kBudgetHistory.all(s);
}

}  // namespace budget_history

}  // namespace iron::store
