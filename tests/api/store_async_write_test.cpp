// Asynchronous writes on SQLite's single writer (store::Database::write_async,
// store/sqlite_database.h): nobody waits for them, so each hears its outcome through its
// completion, exactly once, after its batch has committed (or been rolled back), and shares
// the group commit with the calls queued beside it, waiting or not. Without the edge's pool,
// the lead of a batch headed by such a call goes to a new thread (util::run_elsewhere).
// In-process on a real database file.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <stdexcept>
#include <string>
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

enum class Outcome { ok, refused, throws };

// What each asynchronous call heard, once its completion ran.
struct Heard {
  std::mutex m;
  std::vector<std::string> what;
  std::atomic<int> completions{0};
  explicit Heard(size_t n) : what(n) {}
  void set(size_t i, std::string s) {
    std::lock_guard lock(m);
    what[i] = std::move(s);
    ++completions;
  }
};

// Inserts `row` and then succeeds, refuses or throws; `heard` gets "ok", the error code or the
// exception's message.
void write_async(Database& db, Heard& heard, size_t i, const std::string& row, Outcome outcome) {
  db.write_async(
      [row, outcome](Connection& c) -> Result<int> {
        iron::test::insert_probe(c, row);
        if (outcome == Outcome::throws) throw std::runtime_error("boom");
        if (outcome == Outcome::refused) return Error::validation("v", "refused");
        return 1;
      },
      [&heard, i](const std::function<Result<int>()>& outcome_of) {
        try {
          auto r = outcome_of();
          heard.set(i, r.ok() ? "ok" : r.error().code);
        } catch (const std::runtime_error& e) {
          heard.set(i, e.what());
        }
      });
}

class StoreAsyncWrite : public iron::test::ProbeDatabase {};

}  // namespace

// Calls queued behind a running batch share the next commit; each hears its own outcome, and
// only the work of the calls that succeeded is kept.
TEST_F(StoreAsyncWrite, QueuedCallsShareOneCommitAndEachHearsItsOwnOutcome) {
  struct Call {
    std::string row;
    Outcome outcome;
    std::string heard;
  };
  const std::vector<Call> calls = {{"a-ok", Outcome::ok, "ok"},
                                   {"b-refused", Outcome::refused, "VALIDATION_ERROR"},
                                   {"c-ok", Outcome::ok, "ok"},
                                   {"d-throws", Outcome::throws, "boom"},
                                   {"e-ok", Outcome::ok, "ok"}};
  Heard heard(calls.size());
  std::vector<std::function<void()>> callers;
  for (size_t i = 0; i < calls.size(); ++i)
    callers.emplace_back([&, i] { write_async(db, heard, i, calls[i].row, calls[i].outcome); });
  db.write([](Connection&) { return 0; });  // a lone write first: the next batch is not extended
  const auto before = db.write_stats();
  iron::test::hold_writer_until_queued(db, callers);
  ASSERT_TRUE(eventually([&] { return heard.completions.load() == static_cast<int>(calls.size()); }))
      << "a completion never ran";

  const auto after = db.write_stats();
  EXPECT_EQ(after.batches - before.batches, 2) << "the queued calls did not share one batch";
  std::vector<std::string> kept;
  for (size_t i = 0; i < calls.size(); ++i) {
    EXPECT_EQ(heard.what[i], calls[i].heard) << calls[i].row;
    if (calls[i].outcome == Outcome::ok) kept.push_back(calls[i].row);
  }
  EXPECT_EQ(iron::test::probe_rows(db), kept);
  EXPECT_EQ(heard.completions.load(), static_cast<int>(calls.size())) << "a completion ran twice";
}

// Waiting and asynchronous calls mixed in one queue: a waiting caller between asynchronous
// calls returns with its work committed, and every asynchronous call completes, whoever leads.
TEST_F(StoreAsyncWrite, WaitingCallersAndAsynchronousCallsInOneQueueAllFinish) {
  Heard heard(4);
  std::atomic<bool> waiter_returned{false};
  const std::vector<std::function<void()>> callers = {
      [&] { write_async(db, heard, 0, "async-0", Outcome::ok); },
      [&] {
        db.write([](Connection& c) {
          iron::test::insert_probe(c, "waiting-1");
          return 0;
        });
        waiter_returned = true;
      },
      [&] { write_async(db, heard, 2, "async-2", Outcome::ok); },
      [&] { write_async(db, heard, 3, "async-3", Outcome::refused); },
  };
  iron::test::hold_writer_until_queued(db, callers);
  EXPECT_TRUE(waiter_returned.load());
  ASSERT_TRUE(eventually([&] { return heard.completions.load() == 3; }));
  EXPECT_EQ(heard.what[0], "ok");
  EXPECT_EQ(heard.what[2], "ok");
  EXPECT_EQ(heard.what[3], "VALIDATION_ERROR");
  EXPECT_EQ(iron::test::probe_rows(db), (std::vector<std::string>{"async-0", "async-2", "waiting-1"}));
}

// With no batch running, the call leads its own batch on the calling thread: its completion
// has run, after the commit, by the time write_async returns.
TEST_F(StoreAsyncWrite, ACallWithNoBatchRunningCompletesBeforeItReturns) {
  Heard heard(1);
  std::thread::id completed_on;
  db.write_async(
      [](Connection& c) -> Result<int> {
        iron::test::insert_probe(c, "alone");
        return 1;
      },
      [&](const std::function<Result<int>()>& outcome) {
        completed_on = std::this_thread::get_id();
        heard.set(0, outcome().ok() ? "ok" : "refused");
      });
  EXPECT_EQ(heard.completions.load(), 1);
  EXPECT_EQ(completed_on, std::this_thread::get_id());
  EXPECT_EQ(heard.what[0], "ok");
  EXPECT_EQ(iron::test::probe_rows(db), std::vector<std::string>{"alone"});
}
