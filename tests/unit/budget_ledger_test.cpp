// The budget ledger's rules, one operation at a time, with the invariant checked after each:
// creating agents, reserving, allocation changes and the database's own invariant check.
// The lease lifecycle (report, return, refresh, sweeper) is in budget_ledger_leases_test.cpp.
// Regressions of the predecessor's bugs (docs/compatibility.md) are named after the fix.
#include <functional>

#include "budget_ledger_fixture.h"
#include "store/sqlite_database.h"

using namespace ledger_test;
using iron::ErrorKind;

TEST_F(BudgetLedger, create_agent_inserts_agent_budget_and_history_together) {
  auto r = ledger().create_agent("summariser", "user_owner", 5'000'000, admin_ctx());
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_GT(r->agent.id, 0);
  EXPECT_EQ(r->agent.owner_id, "user_owner");
  expect_snapshot(r->agent.id, 5'000'000, 0, 0, 5'000'000);
  auto history = db().read([&](store::Connection& c) { return store::budget_history::list_for_agent(c, r->agent.id); });
  ASSERT_EQ(history.size(), 1u);
  EXPECT_EQ(history[0].previous_allocated, 0);
  EXPECT_EQ(history[0].new_allocated, 5'000'000);
  EXPECT_EQ(history[0].changed_by, "user_owner");
  EXPECT_EQ(audit_count("agent.create"), 1);
}

TEST_F(BudgetLedger, create_agent_for_unknown_owner_writes_nothing) {
  auto r = ledger().create_agent("orphan", "user_nobody", 1000, admin_ctx());
  ASSERT_TRUE(refused(r, ErrorKind::validation, "OWNER_NOT_FOUND"));
  EXPECT_EQ(count_rows("agents"), 0);
  EXPECT_EQ(count_rows("agent_budgets"), 0);
  EXPECT_EQ(count_rows("budget_history"), 0);
  EXPECT_EQ(audit_count("agent.create"), 0);
}

TEST_F(BudgetLedger, non_positive_and_oversized_amounts_are_validation_errors) {
  const int64_t agent = new_agent(1000);
  const std::string lease = runtime(agent).open(100);
  auto& L = ledger();
  const auto ctx = agent_ctx(agent);
  struct Case {
    const char* name;
    std::function<iron::Error()> call;  // returns the error of a call expected to fail
  };
  auto err = [](auto&& result) { return result.ok() ? iron::Error{} : result.error(); };
  const int64_t too_big = domain::kMaxLedgerAmountMicros + 1;
  const std::vector<Case> cases = {
      {"create zero", [&] { return err(L.create_agent("a", "user_owner", 0, ctx)); }},
      {"create negative", [&] { return err(L.create_agent("a", "user_owner", -5, ctx)); }},
      {"create too big", [&] { return err(L.create_agent("a", "user_owner", too_big, ctx)); }},
      {"create empty name", [&] { return err(L.create_agent("", "user_owner", 10, ctx)); }},
      {"allocation zero", [&] { return err(L.set_allocation(agent, 0, ctx)); }},
      {"allocation negative", [&] { return err(L.set_allocation(agent, -1, ctx)); }},
      {"allocation too big", [&] { return err(L.set_allocation(agent, too_big, ctx)); }},
      {"reserve zero", [&] { return err(L.reserve(agent, 0, kT0, ctx)); }},
      {"reserve negative", [&] { return err(L.reserve(agent, -100, kT0, ctx)); }},
      {"refresh zero", [&] { return err(L.refresh(lease, agent, 0, kT0, ctx)); }},
      {"report negative cost", [&] { return err(L.report(lease, agent, usage("r1", -1), kT0)); }},
      {"report zero tokens", [&] { return err(L.report(lease, agent, usage("r1", 1, 0), kT0)); }},
      {"report empty request id", [&] { return err(L.report(lease, agent, usage("", 1), kT0)); }},
      {"report empty model",
       [&] { return err(L.report(lease, agent, {"r1", 10, 1, "", "openai"}, kT0)); }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const auto e = c.call();
    EXPECT_EQ(e.kind, ErrorKind::validation) << e.code << ": " << e.message;
    expect_snapshot(agent, 1000, 0, 100, 900);
  }
  EXPECT_EQ(count_rows("agents"), 1);
  EXPECT_EQ(lease_row(lease).status, "active");
}

TEST_F(BudgetLedger, reserve_grants_min_of_requested_and_remaining) {
  const int64_t agent = new_agent(1000);
  struct Case {
    int64_t requested;
    int64_t granted;    // 0: refused with BUDGET_EXHAUSTED
    int64_t remaining;  // after
  };
  const std::vector<Case> cases = {{300, 300, 700}, {650, 650, 50}, {500, 50, 0}, {1, 0, 0}};
  int64_t reserved = 0;
  for (const auto& c : cases) {
    SCOPED_TRACE("requested " + std::to_string(c.requested));
    auto r = runtime(agent).reserve(c.requested, kT0);
    if (c.granted == 0) {
      ASSERT_TRUE(refused(r, ErrorKind::forbidden, "BUDGET_EXHAUSTED"));
      EXPECT_EQ(r.error().details, (nlohmann::json{{"allocated", 1000}, {"spent", 0}, {"reserved", 1000},
                                                    {"remaining", 0}}));
    } else {
      ASSERT_TRUE(r.ok()) << r.error().message;
      EXPECT_EQ(r->granted, c.granted);
      EXPECT_EQ(r->remaining_after, c.remaining);
      EXPECT_EQ(r->expires_at, kT0 + kTtl);
      EXPECT_EQ(r->id.rfind("lease_", 0), 0u);
      const auto row = lease_row(r->id);
      EXPECT_EQ(row.status, "active");
      EXPECT_EQ(row.granted, c.granted);
      reserved += c.granted;
    }
    expect_snapshot(agent, 1000, 0, reserved, c.remaining);
  }
  EXPECT_EQ(audit_count("lease.reserve"), 3);  // the refusal left no audit row
}

TEST_F(BudgetLedger, unknown_agent_and_lease_are_not_found) {
  const int64_t agent = new_agent(1000);
  const auto ctx = agent_ctx(agent);
  auto check = [](const iron::Error& e, const char* code) {
    EXPECT_EQ(e.kind, ErrorKind::not_found);
    EXPECT_EQ(e.code, code);
  };
  check(ledger().reserve(agent + 1, 10, kT0, ctx).error(), "AGENT_NOT_FOUND");
  check(ledger().snapshot(agent + 1).error(), "AGENT_NOT_FOUND");
  check(ledger().set_allocation(agent + 1, 10, ctx).error(), "AGENT_NOT_FOUND");
  check(ledger().report("lease_missing", agent, usage("r", 1), kT0).error(), "LEASE_NOT_FOUND");
  check(ledger().release("lease_missing", agent, kT0, ctx).error(), "LEASE_NOT_FOUND");
  check(ledger().refresh("lease_missing", agent, 10, kT0, ctx).error(), "LEASE_NOT_FOUND");
  expect_snapshot(agent, 1000, 0, 0, 1000);
}

TEST_F(BudgetLedger, another_agents_lease_is_not_found) {
  const int64_t mine = new_agent(1000);
  const int64_t other = new_agent(1000);
  const std::string lease = runtime(mine).open(400);
  const auto ctx = agent_ctx(other);
  EXPECT_EQ(ledger().report(lease, other, usage("r", 10), kT0).error().code, "LEASE_NOT_FOUND");
  EXPECT_EQ(ledger().release(lease, other, kT0, ctx).error().code, "LEASE_NOT_FOUND");
  EXPECT_EQ(ledger().refresh(lease, other, 10, kT0, ctx).error().code, "LEASE_NOT_FOUND");
  EXPECT_EQ(lease_row(lease).status, "active");
  expect_snapshot(mine, 1000, 0, 400, 600);
  expect_snapshot(other, 1000, 0, 0, 1000);
}

// Predecessor: the new allocation had only to cover spent; reservations were ignored, which
// could drive remaining negative.
TEST_F(BudgetLedger, set_allocation_below_committed_is_refused) {
  const int64_t agent = new_agent(1000);
  runtime(agent).spend(runtime(agent).open(400), "a", 100);
  struct Case {
    int64_t new_allocated;
    bool accepted;
    int64_t remaining;
  };
  const std::vector<Case> cases = {{399, false, 600}, {150, false, 600}, {400, true, 0}, {2500, true, 2100}};
  int64_t allocated = 1000;
  for (const auto& c : cases) {
    SCOPED_TRACE(c.new_allocated);
    auto r = ledger().set_allocation(agent, c.new_allocated, admin_ctx(), {"more work", std::nullopt});
    if (c.accepted) {
      ASSERT_TRUE(r.ok()) << r.error().message;
      EXPECT_EQ(r->remaining, c.remaining);
      allocated = c.new_allocated;
    } else {
      ASSERT_TRUE(refused(r, ErrorKind::validation, "ALLOCATION_BELOW_COMMITTED"));
      EXPECT_EQ(r.error().details["minimum"], 400);
    }
    expect_snapshot(agent, allocated, 100, 300, c.remaining);
  }
  auto history = db().read([&](store::Connection& c) { return store::budget_history::list_for_agent(c, agent); });
  ASSERT_EQ(history.size(), 3u);  // initial + the two accepted changes
  EXPECT_EQ(history[0].previous_allocated, 400);
  EXPECT_EQ(history[0].new_allocated, 2500);
  EXPECT_EQ(history[0].reason, "more work");
  EXPECT_EQ(history[1].previous_allocated, 1000);
  EXPECT_EQ(audit_count("budget.set_allocation"), 2);
}

// Hand-written UPDATEs that break the books are refused by the database itself.
TEST_F(BudgetLedger, invariant_is_a_database_check) {
  const int64_t agent = new_agent(1000);
  const std::string lease = runtime(agent).open(400);
  store::SqliteConnection raw(path(), false);
  store::apply_connection_pragmas(raw);
  const std::string id = std::to_string(agent);
  const std::string lid = "'" + lease + "'";
  const std::vector<std::string> breaking = {
      "UPDATE agent_budgets SET total_spent = total_spent + 1 WHERE agent_id = " + id,
      "UPDATE agent_budgets SET budget_remaining = budget_remaining + 1 WHERE agent_id = " + id,
      "UPDATE agent_budgets SET total_allocated = total_allocated - 1 WHERE agent_id = " + id,
      "UPDATE agent_budgets SET total_reserved = total_reserved - 401, budget_remaining = budget_remaining + 401 "
      "WHERE agent_id = " + id,
      "UPDATE agent_budgets SET total_allocated = -1, budget_remaining = -1401 WHERE agent_id = " + id,
      "UPDATE budget_leases SET spent = granted + 1 WHERE id = " + lid,
      "UPDATE budget_leases SET spent = -1 WHERE id = " + lid,
      "UPDATE budget_leases SET status = 'closed' WHERE id = " + lid,
      "UPDATE budget_leases SET status = 'gone', closed_at = 1, released = granted - spent WHERE id = " + lid,
      "UPDATE budget_leases SET status = 'closed', closed_at = 1, released = 1 WHERE id = " + lid,
  };
  for (const auto& sql : breaking) {
    SCOPED_TRACE(sql);
    try {
      raw.exec(sql);
      ADD_FAILURE() << "the database accepted it";
    } catch (const store::SqliteError& e) {
      EXPECT_TRUE(e.is_constraint()) << e.what();
    }
  }
  expect_snapshot(agent, 1000, 0, 400, 600);
  // A consistent manual move is accepted: the checks are about the books, not about who writes.
  raw.exec("UPDATE agent_budgets SET total_allocated = 2000, budget_remaining = 1600 WHERE agent_id = " + id);
  expect_snapshot(agent, 2000, 0, 400, 1600);
}

TEST_F(BudgetLedger, deleting_an_agent_removes_its_books) {
  const int64_t agent = new_agent(1000);
  runtime(agent).spend(runtime(agent).open(400), "a", 10);
  const bool removed = db().write([&](store::Connection& c) { return store::agents::remove(c, agent); });
  EXPECT_TRUE(removed);
  for (const char* t : {"agents", "agent_budgets", "budget_leases", "lease_reports", "budget_history"})
    EXPECT_EQ(count_rows(t), 0) << t;
  EXPECT_EQ(ledger().snapshot(agent).error().code, "AGENT_NOT_FOUND");
}

TEST_F(BudgetLedger, reserve_in_rolls_back_with_the_callers_transaction) {
  const int64_t agent = new_agent(1000);
  // The handshake's shape: reserve, then a later check fails and the whole use case rolls back.
  auto r = db().write([&](store::Connection& c) -> iron::Result<domain::Lease> {
    auto lease = ledger().reserve_in(c, agent, 300, kT0, agent_ctx(agent));
    if (!lease) return lease.error();
    return iron::Error::forbidden("provider key is disabled", "PROVIDER_KEY_DISABLED");
  });
  ASSERT_FALSE(r.ok());
  expect_snapshot(agent, 1000, 0, 0, 1000);
  EXPECT_EQ(count_rows("budget_leases"), 0);
  EXPECT_EQ(audit_count("lease.reserve"), 0);
}
