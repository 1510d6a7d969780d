#pragma once
// For tests of one migration on a database written before it: the schema as an older server
// left it, and single values read back.
#include <gtest/gtest.h>

#include <string>

#include "store/migrations.h"
#include "store/sqlite.h"

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

// The first column of the first row of `sql` as text ("NULL" for NULL).
inline std::string text_of(iron::store::Connection& c, const std::string& sql) {
  auto& s = c.prepare(sql);
  EXPECT_TRUE(s.step()) << sql;
  const std::string out = s.opt_text(0).value_or("NULL");
  s.reset();
  return out;
}
