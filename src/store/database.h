#pragma once
// The SQLite database: one serialised writer connection plus a small pool of read-only
// connections (WAL lets readers run beside the writer). Every use case runs inside one
// transaction opened here; a domain Result that carries an error rolls it back.
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
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
  explicit Database(std::string path, int reader_count = 4);
  ~Database();

  // Runs f(Connection&) in BEGIN IMMEDIATE on the writer. Commits unless f throws or
  // returns a Result holding an error — except with commit_on_error, for operations whose
  // refusal must itself be recorded (a failed login's counter and audit row).
  template <class F>
  auto write(F&& f, bool commit_on_error = false) -> decltype(f(std::declval<Connection&>())) {
    std::lock_guard lock(writer_mutex_);
    writer_->exec("BEGIN IMMEDIATE");
    try {
      auto result = f(*writer_);
      writer_->reset_statements();
      if constexpr (is_result<decltype(result)>::value) {
        writer_->exec(result.ok() || commit_on_error ? "COMMIT" : "ROLLBACK");
      } else {
        (void)commit_on_error;
        writer_->exec("COMMIT");
      }
      return result;
    } catch (...) {
      rollback_quietly(*writer_);
      throw;
    }
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

  std::string path_;
  std::unique_ptr<Connection> writer_;
  std::mutex writer_mutex_;
  std::vector<std::unique_ptr<Connection>> readers_;
  std::vector<Connection*> idle_readers_;
  std::mutex pool_mutex_;
  std::condition_variable pool_cv_;
};

// Pragmas every connection gets. Exposed for backup/restore, which open files directly.
void apply_connection_pragmas(Connection& c);

}  // namespace iron::store
