#pragma once
// The SQLite engine of store::Database: one serialised writer connection plus a small pool of
// read-only connections (WAL lets readers run beside the writer).
//
// Group commit: concurrent write() calls queue up; the first becomes the leader and runs the
// queued calls as one batch in one BEGIN IMMEDIATE, each in its own SAVEPOINT (a refusal or
// an exception rolls back only that call's work), then COMMITs once and wakes them all. With
// synchronous=FULL that is one fsync for many acknowledged writes. While batches commit whole,
// a batch first runs without the savepoints and only runs again with them when a call fails.
//
// Commit delay: when the batch before had more than one call (writers are concurrent), the
// leader, before its COMMIT, takes the calls that queued meanwhile into its still-open
// transaction, and waits for more up to about one COMMIT's duration as this writer last
// measured it (never a fixed sleep), up to kMaxBatch calls: each fsync acknowledges more
// writes. A call after a batch of one (a lone writer) commits at once, never delayed. Each
// caller waits on its own condition variable and is woken only when its batch is done, or
// to lead the next one.
//
// Asynchronous calls (write_async): nobody waits for them. The leader hands each its outcome
// after the COMMIT, on its own thread; the thread that queued one went back to its other
// work (the edge: other connections) instead of sleeping until the commit and being woken
// for it, two context switches and several futex calls per write. When such a call heads the
// queue after a batch, a thread of the edge's pool leads the next batch (util::run_elsewhere).
#include <atomic>
#include <chrono>
#include <condition_variable>
#include <deque>
#include <memory>
#include <mutex>
#include <optional>
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
  void write_async(WriteCall& call) override;
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
    SqliteConnection& conn() const { return *db.readers_[index]; }
    SqliteDatabase& db;
    size_t index;  // in readers_
  };
  std::optional<size_t> take_idle_reader();  // without waiting
  // A queued write() call and what its caller waits on: its batch done, or the lead.
  struct Waiter {
    enum Signal { none, done, lead };
    explicit Waiter(WriteCall* c) : call(c) {}
    WriteCall* call;
    std::mutex mutex;
    std::condition_variable cv;
    Signal signal = none;  // under `mutex` once the caller waits
  };
  bool enqueue(Waiter& w);  // whether its caller leads the next batch
  void lead();  // runs a batch from the queue's head, then hands the lead on and finishes its calls
  static void signal(Waiter& w, Waiter::Signal s);
  static void finish(Waiter& w);
  static void rollback_quietly(SqliteConnection& c);  // also resets cached statements
  // On the writer, under writer_mutex_. With `delay`, the batch may grow by late calls
  // (take_late), which are appended to `batch` and to late_.
  void run_batch(std::vector<WriteCall*>& batch, bool delay);
  // A batch in one transaction without savepoints; false, with nothing kept and no call's
  // error set, when a call threw or refused its work. A batch of one call records its own
  // outcome instead (rolling back is undoing it alone).
  bool run_optimistic(std::vector<WriteCall*>& batch, bool delay);
  // A batch with a savepoint per call; whether every call kept its work.
  bool run_with_savepoints(std::vector<WriteCall*>& batch, bool delay);
  // Before a COMMIT: moves calls queued since the batch began into it (waiting for them until
  // delay_until_), so they share its commit; whether any came.
  bool take_late(std::vector<WriteCall*>& batch);
  bool begin(const std::vector<WriteCall*>& batch);   // false: every call failed with its error
  void commit(const std::vector<WriteCall*>& batch);  // a failure is every error-free call's error

  std::string path_;
  std::unique_ptr<SqliteConnection> writer_;
  std::mutex writer_mutex_;
  std::mutex queue_mutex_;  // guards queue_, leader_active_, gathering_, stats_
  std::deque<Waiter*> queue_;
  bool leader_active_ = false;
  bool gathering_ = false;                // the leader waits in take_late for late calls
  std::condition_variable gathering_cv_;  // … and is woken by the next call queued
  bool optimistic_ = true;  // the next batch first runs without savepoints; under writer_mutex_
  // Under writer_mutex_: the late calls' waiters of the running batch, when take_late stops
  // waiting, and how long the writer's last COMMIT took (the bound of that wait).
  std::vector<Waiter*> late_;
  std::chrono::steady_clock::time_point delay_until_;
  std::chrono::steady_clock::duration last_commit_{};
  size_t last_batch_size_ = 1;  // under queue_mutex_
  WriteStats stats_;
  std::atomic<bool> storage_full_{false};
  std::atomic<uint64_t> data_version_{0};
  std::vector<std::unique_ptr<SqliteConnection>> readers_;
  // Reader i is idle while bit i is set: every read takes one and gives it back with an atomic
  // operation, no lock (perf: threads blocked on a pool mutex taken twice per read were ~7 % of
  // a signed-in read's CPU); only a read that finds none idle waits, on pool_cv_.
  static constexpr int kMaxReaders = 64;
  std::atomic<uint64_t> idle_readers_{0};
  std::atomic<int> reader_waiters_{0};  // changed under pool_mutex_
  std::mutex pool_mutex_;
  std::condition_variable pool_cv_;
};

// Pragmas every connection gets. Exposed for backup/restore, which open files directly.
void apply_connection_pragmas(Connection& c);

}  // namespace iron::store
