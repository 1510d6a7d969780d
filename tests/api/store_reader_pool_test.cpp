// The SQLite engine's readers (store/sqlite_database.h): a read takes an idle reader without a
// lock and gives it back; a read that finds none idle waits until one is given back. More
// concurrent reads than readers all finish, each on a reader of its own, and one that waits is
// woken by the read that ends. In-process on a real database file.
#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "store/database.h"
#include "support/eventually.h"
#include "support/probe_database.h"
#include "support/probe_table.h"

namespace {

using iron::store::Connection;
using iron::test::eventually;

constexpr int kReaders = 2;

class StoreReaderPool : public iron::test::ProbeDatabase {
 protected:
  StoreReaderPool() : ProbeDatabase(kReaders) {
    db.write([](Connection& c) {
      iron::test::insert_probe(c, "row");
      return 0;
    });
  }
};

}  // namespace

// 16 threads read 200 times each through 2 readers: every read sees the row, and no reader is
// ever used by two reads at once.
TEST_F(StoreReaderPool, MoreConcurrentReadsThanReadersAllFinishEachOnItsOwnReader) {
  std::atomic<int> ok{0}, shared{0};
  std::mutex m;
  std::set<const Connection*> in_use;
  std::vector<std::thread> threads;
  for (int t = 0; t < 16; ++t)
    threads.emplace_back([&] {
      for (int i = 0; i < 200; ++i) {
        const bool seen = db.read([&](Connection& c) {
          {
            std::lock_guard lock(m);
            if (!in_use.insert(&c).second) ++shared;
          }
          auto& q = c.prepare("SELECT v FROM probe");
          const bool found = q.step() && q.text(0) == "row";
          std::lock_guard lock(m);
          in_use.erase(&c);
          return found;
        });
        if (seen) ++ok;
      }
    });
  for (auto& t : threads) t.join();
  EXPECT_EQ(ok.load(), 16 * 200);
  EXPECT_EQ(shared.load(), 0) << "a reader was used by two reads at once";
}

// With every reader held, a further read waits, and is woken as soon as one is given back.
TEST_F(StoreReaderPool, AReadWaitsForABusyPoolAndIsWokenWhenAReaderIsGivenBack) {
  std::atomic<int> holding{0};
  std::atomic<bool> release{false}, waiter_done{false};
  std::vector<std::thread> holders;
  for (int i = 0; i < kReaders; ++i)
    holders.emplace_back([&] {
      db.read([&](Connection&) {
        ++holding;
        while (!release) std::this_thread::yield();
      });
    });
  ASSERT_TRUE(eventually([&] { return holding.load() == kReaders; }));
  std::thread waiter([&] {
    db.read([](Connection&) {});
    waiter_done = true;
  });
  EXPECT_FALSE(eventually([&] { return waiter_done.load(); }, std::chrono::milliseconds(200)))
      << "a read ran while every reader was held";
  release = true;
  EXPECT_TRUE(eventually([&] { return waiter_done.load(); })) << "the waiting read was never woken";
  for (auto& h : holders) h.join();
  waiter.join();
}
