#pragma once
// Consistent snapshots and atomic restores of iron.db.
#include <string>

namespace iron::store {

// Copies the live database with SQLite's online backup API: safe while a server is
// writing (readers and the writer keep going). Writes to OUT.tmp (mode 0600) then renames.
void backup_database(const std::string& db_path, const std::string& out_path);

// How deep verify_backup looks. full = PRAGMA integrity_check, which also matches every index
// entry to its row: minutes on a multi-GB file, right for a file about to be restored. quick =
// PRAGMA quick_check (every page and record well-formed, ~5× faster): enough for a snapshot
// this process has just copied page by page.
enum class BackupCheck { quick, full };

// Checks a backup file: opens read-only, the check above, schema version known to this
// binary. Returns the schema version; throws std::runtime_error with the reason.
int verify_backup(const std::string& file, BackupCheck depth = BackupCheck::full);

// Swaps `file` in as DATA/iron.db (mode 0600). The caller holds the data-dir lock. The previous
// database (and its WAL) is kept beside it as iron.db.pre-restore-<unix time>.
std::string restore_database(const std::string& data_dir, const std::string& file);

}  // namespace iron::store
