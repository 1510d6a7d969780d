// Migration 019 (audit_log's id without AUTOINCREMENT, edited in place) and the audit retention
// that goes with it: no audit row writes sqlite_sequence any more (the reason for the migration,
// docs/benchmarks.md, sixth pass), on the migrating connection and on one opened before it, and
// an id is never handed out twice: not after rows written before the migration, not after the
// old retention had emptied the log, not after the retention of today.
#include <gtest/gtest.h>

#include <string>

#include "store/audit_repo.h"
#include "store/migrations.h"
#include "store/sqlite.h"
#include "migration_support.h"
#include "temp_db.h"

namespace {

using iron::store::Connection;

// Appends an audit row at `at` (ms) the way the server does, and returns its id.
int64_t append(Connection& c, int64_t at) {
  iron::store::AuditRow row;
  row.at = at;
  row.actor_type = "system";
  row.action = "test.append";
  iron::store::audit::append(c, row);
  return std::stoll(text_of(c, "SELECT max(id) FROM audit_log"));
}

std::string audit_sequence_rows(Connection& c) {
  return text_of(c, "SELECT count(*) FROM sqlite_sequence WHERE name = 'audit_log'");
}

class Migration019 : public ::testing::Test {
 protected:
  void SetUp() override {
    iron::store::apply_connection_pragmas(c_);
    apply_migrations_before(c_, 19);
  }
  const std::string path_ = temp_db();
  iron::store::SqliteConnection c_{path_, false};
};

TEST_F(Migration019, AuditRowsNoLongerWriteSqliteSequenceOnAnyConnection) {
  iron::store::SqliteConnection other(path_, false);  // open before the migration, as a second process would be
  iron::store::apply_connection_pragmas(other);
  for (int at : {1, 2, 3}) append(c_, at);
  ASSERT_EQ(audit_sequence_rows(c_), "1") << "AUTOINCREMENT before 019";
  EXPECT_GE(iron::store::apply_migrations(c_), 1);
  EXPECT_EQ(text_of(c_, "SELECT instr(sql, 'AUTOINCREMENT') FROM sqlite_schema WHERE name = 'audit_log'"), "0");
  EXPECT_EQ(audit_sequence_rows(c_), "0");
  EXPECT_EQ(append(c_, 4), 4) << "ids go on from the rows written before";
  EXPECT_EQ(append(other, 5), 5);
  EXPECT_EQ(audit_sequence_rows(c_), "0") << "neither connection wrote sqlite_sequence";
  EXPECT_EQ(text_of(c_, "SELECT group_concat(id || ':' || at, ',') FROM audit_log"), "1:1,2:2,3:3,4:4,5:5");
  EXPECT_EQ(text_of(c_, "SELECT count(*) FROM audit_log WHERE action = 'audit.ids_continued'"), "0");
  EXPECT_EQ(text_of(c_, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(text_of(c_, "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'migration_019%'"), "0");
}

TEST_F(Migration019, ALogTheOldRetentionEmptiedDoesNotHandOutItsIdsAgain) {
  for (int at : {1, 2, 3}) append(c_, at);
  c_.exec("DELETE FROM audit_log WHERE at < 10");  // the retention before 019: every row, the newest too
  EXPECT_GE(iron::store::apply_migrations(c_), 1);
  EXPECT_EQ(text_of(c_, "SELECT id || ':' || actor_type || ':' || action FROM audit_log"),
            "4:system:audit.ids_continued");
  EXPECT_EQ(append(c_, 20), 5);
}

TEST_F(Migration019, TheRetentionKeepsTheNewestRowSoItsIdIsNotHandedOutAgain) {
  iron::store::apply_migrations(c_);
  for (int at : {1, 2, 3}) append(c_, at);
  EXPECT_EQ(iron::store::audit::prune_before(c_, 2), 1) << "older than the cutoff: deleted";
  EXPECT_EQ(iron::store::audit::prune_before(c_, 10), 1) << "all older, but the newest row stays";
  EXPECT_EQ(text_of(c_, "SELECT group_concat(id, ',') FROM audit_log"), "3");
  EXPECT_EQ(iron::store::audit::prune_before(c_, 10), 0);
  EXPECT_EQ(append(c_, 11), 4);
  EXPECT_EQ(iron::store::audit::prune_before(c_, 12), 1);
  EXPECT_EQ(text_of(c_, "SELECT group_concat(id, ',') FROM audit_log"), "4");
}

}  // namespace
