// Group commit on the single writer (store/database.h, issue 13): write() calls that queue up
// while a batch runs are run together in one transaction and committed once. A call that is
// refused or throws loses only its own work; the others are kept and every caller hears its
// own outcome. While batches commit whole, a batch runs without savepoints and runs again with
// a savepoint per call when a call fails (store/sqlite_database.h). In-process on a real
// database file.
#include <gtest/gtest.h>

#include <algorithm>
#include <atomic>
#include <functional>
#include <map>
#include <stdexcept>
#include <thread>
#include <vector>

#include "store/database.h"
#include "support/eventually.h"
#include "support/probe_database.h"
#include "support/probe_table.h"
#include "support/write_batch.h"
#include "util/result.h"

namespace {

using iron::Error;
using iron::Result;
using iron::store::Connection;
using iron::store::Database;
using iron::test::eventually;

void insert(Connection& c, const std::string& v) { iron::test::insert_probe(c, v); }
std::vector<std::string> rows(Database& db) { return iron::test::probe_rows(db); }

enum class Outcome { ok, refused, refused_but_recorded, throws };

struct Call {
  std::string row;
  Outcome outcome;
  bool kept;  // the row is in the table afterwards
};

class StoreGroupCommit : public iron::test::ProbeDatabase {};

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

// A single sequential writer: every write is its own batch and commit, and no batch waits
// for or takes in late calls (a batch after a batch of one is never delayed).
TEST_F(StoreGroupCommit, ALoneWriterIsNeverDelayed) {
  // Company first, so that the writer's first batch follows a batch of several calls.
  iron::test::run_as_one_batch(db, {[&] { db.write([](Connection& c) { insert(c, "company-1"); return 0; }); },
                                    [&] { db.write([](Connection& c) { insert(c, "company-2"); return 0; }); }});
  const auto before = db.write_stats();
  constexpr int kWrites = 50;
  for (int i = 0; i < kWrites; ++i)
    db.write([&](Connection& c) {
      insert(c, "lone-" + std::to_string(i));
      return 0;
    });
  const auto after = db.write_stats();
  EXPECT_EQ(after.calls - before.calls, kWrites);
  EXPECT_EQ(after.batches - before.batches, kWrites) << "a lone writer's writes shared a commit";
  EXPECT_EQ(after.delayed - before.delayed, 0) << "a lone writer's batch waited for late calls";
  EXPECT_EQ(rows(db).size(), static_cast<size_t>(kWrites + 2));
}

namespace {

enum class Failure { throws, refused };

// One call of a batch. It inserts its name into `tally` (no key: a second insert of the same
// work would show) and answers how many rows it saw there first; a failing one fails after
// its insert, and a recorded refusal (commit_on_error) keeps its insert.
enum class Kind { ok, fails, refused_but_recorded };

struct TallyCall {
  std::string name;
  Kind kind = Kind::ok;
  int runs = 0;          // how often its body ran
  int64_t seen = -1;     // rows of tally before its insert, for a call that succeeded
  std::string heard;     // "ok", the error's code, or the exception's message
};

std::map<std::string, int> tally(Database& db) {
  return db.read([](Connection& c) {
    std::map<std::string, int> out;
    auto& s = c.prepare("SELECT v FROM tally");
    while (s.step()) ++out[s.text(0)];
    return out;
  });
}

void run_tally_batch(Database& db, std::vector<TallyCall>& calls, Failure how) {
  std::vector<std::function<void()>> callers;
  for (auto& call : calls)
    callers.emplace_back([&db, &call, how] {
      try {
        auto r = db.write(
            [&](Connection& c) -> Result<int64_t> {
              ++call.runs;
              auto& count = c.prepare("SELECT COUNT(*) FROM tally");
              const int64_t seen = count.step() ? count.int64(0) : -1;
              c.prepare("INSERT INTO tally(v) VALUES (?1)").bind(1, call.name).run();
              if (call.kind == Kind::fails && how == Failure::throws) throw std::runtime_error("boom");
              if (call.kind != Kind::ok) return Error::validation("v", "refused");
              return seen;
            },
            call.kind == Kind::refused_but_recorded);
        call.heard = r.ok() ? "ok" : r.error().code;
        if (r.ok()) call.seen = *r;
      } catch (const std::runtime_error& e) {
        call.heard = e.what();
      }
    });
  iron::test::run_as_one_batch(db, callers);
}

std::string expected_heard(Kind kind, Failure how) {
  if (kind == Kind::ok) return "ok";
  return kind == Kind::fails && how == Failure::throws ? "boom" : "VALIDATION_ERROR";
}

class StoreGroupCommitFailure : public StoreGroupCommit, public ::testing::WithParamInterface<Failure> {
 protected:
  StoreGroupCommitFailure() {
    db.write([](Connection& c) {
      c.exec("CREATE TABLE tally (v TEXT NOT NULL)");
      return 0;
    });
  }
};

}  // namespace

// The first batch with a failing call runs optimistically, fails, and runs again with
// savepoints: the other calls' work is committed exactly once, each call sees the work of the
// calls before it that kept theirs, and the failing call alone loses its insert.
TEST_P(StoreGroupCommitFailure, AFailingCallLosesOnlyItsOwnWorkAndTheOthersAreCommittedOnce) {
  std::vector<TallyCall> calls = {{"ok-1"}, {"ok-2"}, {"failing", Kind::fails}, {"ok-3"}};
  run_tally_batch(db, calls, GetParam());
  for (const auto& call : calls) EXPECT_EQ(call.heard, expected_heard(call.kind, GetParam())) << call.name;
  EXPECT_EQ(calls[0].seen, 0);
  EXPECT_EQ(calls[1].seen, 1);
  EXPECT_EQ(calls[3].seen, 2) << "the failing call's insert was visible to the call after it";
  EXPECT_EQ(tally(db), (std::map<std::string, int>{{"ok-1", 1}, {"ok-2", 1}, {"ok-3", 1}}));
  // Up to the failing call every body ran twice (without savepoints, then with them); the
  // call after it ran only in the second run.
  EXPECT_EQ((std::vector<int>{calls[0].runs, calls[1].runs, calls[2].runs, calls[3].runs}),
            (std::vector<int>{2, 2, 2, 1}));
}

// After a batch with a failing call the next batches run with savepoints (each body once, also
// when a call fails), until one commits whole; then batches run without them again. Every
// batch commits what it should, once.
TEST_P(StoreGroupCommitFailure, SavepointsFollowAFailingBatchUntilABatchCommitsWhole) {
  struct Batch {
    std::vector<TallyCall> calls;
    std::vector<int> runs;
    const char* why;
  };
  std::vector<Batch> batches = {
      {{{"a0"}, {"recorded0", Kind::refused_but_recorded}, {"b0"}}, {1, 1, 1}, "a recorded refusal keeps its work"},
      {{{"a1"}, {"failing1", Kind::fails}}, {2, 2}, "optimistic, then again with savepoints"},
      {{{"a2"}, {"failing2", Kind::fails}}, {1, 1}, "savepoints at once after a failing batch"},
      {{{"a3"}, {"b3"}}, {1, 1}, "still savepoints: the batch before had a failing call"},
      {{{"a4"}, {"failing4", Kind::fails}}, {2, 2}, "optimistic again after a batch that committed whole"},
  };
  std::map<std::string, int> expected;
  for (auto& batch : batches) {
    run_tally_batch(db, batch.calls, GetParam());
    std::vector<int> runs;
    for (const auto& call : batch.calls) {
      EXPECT_EQ(call.heard, expected_heard(call.kind, GetParam())) << call.name;
      runs.push_back(call.runs);
      if (call.kind != Kind::fails) ++expected[call.name];
    }
    EXPECT_EQ(runs, batch.runs) << batch.why;
    EXPECT_EQ(tally(db), expected) << batch.why;
  }
}

INSTANTIATE_TEST_SUITE_P(Failures, StoreGroupCommitFailure, ::testing::Values(Failure::throws, Failure::refused),
                         [](const auto& info) { return info.param == Failure::throws ? "Throws" : "Refuses"; });
