#pragma once
// Consistent snapshots and atomic restores of iron.db.
#include <string>

namespace iron::store {

// Copies the live database with SQLite's online backup API: safe while a server is
// writing (readers and the writer keep going). Writes to OUT.tmp (mode 0600) then renames.
void backup_database(const std::string& db_path, const std::string& out_path);

// Checks a backup file: opens read-only, PRAGMA integrity_check, schema version known to
// this binary. Returns the schema version; throws std::runtime_error with the reason.
int verify_backup(const std::string& file);

// Swaps `file` in as DATA/iron.db (mode 0600). The caller holds the data-dir lock. The previous
// database (and its WAL) is kept beside it as iron.db.pre-restore-<unix time>.
std::string restore_database(const std::string& data_dir, const std::string& file);

}  // namespace iron::store
