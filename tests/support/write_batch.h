#pragma once
// Several write() calls in one group-commit batch of SQLite's single writer, in a known order
// (store/sqlite_database.h): a first write holds the writer until every caller is queued
// behind it, and each caller starts only once the one before it is queued, so the next batch
// holds exactly these calls, in this order. Waits on the writer's queue with a deadline.
// A lone write goes first: a batch after a batch of one is never extended by the commit delay,
// so neither the holder's batch nor the callers' takes in any call late.
#include <gtest/gtest.h>

#include <atomic>
#include <functional>
#include <thread>
#include <vector>

#include "store/database.h"
#include "support/eventually.h"
#include "util/result.h"

namespace iron::test {

// A write that runs `holder_work` (on every run of its body: a failing call in its batch
// makes the batch run again) and, on its first run, holds the writer until every caller is
// queued behind it. Each caller makes exactly one Database::write call (and no other write
// before it); returns once every write has returned.
inline void hold_writer_until_queued(store::Database& db, const std::vector<std::function<void()>>& callers,
                                     const std::function<void(store::Connection&)>& holder_work = nullptr) {
  std::atomic<bool> holding{false};
  bool held = false;
  std::thread holder([&] {
    db.write([&](store::Connection& c) {
      if (holder_work) holder_work(c);
      if (!held) {
        held = true;
        holding = true;
        EXPECT_TRUE(eventually([&] { return db.queued_writes() == callers.size(); })) << "the callers did not queue up";
      }
      return 0;
    });
  });
  EXPECT_TRUE(eventually([&] { return holding.load(); })) << "the first write never ran";
  std::vector<std::thread> threads;
  for (size_t i = 0; i < callers.size(); ++i) {
    threads.emplace_back(callers[i]);
    // Not after the last one: the holder lets the batch go as soon as it is queued.
    if (i + 1 < callers.size()) {
      EXPECT_TRUE(eventually([&] { return db.queued_writes() == i + 1; })) << "caller " << i << " did not queue";
    }
  }
  for (auto& t : threads) t.join();
  holder.join();
}

// The callers as the next batch, exactly, in this order.
inline void run_as_one_batch(store::Database& db, const std::vector<std::function<void()>>& callers) {
  db.write([](store::Connection&) { return 0; });
  hold_writer_until_queued(db, callers);
}

// A write that refuses and keeps nothing. Queued after other calls in one batch, it makes
// the batch run again with savepoints, so the bodies before it run twice.
inline void refused_write(store::Database& db) {
  const Status refused = db.write([](store::Connection&) -> Status { return Error::validation("probe", "refused"); });
  EXPECT_FALSE(refused.ok());
}

}  // namespace iron::test
