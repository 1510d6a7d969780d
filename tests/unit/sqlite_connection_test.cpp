// The SQLite engine's process-wide setting (memory statistics off) and its statement cache,
// on real database files.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "store/sqlite.h"
#include "temp_db.h"

using iron::store::SqliteConnection;

TEST(SqliteConnection, OpensWithMemoryStatisticsOff) {
  TempDbDir dir;
  SqliteConnection c(dir.db_path(), false);
  c.exec("CREATE TABLE t(v TEXT); INSERT INTO t VALUES (printf('%.*c', 5000, 'x'));");
  // With statistics on SQLite counts every allocation; off, it counts none. Statistics can
  // only be turned off before SQLite initialises, so this also shows the first connection
  // applied the setting in time.
  EXPECT_EQ(sqlite3_memory_used(), 0);
}

TEST(SqliteConnection, CachesOneStatementPerText) {
  TempDbDir dir;
  SqliteConnection c(dir.db_path(), false);
  c.exec("CREATE TABLE t(a INTEGER, b INTEGER)");
  // Texts of one length that differ only between the hash's samples must stay apart.
  const std::string x = "SELECT 1 + 0 AS v FROM (SELECT 1) WHERE 1";
  const std::string y = "SELECT 1 + 1 AS v FROM (SELECT 1) WHERE 1";
  ASSERT_EQ(x.size(), y.size());
  EXPECT_EQ(c.prepare(x).value<int64_t>(), 1);
  EXPECT_EQ(c.prepare(y).value<int64_t>(), 2);
  EXPECT_EQ(&c.prepare(x), &c.prepare(x));
  EXPECT_NE(&c.prepare(x), &c.prepare(y));
  // Short texts too.
  EXPECT_EQ(c.prepare("SELECT 3").value<int64_t>(), 3);
  EXPECT_EQ(c.prepare("SELECT 4").value<int64_t>(), 4);
  // A statement prepared again before its transaction ended comes back reset, bindings cleared.
  auto& s = c.prepare("SELECT ?1");
  s.bind(1, int64_t{5});
  auto& again = c.prepare("SELECT ?1");
  EXPECT_EQ(&again, &s);
  ASSERT_TRUE(again.step());
  EXPECT_TRUE(again.is_null(0));
  c.reset_statements();
}
