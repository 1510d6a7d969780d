// Migration 016 (analytics_events' cost_source CHECK as equalities, edited in place): the same
// sources are allowed and refused, the events already stored are untouched, and the insert of
// every ingested event no longer opens an ephemeral table (the reason for the migration,
// docs/benchmarks.md), on the connection that migrated and on one opened before it.
#include <gtest/gtest.h>

#include <string>

#include "store/database.h"
#include "store/migrations.h"
#include "store/sqlite.h"
#include "migration_support.h"
#include "temp_db.h"

namespace {

constexpr const char* kInsertEvent =
    "INSERT INTO analytics_events(agent_id, event_id, timestamp_ms, day, event_type, model, provider, created_at,"
    " cost_source) VALUES (1, ?, 1, '1970-01-01', 'llm_request_completed', 'm', 'p', 1, ?)";

// How many OpenEphemeral opcodes the plan of an event insert has. `tag` makes the text new to
// the connection's statement cache: an EXPLAIN never checks the schema cookie, so a cached one
// would show the plan of the schema it was prepared under.
int ephemeral_tables_per_insert(iron::store::Connection& c, const std::string& tag) {
  auto& plan = c.prepare(std::string("EXPLAIN ") + kInsertEvent + " -- " + tag);
  int ops = 0, ephemeral = 0;
  while (plan.step()) {
    ++ops;
    ephemeral += plan.text(1) == "OpenEphemeral";
  }
  plan.reset();
  EXPECT_GT(ops, 10);
  return ephemeral;
}

class Migration016 : public ::testing::Test {
 protected:
  void SetUp() override {
    iron::store::apply_connection_pragmas(c_);
    // As a server at 017 left it (017 was released first): then 016 runs alone, with no
    // later migration's table change to move the schema cookie for it.
    apply_migrations_before(c_, 16);
    for (const auto& m : iron::store::embedded_migrations()) {
      if (m.version <= 16) continue;
      c_.exec(m.sql);
      c_.prepare("INSERT INTO schema_migrations(version, name, applied_at) VALUES(?, ?, 'then')")
          .bind(1, m.version)
          .bind(2, m.name)
          .run();
    }
    c_.exec("INSERT INTO users(id, username, email, password_hash, role, created_at, updated_at) VALUES"
            " ('user_a', 'a', 'a@x.test', 'h', 'user', 1, 1);"
            "INSERT INTO agents(id, name, owner_id, created_at, updated_at) VALUES (1, 'agent', 'user_a', 1, 1)");
  }
  void add(const std::string& event_id, const std::string& source) {
    c_.prepare(kInsertEvent).bind(1, event_id).bind(2, source).run();
  }
  const std::string path_ = temp_db();
  iron::store::SqliteConnection c_{path_, false};
};

TEST_F(Migration016, TheFiveSourcesAreAllowedAndOthersRefused) {
  add("before", "reported");
  EXPECT_EQ(iron::store::apply_migrations(c_), 1);
  int n = 0;
  for (const char* source : {"legacy", "reported", "catalogue", "unpriced", "none"}) add("e" + std::to_string(++n), source);
  for (const char* source : {"", "Reported", "catalogue ", "free"})
    EXPECT_THROW(add("bad" + std::to_string(++n), source), iron::store::SqliteError) << source;
  EXPECT_EQ(text_of(c_, "SELECT count(*) FROM analytics_events"), "6");
}

TEST_F(Migration016, StoredEventsAndTheRestOfTheTableAreUntouched) {
  add("kept", "catalogue");
  const std::string before = text_of(c_, "SELECT sql FROM sqlite_schema WHERE name = 'analytics_events'");
  ASSERT_NE(before.find("cost_source IN ("), std::string::npos);
  iron::store::apply_migrations(c_);
  const std::string after = text_of(c_, "SELECT sql FROM sqlite_schema WHERE name = 'analytics_events'");
  EXPECT_EQ(after.find("cost_source IN ("), std::string::npos) << after;
  // Only the CHECK's text changed: the rest of the definition is the same.
  EXPECT_EQ(after.substr(0, after.find("cost_source =")), before.substr(0, before.find("cost_source IN (")));
  EXPECT_EQ(after.substr(after.find("catalogue_cost_micros")), before.substr(before.find("catalogue_cost_micros")));
  EXPECT_EQ(text_of(c_, "SELECT event_id || ':' || cost_source FROM analytics_events"), "kept:catalogue");
  EXPECT_EQ(text_of(c_, "PRAGMA integrity_check"), "ok");
  EXPECT_EQ(text_of(c_, "SELECT count(*) FROM sqlite_schema WHERE name LIKE 'migration_016%'"), "0");
}

TEST_F(Migration016, TheEventInsertOpensNoEphemeralTableOnAnyConnection) {
  iron::store::SqliteConnection other(path_, false);  // open before the migration, as a second process would be
  ASSERT_EQ(ephemeral_tables_per_insert(c_, "before"), 1) << "the IN-list CHECK before 016";
  ASSERT_EQ(ephemeral_tables_per_insert(other, "before"), 1);
  iron::store::apply_migrations(c_);
  EXPECT_EQ(ephemeral_tables_per_insert(c_, "after"), 0) << "the migrating connection re-read the schema";
  // The next statement another connection runs sees the schema cookie moved and re-reads it.
  EXPECT_EQ(text_of(other, "SELECT count(*) FROM analytics_events"), "0");
  EXPECT_EQ(ephemeral_tables_per_insert(other, "after"), 0) << "another connection re-read the schema";
}

}  // namespace
