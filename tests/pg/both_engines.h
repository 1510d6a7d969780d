#pragma once
// The parity tests' pair of databases: a fresh SQLite file (in a temporary directory removed
// afterwards) and the test's own PostgreSQL database, both migrated to the latest schema, so
// that one statement can be run on each and the outcomes compared.
#include <string>

#include "store/migrations.h"
#include "store/pg/connection.h"
#include "store/pg/migrations.h"
#include "store/sqlite.h"
#include "support/files.h"

namespace iron::test {

class BothEngines {
 public:
  explicit BothEngines(const std::string& dsn) : lite_(dir_.path() + "/iron.db", false), pg_(dsn) {
    store::apply_migrations(lite_);
    store::pg::apply_migrations(pg_);
  }

  store::SqliteConnection& lite() { return lite_; }
  store::pg::Connection& pg() { return pg_; }
  // Runs `sql` on both (a statement valid on both engines).
  void exec(const std::string& sql) {
    lite_.exec(sql);
    pg_.exec(sql);
  }

 private:
  TempDir dir_;  // before lite_: the file lives in it
  store::SqliteConnection lite_;
  store::pg::Connection pg_;
};

}  // namespace iron::test
