#include "store/database.h"

#include <filesystem>

#include "store/migrations.h"

namespace iron::store {

void apply_connection_pragmas(Connection& c) {
  // busy_timeout covers the backup command and short checkpoints; temp_store=MEMORY
  // because a distroless root may have no writable /tmp.
  c.exec("PRAGMA busy_timeout=5000; PRAGMA foreign_keys=ON; PRAGMA temp_store=MEMORY;");
}

Database::Database(std::string path, int reader_count) : path_(std::move(path)) {
  writer_ = std::make_unique<Connection>(path_, false);
  apply_connection_pragmas(*writer_);
  // synchronous=FULL: every acknowledged commit is on disk before we answer. The writer is
  // serialised anyway, and the panel's write rate (logins, leases, usage reports) is far
  // below what one fsync per commit allows; losing an acknowledged spend is not acceptable.
  writer_->exec("PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL;");
  apply_migrations(*writer_);
  writer_->reset_statements();
  for (int i = 0; i < reader_count; ++i) {
    auto reader = std::make_unique<Connection>(path_, true);
    apply_connection_pragmas(*reader);
    idle_readers_.push_back(reader.get());
    readers_.push_back(std::move(reader));
  }
}

Database::~Database() = default;

void Database::rollback_quietly(Connection& c) {
  try {
    c.reset_statements();
    if (!sqlite3_get_autocommit(c.handle())) c.exec("ROLLBACK");
  } catch (...) {
  }
}

Database::Lease::Lease(Database& d) : db(d) {
  std::unique_lock lock(db.pool_mutex_);
  db.pool_cv_.wait(lock, [&] { return !db.idle_readers_.empty(); });
  conn = db.idle_readers_.back();
  db.idle_readers_.pop_back();
}

Database::Lease::~Lease() {
  {
    std::lock_guard lock(db.pool_mutex_);
    db.idle_readers_.push_back(conn);
  }
  db.pool_cv_.notify_one();
}

int Database::schema_version() {
  return read([](Connection& c) { return current_schema_version(c); });
}

bool Database::ping() {
  try {
    return read([](Connection& c) {
      auto& s = c.prepare("SELECT 1");
      return s.step() && s.int64(0) == 1;
    });
  } catch (const std::exception&) {
    return false;
  }
}

void Database::checkpoint() {
  std::lock_guard lock(writer_mutex_);
  writer_->exec("PRAGMA wal_checkpoint(TRUNCATE)");
}

int64_t Database::file_size_bytes() const {
  std::error_code ec;
  auto n = std::filesystem::file_size(path_, ec);
  return ec ? 0 : static_cast<int64_t>(n);
}

int64_t Database::wal_size_bytes() const {
  std::error_code ec;
  auto n = std::filesystem::file_size(path_ + "-wal", ec);
  return ec ? 0 : static_cast<int64_t>(n);
}

}  // namespace iron::store
