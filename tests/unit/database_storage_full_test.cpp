// A write that needs space the database may not take (the operator's cap, IRON_MAX_DB_MB →
// PRAGMA max_page_count) fails as storage full, and group commit never reports a call as
// stored when its batch was not: every call that returned is in the file, none that threw is.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <mutex>
#include <set>
#include <thread>
#include <vector>

#include "store/database.h"
#include "temp_db.h"

using iron::store::Connection;
using iron::store::Database;
using iron::store::SqliteError;

namespace {

constexpr int kFillerWriters = 6;
constexpr int64_t kFillerRowBytes = 3000;  // most of a 4 KiB page: each row needs a new page soon

std::set<int64_t> filler_ids(Database& db) {
  return db.read([](Connection& c) {
    std::set<int64_t> ids;
    auto& s = c.prepare("SELECT id FROM filler");
    while (s.step()) ids.insert(s.int64(0));
    return ids;
  });
}

void insert_filler_row(Database& db, int64_t id) {
  db.write([id](Connection& c) {
    c.prepare("INSERT INTO filler(id, bytes) VALUES(?, zeroblob(" + std::to_string(kFillerRowBytes) + "))").bind(1, id).run();
    return true;
  });
}

}  // namespace

TEST(DatabaseStorageFull, ConcurrentWritesPastTheCapFailWholeAndKeepNothing) {
  const std::string path = temp_db();
  {
    Database fresh(path);  // migrated, then the table this test fills
    fresh.write([](Connection& c) {
      c.exec("CREATE TABLE filler (id INTEGER PRIMARY KEY, bytes BLOB NOT NULL)");
      return true;
    });
    fresh.checkpoint();
  }
  const auto size = static_cast<int64_t>(std::filesystem::file_size(path));
  Database db(path, 1, size + 400 * 1024);  // room for about a hundred rows

  std::mutex m;
  std::set<int64_t> acknowledged, refused;
  std::vector<std::string> other_errors;
  std::vector<std::thread> writers;
  for (int w = 0; w < kFillerWriters; ++w) {
    writers.emplace_back([&, w] {
      int refusals = 0;
      for (int64_t i = 0; i < 1000 && refusals < 5; ++i) {
        const int64_t id = w * 100000 + i;
        try {
          insert_filler_row(db, id);
          std::lock_guard lock(m);
          acknowledged.insert(id);
        } catch (const SqliteError& e) {
          std::lock_guard lock(m);
          if (!e.is_storage_full()) other_errors.push_back(e.what());
          refused.insert(id);
          ++refusals;
        }
      }
    });
  }
  for (auto& t : writers) t.join();

  EXPECT_TRUE(other_errors.empty()) << other_errors.front();
  ASSERT_GT(acknowledged.size(), 20u) << "the cap left room for rows before it was reached";
  ASSERT_EQ(refused.size(), static_cast<size_t>(kFillerWriters * 5)) << "every writer reached the cap";
  EXPECT_TRUE(db.storage_full());
  EXPECT_EQ(filler_ids(db), acknowledged) << "a call that returned is stored; one that threw is not";
  db.checkpoint();
  EXPECT_LE(static_cast<int64_t>(std::filesystem::file_size(path)), size + 400 * 1024 + 4096)
      << "the checkpointed file stays within the cap";

  // Space returns (rows deleted: their pages are reused) and writes succeed again at once.
  db.write([](Connection& c) {
    c.exec("DELETE FROM filler WHERE id % 2 = 0");
    return true;
  });
  const int64_t again = *refused.begin();
  ASSERT_NO_THROW(insert_filler_row(db, again));
  EXPECT_FALSE(db.storage_full());
  EXPECT_EQ(filler_ids(db).count(again), 1u);
}
