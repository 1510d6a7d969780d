// Periodic budgets in the ledger (docs/budgets.md, "Periodic budgets"): the reset refills the
// period without touching open leases, a lease is charged to the period it was reserved in,
// a stopped server catches up once, and the invariant holds at every instant while 64
// threads race across a reset. Time is passed to the ledger explicitly (as every ledger
// test does), so the boundary is crossed for real on a real database.
#include <atomic>
#include <random>
#include <thread>
#include <vector>

#include "budget_ledger_fixture.h"
#include "support/host_zoneinfo.h"
#include "util/clock.h"

using namespace ledger_test;

namespace {

// kT0 is 2027-01-15T08:00:00Z; the next UTC midnights:
const iron::util::TimePoint kD1 = *iron::util::parse_rfc3339("2027-01-16T00:00:00Z");
const iron::util::TimePoint kD2 = *iron::util::parse_rfc3339("2027-01-17T00:00:00Z");

int64_t ms(iron::util::TimePoint t) { return iron::util::to_unix_ms(t); }

}  // namespace

class BudgetLedgerPeriod : public LedgerFixture {
 protected:
  int64_t periodic_agent(int64_t allocated, domain::BudgetPeriod p = domain::BudgetPeriod::daily,
                         iron::util::TimePoint now = kT0, const std::string& zone = "UTC") {
    const int64_t agent = new_agent(allocated);
    auto r = db().write([&](store::Connection& c) { return domain::BudgetLedger::set_period_in(c, agent, p, zone, now); });
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return agent;
  }
  domain::BudgetSnapshot at(int64_t agent, iron::util::TimePoint t) {
    auto s = ledger().snapshot(agent, t);
    if (!s) {
      ADD_FAILURE() << s.error().message;
      return {};
    }
    EXPECT_EQ(s->allocated, s->spent + s->reserved + s->remaining);
    EXPECT_LE(s->carried_reserved, s->reserved);
    return *s;
  }
  // The snapshot at `t` holds this money; `carried` is the part of `reserved` that open
  // leases of earlier periods still hold (counted in `allocated` until they end).
  void expect_money_at(int64_t agent, iron::util::TimePoint t, int64_t allocated, int64_t spent, int64_t reserved,
                       int64_t remaining, int64_t carried) {
    const auto s = at(agent, t);
    EXPECT_EQ(s.allocated, allocated);
    EXPECT_EQ(s.spent, spent);
    EXPECT_EQ(s.reserved, reserved);
    EXPECT_EQ(s.remaining, remaining);
    EXPECT_EQ(s.carried_reserved, carried);
  }
  std::vector<store::BudgetHistoryEntry> resets(int64_t agent) {
    std::vector<store::BudgetHistoryEntry> out;
    for (auto& e : db().read([&](store::Connection& c) { return store::budget_history::list_for_agent(c, agent); }))
      if (e.kind == "period_reset") out.push_back(std::move(e));
    return out;
  }
};

TEST_F(BudgetLedgerPeriod, SettingThePeriodSchedulesTheNextBoundaryAndMovesNoMoney) {
  const int64_t agent = periodic_agent(1000);
  const auto s = at(agent, kT0);
  EXPECT_EQ(s.period, "daily");
  EXPECT_EQ(s.period_started_at, ms(*iron::util::parse_rfc3339("2027-01-15T00:00:00Z")));
  EXPECT_EQ(s.resets_at, ms(kD1));
  EXPECT_EQ(s.remaining, 1000);
  EXPECT_TRUE(resets(agent).empty());

  auto zone = db().write([&](store::Connection& c) {
    return domain::BudgetLedger::set_period_in(c, agent, domain::BudgetPeriod::daily, "europe/berlin", kT0);
  });
  ASSERT_FALSE(zone.ok());
  EXPECT_EQ(zone.error().code, "UNKNOWN_TIME_ZONE");
  EXPECT_EQ(zone.error().details.value("field", ""), "budget_time_zone");

  auto back = db().write([&](store::Connection& c) {
    return domain::BudgetLedger::set_period_in(c, agent, domain::BudgetPeriod::one_off, "UTC", kT0);
  });
  ASSERT_TRUE(back.ok());
  EXPECT_FALSE(back->resets_at.has_value());
  EXPECT_EQ(at(agent, kD2).remaining, 1000);  // a one-off budget never resets
  EXPECT_TRUE(resets(agent).empty());
}

// The worked example of docs/budgets.md: a lease open across the reset is charged to the
// period that reserved it, and the new period gets its full amount.
TEST_F(BudgetLedgerPeriod, ResetRefillsThePeriodAndCarriesOpenLeases) {
  const int64_t agent = periodic_agent(1000);
  const auto before_midnight = kD1 - 10min;  // leases live an hour (kTtl)
  const std::string lease = runtime(agent).open(400, before_midnight);
  runtime(agent).spend(lease, "r1", 150, before_midnight);
  expect_snapshot(agent, 1000, 150, 250, 600);

  // First read after midnight: the reset is applied (lazily), once. Allocated: the period's
  // 1000 + the 250 the open lease still holds.
  expect_money_at(agent, kD1 + 1s, 1250, 0, 250, 1000, 250);
  const auto s = at(agent, kD1 + 1s);
  EXPECT_EQ(s.resets_at, ms(kD2));
  EXPECT_EQ(s.period_started_at, ms(kD1));
  at(agent, kD1 + 2s);
  const auto h = resets(agent);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].period_spent, 150);
  EXPECT_EQ(h[0].previous_allocated, 1000);
  EXPECT_EQ(h[0].new_allocated, 1000);
  EXPECT_EQ(h[0].changed_by, "system");
  EXPECT_EQ(audit_count("budget.period_reset"), 1);

  // The old lease reports after the reset: charged to its own period.
  auto r = runtime(agent).report(lease, usage("r2", 100), kD1 + 3s);
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->budget_remaining, 1000);
  expect_money_at(agent, kD1 + 3s, 1150, 0, 150, 1000, 150);

  // A new lease draws on the new period only, beside the old one.
  auto fresh = runtime(agent).reserve(5000, kD1 + 4s);
  ASSERT_TRUE(fresh.ok());
  EXPECT_EQ(fresh->granted, 1000);
  ASSERT_TRUE(runtime(agent).report(fresh->id, usage("n1", 300), kD1 + 5s).ok());

  // The old lease's unreported 150 leaves with it; it does not grow the new period.
  auto back = runtime(agent).release(lease, kD1 + 6s);
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back->returned, 150);
  expect_money_at(agent, kD1 + 6s, 1000, 300, 700, 0, 0);
  EXPECT_EQ(db().read([&](store::Connection& c) { return store::budgets::outstanding_reservations(c, agent); }), 700);
}

// An expiry by the sweeper after the reset settles the same way as a return.
TEST_F(BudgetLedgerPeriod, ExpiredCarriedLeaseDoesNotRefillTheNewPeriod) {
  const int64_t agent = periodic_agent(1000);
  ASSERT_TRUE(runtime(agent).reserve(400, kD1 - 1min).ok());
  at(agent, kD1);  // reset exactly on the boundary
  EXPECT_EQ(at(agent, kD1).carried_reserved, 400);
  EXPECT_EQ(ledger().expire_stale(kD1 + kTtl), 1);
  expect_money_at(agent, kD1 + 1min, 1000, 0, 0, 1000, 0);
}

// A server stopped across several boundaries resets once, into the period containing now.
TEST_F(BudgetLedgerPeriod, CatchUpAfterAStopResetsOnceInTotal) {
  const int64_t agent = periodic_agent(1000);
  const std::string lease = runtime(agent).open(300);
  runtime(agent).spend(lease, "r1", 300);
  const auto later = kD1 + std::chrono::days{3} + 5h;  // 2027-01-19T05:00Z: boundaries on the 16th..19th
  EXPECT_EQ(domain::BudgetLedger::apply_due_resets(db(), later), 1);
  EXPECT_EQ(domain::BudgetLedger::apply_due_resets(db(), later), 0);
  const auto s = at(agent, later);
  EXPECT_EQ(s.spent, 0);
  EXPECT_EQ(s.remaining, 1000);
  EXPECT_EQ(s.period_started_at, ms(*iron::util::parse_rfc3339("2027-01-19T00:00:00Z")));
  EXPECT_EQ(s.resets_at, ms(*iron::util::parse_rfc3339("2027-01-20T00:00:00Z")));
  const auto h = resets(agent);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].period_spent, 300);
  EXPECT_EQ(h[0].reason.value_or(""), "daily period reset (4 periods elapsed)");
}

// The same in a DST zone, stopped across the spring change (a 23-hour day): still one reset,
// into the local day containing now, its bounds the local midnights the host's tzdata gives.
TEST_F(BudgetLedgerPeriod, CatchUpInAZoneAcrossDstResetsOnceInTotal) {
  using namespace std::chrono;
  const std::string zone = "Europe/Berlin";
  if (!iron::test::host_has_zone(zone)) GTEST_SKIP() << "the host has no zoneinfo for " << zone;
  iron::test::HostZone host(zone);
  const auto start = *iron::util::parse_rfc3339("2027-03-26T12:00:00Z");  // Friday; DST begins on Sunday the 28th
  const auto later = *iron::util::parse_rfc3339("2027-03-30T10:00:00Z");
  const auto local_day = [&](iron::util::TimePoint t) {
    return floor<days>(sys_seconds{seconds{host.to_local(iron::util::to_unix_s(t))}});
  };
  const auto starts_at_ms = [&](sys_days d) {
    return 1000 * host.first_instant_at_or_after(duration_cast<seconds>(d.time_since_epoch()).count());
  };
  const int64_t agent = periodic_agent(1000, domain::BudgetPeriod::daily, start, zone);
  EXPECT_EQ(at(agent, start).resets_at, starts_at_ms(local_day(start) + days{1}));
  const std::string lease = runtime(agent).open(300, start);
  runtime(agent).spend(lease, "z1", 300, start);
  EXPECT_EQ(domain::BudgetLedger::apply_due_resets(db(), later), 1);
  EXPECT_EQ(domain::BudgetLedger::apply_due_resets(db(), later), 0);
  const auto s = at(agent, later);
  EXPECT_EQ(s.spent, 0);
  EXPECT_EQ(s.remaining, 1000);
  EXPECT_EQ(s.period_started_at, starts_at_ms(local_day(later)));
  EXPECT_EQ(s.resets_at, starts_at_ms(local_day(later) + days{1}));
  const auto h = resets(agent);
  ASSERT_EQ(h.size(), 1u);
  EXPECT_EQ(h[0].period_spent, 300);
  const auto elapsed = (local_day(later) - local_day(start)).count();  // one boundary per local midnight passed
  EXPECT_EQ(h[0].reason.value_or(""), "daily period reset (" + std::to_string(elapsed) + " periods elapsed)");
}

TEST_F(BudgetLedgerPeriod, AllocationSetsThePeriodAmountBesideCarriedLeases) {
  const int64_t agent = periodic_agent(1000, domain::BudgetPeriod::weekly);
  const auto monday = *iron::util::parse_rfc3339("2027-01-18T00:00:00Z");
  ASSERT_TRUE(runtime(agent).reserve(250, monday - 1min).ok());
  EXPECT_EQ(at(agent, monday).carried_reserved, 250);
  ASSERT_TRUE(ledger().set_allocation(agent, 2000, admin_ctx()).ok());
  const auto s = at(agent, monday);
  EXPECT_EQ(s.allocated, 2250);
  EXPECT_EQ(s.remaining, 2000);
  // One-off budgets are unchanged by the rule: nothing is ever carried.
  const int64_t plain = new_agent(1000);
  ASSERT_TRUE(ledger().set_allocation(plain, 500, admin_ctx()).ok());
  expect_snapshot(plain, 500, 0, 0, 500);
}

// 64 threads hold, report and return leases while the clock they pass crosses midnight; a
// scheduler thread applies due resets and readers check the books the whole time.
TEST_F(BudgetLedgerPeriod, InvariantHoldsAcrossAResetWith64ThreadsAndOpenLeases) {
  constexpr int kThreads = 64;
  constexpr int kIterations = 12;
  constexpr int64_t kAmount = 200'000;  // less than the threads ask for: both periods get exhausted
  const int64_t agent = periodic_agent(kAmount);
  std::atomic<int64_t> unexpected{0}, torn{0}, carried_reports{0}, exhausted{0};
  std::atomic<bool> go{false}, done{false};

  auto worker = [&](int t) {
    std::mt19937_64 rng(static_cast<uint64_t>(t) * 104729 + 7);
    auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
    const auto ctx = agent_ctx(agent);
    int request = 0;
    std::optional<domain::Lease> held;  // a lease opened before midnight, used after it
    while (!go.load()) std::this_thread::yield();
    for (int i = 0; i < kIterations; ++i) {
      // First half the second before midnight, second half after (threads drift, so both
      // overlap: a thread may still pass a pre-midnight time after another applied the reset).
      const auto now = (i < kIterations / 2 ? kD1 - 1s : kD1) + std::chrono::milliseconds(i);
      auto lease = ledger().reserve(agent, pick(1, 4000), now, ctx);
      if (!lease) {
        if (lease.error().code == "BUDGET_EXHAUSTED") ++exhausted;
        else ++unexpected;
        continue;
      }
      for (int k = pick(0, 2); k > 0; --k) {
        std::string rid = "t";
        rid += std::to_string(t);
        rid += "-";
        rid += std::to_string(request++);
        auto r = ledger().report(lease->id, agent, usage(rid, pick(0, lease->granted / 2)), now);
        if (!r && r.error().code != "LEASE_EXCEEDED") ++unexpected;
      }
      if (i == kIterations / 2 - 1 && !held) {
        held = *lease;  // kept open across midnight
        continue;
      }
      if (!ledger().release(lease->id, agent, now, ctx)) ++unexpected;
    }
    if (held) {
      const auto after = kD1 + 1min;
      std::string rid = "held-";
      rid += std::to_string(t);
      auto r = ledger().report(held->id, agent, usage(rid, pick(0, held->granted)), after);
      if (r) ++carried_reports;
      else if (r.error().code != "LEASE_EXCEEDED") ++unexpected;
      if (!ledger().release(held->id, agent, after, ctx)) ++unexpected;
    }
  };
  std::thread scheduler([&] {
    while (!go.load()) std::this_thread::yield();
    while (!done.load()) domain::BudgetLedger::apply_due_resets(db(), kD1 + 30s);
  });
  std::thread reader([&] {
    while (!go.load()) std::this_thread::yield();
    while (!done.load()) {
      const auto b = db().read([&](store::Connection& c) { return store::budgets::find(c, agent); });
      if (!b || b->allocated != b->spent + b->reserved + b->remaining ||
          b->carried_reserved > b->reserved || b->remaining < 0 || b->spent > kAmount)
        ++torn;
    }
  });
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(worker, t);
  go = true;
  for (auto& th : threads) th.join();
  done = true;
  scheduler.join();
  reader.join();

  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_EQ(torn.load(), 0);
  EXPECT_GT(carried_reports.load(), 0) << "no lease was reported across the reset: the test proved nothing";
  EXPECT_GT(exhausted.load(), 0) << "the budget never ran out: the test did not contend";
  ASSERT_EQ(resets(agent).size(), 1u) << "exactly one reset for one boundary, whoever applied it";

  // Every lease is closed; each period spent at most its amount, and the books close exactly.
  int64_t old_period = 0, new_period = 0;
  for (const auto& l : db().read([&](store::Connection& c) { return store::leases::list_for_agent(c, agent, std::nullopt); })) {
    EXPECT_NE(l.status, "active");
    (l.period_seq == 0 ? old_period : new_period) += l.spent;
  }
  EXPECT_LE(old_period, kAmount);
  EXPECT_LE(new_period, kAmount);
  const auto s = at(agent, kD1 + 2min);
  EXPECT_EQ(s.allocated, kAmount);
  EXPECT_EQ(s.carried_reserved, 0);
  EXPECT_EQ(s.reserved, 0);
  EXPECT_EQ(s.spent, new_period) << "the new period's spent is exactly what its own leases reported";
  EXPECT_EQ(s.remaining, kAmount - new_period);
  EXPECT_EQ(resets(agent)[0].period_spent.value_or(-1) <= old_period, true);
}
