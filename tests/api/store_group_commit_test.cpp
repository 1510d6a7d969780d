// Group commit on the single writer (store/database.h, issue 13): write() calls that queue up
// while a batch runs are run together in one transaction, a savepoint each, and committed
// once. A call that is refused or throws loses only its own work; the others are kept and
// every caller hears its own outcome. In-process on a real database file.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <stdexcept>
#include <thread>
#include <vector>

#include "store/database.h"
#include "support/eventually.h"
#include "support/files.h"
#include "util/result.h"

namespace {

using iron::Error;
using iron::Result;
using iron::store::Connection;
using iron::store::Database;
using iron::test::eventually;

void insert(Connection& c, const std::string& v) { c.prepare("INSERT INTO probe(v) VALUES (?1)").bind(1, v).run(); }

std::vector<std::string> rows(Database& db) {
  return db.read([](Connection& c) {
    std::vector<std::string> out;
    auto& s = c.prepare("SELECT v FROM probe ORDER BY v");
    while (s.step()) out.push_back(s.text(0));
    return out;
  });
}

enum class Outcome { ok, refused, refused_but_recorded, throws };

struct Call {
  std::string row;
  Outcome outcome;
  bool kept;  // the row is in the table afterwards
};

// A fresh database file holding one table, probe(v), for the calls to write to.
class StoreGroupCommit : public ::testing::Test {
 protected:
  StoreGroupCommit() {
    db.write([](Connection& c) {
      c.exec("CREATE TABLE probe (v TEXT PRIMARY KEY)");
      return 0;
    });
  }
  iron::test::TempDir dir_;  // before db: outlives it
  Database db{dir_.path() + "/probe.db"};
};

}  // namespace

TEST_F(StoreGroupCommit, QueuedCallsCommitAsOneBatchAndAFailureRollsBackOnlyItsOwnWork) {
  const std::vector<Call> calls = {
      {"ok-1", Outcome::ok, true},         {"refused", Outcome::refused, false},
      {"ok-2", Outcome::ok, true},         {"throws", Outcome::throws, false},
      {"recorded", Outcome::refused_but_recorded, true},
      {"ok-3", Outcome::ok, true},
  };

  // A first call holds the writer until every other call is queued behind it, so they all
  // land in the next batch.
  std::atomic<bool> leader_inside{false};
  std::thread leader([&] {
    db.write([&](Connection& c) {
      insert(c, "leader");
      leader_inside = true;
      EXPECT_TRUE(eventually([&] { return db.queued_writes() == calls.size(); }));
      return 0;
    });
  });
  ASSERT_TRUE(eventually([&] { return leader_inside.load(); }));
  const auto before = db.write_stats();

  std::vector<std::string> heard(calls.size());
  std::vector<std::thread> callers;
  for (size_t i = 0; i < calls.size(); ++i) {
    callers.emplace_back([&, i] {
      const Call& call = calls[i];
      try {
        auto r = db.write(
            [&](Connection& c) -> Result<int> {
              insert(c, call.row);
              if (call.outcome == Outcome::throws) throw std::runtime_error("boom");
              if (call.outcome != Outcome::ok) return Error::validation("v", "refused");
              return 1;
            },
            call.outcome == Outcome::refused_but_recorded);
        heard[i] = r.ok() ? "ok" : r.error().code;
      } catch (const std::runtime_error& e) {
        heard[i] = e.what();
      }
    });
  }
  for (auto& t : callers) t.join();
  leader.join();

  const auto after = db.write_stats();
  EXPECT_EQ(after.calls - before.calls, static_cast<int64_t>(calls.size()) + 1);
  EXPECT_EQ(after.batches - before.batches, 2) << "the queued calls did not share one batch";

  std::vector<std::string> expected = {"leader"};
  for (size_t i = 0; i < calls.size(); ++i) {
    const Call& call = calls[i];
    const std::string want = call.outcome == Outcome::ok       ? "ok"
                             : call.outcome == Outcome::throws ? "boom"
                                                               : "VALIDATION_ERROR";
    EXPECT_EQ(heard[i], want) << call.row;
    if (call.kept) expected.push_back(call.row);
  }
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(rows(db), expected);
}

TEST_F(StoreGroupCommit, ManyConcurrentWritersAreAllKeptAndAcknowledged) {
  const auto before = db.write_stats();
  constexpr int kThreads = 32, kEach = 20;
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
  EXPECT_EQ(rows(db).size(), static_cast<size_t>(kThreads * kEach));
  EXPECT_EQ(after.calls - before.calls, kThreads * kEach);
  EXPECT_LE(after.batches - before.batches, kThreads * kEach);
}
