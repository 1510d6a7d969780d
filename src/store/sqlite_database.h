#pragma once
// The SQLite engine of store::Database: one serialised writer connection plus a small pool of
// read-only connections (WAL lets readers run beside the writer).
//
// Group commit: concurrent write() calls queue up; the first becomes the leader and runs the
// queued calls as one batch in one BEGIN IMMEDIATE, each in its own SAVEPOINT (a refusal or
// an exception rolls back only that call's work), then COMMITs once and wakes them all. With
// synchronous=FULL that is one fsync for many acknowledged writes. While batches commit whole,
// a batch first runs without the savepoints and only runs again with them when a call fails.
#include <atomic>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/database_engine.h"
#include "store/sqlite.h"

namespace iron::store {

class SqliteDatabase final : public DatabaseEngine {
 public:
  // Opens (creating if needed) the file, sets pragmas, applies pending migrations; see
  // store::Database's constructor.
  SqliteDatabase(std::string path, int reader_count, int64_t max_bytes);

  Engine kind() const override { return Engine::sqlite; }
  void write(WriteCall& call) override;
  void read(ReadCall& call) override;
  WriteStats write_stats() override;
  // Bumped once per write batch, after its COMMIT (or its failure) and before any of its
  // callers returns.
  uint64_t data_version() override { return data_version_.load(std::memory_order_acquire); }
  size_t queued_writes() override;  // waiting for a leader (the running batch not included)
  // Whether the latest write batch had a call refused for lack of space; the next batch
  // that commits whole clears it.
  bool storage_full() const override { return storage_full_.load(); }
  const std::string& path() const override { return path_; }
  void checkpoint() override;  // WAL → main file (TRUNCATE)
  int64_t file_size_bytes() const override;
  int64_t wal_size_bytes() const override;

 private:
  struct Lease {
    explicit Lease(SqliteDatabase& db);
    ~Lease();
    SqliteDatabase& db;
    SqliteConnection* conn;
  };
  static void rollback_quietly(SqliteConnection& c);  // also resets cached statements
  void run_batch(const std::vector<WriteCall*>& batch);  // on the writer, under writer_mutex_
  void run_alone(WriteCall& call);                       // a batch of one, the same way
  // A batch in one transaction without savepoints; false, with nothing kept and no call's
  // error set, when a call threw or refused its work.
  bool run_optimistic(const std::vector<WriteCall*>& batch);
  // A batch with a savepoint per call; whether every call kept its work.
  bool run_with_savepoints(const std::vector<WriteCall*>& batch);
  bool begin(const std::vector<WriteCall*>& batch);   // false: every call failed with its error
  void commit(const std::vector<WriteCall*>& batch);  // a failure is every error-free call's error

  std::string path_;
  std::unique_ptr<SqliteConnection> writer_;
  std::mutex writer_mutex_;
  std::mutex queue_mutex_;  // guards queue_, leader_active_ and every queued call's done/error
  std::condition_variable queue_cv_;
  std::deque<WriteCall*> queue_;
  bool leader_active_ = false;
  bool optimistic_ = true;  // the next batch first runs without savepoints; under writer_mutex_
  WriteStats stats_;
  std::atomic<bool> storage_full_{false};
  std::atomic<uint64_t> data_version_{0};
  std::vector<std::unique_ptr<SqliteConnection>> readers_;
  std::vector<SqliteConnection*> idle_readers_;
  std::mutex pool_mutex_;
  std::condition_variable pool_cv_;
};

// Pragmas every connection gets. Exposed for backup/restore, which open files directly.
void apply_connection_pragmas(Connection& c);

}  // namespace iron::store
