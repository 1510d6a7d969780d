#pragma once
// The SQLite database: one serialised writer connection plus a small pool of read-only
// connections (WAL lets readers run beside the writer). Every use case runs inside one
// transaction opened here; a domain Result that carries an error rolls it back.
#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <exception>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <type_traits>
#include <vector>

#include "store/sqlite.h"
#include "util/result.h"

namespace iron::store {

template <class T> struct is_result : std::false_type {};
template <class T> struct is_result<Result<T>> : std::true_type {};

class Database {
 public:
  // Opens (creating if needed) the file, sets pragmas, applies pending migrations.
  // Throws std::runtime_error with a clear message on failure (e.g. a DB newer than us).
  // max_bytes > 0 caps the database file (PRAGMA max_page_count, applied after the
  // migrations): a write that would grow it past the cap fails as storage full.
  static constexpr int kDefaultReaders = 4;
  explicit Database(std::string path, int reader_count = kDefaultReaders, int64_t max_bytes = 0);
  ~Database();

  // Runs f(Connection&) on the writer, inside a write transaction, and returns once that
  // transaction is durably committed. f's work is kept unless f throws or returns a Result
  // holding an error — except with commit_on_error, for operations whose refusal must itself
  // be recorded (a failed login's counter and audit row).
  //
  // Group commit: concurrent callers queue up; the first becomes the leader and runs the
  // queued calls as one batch in one BEGIN IMMEDIATE, each in its own SAVEPOINT (a refusal
  // or an exception rolls back only that call's work), then COMMITs once and wakes them all.
  // With synchronous=FULL that is one fsync for many acknowledged writes. A call sees the
  // committed-or-batched work of the calls before it, exactly as if they ran one by one. f
  // may run on another caller's thread; it must not call write() itself.
  template <class F>
  auto write(F&& f, bool commit_on_error = false) -> decltype(f(std::declval<Connection&>())) {
    using R = decltype(f(std::declval<Connection&>()));
    std::optional<R> result;
    auto body = [&](Connection& c) -> bool {
      result.emplace(f(c));
      if constexpr (is_result<R>::value) {
        return result->ok() || commit_on_error;
      } else {
        (void)commit_on_error;
        return true;
      }
    };
    WriteCall call{[](void* b, Connection& c) { return (*static_cast<decltype(body)*>(b))(c); }, &body, false, {}};
    run_in_group(call);  // rethrows f's exception, or the batch's commit failure
    return std::move(*result);
  }

  // Runs f(Connection&) in a read transaction (one consistent snapshot) on a pooled reader.
  template <class F>
  auto read(F&& f) -> decltype(f(std::declval<Connection&>())) {
    Lease lease(*this);
    lease.conn->exec("BEGIN");
    try {
      auto result = f(*lease.conn);
      lease.conn->reset_statements();
      lease.conn->exec("COMMIT");
      return result;
    } catch (...) {
      rollback_quietly(*lease.conn);
      throw;
    }
  }

  // Group commit counters since open: write() calls that finished, and the batches (one
  // transaction each) they ran in. calls / batches is the average batch size.
  struct WriteStats {
    int64_t calls = 0;
    int64_t batches = 0;
  };
  WriteStats write_stats();
  // Bumped once per write batch, after its COMMIT (or its failure) and before any of its
  // callers returns: a value read before a read transaction began and unchanged afterwards
  // means nothing was committed in between (api/agent_list_cache.h).
  uint64_t data_version() const { return data_version_.load(std::memory_order_acquire); }
  // write() calls waiting for a leader to take them (the running batch not included).
  size_t queued_writes();
  // Whether the latest write batch had a call refused for lack of space (SqliteError::
  // is_storage_full); the next batch that commits whole clears it.
  bool storage_full() const { return storage_full_.load(); }

  const std::string& path() const { return path_; }
  int schema_version();
  bool ping();                 // a trivial read succeeds
  void checkpoint();           // WAL → main file (TRUNCATE), used at shutdown
  int64_t file_size_bytes() const;
  int64_t wal_size_bytes() const;

 private:
  struct Lease {
    explicit Lease(Database& db);
    ~Lease();
    Database& db;
    Connection* conn;
  };
  static void rollback_quietly(Connection& c);  // also resets cached statements

  // One queued write() call: run returns whether to keep the call's work.
  struct WriteCall {
    bool (*run)(void* body, Connection& c);
    void* body;
    bool done = false;
    std::exception_ptr error;
  };
  void run_in_group(WriteCall& call);
  void run_batch(const std::vector<WriteCall*>& batch);  // on the writer, under writer_mutex_

  std::string path_;
  std::unique_ptr<Connection> writer_;
  std::mutex writer_mutex_;
  std::mutex queue_mutex_;  // guards queue_, leader_active_ and every queued call's done/error
  std::condition_variable queue_cv_;
  std::deque<WriteCall*> queue_;
  bool leader_active_ = false;
  WriteStats stats_;
  std::atomic<bool> storage_full_{false};
  std::atomic<uint64_t> data_version_{0};
  std::vector<std::unique_ptr<Connection>> readers_;
  std::vector<Connection*> idle_readers_;
  std::mutex pool_mutex_;
  std::condition_variable pool_cv_;
};

// Pragmas every connection gets. Exposed for backup/restore, which open files directly.
void apply_connection_pragmas(Connection& c);

}  // namespace iron::store
