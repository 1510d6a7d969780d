// SQLite's migrations (resources/migrations) and PostgreSQL's (resources/migrations_pg) build
// the same logical schema (tests/pg/logical_schema.h): same tables, columns, type classes,
// nullability, primary keys, indexes and triggers, compared table by table.
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <string>
#include <vector>

#include "logical_schema.h"
#include "pg_fixture.h"
#include "store/migrations.h"
#include "store/pg/migrations.h"
#include "support/server_process.h"

namespace iron::test {
namespace {

SchemaShape migrated_sqlite_schema() {
  const std::string dir = make_temp_dir();
  SchemaShape shape;
  {
    store::Connection c(dir + "/iron.db", false);
    store::apply_migrations(c);
    shape = sqlite_schema(c);
  }
  std::filesystem::remove_all(dir);
  return shape;
}

std::string joined(const std::vector<std::string>& lines) {
  std::string out;
  for (const auto& line : lines) out += "  " + line + "\n";
  return out;
}

// Both sets carry the same numbers and names, so "schema version N" means one schema.
TEST(SchemaParity, SameMigrationNumbersAndNames) {
  std::map<int, std::string> sqlite, postgres;
  for (const auto& m : store::embedded_migrations()) sqlite[m.version] = m.name;
  for (const auto& m : store::pg::embedded_migrations()) postgres[m.version] = m.name;
  EXPECT_EQ(sqlite, postgres);
}

TEST_F(PgTest, SqliteAndPostgresMigrationsBuildTheSameLogicalSchema) {
  store::pg::Connection c(dsn());
  store::pg::apply_migrations(c);
  const auto sqlite = migrated_sqlite_schema();
  const auto postgres = postgres_schema(c);
  // The comparison sees real content: the ledger table with its invariant's columns.
  ASSERT_TRUE(sqlite.count("agent_budgets"));
  EXPECT_EQ(sqlite.at("agent_budgets").columns.at("total_allocated"), "integer NOT NULL");
  const auto differences = schema_differences(sqlite, postgres);
  EXPECT_TRUE(differences.empty()) << "SQLite and PostgreSQL schemas differ:\n" << joined(differences);
}

// The comparison fails when a migration is missing on PostgreSQL's side (the newest one here;
// an older one cannot be left out without breaking the later ones).
TEST_F(PgTest, SchemaParityNoticesAMissingMigration) {
  store::pg::Connection c(dsn());
  const auto all = store::pg::embedded_migrations();
  store::pg::apply_migrations(c, all.first(all.size() - 1));
  const auto differences = schema_differences(migrated_sqlite_schema(), postgres_schema(c));
  EXPECT_FALSE(differences.empty()) << "leaving out " << all.back().name << " went unnoticed";
}

}  // namespace
}  // namespace iron::test
