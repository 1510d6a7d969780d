#pragma once
// The SQLite engine of the storage seam (store/connection.h): thin RAII wrappers over the
// SQLite C API, a connection with a prepared-statement cache and its statements.
#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "store/connection.h"

namespace iron::store {

class SqliteError : public StoreError {
 public:
  // storage_full: SQLITE_FULL (the disk, or PRAGMA max_page_count, the operator's size cap) or
  // an I/O error whose cause was ENOSPC/EDQUOT (an fsync or a file extension that failed for
  // lack of space).
  SqliteError(int code, const std::string& what, bool storage_full = false)
      : StoreError(what, (code & 0xff) == SQLITE_CONSTRAINT, storage_full || (code & 0xff) == SQLITE_FULL),
        code_(code) {}
  int code() const { return code_; }

 private:
  int code_;
};

class SqliteStatement final : public Statement {
 public:
  SqliteStatement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  SqliteStatement(const SqliteStatement&) = delete;
  SqliteStatement& operator=(const SqliteStatement&) = delete;
  ~SqliteStatement() override { sqlite3_finalize(stmt_); }
  // Whether it has been handed out since the connection last reset its statements.
  bool in_use = false;

  Statement& bind_null(int i) override;
  bool step() override;
  void reset() override;
  bool is_null(int col) const override { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int64_t int64(int col) const override { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const override { return sqlite3_column_double(stmt_, col); }
  std::string text(int col) const override;

 protected:
  Statement& bind_int64(int i, int64_t v) override;
  Statement& bind_double(int i, double v) override;
  Statement& bind_text(int i, std::string_view v) override;
  Statement& bind_bytes(int i, std::string_view bytes) override;

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

// The statement cache's hash: the length and five 8-byte samples of the SQL text instead of
// every byte. Repositories prepare ~10 statements per budget report, texts of 100-400 bytes;
// hashing all of them cost as much as the ordered map's string comparisons did (~300
// instructions a lookup). Texts that share length and samples only share a bucket: equality
// still compares the whole text.
struct SqlTextHash {
  size_t operator()(const std::string& sql) const noexcept;
};

class SqliteConnection final : public Connection {
 public:
  SqliteConnection(const std::string& path, bool read_only);
  SqliteConnection(const SqliteConnection&) = delete;
  SqliteConnection& operator=(const SqliteConnection&) = delete;
  ~SqliteConnection() override;

  Engine engine() const override { return Engine::sqlite; }
  void exec(std::string_view sql) override;
  Statement& prepare(const std::string& sql) override;
  // Called when a transaction ends: single-row reads are stepped once and never run to
  // completion. Resets only the statements prepare() handed out since the last call, not the
  // whole cache; prepare() then hands out the others without resetting them again.
  void reset_statements() override;
  // A statement without parameters or rows (BEGIN, COMMIT, SAVEPOINT ...), from the cache:
  // exec() parses its text on every call (~4.7k instructions for BEGIN or COMMIT).
  void run(const std::string& sql) { prepare(sql).run(); }
  int64_t changes() const override { return sqlite3_changes64(db_); }
  bool in_transaction() const { return !sqlite3_get_autocommit(db_); }
  sqlite3* handle() const { return db_; }

 private:
  SqliteStatement& hand_out(SqliteStatement& stmt);

  sqlite3* db_ = nullptr;
  std::unordered_map<std::string, std::unique_ptr<SqliteStatement>, SqlTextHash> cache_;
  std::vector<SqliteStatement*> in_use_;  // handed out since the last reset_statements()
};

[[noreturn]] void throw_sqlite(sqlite3* db, int rc, std::string_view context);
// The error of `db`'s last failed call, with `message` (which names no file).
SqliteError last_error(sqlite3* db, const std::string& message);

}  // namespace iron::store
