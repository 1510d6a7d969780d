#pragma once
// The budget invariant, checked from the database file itself (read-only) rather than
// through the API: every µ$ allocated to an agent is in exactly one bucket, and the buckets
// agree with the leases and the accepted usage reports they are made of
// (resources/migrations/002_governance.sql explains the buckets). The same SQL runs on either
// engine (store/connection.h), so the multi-replica test checks PostgreSQL with it.
#include <string>
#include <vector>

#include "store/sqlite.h"

namespace iron::test::reliability {

// One line per broken rule ("agent 3: spent 500 != reports 400"); empty when exact.
inline std::vector<std::string> ledger_violations(store::Connection& c) {
  std::vector<std::string> out;
  auto& s = c.prepare(
      "SELECT b.agent_id, b.total_allocated, b.total_spent, b.total_reserved, b.budget_remaining, "
      "  (SELECT coalesce(sum(l.spent), 0) FROM budget_leases l WHERE l.agent_id = b.agent_id), "
      "  (SELECT coalesce(sum(r.cost_microdollars), 0) FROM lease_reports r "
      "     JOIN budget_leases l ON l.id = r.lease_id WHERE l.agent_id = b.agent_id), "
      "  (SELECT coalesce(sum(l.granted - l.spent), 0) FROM budget_leases l "
      "     WHERE l.agent_id = b.agent_id AND l.status = 'active') "
      "FROM agent_budgets b ORDER BY b.agent_id");
  while (s.step()) {
    const std::string agent = "agent " + std::to_string(s.int64(0)) + ": ";
    const int64_t allocated = s.int64(1), spent = s.int64(2), reserved = s.int64(3), remaining = s.int64(4);
    if (allocated != spent + reserved + remaining)
      out.push_back(agent + "allocated " + std::to_string(allocated) + " != spent + reserved + remaining");
    if (spent != s.int64(5)) out.push_back(agent + "spent " + std::to_string(spent) + " != leases' spent " + std::to_string(s.int64(5)));
    if (spent != s.int64(6)) out.push_back(agent + "spent " + std::to_string(spent) + " != reports " + std::to_string(s.int64(6)));
    if (reserved != s.int64(7))
      out.push_back(agent + "reserved " + std::to_string(reserved) + " != active leases' unspent " + std::to_string(s.int64(7)));
    if (spent < 0 || reserved < 0 || remaining < 0) out.push_back(agent + "a negative bucket");
  }
  auto& leases = c.prepare(
      "SELECT l.id, l.granted, l.spent, (SELECT coalesce(sum(cost_microdollars), 0) FROM lease_reports r WHERE r.lease_id = l.id) "
      "FROM budget_leases l");
  while (leases.step()) {
    if (leases.int64(2) != leases.int64(3)) out.push_back(leases.text(0) + ": spent != its reports");
    if (leases.int64(2) > leases.int64(1)) out.push_back(leases.text(0) + ": overspent its grant");
  }
  return out;
}

// The same, read from a server's SQLite database file (read-only).
inline std::vector<std::string> ledger_violations(const std::string& db_path) {
  store::SqliteConnection c(db_path, true);
  return ledger_violations(c);
}

// "ok", or SQLite's list of problems.
inline std::string integrity_check(const std::string& db_path) {
  store::SqliteConnection c(db_path, true);
  auto& s = c.prepare("PRAGMA integrity_check");
  std::string result;
  while (s.step()) result += (result.empty() ? "" : "; ") + s.text(0);
  return result;
}

}  // namespace iron::test::reliability
