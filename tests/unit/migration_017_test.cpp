// Migration 017 (usage_counters' kind CHECK as equalities): the same kinds are allowed and
// refused, the rows survive the rebuild, and the counter upsert of every budget report no
// longer opens an ephemeral table (the reason for the migration, docs/benchmarks.md).
#include <gtest/gtest.h>

#include <string>

#include "store/migrations.h"
#include "store/sqlite_database.h"
#include "temp_db.h"

namespace {

int64_t int_of(iron::store::Connection& c, const std::string& sql) {
  auto& s = c.prepare(sql);
  EXPECT_TRUE(s.step()) << sql;
  const int64_t v = s.int64(0);
  s.reset();
  return v;
}

std::string migration_017_sql() {
  for (const auto& m : iron::store::embedded_migrations())
    if (m.version == 17) return std::string(m.sql);
  ADD_FAILURE() << "no migration 017";
  return "";
}

class Migration017 : public ::testing::Test {
 protected:
  void SetUp() override {
    iron::store::apply_connection_pragmas(c_);
    iron::store::apply_migrations(c_);
    c_.exec("INSERT INTO users(id, username, email, password_hash, role, created_at, updated_at) VALUES"
            " ('user_a', 'a', 'a@x.test', 'h', 'user', 1, 1)");
  }
  void add(const std::string& kind, int64_t value) {
    c_.prepare("INSERT INTO usage_counters(user_id, project_id, kind, period_start, value) VALUES('user_a', '', ?, 60000, ?)")
        .bind(1, kind)
        .bind(2, value)
        .run();
  }
  iron::store::SqliteConnection c_{temp_db(), false};
};

TEST_F(Migration017, TheFourKindsAreAllowedAndOthersRefused) {
  int64_t n = 0;
  for (const char* kind : {"tokens_day", "tokens_minute", "requests_minute", "cost_month"}) add(kind, ++n);
  for (const char* kind : {"", "tokens", "TOKENS_DAY", "cost_month "}) EXPECT_THROW(add(kind, 1), iron::store::SqliteError) << kind;
  EXPECT_EQ(int_of(c_, "SELECT count(*) FROM usage_counters"), 4);
}

TEST_F(Migration017, RowsSurviveTheRebuild) {
  add("tokens_day", 7);
  add("cost_month", 9);
  c_.exec(migration_017_sql());  // the rebuild once more, on rows
  EXPECT_EQ(int_of(c_, "SELECT sum(value) FROM usage_counters WHERE user_id = 'user_a'"), 16);
  EXPECT_EQ(int_of(c_, "SELECT count(*) FROM sqlite_master WHERE name = 'usage_counters_period'"), 1);
}

TEST_F(Migration017, TheCounterUpsertOpensNoEphemeralTable) {
  auto& plan = c_.prepare(
      "EXPLAIN INSERT INTO usage_counters(user_id, project_id, kind, period_start, value) VALUES(?, ?, ?, ?, ?) "
      "ON CONFLICT(user_id, project_id, kind, period_start) DO UPDATE SET value = value + excluded.value");
  int ops = 0;
  while (plan.step()) {
    ++ops;
    EXPECT_NE(plan.text(1), "OpenEphemeral") << "at opcode " << plan.int64(0);
  }
  EXPECT_GT(ops, 10);
}

}  // namespace
