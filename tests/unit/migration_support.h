#pragma once
// For tests of one migration on a database written before it: the schema as an older server
// left it, and single values read back.
#include <gtest/gtest.h>

#include <string>

#include "store/database.h"
#include "store/migrations.h"
#include "store/sqlite.h"
#include "store/sqlite_database.h"  // apply_connection_pragmas

// Applies every embedded migration numbered below `version`, as a server before it did.
inline void apply_migrations_before(iron::store::Connection& c, int version) {
  c.exec("CREATE TABLE schema_migrations (version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at TEXT NOT NULL)");
  for (const auto& m : iron::store::embedded_migrations()) {
    if (m.version >= version) continue;
    c.exec(m.sql);
    c.prepare("INSERT INTO schema_migrations(version, name, applied_at) VALUES(?, ?, 'then')")
        .bind(1, m.version)
        .bind(2, m.name)
        .run();
  }
}

// Gives `c` (a fresh file) the schema a server before migration `version` left, writes `rows`
// (SQL) into it as that server could have, then migrates it the way today's server starts.
inline void migrate_with_rows(iron::store::Connection& c, int version, const std::string& rows) {
  iron::store::apply_connection_pragmas(c);
  apply_migrations_before(c, version);
  c.exec(rows);
  EXPECT_GE(iron::store::apply_migrations(c), 1) << "migrations from " << version << " on applied";
}

// The migrated schema refuses `sql` (a constraint the migration added).
inline void expect_refused(iron::store::Connection& c, const std::string& sql) {
  EXPECT_THROW(c.exec(sql), std::exception) << sql;
}

// The first column of the first row of `sql` as text ("NULL" for NULL).
inline std::string text_of(iron::store::Connection& c, const std::string& sql) {
  auto& s = c.prepare(sql);
  EXPECT_TRUE(s.step()) << sql;
  const std::string out = s.opt_text(0).value_or("NULL");
  s.reset();
  return out;
}
