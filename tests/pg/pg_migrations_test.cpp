// PostgreSQL's migration runner (src/store/pg/migrations.h): every migration once, several
// replicas starting together, a newer database refused, a failed migration leaving nothing.
#include <gtest/gtest.h>

#include <atomic>
#include <span>
#include <string>
#include <thread>
#include <vector>

#include "pg_fixture.h"
#include "store/pg/connection.h"
#include "store/pg/migrations.h"

namespace iron::test {
namespace {

using store::pg::Connection;

int64_t applied_rows(Connection& c) { return c.exec("SELECT count(*) FROM schema_migrations").front().int64(0); }

// The embedded migrations and one more, numbered after the latest (a Migration holds the
// pointers: `name` and `sql` are literals).
std::vector<store::Migration> with_next(const char* name, const char* sql) {
  std::vector<store::Migration> out(store::pg::embedded_migrations().begin(), store::pg::embedded_migrations().end());
  out.push_back({store::pg::latest_schema_version() + 1, name, sql});
  return out;
}

// What applying `migrations` throws; a test failure when it succeeds.
std::string apply_error(Connection& c, std::span<const store::Migration> migrations) {
  try {
    store::pg::apply_migrations(c, migrations);
  } catch (const std::runtime_error& e) {
    return e.what();
  }
  ADD_FAILURE() << "the migrations were applied";
  return {};
}

TEST_F(PgTest, MigrationsApplyOnceEach) {
  Connection c(dsn());
  EXPECT_EQ(store::pg::current_schema_version(c), 0);
  const int all = static_cast<int>(store::pg::embedded_migrations().size());
  EXPECT_EQ(store::pg::apply_migrations(c), all);
  EXPECT_EQ(store::pg::current_schema_version(c), store::pg::latest_schema_version());
  EXPECT_EQ(store::pg::apply_migrations(c), 0);
  EXPECT_EQ(applied_rows(c), all);
}

// Replicas of one deployment start at the same moment: the advisory lock lets one migrate
// while the others wait, then they find nothing left to do. Without it, two runners would
// both create schema_migrations and apply 001.
TEST_F(PgTest, ReplicasStartingTogetherApplyEachMigrationOnce) {
  constexpr int kReplicas = 4;
  std::vector<std::unique_ptr<Connection>> connections;
  for (int i = 0; i < kReplicas; ++i) connections.push_back(std::make_unique<Connection>(dsn()));
  std::atomic<int> ready{0}, applied{0}, failures{0};
  std::vector<std::thread> replicas;
  for (int i = 0; i < kReplicas; ++i) {
    replicas.emplace_back([&, i] {
      ++ready;
      while (ready.load() < kReplicas) std::this_thread::yield();
      try {
        applied += store::pg::apply_migrations(*connections[i]);
      } catch (const std::exception& e) {
        ++failures;
        ADD_FAILURE() << "replica " << i << ": " << e.what();
      }
    });
  }
  for (auto& t : replicas) t.join();
  EXPECT_EQ(failures.load(), 0);
  EXPECT_EQ(applied.load(), static_cast<int>(store::pg::embedded_migrations().size()));
  EXPECT_EQ(applied_rows(*connections[0]), applied.load());
}

TEST_F(PgTest, MigrationsRefuseADatabaseFromANewerIronpanel) {
  Connection c(dsn());
  store::pg::apply_migrations(c);
  const int newer = store::pg::latest_schema_version() + 1;
  c.exec("INSERT INTO schema_migrations VALUES ($1, 'from_the_future', '2099-01-01T00:00:00Z')", {newer});
  const std::string error = apply_error(c, store::pg::embedded_migrations());
  EXPECT_NE(error.find("newer than this ironpanel supports"), std::string::npos) << error;
}

TEST_F(PgTest, AFailedMigrationLeavesNothingBehind) {
  Connection c(dsn());
  const std::string error = apply_error(c, with_next("999_broken", "CREATE TABLE half_done (a BIGINT); SELECT 1 / 0;"));
  EXPECT_NE(error.find("migration 999_broken failed"), std::string::npos) << error;
  EXPECT_EQ(store::pg::current_schema_version(c), store::pg::latest_schema_version());
  EXPECT_EQ(c.exec("SELECT to_regclass('half_done') IS NULL").front().text(0), "t");
  EXPECT_FALSE(c.in_transaction());
}

// A migration with nothing to do on PostgreSQL (an SQLite-only rewrite) is comments only; it is
// still applied and recorded, so both engines' schema versions stay equal.
TEST_F(PgTest, ACommentOnlyMigrationIsRecorded) {
  Connection c(dsn());
  const auto migrations = with_next("nothing_here", "-- nothing to do on PostgreSQL\n");
  EXPECT_EQ(store::pg::apply_migrations(c, migrations), static_cast<int>(migrations.size()));
  EXPECT_EQ(store::pg::current_schema_version(c), migrations.back().version);
}

}  // namespace
}  // namespace iron::test
