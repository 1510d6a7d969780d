#include "store/backup.h"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <stdexcept>

#include "store/data_dir.h"
#include "store/database.h"
#include "store/sqlite_database.h"
#include "store/migrations.h"
#include "util/blocking.h"

namespace iron::store {
namespace fs = std::filesystem;
namespace {

constexpr int kBusyAttempts = 250;  // × 20 ms

void fsync_path(const std::string& path) {
  const int fd = open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return;
  fsync(fd);
  close(fd);
}

// Snapshots hold every account and sealed secret: private to the service user, whatever the
// umask, and whatever mode the file a restore starts from had (copy_file keeps it).
void make_private(const std::string& path) {
  fs::permissions(path, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace);
}

std::string parent_dir(const std::string& path) {
  auto p = fs::absolute(path).parent_path();
  return p.empty() ? "." : p.string();
}

}  // namespace

void backup_database(const std::string& db_path, const std::string& out_path) {
  util::before_blocking();  // copies and fsyncs the whole file
  if (!fs::exists(db_path)) throw std::runtime_error("no database at " + db_path);
  const std::string tmp = out_path + ".tmp";
  fs::remove(tmp);
  {
    SqliteConnection src(db_path, true);
    apply_connection_pragmas(src);
    SqliteConnection dst(tmp, false);
    // OUT.tmp needs no journal and no syncs of its own: it is fsynced once before the rename
    // that publishes it, and a crash before then leaves only OUT.tmp, replaced by the next run.
    dst.exec("PRAGMA journal_mode=OFF; PRAGMA synchronous=OFF");
    sqlite3_backup* b = sqlite3_backup_init(dst.handle(), "main", src.handle(), "main");
    if (!b) throw std::runtime_error(std::string("backup failed: ") + sqlite3_errmsg(dst.handle()));
    // The whole file in one step, so in one read transaction: a consistent snapshot that the
    // server's commits cannot touch (WAL readers do not block the writer). Copied in small
    // steps, every commit between two steps restarted the copy from the first page, and a
    // large database under steady writes was never done.
    int rc;
    for (int attempt = 0; attempt < kBusyAttempts; ++attempt) {
      rc = sqlite3_backup_step(b, -1);
      if (rc != SQLITE_BUSY && rc != SQLITE_LOCKED) break;
      sqlite3_sleep(20);  // a checkpoint holds a lock for a moment
    }
    sqlite3_backup_finish(b);
    if (rc != SQLITE_DONE) {
      fs::remove(tmp);
      throw std::runtime_error(std::string("backup failed: ") + sqlite3_errstr(rc));
    }
    dst.exec("PRAGMA journal_mode=DELETE");  // a self-contained single file
  }
  make_private(tmp);
  fsync_path(tmp);
  fs::rename(tmp, out_path);
  fsync_path(parent_dir(out_path));
}

int verify_backup(const std::string& file, BackupCheck depth) {
  if (!fs::is_regular_file(file)) throw std::runtime_error("backup file not found: " + file);
  try {
    SqliteConnection c(file, true);
    const std::string pragma = depth == BackupCheck::full ? "integrity_check" : "quick_check";
    auto& check = c.prepare("PRAGMA " + pragma);
    std::string verdict = check.step() ? check.text(0) : "no result";
    if (verdict != "ok") throw std::runtime_error(pragma + " failed: " + verdict);
    const int version = current_schema_version(c);
    if (version == 0) throw std::runtime_error("not an ironpanel database (no schema_migrations)");
    if (version > latest_schema_version())
      throw std::runtime_error("backup schema version " + std::to_string(version) + " is newer than this binary (" +
                               std::to_string(latest_schema_version()) + ")");
    return version;
  } catch (const SqliteError& e) {
    throw std::runtime_error(std::string("not a readable SQLite database: ") + e.what());
  }
}

std::string restore_database(const std::string& data_dir, const std::string& file) {
  verify_backup(file);
  const std::string db = database_path(data_dir);
  const std::string staged = db + ".restore-tmp";
  fs::copy_file(file, staged, fs::copy_options::overwrite_existing);
  make_private(staged);
  fsync_path(staged);
  std::string kept;
  if (fs::exists(db)) {
    kept = db + ".pre-restore-" + std::to_string(::time(nullptr));
    fs::rename(db, kept);
    // A stale WAL must never be replayed onto the restored file: move it with its database.
    for (const char* suffix : {"-wal", "-shm"}) {
      if (fs::exists(db + suffix)) fs::rename(db + suffix, kept + suffix);
    }
  }
  fs::rename(staged, db);
  fsync_path(data_dir);
  return kept;
}

}  // namespace iron::store
