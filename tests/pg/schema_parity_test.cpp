// SQLite's migrations (resources/migrations) and PostgreSQL's (resources/migrations_pg) build
// the same logical schema (tests/pg/logical_schema.h): same tables, columns, type classes,
// nullability, primary keys, indexes and triggers, compared table by table.
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <regex>
#include <sstream>
#include <map>
#include <string>
#include <vector>

#include "logical_schema.h"
#include "pg_fixture.h"
#include "store/migrations.h"
#include "store/pg/migrations.h"
#include "support/files.h"

namespace iron::test {
namespace {

SchemaShape migrated_sqlite_schema() {
  const TempDir dir;
  store::SqliteConnection c(dir.path() + "/iron.db", false);
  store::apply_migrations(c);
  return sqlite_schema(c);
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

// Whether a migration changes what the schema comparison reads: tables, columns or indexes. (A
// migration that only replaces a CHECK, like 014, is covered by constraint_parity_test.cpp.)
bool changes_tables_columns_or_indexes(const std::string& sql) {
  static const std::regex kSchemaChange(R"((CREATE|DROP) (UNIQUE )?(TABLE|INDEX)|(ADD|DROP) COLUMN|RENAME)",
                                        std::regex::icase);
  std::istringstream lines(sql);
  for (std::string line; std::getline(lines, line);) {
    const auto start = line.find_first_not_of(" \t");
    if (start == std::string::npos || line.compare(start, 2, "--") == 0) continue;
    if (std::regex_search(line, kSchemaChange)) return true;
  }
  return false;
}

// The comparison fails when a migration is missing on PostgreSQL's side: the newest one that
// changes tables, columns or indexes (an older one cannot be left out without breaking the
// later ones; those after it still apply).
TEST_F(PgTest, SchemaParityNoticesAMissingMigration) {
  store::pg::Connection c(dsn());
  std::vector<store::Migration> migrations(store::pg::embedded_migrations().begin(),
                                           store::pg::embedded_migrations().end());
  auto left_out = std::find_if(migrations.rbegin(), migrations.rend(),
                               [](const store::Migration& m) { return changes_tables_columns_or_indexes(m.sql); });
  ASSERT_NE(left_out, migrations.rend());
  const std::string name = left_out->name;
  migrations.erase(std::next(left_out).base());
  store::pg::apply_migrations(c, migrations);
  const auto differences = schema_differences(migrated_sqlite_schema(), postgres_schema(c));
  EXPECT_FALSE(differences.empty()) << "leaving out " << name << " went unnoticed";
}

}  // namespace
}  // namespace iron::test
