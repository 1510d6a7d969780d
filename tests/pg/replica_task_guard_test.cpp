// Advisory locks across replicas (src/store/pg/advisory_lock.h, replica_task_guard.h): a
// scheduled task's round runs on one replica while the others skip it, a replica that dies
// mid-round frees the task for the others, and a transaction-level lock keeps a "count, then
// insert" window within its limit when several replicas write at once.
#include <gtest/gtest.h>

#include <array>
#include <atomic>
#include <barrier>
#include <bit>
#include <memory>
#include <string>
#include <thread>
#include <vector>

#include "support/eventually.h"
#include "pg_fixture.h"
#include "store/pg/advisory_lock.h"
#include "store/pg/connection.h"
#include "store/pg/replica_task_guard.h"

namespace iron::test {
namespace {

using store::pg::advisory_lock_key;
using store::pg::Connection;
using store::pg::PgError;
using store::pg::ReplicaTaskGuard;
using store::pg::Transaction;

// The backend holding advisory lock `key` (a bigint key is stored as classid:objid with
// objsubid 1), 0 when nobody holds it.
int64_t lock_holder(Connection& c, int64_t key) {
  const auto rows = c.exec(
      "SELECT pid FROM pg_locks WHERE locktype = 'advisory' AND granted AND objsubid = 1"
      " AND database = (SELECT oid FROM pg_database WHERE datname = current_database())"
      " AND ((classid::bigint << 32) | objid::bigint) = $1",
      {key});
  return rows.empty() ? 0 : rows.front().int64(0);
}

// The key is a documented hash, so every replica and every future build agrees on it: these
// are FNV-1a 64's published test vectors.
TEST(AdvisoryLockKey, IsTheFnv1a64HashOfTheName) {
  EXPECT_EQ(advisory_lock_key(""), std::bit_cast<int64_t>(0xcbf29ce484222325ULL));
  EXPECT_EQ(advisory_lock_key("a"), std::bit_cast<int64_t>(0xaf63dc4c8601ec8cULL));
  EXPECT_EQ(advisory_lock_key("foobar"), std::bit_cast<int64_t>(0x85944171f73967e8ULL));
}

// Three replicas' schedulers fire the same task together, round after round: one runs it, the
// other two skip. The running one waits until both have skipped, so a second runner (a lock
// that did not exclude) would show up as two runs in the round.
TEST_F(PgTest, ThreeReplicasContendingForATaskRunEachRoundOnce) {
  constexpr int kReplicas = 3;
  constexpr int kRounds = 5;
  std::vector<std::unique_ptr<ReplicaTaskGuard>> guards;
  for (int i = 0; i < kReplicas; ++i) guards.push_back(std::make_unique<ReplicaTaskGuard>(dsn()));
  std::array<std::atomic<int>, kRounds> runs{}, skipped{};
  std::barrier round_edge(kReplicas);
  std::vector<std::thread> replicas;
  for (int i = 0; i < kReplicas; ++i) {
    replicas.emplace_back([&, i] {
      for (int r = 0; r < kRounds; ++r) {
        round_edge.arrive_and_wait();
        try {
          const bool ran = guards[i]->run_round("expire_stale_leases", [&] {
            ++runs[r];
            EXPECT_TRUE(eventually([&] { return skipped[r].load() == kReplicas - 1; }))
                << "round " << r << ": the other replicas did not skip";
          });
          if (!ran) ++skipped[r];
        } catch (const std::exception& e) {
          ADD_FAILURE() << "replica " << i << ": " << e.what();
        }
        round_edge.arrive_and_wait();
      }
    });
  }
  for (auto& t : replicas) t.join();
  for (int r = 0; r < kRounds; ++r) {
    EXPECT_EQ(runs[r].load(), 1) << "round " << r;
    EXPECT_EQ(skipped[r].load(), kReplicas - 1) << "round " << r;
  }
  Connection c(dsn());
  EXPECT_EQ(lock_holder(c, advisory_lock_key("expire_stale_leases")), 0) << "the lock outlived the rounds";
}

// The replica running a round dies (its session ends): the server releases the lock, another
// replica runs the task, and the dead one's guard reconnects for its next round.
TEST_F(PgTest, AReplicaThatDiesMidRoundReleasesTheTask) {
  ReplicaTaskGuard a(dsn()), b(dsn());
  Connection admin(dsn());
  const int64_t key = advisory_lock_key("audit_retention");
  bool b_took_over = false;
  EXPECT_TRUE(a.run_round("audit_retention", [&] {
    EXPECT_FALSE(b.run_round("audit_retention", [] { ADD_FAILURE() << "ran while another replica held the task"; }));
    const int64_t holder = lock_holder(admin, key);
    ASSERT_NE(holder, 0);
    admin.exec("SELECT pg_terminate_backend($1::int)", {holder});
    EXPECT_TRUE(eventually([&] { return b.run_round("audit_retention", [&] { b_took_over = true; }); }));
  }));
  EXPECT_TRUE(b_took_over);
  bool a_ran_again = false;
  EXPECT_TRUE(a.run_round("audit_retention", [&] { a_ran_again = true; }));
  EXPECT_TRUE(a_ran_again);
  EXPECT_EQ(lock_holder(admin, key), 0);
}

// A task that throws still releases the lock (the scheduler logs the error and goes on).
TEST_F(PgTest, ATaskThatThrowsReleasesItsLock) {
  ReplicaTaskGuard guard(dsn());
  EXPECT_THROW(guard.run_round("prune_usage_counters", [] { throw std::runtime_error("boom"); }), std::runtime_error);
  Connection c(dsn());
  EXPECT_EQ(lock_holder(c, advisory_lock_key("prune_usage_counters")), 0);
}

// Four replicas record login attempts for one bucket at once, each counting first and inserting
// only under the limit. Without the lock, transactions that counted together would all insert
// (each sees only committed rows) and the window would overflow from the first round.
TEST_F(PgTest, ATransactionLockKeepsACountedWindowWithinItsLimit) {
  constexpr int kReplicas = 4;
  constexpr int kTries = 8;
  constexpr int64_t kLimit = 5;
  const std::string bucket = "login:bob@example.org";
  Connection setup(dsn());
  setup.exec("CREATE TABLE attempts (bucket TEXT NOT NULL, at BIGINT NOT NULL)");
  std::atomic<int> accepted{0};
  std::barrier start(kReplicas);
  std::vector<std::thread> replicas;
  for (int i = 0; i < kReplicas; ++i) {
    replicas.emplace_back([&, i] {
      try {
        Connection c(dsn());
        start.arrive_and_wait();
        for (int t = 0; t < kTries; ++t) {
          Transaction tx(c);
          store::pg::lock_for_transaction(c, bucket);
          const int64_t seen = c.exec("SELECT count(*) FROM attempts WHERE bucket = $1", {bucket}).front().int64(0);
          if (seen < kLimit) {
            c.exec("INSERT INTO attempts(bucket, at) VALUES ($1, $2)", {bucket, i * kTries + t});
            ++accepted;
          }
          tx.commit();
        }
      } catch (const std::exception& e) {
        ADD_FAILURE() << "replica " << i << ": " << e.what();
      }
    });
  }
  for (auto& t : replicas) t.join();
  EXPECT_EQ(accepted.load(), kLimit);
  EXPECT_EQ(setup.exec("SELECT count(*) FROM attempts").front().int64(0), kLimit);
}

TEST_F(PgTest, ATransactionLockOutsideATransactionIsRefused) {
  Connection c(dsn());
  try {
    store::pg::lock_for_transaction(c, "key_fetch:42");
    ADD_FAILURE() << "took a transaction lock without a transaction";
  } catch (const PgError& e) {
    EXPECT_EQ(e.sqlstate(), "25P01") << e.what();
  }
}

}  // namespace
}  // namespace iron::test
