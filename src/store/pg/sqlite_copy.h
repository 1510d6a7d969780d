#pragma once
// Moving an SQLite installation to PostgreSQL (`ironpanel copy-to-postgres`,
// docs/postgresql.md): every table of the SQLite database, in foreign-key order, keeping
// ids, in one PostgreSQL transaction that commits only after the copy is verified. This
// header stays free of libpq's so the command line (ironpanel_core) can include it.
#include <cstdint>
#include <string>
#include <vector>

namespace iron::store::pg {

struct CopiedTable {
  std::string name;
  int64_t rows = 0;  // the same on both sides, or the copy throws
};

struct CopySummary {
  std::string target;              // "database D on host:port", never the password
  int migrations_applied = 0;      // PostgreSQL migrations the target needed first
  std::vector<CopiedTable> tables;  // in the order they were copied
  int64_t budgets_checked = 0;     // agent_budgets rows whose invariant was verified
};

// Copies the SQLite database at `sqlite_path` (opened read-only; the caller holds the data
// dir's lock and has checked its schema is the latest) into the PostgreSQL database at
// `database_url`: applies the PostgreSQL migrations, refuses a target that holds any row,
// copies, sets each identity sequence past the largest id (or SQLite's AUTOINCREMENT
// counter, so no id is ever reused), then verifies the row counts of every table and the
// budget ledger (allocated = spent + reserved + remaining, the same totals as the source)
// before committing. Throws std::runtime_error (PgError for the server's refusals) naming
// the table or check that failed; the target then holds no row (at most the migrated, empty
// schema). No message carries the URL's password.
CopySummary copy_sqlite_to_postgres(const std::string& sqlite_path, const std::string& database_url);

}  // namespace iron::store::pg
