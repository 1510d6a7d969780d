// The commit delay of SQLite's group commit (store/sqlite_database.h, issue 13): after a batch
// of several calls, the next leader takes the calls that queue while it runs into its open
// transaction before committing, so one fsync acknowledges them all; after a batch of one it
// commits at once. A late call that fails still loses only its own work. In-process on a real
// database file; the order of calls is made with the writer's queue, never with sleeps.
#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include "store/database.h"
#include "support/files.h"
#include "support/probe_table.h"
#include "support/write_batch.h"
#include "util/result.h"

namespace {

using iron::Error;
using iron::Result;
using iron::store::Connection;
using iron::store::Database;

void insert(Connection& c, const std::string& v) { iron::test::insert_probe(c, v); }
std::vector<std::string> rows(Database& db) { return iron::test::probe_rows(db); }

int64_t count(Connection& c) {
  auto& s = c.prepare("SELECT COUNT(*) FROM probe");
  return s.step() ? s.int64(0) : -1;
}

class StoreCommitDelay : public ::testing::Test {
 protected:
  StoreCommitDelay() { iron::test::create_probe_table(db); }

  // A batch of two calls, so that the next batch may take in late calls.
  void batch_with_company(const std::string& tag = "") {
    iron::test::run_as_one_batch(db, {[&] { db.write([&](Connection& c) { insert(c, tag + "company-1"); return 0; }); },
                                      [&] { db.write([&](Connection& c) { insert(c, tag + "company-2"); return 0; }); }});
  }

  // A leader that inserts `leader_row` and holds the writer until `callers` are all queued
  // behind it (support/write_batch.h); returns once every write has returned.
  void lead_while_queuing(const std::vector<std::function<void()>>& callers, const std::string& leader_row = "leader") {
    iron::test::hold_writer_until_queued(db, callers, [&](Connection& c) { insert(c, leader_row); });
  }

  iron::test::TempDir dir_;  // before db: outlives it
  Database db{dir_.path() + "/probe.db"};
};

}  // namespace

// After a batch of several calls, calls that queue while the leader runs are run in its
// transaction (they see its row) and acknowledged by its commit.
TEST_F(StoreCommitDelay, CallsQueuedWhileABatchRunsShareItsCommitAfterABatchWithCompany) {
  batch_with_company();
  const auto before = db.write_stats();
  std::vector<int64_t> seen(3, -1);
  std::vector<std::function<void()>> callers;
  for (size_t i = 0; i < seen.size(); ++i)
    callers.emplace_back([&, i] {
      seen[i] = db.write([&, i](Connection& c) -> int64_t {
        const int64_t n = count(c);
        insert(c, "late-" + std::to_string(i));
        return n;
      });
    });
  lead_while_queuing(callers);
  const auto after = db.write_stats();
  EXPECT_EQ(after.calls - before.calls, 4);
  EXPECT_EQ(after.batches - before.batches, 1) << "the late calls did not share the leader's commit";
  EXPECT_EQ(after.delayed - before.delayed, 1);
  // company-1, company-2 and leader before the first late call, in the same transaction.
  EXPECT_EQ(seen, (std::vector<int64_t>{3, 4, 5}));
  EXPECT_EQ(rows(db), (std::vector<std::string>{"company-1", "company-2", "late-0", "late-1", "late-2", "leader"}));
}

// After a batch of one, the leader commits at once: a call queued meanwhile waits for the
// next commit (its own batch).
TEST_F(StoreCommitDelay, ABatchAfterABatchOfOneIsNotExtended) {
  db.write([](Connection& c) {
    insert(c, "alone");
    return 0;
  });
  const auto before = db.write_stats();
  lead_while_queuing({[&] { db.write([](Connection& c) { insert(c, "next"); return 0; }); }});
  const auto after = db.write_stats();
  EXPECT_EQ(after.batches - before.batches, 2);
  EXPECT_EQ(after.delayed - before.delayed, 0);
  EXPECT_EQ(rows(db), (std::vector<std::string>{"alone", "leader", "next"}));
}

// A late call that throws or refuses loses only its own insert; the leader's and the other late
// calls' work is committed once, and each caller hears its own outcome.
TEST_F(StoreCommitDelay, AFailingLateCallRollsBackOnlyItsOwnWork) {
  for (const bool throws : {true, false}) {
    SCOPED_TRACE(throws ? "throws" : "refuses");
    const std::string tag = throws ? "t" : "r";
    batch_with_company(tag);
    const auto before = db.write_stats();
    std::vector<std::string> heard(3);
    std::vector<std::function<void()>> callers;
    for (size_t i = 0; i < heard.size(); ++i)
      callers.emplace_back([&, i] {
        const bool fails = i == 1;
        try {
          auto r = db.write([&](Connection& c) -> Result<int> {
            insert(c, tag + "-late-" + std::to_string(i));
            if (fails && throws) throw std::runtime_error("boom");
            if (fails) return Error::validation("v", "refused");
            return 1;
          });
          heard[i] = r.ok() ? "ok" : r.error().code;
        } catch (const std::runtime_error& e) {
          heard[i] = e.what();
        }
      });
    // The failing call makes the batch run again with savepoints, the leader's body too; the
    // table's key would refuse a second insert of its row, so its work is kept once.
    lead_while_queuing(callers, tag + "-leader");
    const auto after = db.write_stats();
    EXPECT_EQ(after.batches - before.batches, 1) << "the late calls did not share the leader's commit";
    EXPECT_EQ(after.delayed - before.delayed, 1);
    EXPECT_EQ(heard, (std::vector<std::string>{"ok", throws ? "boom" : "VALIDATION_ERROR", "ok"}));
    const auto all = rows(db);
    EXPECT_TRUE(std::count(all.begin(), all.end(), tag + "-late-0") == 1);
    EXPECT_TRUE(std::count(all.begin(), all.end(), tag + "-late-1") == 0) << "the failing call's insert was kept";
    EXPECT_TRUE(std::count(all.begin(), all.end(), tag + "-late-2") == 1);
    EXPECT_TRUE(std::count(all.begin(), all.end(), tag + "-leader") == 1);
  }
}

// Many concurrent writers: every write is kept and acknowledged, and commits are shared
// (the group commit's own test of many writers too).
TEST_F(StoreCommitDelay, ConcurrentWritersShareCommits) {
  batch_with_company();
  const auto before = db.write_stats();
  constexpr int kThreads = 16, kEach = 40;
  std::vector<std::thread> writers;
  for (int t = 0; t < kThreads; ++t)
    writers.emplace_back([&, t] {
      for (int i = 0; i < kEach; ++i)
        db.write([&](Connection& c) {
          insert(c, std::to_string(t) + "-" + std::to_string(i));
          return 0;
        });
    });
  for (auto& w : writers) w.join();
  const auto after = db.write_stats();
  const int64_t calls = after.calls - before.calls, batches = after.batches - before.batches;
  EXPECT_EQ(calls, kThreads * kEach);
  EXPECT_EQ(rows(db).size(), static_cast<size_t>(kThreads * kEach + 2));
  EXPECT_GT(calls, batches) << "no two concurrent writes shared a commit";
  RecordProperty("writes_per_commit", std::to_string(static_cast<double>(calls) / static_cast<double>(batches)));
  RecordProperty("delayed_batches", std::to_string(after.delayed - before.delayed));
}
