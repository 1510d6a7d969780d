// The ledger under concurrency: many threads drawing on one agent's budget at once must never
// overspend it, lose a µ$ or count a report twice.
#include <atomic>
#include <iostream>
#include <random>
#include <thread>
#include <vector>

#include "budget_ledger_fixture.h"

using namespace ledger_test;

class BudgetLedgerConcurrency : public LedgerFixture {};

TEST_F(BudgetLedgerConcurrency, no_overspend_under_64_threads) {
  constexpr int kThreads = 64;
  constexpr int kIterations = 20;
  constexpr int64_t kAllocated = 300'000;  // below what the threads ask for: they exhaust it and keep asking
  const int64_t agent = new_agent(kAllocated);

  std::atomic<int64_t> reported_cost{0};    // sum of the costs of accepted, non-replayed reports
  std::atomic<int64_t> reserved_ok{0}, exhausted{0}, reports_ok{0}, replays{0}, exceeded{0};
  std::atomic<int64_t> refreshed{0}, denied{0}, released{0}, unexpected{0}, torn_reads{0};
  std::atomic<bool> go{false};

  auto worker = [&](int t) {
    std::mt19937_64 rng(static_cast<uint64_t>(t) * 7919 + 1);
    auto pick = [&](int64_t lo, int64_t hi) { return std::uniform_int_distribution<int64_t>(lo, hi)(rng); };
    const auto ctx = agent_ctx(agent);
    int request = 0;
    auto note_error = [&](const iron::Error& e) {
      if (e.code == "BUDGET_EXHAUSTED") ++exhausted;
      else if (e.code == "LEASE_EXCEEDED") ++exceeded;
      else ++unexpected;
    };
    // A few reports against the lease, each sometimes retried; costs are drawn up to a bit
    // more than the lease holds so some are refused.
    auto report_some = [&](const domain::Lease& lease) {
      for (int k = pick(0, 3); k > 0; --k) {
        // Appended piecewise: GCC 12's -Wrestrict misfires on a chain of string operator+.
        std::string rid = "t";
        rid += std::to_string(t);
        rid += "-r";
        rid += std::to_string(request++);
        const int64_t cost = pick(0, lease.granted / 2 + 1);
        auto r = ledger().report(lease.id, agent, usage(rid, cost), kT0);
        if (!r) {
          note_error(r.error());
          continue;
        }
        ++reports_ok;
        reported_cost += r->cost;
        if (pick(0, 3) == 0) {
          auto again = ledger().report(lease.id, agent, usage(rid, cost + 1), kT0);
          if (again && again->replayed && again->cost == cost) ++replays;
          else ++unexpected;
        }
      }
    };
    while (!go.load()) std::this_thread::yield();
    for (int i = 0; i < kIterations; ++i) {
      auto lease = ledger().reserve(agent, pick(1, 3000), kT0, ctx);
      if (!lease) {
        note_error(lease.error());
      } else {
        ++reserved_ok;
        std::string open = lease->id;
        report_some(*lease);
        if (pick(0, 2) == 0) {
          auto r = ledger().refresh(open, agent, pick(1, 3000), kT0, ctx);
          if (!r) {
            ++unexpected;
          } else if (r->approved) {
            ++refreshed;
            open = r->lease->id;
            report_some(*r->lease);
          } else {
            ++denied;
            open.clear();  // closed by the refresh
          }
        }
        if (!open.empty()) {
          if (ledger().release(open, agent, kT0, ctx)) ++released;
          else ++unexpected;
        }
      }
      // Readers run beside the writer: every snapshot they see must balance.
      auto s = ledger().snapshot(agent);
      if (!s || s->allocated != s->spent + s->reserved + s->remaining || s->spent > s->allocated) ++torn_reads;
    }
  };

  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) threads.emplace_back(worker, t);
  go = true;
  for (auto& th : threads) th.join();

  EXPECT_EQ(unexpected.load(), 0);
  EXPECT_EQ(torn_reads.load(), 0);
  // The run exercised every path, including refusals.
  EXPECT_GT(reserved_ok.load(), 0);
  EXPECT_GT(exhausted.load(), 0) << "the allocation was never exhausted: the test did not contend";
  EXPECT_GT(reports_ok.load(), 0);
  EXPECT_GT(replays.load(), 0);
  EXPECT_GT(refreshed.load(), 0);
  EXPECT_GT(released.load(), 0);

  auto s = ledger().snapshot(agent);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s->allocated, kAllocated);
  EXPECT_EQ(s->allocated, s->spent + s->reserved + s->remaining);
  EXPECT_LE(s->spent, s->allocated);
  EXPECT_EQ(s->spent, reported_cost.load()) << "spent must be exactly the sum of accepted reports";
  expect_invariant(agent);

  // Every thread returned its leases; release anything left anyway and the books must close.
  const auto active = db().read([&](store::Connection& c) { return store::leases::list_for_agent(c, agent, "active"); });
  EXPECT_TRUE(active.empty());
  for (const auto& l : active) ASSERT_TRUE(runtime(agent).release(l.id, kT0).ok());
  s = ledger().snapshot(agent);
  EXPECT_EQ(s->reserved, 0);
  EXPECT_EQ(s->remaining, kAllocated - reported_cost.load());
  EXPECT_EQ(count_rows("lease_reports"), reports_ok.load());
  expect_invariant(agent);
  std::cout << "[ stats    ] reserves " << reserved_ok << ", exhausted " << exhausted << ", reports " << reports_ok
            << ", replays " << replays << ", exceeded " << exceeded << ", refreshes " << refreshed << ", denied "
            << denied << ", releases " << released << ", spent " << s->spent << " of " << kAllocated << "\n";
}

// Many threads send the same report at once (a runtime retrying through several connections):
// exactly one moves money, every other call gets its outcome back.
TEST_F(BudgetLedgerConcurrency, concurrent_replays_of_one_report_move_money_once) {
  const int64_t agent = new_agent(10'000);
  const std::string lease = runtime(agent).open(5'000);
  constexpr int kThreads = 32;
  std::atomic<int> firsts{0}, replays{0}, failures{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&] {
      while (!go.load()) std::this_thread::yield();
      auto r = runtime(agent).report(lease, usage("same-request", 1234), kT0);
      if (!r) ++failures;
      else if (r->replayed) ++replays;
      else ++firsts;
      if (r && (r->cost != 1234 || r->lease_spent != 1234 || r->budget_remaining != 5'000)) ++failures;
    });
  go = true;
  for (auto& th : threads) th.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(firsts.load(), 1);
  EXPECT_EQ(replays.load(), kThreads - 1);
  expect_snapshot(agent, 10'000, 1234, 5'000 - 1234, 5'000);
}
