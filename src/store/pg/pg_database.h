#pragma once
// The PostgreSQL engine of store::Database (docs/postgresql.md): a pool of connections opened
// on demand. Every write() runs in its own SERIALIZABLE transaction, so any number of
// concurrent writers, on this replica or others, give the result of running them one by one
// (what SQLite's single writer gives): a budget can never be spent twice. A serialization
// failure or deadlock retries the whole call. Reads run in a REPEATABLE READ, READ ONLY
// transaction: one snapshot, as on SQLite. PostgreSQL groups concurrent commits' WAL flushes
// itself.
#include <atomic>
#include <condition_variable>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/database_engine.h"
#include "store/pg/pg_statement.h"

namespace iron::store::pg {

class PgDatabase final : public DatabaseEngine {
 public:
  // Connects once (so a wrong URL fails at start with a clear message) and applies the
  // pending migrations under the migration lock.
  static constexpr int kDefaultPoolSize = 8;
  explicit PgDatabase(std::string url, int pool_size = kDefaultPoolSize);

  Engine kind() const override { return Engine::postgres; }
  void write(WriteCall& call) override;
  void read(ReadCall& call) override;
  WriteStats write_stats() override;
  // Another replica may commit at any moment, so every call answers a new value: nothing
  // may be cached on the grounds that the data did not change.
  uint64_t data_version() override { return data_version_.fetch_add(1) + 1; }
  size_t queued_writes() override { return waiting_.load(); }
  bool storage_full() const override { return storage_full_.load(); }
  const std::string& path() const override { return no_path_; }
  void checkpoint() override {}
  int64_t file_size_bytes() const override { return 0; }
  int64_t wal_size_bytes() const override { return 0; }

  // Attempts of one write() before its serialization failure is returned to the caller.
  static constexpr int kMaxAttempts = 32;

 private:
  // A pooled connection for the lifetime of one call; a connection found broken is dropped
  // instead of returned, and the next lease opens a new one.
  class Lease {
   public:
    explicit Lease(PgDatabase& db);
    ~Lease();
    PgConnection& conn() { return *conn_; }
    void discard() { broken_ = true; }

   private:
    PgDatabase& db_;
    std::unique_ptr<PgConnection> conn_;
    bool broken_ = false;
  };

  std::string url_;
  const int pool_size_;
  std::mutex pool_mutex_;
  std::condition_variable pool_cv_;
  std::vector<std::unique_ptr<PgConnection>> idle_;
  int open_ = 0;  // connections open, idle or leased
  std::atomic<size_t> waiting_{0};
  std::mutex stats_mutex_;
  WriteStats stats_;
  std::atomic<bool> storage_full_{false};
  std::atomic<uint64_t> data_version_{0};
  const std::string no_path_;
};

}  // namespace iron::store::pg
