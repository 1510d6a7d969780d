#pragma once
// Thin RAII wrappers over the SQLite C API: a connection with a prepared-statement cache
// and a statement with typed bind/column helpers. Nothing above store/ sees these.
#include <sqlite3.h>

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace iron::store {

class SqliteError : public std::runtime_error {
 public:
  SqliteError(int code, const std::string& what, bool storage_full = false)
      : std::runtime_error(what), code_(code), storage_full_(storage_full || (code & 0xff) == SQLITE_FULL) {}
  int code() const { return code_; }
  bool is_constraint() const { return (code_ & 0xff) == SQLITE_CONSTRAINT; }
  // The write needed space that is not there: SQLITE_FULL (the disk, or PRAGMA max_page_count,
  // the operator's size cap) or an I/O error whose cause was ENOSPC/EDQUOT (an fsync or a
  // file extension that failed for lack of space). Nothing of the transaction was kept.
  bool is_storage_full() const { return storage_full_; }
 private:
  int code_;
  bool storage_full_;
};

class Statement {
 public:
  Statement(sqlite3* db, sqlite3_stmt* stmt) : db_(db), stmt_(stmt) {}
  Statement(const Statement&) = delete;
  Statement& operator=(const Statement&) = delete;
  ~Statement() { sqlite3_finalize(stmt_); }

  // Binds are 1-based like SQLite's.
  Statement& bind(int i, int64_t v);
  Statement& bind(int i, int v) { return bind(i, static_cast<int64_t>(v)); }
  Statement& bind(int i, bool v) { return bind(i, static_cast<int64_t>(v ? 1 : 0)); }
  Statement& bind(int i, double v);
  Statement& bind(int i, std::string_view v);
  Statement& bind(int i, const char* v) { return bind(i, std::string_view(v)); }
  Statement& bind(int i, const std::string& v) { return bind(i, std::string_view(v)); }
  Statement& bind_blob(int i, std::string_view bytes);
  Statement& bind_blob(int i, const std::string& bytes) { return bind_blob(i, std::string_view(bytes)); }
  Statement& bind_blob(int i, const std::optional<std::string>& bytes) {
    return bytes ? bind_blob(i, *bytes) : bind_null(i);
  }
  Statement& bind_null(int i);
  template <class T>
  Statement& bind(int i, const std::optional<T>& v) { return v ? bind(i, *v) : bind_null(i); }

  // Returns true while a row is available; throws SqliteError on failure.
  bool step();
  // Runs a statement that returns no rows.
  void run() { while (step()) {} }
  void reset();
  // Column 0 of the first row (a count, a name, what an UPDATE … RETURNING returned), or nullopt
  // when there is no row or it is NULL. The statement is reset, so it keeps no read snapshot
  // open (a RETURNING statement has made all its changes by its first row).
  template <class T>
  std::optional<T> value() {
    std::optional<T> v;
    if (step()) get(0, v);
    reset();
    return v;
  }

  bool is_null(int col) const { return sqlite3_column_type(stmt_, col) == SQLITE_NULL; }
  int64_t int64(int col) const { return sqlite3_column_int64(stmt_, col); }
  double real(int col) const { return sqlite3_column_double(stmt_, col); }
  std::string text(int col) const;
  std::optional<std::string> opt_text(int col) const { return is_null(col) ? std::nullopt : std::optional(text(col)); }
  std::optional<int64_t> opt_int64(int col) const { return is_null(col) ? std::nullopt : std::optional(int64(col)); }
  // The column read into `out` by its type, for code generic over a column's type (table.h).
  void get(int col, int64_t& out) const { out = int64(col); }
  void get(int col, bool& out) const { out = int64(col) != 0; }
  void get(int col, double& out) const { out = real(col); }
  void get(int col, std::string& out) const { out = text(col); }
  template <class T>
  void get(int col, std::optional<T>& out) const {
    if (is_null(col)) out.reset();
    else get(col, out.emplace());
  }

 private:
  sqlite3* db_;
  sqlite3_stmt* stmt_;
};

class Connection {
 public:
  Connection(const std::string& path, bool read_only);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  void exec(std::string_view sql);
  // A cached prepared statement, reset and with bindings cleared. Valid until the next
  // prepare() of the same SQL on this connection.
  Statement& prepare(const std::string& sql);
  // Resets every cached statement so none keeps a read snapshot or lock open. Called when a
  // transaction ends: single-row reads are stepped once and never run to completion.
  void reset_statements();
  int64_t last_insert_rowid() const { return sqlite3_last_insert_rowid(db_); }
  int changes() const { return sqlite3_changes(db_); }
  sqlite3* handle() const { return db_; }

 private:
  sqlite3* db_ = nullptr;
  std::map<std::string, std::unique_ptr<Statement>, std::less<>> cache_;
};

[[noreturn]] void throw_sqlite(sqlite3* db, int rc, std::string_view context);
// The error of `db`'s last failed call, with `message` (which names no file).
SqliteError last_error(sqlite3* db, const std::string& message);

}  // namespace iron::store
