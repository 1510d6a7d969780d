#pragma once
// The admin's view of the installation (GET /api/v1/system) and downloadable backups
// (GET /api/v1/system/backup): a consistent snapshot made with SQLite's online backup API
// into the data dir, handed to the caller to stream, removed once sent.
#include <cstdint>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "domain/principal.h"
#include "store/database.h"
#include "util/result.h"

namespace iron::domain {

struct SystemFacts {
  int64_t database_bytes = 0;
  int64_t wal_bytes = 0;
  int64_t free_bytes = 0;   // available to this process in the data dir's filesystem
  int64_t total_bytes = 0;  // size of that filesystem
  std::vector<std::pair<std::string, int64_t>> row_counts;
};

SystemFacts system_facts(store::Database& db, const std::string& data_dir);

// Free space a snapshot needs: the database plus its WAL (the snapshot holds at most every
// page of both) and a 16 MiB margin so the server's own writes keep room.
int64_t backup_space_needed(int64_t database_bytes, int64_t wal_bytes);

// A snapshot file on disk, owned by the download streaming it. Destroying it removes the
// file and lets the next backup start.
class BackupSnapshot {
 public:
  BackupSnapshot(std::string path, int64_t bytes) : path_(std::move(path)), bytes_(bytes) {}
  ~BackupSnapshot();
  BackupSnapshot(const BackupSnapshot&) = delete;
  BackupSnapshot& operator=(const BackupSnapshot&) = delete;
  const std::string& path() const { return path_; }
  int64_t bytes() const { return bytes_; }
  std::string download_name() const;  // ironpanel-backup-<UTC time>.db

 private:
  std::string path_;
  int64_t bytes_;
};

// Makes a snapshot in DATA (mode 0600) and audits `system.backup`. Errors: 409
// BACKUP_IN_PROGRESS while another snapshot exists (being made or sent); 503
// INSUFFICIENT_STORAGE when the data dir lacks backup_space_needed() bytes.
Result<std::shared_ptr<BackupSnapshot>> make_backup(store::Database& db, const std::string& data_dir,
                                                     const RequestContext& ctx);

}  // namespace iron::domain
