#pragma once
// The storage seam: what a repository sees of a database connection, whichever engine runs
// it (SQLite in the data dir, or PostgreSQL; docs/postgresql.md). Repositories write SQL once,
// with `?` / `?N` placeholders and the subset both engines share; the engine binds, runs and
// reads it. Nothing above store/ sees these.
#include <cstdint>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>

namespace iron::store {

enum class Engine { sqlite, postgres };

// A failed statement or transaction, with the questions callers above the engine ask.
class StoreError : public std::runtime_error {
 public:
  StoreError(const std::string& what, bool constraint, bool storage_full)
      : std::runtime_error(what), constraint_(constraint), storage_full_(storage_full) {}
  // A CHECK, UNIQUE, NOT NULL or foreign-key constraint refused the write.
  bool is_constraint() const { return constraint_; }
  // The write needed space that is not there; nothing of the transaction was kept.
  bool is_storage_full() const { return storage_full_; }

 private:
  bool constraint_;
  bool storage_full_;
};

// One prepared statement. Binds and columns are numbered like SQLite's: binds from 1,
// columns from 0.
class Statement {
 public:
  virtual ~Statement() = default;

  Statement& bind(int i, int64_t v) { return bind_int64(i, v); }
  Statement& bind(int i, int v) { return bind_int64(i, v); }
  Statement& bind(int i, bool v) { return bind_int64(i, v ? 1 : 0); }  // booleans are 0/1 integers on both engines
  Statement& bind(int i, double v) { return bind_double(i, v); }
  Statement& bind(int i, std::string_view v) { return bind_text(i, v); }
  Statement& bind(int i, const char* v) { return bind_text(i, v); }
  Statement& bind(int i, const std::string& v) { return bind_text(i, v); }
  Statement& bind_blob(int i, const std::string& bytes) { return bind_bytes(i, bytes); }
  Statement& bind_blob(int i, const std::optional<std::string>& bytes) {
    return bytes ? bind_bytes(i, *bytes) : bind_null(i);
  }
  template <class T>
  Statement& bind(int i, const std::optional<T>& v) { return v ? bind(i, *v) : bind_null(i); }
  virtual Statement& bind_null(int i) = 0;

  // Returns true while a row is available; throws StoreError on failure.
  virtual bool step() = 0;
  // Runs a statement that returns no rows.
  void run() { while (step()) {} }
  // Forgets the run and the bindings, so the statement keeps no snapshot or lock open.
  virtual void reset() = 0;
  // Column 0 of the first row (a count, a name, what an UPDATE … RETURNING returned), or
  // nullopt when there is no row or it is NULL. The statement is reset afterwards (a
  // RETURNING statement has made all its changes by its first row).
  template <class T>
  std::optional<T> value() {
    std::optional<T> v;
    if (step()) get(0, v);
    reset();
    return v;
  }

  virtual bool is_null(int col) const = 0;
  virtual int64_t int64(int col) const = 0;  // a boolean expression reads as 0/1
  virtual double real(int col) const = 0;
  virtual std::string text(int col) const = 0;  // a BLOB/BYTEA column reads as its bytes
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

 protected:
  virtual Statement& bind_int64(int i, int64_t v) = 0;
  virtual Statement& bind_double(int i, double v) = 0;
  virtual Statement& bind_text(int i, std::string_view v) = 0;
  virtual Statement& bind_bytes(int i, std::string_view bytes) = 0;
};

class Connection {
 public:
  virtual ~Connection() = default;
  virtual Engine engine() const = 0;
  // One or more statements without parameters.
  virtual void exec(std::string_view sql) = 0;
  // A cached prepared statement, reset and with bindings cleared. Valid until the next
  // prepare() of the same SQL on this connection.
  virtual Statement& prepare(const std::string& sql) = 0;
  // Resets every cached statement so none keeps a read snapshot or lock open.
  virtual void reset_statements() = 0;
  // Rows inserted, updated or deleted by the latest statement that ran to completion.
  virtual int64_t changes() const = 0;
};

}  // namespace iron::store
