#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "store/database.h"
#include "store/migrations.h"
#include "temp_db.h"


TEST(Migrations, AreNumberedUniquelyAndAscending) {
  int previous = 0;
  for (const auto& m : iron::store::embedded_migrations()) {
    EXPECT_GT(m.version, previous) << m.name;
    previous = m.version;
  }
  EXPECT_EQ(previous, iron::store::latest_schema_version());
  EXPECT_GE(previous, 1);
}

TEST(Migrations, ApplyOnceRecordEachAndAreIdempotent) {
  const std::string path = temp_db();
  iron::store::SqliteConnection c(path, false);
  EXPECT_EQ(iron::store::current_schema_version(c), 0);
  const int n = iron::store::apply_migrations(c);
  EXPECT_EQ(n, static_cast<int>(iron::store::embedded_migrations().size()));
  EXPECT_EQ(iron::store::current_schema_version(c), iron::store::latest_schema_version());
  EXPECT_EQ(iron::store::apply_migrations(c), 0);
  auto& s = c.prepare("SELECT count(*) FROM schema_migrations");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.int64(0), n);
}

TEST(Migrations, ShipNoRowsInAnyBusinessTable) {
  const std::string path = temp_db();
  iron::store::SqliteConnection c(path, false);
  iron::store::apply_migrations(c);
  std::vector<std::string> tables;
  auto& list = c.prepare("SELECT name FROM sqlite_master WHERE type='table' AND name NOT LIKE 'sqlite_%' "
                         "AND name <> 'schema_migrations'");
  while (list.step()) tables.push_back(list.text(0));
  ASSERT_FALSE(tables.empty());
  for (const auto& t : tables) {
    auto& count = c.prepare("SELECT count(*) FROM \"" + t + "\"");
    ASSERT_TRUE(count.step());
    EXPECT_EQ(count.int64(0), 0) << "migration seeded rows into " << t;
  }
}

TEST(Migrations, ADatabaseFromANewerBinaryIsRefused) {
  const std::string path = temp_db();
  {
    iron::store::SqliteConnection c(path, false);
    iron::store::apply_migrations(c);
    c.exec("INSERT INTO schema_migrations(version, name, applied_at) VALUES(9999, 'future', 'now')");
  }
  try {
    iron::store::Database db(path);
    FAIL() << "a newer database was opened";
  } catch (const std::runtime_error& e) {
    EXPECT_NE(std::string(e.what()).find("newer"), std::string::npos) << e.what();
  }
}

TEST(Database, FailedResultRollsBackTheTransaction) {
  iron::store::Database db(temp_db());
  auto r = db.write([](iron::store::Connection& c) -> iron::Status {
    c.exec("INSERT INTO settings(key, value, updated_at) VALUES('k', 'v', 0)");
    return iron::Error::conflict("X", "nope");
  });
  EXPECT_FALSE(r.ok());
  const auto count = db.read([](iron::store::Connection& c) {
    auto& s = c.prepare("SELECT count(*) FROM settings");
    s.step();
    return s.int64(0);
  });
  EXPECT_EQ(count, 0);
}

TEST(Migrations, AGapBelowTheHighestAppliedVersionIsFilled) {
  // A database that got a later migration first (merged branches) still receives the
  // lower-numbered one it lacks.
  const auto all = iron::store::embedded_migrations();
  ASSERT_GE(all.size(), 2u);
  iron::store::SqliteConnection fresh(temp_db(), false);
  fresh.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  fresh.exec("INSERT INTO schema_migrations VALUES(" + std::to_string(all.back().version) + ", 'pretend', 'now')");
  EXPECT_EQ(iron::store::apply_migrations(fresh), static_cast<int>(all.size()) - 1);
  auto& s = fresh.prepare("SELECT count(*) FROM schema_migrations");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.int64(0), static_cast<int64_t>(all.size()));
}
