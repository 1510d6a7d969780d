#include "domain/system.h"

#include <atomic>
#include <filesystem>
#include <stdexcept>

#include "domain/audit.h"
#include "store/backup.h"
#include "store/db_stats.h"
#include "util/clock.h"

namespace iron::domain {
namespace fs = std::filesystem;
namespace {

// One snapshot at a time per process (one server owns a data dir: DataDirLock): set from
// the start of make_backup until the snapshot's owner (the download) lets it go.
std::atomic<bool> g_backup_running{false};

int64_t available_bytes(const std::string& dir, int64_t* total = nullptr) {
  std::error_code ec;
  const auto info = fs::space(dir, ec);
  if (ec) return 0;
  if (total) *total = static_cast<int64_t>(info.capacity);
  return static_cast<int64_t>(info.available);
}

}  // namespace

SystemFacts system_facts(store::Database& db, const std::string& data_dir) {
  SystemFacts f;
  const auto files = store::database_size(db);
  f.database_bytes = files.database_bytes;
  f.wal_bytes = files.wal_bytes;
  f.free_bytes = available_bytes(data_dir, &f.total_bytes);
  f.row_counts = db.read([](store::Connection& c) { return store::row_counts(c); });
  return f;
}

int64_t backup_space_needed(int64_t database_bytes, int64_t wal_bytes) {
  constexpr int64_t kMargin = 16 * 1024 * 1024;
  return database_bytes + wal_bytes + kMargin;
}

// The flag drops before the file goes: whoever sees the snapshot gone may start the next backup
// at once (its file has another name, see make_backup).
BackupSnapshot::~BackupSnapshot() {
  g_backup_running = false;
  std::error_code ec;
  fs::remove(path_, ec);
}

std::string BackupSnapshot::download_name() const {
  std::string t = util::to_rfc3339(util::now());  // 2026-11-23T04:37:06Z
  for (auto& ch : t)
    if (ch == ':') ch = '-';  // no colons in file names (Windows)
  return "ironpanel-backup-" + t + ".db";
}

Result<std::shared_ptr<BackupSnapshot>> make_backup(store::Database& db, const std::string& data_dir,
                                                     const RequestContext& ctx) {
  if (db.engine() == store::Engine::postgres)
    return Error::conflict("BACKUP_NOT_AVAILABLE",
                           "this panel keeps its data in PostgreSQL: back it up with pg_dump or WAL archiving "
                           "(docs/postgresql.md)");
  if (g_backup_running.exchange(true))
    return Error::conflict("BACKUP_IN_PROGRESS", "another backup is being made or downloaded; try again when it ends");
  // From here the flag is released by the snapshot's destructor, or below on failure.
  const auto files = store::database_files(db.path());
  const int64_t needed = backup_space_needed(files.database_bytes, files.wal_bytes);
  const int64_t free = available_bytes(data_dir);
  if (free < needed) {
    g_backup_running = false;
    return Error{ErrorKind::unavailable, "INSUFFICIENT_STORAGE",
                 "not enough free space in the data directory for a backup: " + std::to_string(needed) +
                     " bytes needed, " + std::to_string(free) + " available",
                 {{"needed_bytes", needed}, {"free_bytes", free}}, 300};  // 503 carries Retry-After
  }
  // Unique even for two backups in one millisecond: the previous snapshot may still be on disk.
  static std::atomic<uint64_t> sequence{0};
  const std::string path = (fs::path(data_dir) / ("backup-" + std::to_string(util::to_unix_ms(util::now())) + "-" +
                                                  std::to_string(sequence++) + ".db")).string();
  try {
    store::backup_database(db.path(), path);
  } catch (const std::exception&) {
    std::error_code ec;
    fs::remove(path, ec);
    g_backup_running = false;
    throw;  // the edge turns it into a logged 500 with the request id
  }
  auto snapshot = std::make_shared<BackupSnapshot>(path, static_cast<int64_t>(fs::file_size(path)));
  db.write([&](store::Connection& c) {
    audit(c, ctx, "system.backup", "system", "database", nullptr, {{"bytes", snapshot->bytes()}});
    return true;
  });
  return snapshot;
}

}  // namespace iron::domain
