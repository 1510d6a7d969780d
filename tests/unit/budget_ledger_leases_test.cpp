// A lease's life in the budget ledger: report, return, refresh and the expiry sweeper, with
// the invariant checked after each. Regressions of the predecessor's bugs
// (docs/compatibility.md C1-C3) are named after the fix.
#include "budget_ledger_fixture.h"

using namespace ledger_test;
using iron::ErrorKind;

// Predecessor: a report added the cost to total_spent although the reservation had already
// been counted as spent, so every reported µ$ was charged twice.
TEST_F(BudgetLedger, report_does_not_double_count) {
  const int64_t agent = new_agent(1000);
  const std::string lease = runtime(agent).open(400);
  expect_snapshot(agent, 1000, 0, 400, 600);
  auto r1 = runtime(agent).report(lease, usage("req-1", 150), kT0);
  ASSERT_TRUE(r1.ok()) << r1.error().message;
  EXPECT_EQ(r1->lease_spent, 150);
  EXPECT_EQ(r1->lease_available, 250);
  EXPECT_EQ(r1->budget_remaining, 600);
  EXPECT_FALSE(r1->replayed);
  expect_snapshot(agent, 1000, 150, 250, 600);
  auto r2 = runtime(agent).report(lease, usage("req-2", 250), kT0 + 1s);
  ASSERT_TRUE(r2.ok()) << r2.error().message;
  EXPECT_EQ(r2->lease_available, 0);
  expect_snapshot(agent, 1000, 400, 0, 600);
  auto zero = runtime(agent).report(lease, usage("req-3", 0), kT0 + 2s);
  ASSERT_TRUE(zero.ok()) << "a free request is reportable on a fully spent lease";
  auto back = runtime(agent).release(lease, kT0 + 3s);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->returned, 0);
  expect_snapshot(agent, 1000, 400, 0, 600);
  // The lease's grant and return are audited; its reports are recorded in lease_reports.
  EXPECT_EQ(audit_count("lease.report"), 0);
  EXPECT_EQ(audit_count("lease.reserve"), 1);
  EXPECT_EQ(audit_count("lease.release"), 1);
}

// Predecessor: no deduplication on request_id; a retried report was charged again.
TEST_F(BudgetLedger, report_is_idempotent_per_request_id) {
  const int64_t agent = new_agent(1000);
  const std::string lease = runtime(agent).open(500);
  auto first = runtime(agent).report(lease, usage("req-1", 100), kT0);
  ASSERT_TRUE(first.ok());
  expect_snapshot(agent, 1000, 100, 400, 500);
  // Other activity changes remaining; the replay must still answer what the first call did.
  const std::string other = runtime(agent).open(200);
  for (int64_t cost : {100, 999, 0}) {  // a replay moves nothing, whatever it carries
    SCOPED_TRACE(cost);
    auto again = runtime(agent).report(lease, usage("req-1", cost), kT0 + 1s);
    ASSERT_TRUE(again.ok()) << again.error().message;
    EXPECT_TRUE(again->replayed);
    EXPECT_EQ(again->cost, 100);
    EXPECT_EQ(again->lease_spent, first->lease_spent);
    EXPECT_EQ(again->lease_available, first->lease_available);
    EXPECT_EQ(again->budget_remaining, first->budget_remaining);
    expect_snapshot(agent, 1000, 100, 600, 300);
  }
  // Still a replay after the lease has ended (the runtime lost the answer and retried).
  ASSERT_TRUE(runtime(agent).release(lease, kT0 + 2s).ok());
  auto late = runtime(agent).report(lease, usage("req-1", 100), kT0 + 3s);
  ASSERT_TRUE(late.ok()) << late.error().message;
  EXPECT_TRUE(late->replayed);
  EXPECT_EQ(late->budget_remaining, 500);
  expect_snapshot(agent, 1000, 100, 200, 700);
  EXPECT_EQ(count_rows("lease_reports"), 1);
  // The same request id on another lease is a different report.
  auto elsewhere = runtime(agent).report(other, usage("req-1", 50), kT0 + 4s);
  ASSERT_TRUE(elsewhere.ok());
  EXPECT_FALSE(elsewhere->replayed);
  expect_snapshot(agent, 1000, 150, 150, 700);
}

// Predecessor: a closed (returned) lease still accepted reports.
TEST_F(BudgetLedger, report_refuses_closed_lease) {
  const int64_t agent = new_agent(1000);
  const std::string lease = runtime(agent).open(300);
  runtime(agent).spend(lease, "a", 100);
  auto closed = runtime(agent).release(lease, kT0 + 1s);
  ASSERT_TRUE(closed.ok());
  EXPECT_EQ(closed->returned, 200);
  expect_snapshot(agent, 1000, 100, 0, 900);
  auto r = runtime(agent).report(lease, usage("b", 50), kT0 + 2s);
  ASSERT_TRUE(refused(r, ErrorKind::forbidden, "LEASE_NOT_ACTIVE"));
  expect_snapshot(agent, 1000, 100, 0, 900);
  EXPECT_EQ(count_rows("lease_reports"), 1);
}

TEST_F(BudgetLedger, report_refuses_expired_lease) {
  const int64_t agent = new_agent(1000);
  struct Case {
    const char* name;
    bool sweep;                  // run the sweeper before reporting
    iron::util::TimePoint when;  // report time
  };
  const std::vector<Case> cases = {
      {"active, exactly at expires_at", false, kT0 + kTtl},
      {"active, past expires_at", false, kT0 + kTtl + 1h},
      {"swept to expired", true, kT0 + kTtl - 1ms},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const std::string lease = runtime(agent).open(100);
    const auto before = ledger().snapshot(agent).value();
    if (c.sweep) {
      EXPECT_EQ(ledger().expire_stale(kT0 + kTtl), 1);
      expect_invariant(agent);
    }
    const auto mid = ledger().snapshot(agent).value();
    auto r = runtime(agent).report(lease, usage("r", 10), c.when);
    ASSERT_TRUE(refused(r, ErrorKind::forbidden, "LEASE_EXPIRED"));
    const auto after = ledger().snapshot(agent).value();
    EXPECT_EQ(after.spent, mid.spent);
    EXPECT_EQ(after.reserved, mid.reserved);
    EXPECT_EQ(after.spent, before.spent);
    expect_invariant(agent);
    // Leave no active lease behind for the next case.
    if (!c.sweep) {
      EXPECT_EQ(ledger().expire_stale(c.when), 1);
    }
    expect_invariant(agent);
  }
  expect_snapshot(agent, 1000, 0, 0, 1000);
}

TEST_F(BudgetLedger, report_refuses_revoked_lease) {
  const int64_t agent = new_agent(1000);
  const std::string lease = runtime(agent).open(100);
  // Revocation has no use case yet; end the lease the way one will (status + release).
  db().write([&](store::Connection& c) {
    store::leases::finish(c, lease, "revoked", 1);
    store::budgets::release(c, agent, 100, 1);
    return 0;
  });
  expect_snapshot(agent, 1000, 0, 0, 1000);
  auto r = runtime(agent).report(lease, usage("r", 10), kT0);
  ASSERT_TRUE(refused(r, ErrorKind::forbidden, "LEASE_NOT_ACTIVE"));
  EXPECT_EQ(r.error().details["status"], "revoked");
  EXPECT_EQ(runtime(agent).release(lease, kT0).error().code, "LEASE_NOT_ACTIVE");
  EXPECT_EQ(runtime(agent).refresh(lease, 10, kT0).error().code, "LEASE_NOT_ACTIVE");
  expect_snapshot(agent, 1000, 0, 0, 1000);
}

TEST_F(BudgetLedger, report_above_what_is_left_on_the_lease_is_refused) {
  const int64_t agent = new_agent(1000);
  const std::string lease = runtime(agent).open(100);
  runtime(agent).spend(lease, "a", 60);
  auto over = runtime(agent).report(lease, usage("b", 41), kT0);
  ASSERT_TRUE(refused(over, ErrorKind::forbidden, "LEASE_EXCEEDED"));
  EXPECT_EQ(over.error().details["available"], 40);
  expect_snapshot(agent, 1000, 60, 40, 900);
  // The refused request id was not consumed: a corrected report under it is accepted.
  auto exact = runtime(agent).report(lease, usage("b", 40), kT0);
  ASSERT_TRUE(exact.ok());
  EXPECT_FALSE(exact->replayed);
  expect_snapshot(agent, 1000, 100, 0, 900);
}

// Predecessor: return restored granted − a client-sent spent figure, trusting the client.
TEST_F(BudgetLedger, return_releases_only_unreported) {
  const int64_t agent = new_agent(1000);
  const std::string lease = runtime(agent).open(500);
  runtime(agent).spend(lease, "a", 120);
  runtime(agent).spend(lease, "b", 80);
  expect_snapshot(agent, 1000, 200, 300, 500);
  auto back = runtime(agent).release(lease, kT0 + 5s);
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->returned, 300);
  EXPECT_EQ(back->lease_spent, 200);
  EXPECT_EQ(back->budget_remaining, 800);
  expect_snapshot(agent, 1000, 200, 0, 800);
  const auto row = lease_row(lease);
  EXPECT_EQ(row.status, "closed");
  EXPECT_EQ(row.released, 300);
  EXPECT_EQ(row.closed_at, iron::util::to_unix_ms(kT0 + 5s));
  auto twice = runtime(agent).release(lease, kT0 + 6s);
  ASSERT_TRUE(refused(twice, ErrorKind::forbidden, "LEASE_NOT_ACTIVE"));
  expect_snapshot(agent, 1000, 200, 0, 800);
  EXPECT_EQ(audit_count("lease.release"), 1);
}

TEST_F(BudgetLedger, return_of_an_unswept_stale_lease_releases_what_the_sweeper_would) {
  const int64_t agent = new_agent(1000);
  const std::string lease = runtime(agent).open(500);
  runtime(agent).spend(lease, "a", 100);
  auto back = runtime(agent).release(lease, kT0 + 2 * kTtl);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->returned, 400);
  expect_snapshot(agent, 1000, 100, 0, 900);
  EXPECT_EQ(ledger().expire_stale(kT0 + 2 * kTtl), 0);
}

// Predecessor: refresh marked the old lease expired without releasing its reservation, so
// every refresh leaked the old lease's unused budget.
TEST_F(BudgetLedger, refresh_releases_old_reservation) {
  const int64_t agent = new_agent(1000);
  const std::string old = runtime(agent).open(600);
  runtime(agent).spend(old, "a", 100);
  expect_snapshot(agent, 1000, 100, 500, 400);
  // Only possible if the old lease's 500 come back first: 400 + 500 = 900 free.
  auto r = runtime(agent).refresh(old, 700, kT0 + 10min);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_TRUE(r->approved);
  EXPECT_EQ(r->closed_lease_id, old);
  EXPECT_EQ(r->released, 500);
  ASSERT_TRUE(r->lease.has_value());
  EXPECT_EQ(r->lease->granted, 700);
  EXPECT_EQ(r->lease->expires_at, kT0 + 10min + kTtl);
  EXPECT_EQ(r->budget_remaining, 200);
  EXPECT_FALSE(r->reason.has_value());
  expect_snapshot(agent, 1000, 100, 700, 200);
  const auto old_row = lease_row(old);
  EXPECT_EQ(old_row.status, "closed");
  EXPECT_EQ(old_row.released, 500);
  EXPECT_EQ(lease_row(r->lease->id).status, "active");
  EXPECT_EQ(runtime(agent).report(old, usage("b", 1), kT0 + 11min).error().code,
            "LEASE_NOT_ACTIVE");
}

TEST_F(BudgetLedger, refresh_with_nothing_left_is_denied_and_still_closes_the_old_lease) {
  const int64_t agent = new_agent(500);
  const std::string old = runtime(agent).open(500);
  runtime(agent).spend(old, "a", 500);
  auto r = runtime(agent).refresh(old, 100, kT0 + 1s);
  ASSERT_TRUE(r.ok()) << "a denial is an outcome, not an error";
  EXPECT_FALSE(r->approved);
  EXPECT_EQ(r->reason, "insufficient_budget");
  EXPECT_FALSE(r->lease.has_value());
  EXPECT_EQ(r->released, 0);
  EXPECT_EQ(r->budget_remaining, 0);
  EXPECT_EQ(lease_row(old).status, "closed");
  expect_snapshot(agent, 500, 500, 0, 0);
  EXPECT_TRUE(db().read([&](store::Connection& c) { return store::leases::list_for_agent(c, agent, "active"); })
                  .empty());
  EXPECT_EQ(audit_count("lease.refresh"), 1);
}

TEST_F(BudgetLedger, refresh_refuses_ended_and_stale_leases) {
  const int64_t agent = new_agent(1000);
  const std::string closed = runtime(agent).open(100);
  ASSERT_TRUE(runtime(agent).release(closed, kT0).ok());
  EXPECT_EQ(runtime(agent).refresh(closed, 100, kT0).error().code, "LEASE_NOT_ACTIVE");
  const std::string stale = runtime(agent).open(100);
  EXPECT_EQ(runtime(agent).refresh(stale, 100, kT0 + kTtl).error().code, "LEASE_EXPIRED");
  EXPECT_EQ(lease_row(stale).status, "active") << "a refused refresh changes nothing";
  expect_snapshot(agent, 1000, 0, 100, 900);
}

// Predecessor: leases never expired, so an abandoned session held its reservation forever.
TEST_F(BudgetLedger, sweeper_expires_and_releases) {
  const int64_t agent = new_agent(10'000);
  const std::string a = runtime(agent).open(1000);
  const std::string b = runtime(agent).open(2000, kT0 + 10min);
  const std::string c = runtime(agent).open(3000, kT0 + 30min);
  runtime(agent).spend(a, "x", 250);
  expect_snapshot(agent, 10'000, 250, 5750, 4000);
  EXPECT_EQ(ledger().expire_stale(kT0 + kTtl - 1ms), 0);
  EXPECT_EQ(ledger().expire_stale(kT0 + kTtl + 10min), 2);  // a and b: expires_at <= now
  expect_snapshot(agent, 10'000, 250, 3000, 6750);
  const auto ra = lease_row(a);
  EXPECT_EQ(ra.status, "expired");
  EXPECT_EQ(ra.released, 750);
  EXPECT_EQ(lease_row(b).released, 2000);
  EXPECT_EQ(lease_row(c).status, "active");
  EXPECT_EQ(ledger().expire_stale(kT0 + kTtl + 10min), 0) << "a second sweep finds nothing";
  EXPECT_EQ(audit_count("lease.expire"), 2);
  EXPECT_EQ(runtime(agent).release(a, kT0 + 2h).error().code, "LEASE_EXPIRED");
  expect_snapshot(agent, 10'000, 250, 3000, 6750);
}

TEST_F(BudgetLedger, sweeper_clears_a_backlog_larger_than_one_batch) {
  const int64_t agent = new_agent(1'000'000);
  // One transaction for the setup: 600 commits would only measure the disk's fsync.
  const bool all = db().write([&](store::Connection& c) {
    for (int i = 0; i < 600; ++i)
      if (!ledger().reserve_in(c, agent, 100, kT0, agent_ctx(agent))) return false;
    return true;
  });
  ASSERT_TRUE(all);
  expect_snapshot(agent, 1'000'000, 0, 60'000, 940'000);
  EXPECT_EQ(ledger().expire_stale(kT0 + kTtl), 600);
  expect_snapshot(agent, 1'000'000, 0, 0, 1'000'000);
}
