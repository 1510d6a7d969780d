// The PostgreSQL side of the storage seam (src/store/pg/pg_statement.h): the repositories' SQL,
// written for both engines, translated, run and read as SQLite would.
#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "pg_fixture.h"
#include "store/database.h"
#include "store/pg/pg_engine.h"
#include "store/pg/pg_statement.h"

namespace iron::test {
namespace {

using store::pg::translate;

struct TranslationCase {
  const char* sqlite;
  const char* postgres;
  int params;
};

TEST(PgTranslate, PlaceholdersAndLikeBecomePostgresForm) {
  const TranslationCase cases[] = {
      {"SELECT 1", "SELECT 1", 0},
      {"SELECT * FROM t WHERE a = ? AND b = ?", "SELECT * FROM t WHERE a = $1 AND b = $2", 2},
      // ?N names a parameter; a bare ? after it takes the next number, as in SQLite.
      {"WHERE (?2 IS NULL OR x = ?2) AND y = ?1", "WHERE ($2 IS NULL OR x = $2) AND y = $1", 2},
      {"WHERE a = ?3 AND b = ?", "WHERE a = $3 AND b = $4", 4},
      // Quoted text is copied as it is: a ? or LIKE in a literal or a quoted name stays.
      {"SELECT '?' , \"LIKE\" FROM t WHERE a = ?", "SELECT '?' , \"LIKE\" FROM t WHERE a = $1", 1},
      {"WHERE name LIKE ? ESCAPE '\\'", "WHERE name ILIKE $1 ESCAPE '\\'", 1},
      {"WHERE name like ?", "WHERE name ILIKE $1", 1},
      // Only the word LIKE: names that contain it are left alone.
      {"SELECT likes, unlike, LIKELY FROM t", "SELECT likes, unlike, LIKELY FROM t", 0},
  };
  for (const auto& c : cases) {
    const auto t = translate(c.sqlite);
    EXPECT_EQ(t.sql, c.postgres) << c.sqlite;
    EXPECT_EQ(t.params, c.params) << c.sqlite;
  }
}

// Optional filters test a parameter for NULL before comparing it: PostgreSQL types the
// parameters from a probe without those tests.
TEST(PgTranslate, NullTestsOfParametersAreLeftOutOfTheTypingProbe) {
  const auto t = translate("WHERE (?1 IS NULL OR id < ?1) AND (?2 is  not null) AND x = ?3 AND ?4 IS NULLS");
  EXPECT_EQ(t.sql, "WHERE ($1 IS NULL OR id < $1) AND ($2 is  not null) AND x = $3 AND $4 IS NULLS");
  EXPECT_EQ(t.probe, "WHERE (TRUE OR id < $1) AND (TRUE) AND x = $3 AND $4 IS NULLS");
  EXPECT_EQ(t.only_null_checked, std::vector<int>{2});
  EXPECT_TRUE(translate("WHERE a = ? AND b IS NULL").probe.empty());
}

class PgSeam : public PgTest {};

TEST_F(PgSeam, AnOptionalFilterOfAnyTypeMatchesAllWhenNullAndFiltersWhenSet) {
  store::pg::PgConnection c(dsn());
  c.exec("CREATE TABLE rows(id BIGINT PRIMARY KEY, name TEXT)");
  c.exec("INSERT INTO rows VALUES (1, 'a'), (2, 'b'), (3, 'c')");
  const std::string sql = "SELECT count(*) FROM rows WHERE (?1 IS NULL OR id < ?1) AND (?2 IS NULL OR name = ?2) "
                          "AND (?3 IS NULL)";
  auto count = [&](std::optional<int64_t> below, std::optional<std::string> name) {
    return c.prepare(sql).bind(1, below).bind(2, name).bind_null(3).value<int64_t>().value();
  };
  EXPECT_EQ(count(std::nullopt, std::nullopt), 3);
  EXPECT_EQ(count(3, std::nullopt), 2);
  EXPECT_EQ(count(std::nullopt, "c"), 1);
  EXPECT_EQ(count(3, "c"), 0);
}

TEST_F(PgSeam, ReadsBooleansNumericsAndBytesAsSqliteDoes) {
  store::pg::PgConnection c(dsn());
  c.exec("CREATE TABLE blobs(id BIGINT PRIMARY KEY, data BYTEA, n BIGINT)");
  const std::string bytes("\x00\x01\xff\x27", 4);
  c.prepare("INSERT INTO blobs(id, data, n) VALUES(?, ?, ?)").bind(1, int64_t{1}).bind_blob(2, bytes).bind(3, int64_t{7}).run();
  EXPECT_EQ(c.changes(), 1);
  auto& s = c.prepare("SELECT data, n > 5, sum(n), avg(n) * 1.5, data IS NULL FROM blobs GROUP BY data, n");
  ASSERT_TRUE(s.step());
  EXPECT_EQ(s.text(0), bytes);
  EXPECT_EQ(s.int64(1), 1);
  EXPECT_EQ(s.int64(2), 7);
  EXPECT_DOUBLE_EQ(s.real(3), 10.5);
  EXPECT_EQ(s.int64(3), 10);  // a real read as an integer is truncated
  EXPECT_EQ(s.int64(4), 0);
  EXPECT_FALSE(s.step());
  // A statement run again with new bindings starts afresh.
  EXPECT_EQ(c.prepare("SELECT count(*) FROM blobs WHERE n = ?").bind(1, int64_t{7}).value<int64_t>(), 1);
  EXPECT_EQ(c.prepare("SELECT count(*) FROM blobs WHERE n = ?").bind(1, int64_t{8}).value<int64_t>(), 0);
  c.prepare("UPDATE blobs SET n = n + 1").run();
  EXPECT_EQ(c.changes(), 1);
}

TEST_F(PgSeam, AConstraintIsAStoreErrorTheDomainRecognises) {
  store::Database db(store::pg::open_postgres(dsn()));
  db.write([](store::Connection& c) {
    c.exec("CREATE TABLE once(k TEXT PRIMARY KEY)");
    return true;
  });
  auto insert = [&] {
    db.write([](store::Connection& c) {
      c.prepare("INSERT INTO once(k) VALUES(?)").bind(1, "a").run();
      return true;
    });
  };
  insert();
  try {
    insert();
    FAIL() << "a duplicate key was accepted";
  } catch (const store::StoreError& e) {
    EXPECT_TRUE(e.is_constraint());
    EXPECT_FALSE(e.is_storage_full());
  }
}

// Concurrent writers that each read a balance and write it back lower are serialised as SQLite's
// single writer would serialise them: no spend is lost and none goes below zero.
TEST_F(PgSeam, ConcurrentReadModifyWritesNeverLoseAnUpdate) {
  store::Database db(store::pg::open_postgres(dsn()));
  db.write([](store::Connection& c) {
    c.exec("CREATE TABLE wallet(id BIGINT PRIMARY KEY, balance BIGINT NOT NULL CHECK (balance >= 0))");
    c.prepare("INSERT INTO wallet(id, balance) VALUES(1, 100)").run();
    return true;
  });
  constexpr int kThreads = 8, kSpendsEach = 20;  // 160 attempts of 1 on a balance of 100
  std::atomic<int> accepted{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < kSpendsEach; ++i) {
        const bool spent = db.write([](store::Connection& c) {
          const int64_t balance = c.prepare("SELECT balance FROM wallet WHERE id = 1").value<int64_t>().value();
          if (balance < 1) return false;
          c.prepare("UPDATE wallet SET balance = ? WHERE id = 1").bind(1, balance - 1).run();
          return true;
        });
        if (spent) ++accepted;
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(accepted.load(), 100);
  EXPECT_EQ(db.read([](store::Connection& c) { return c.prepare("SELECT balance FROM wallet").value<int64_t>(); }), 0);
}

}  // namespace
}  // namespace iron::test
