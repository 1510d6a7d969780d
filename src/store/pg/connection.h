#pragma once
// Thin RAII wrappers over libpq (PostgreSQL's C client): a connection opened from a URL or
// key=value DSN, parameterised statements ($1, $2, ...), result rows and transactions.
// Nothing above store/ sees these (docs/postgresql.md). One Connection per thread: libpq
// connections are not shared between threads.
//
// Secrets: errors carry PostgreSQL's primary message, SQLSTATE and constraint name, never
// its DETAIL (which quotes row values) nor the connection string; the DSN's password is
// scrubbed from every message. Nothing here logs, and server notices are dropped instead of
// going to stderr (the log stream).
#include <libpq-fe.h>

#include <cstdint>
#include <cstddef>
#include <functional>
#include <initializer_list>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "store/connection.h"

namespace iron::store::pg {

// The store's error for PostgreSQL: class 23 (integrity constraint violation) is a
// constraint, 53100 (disk_full) is storage full.
class PgError : public StoreError {
 public:
  PgError(std::string sqlstate, const std::string& what, std::string constraint = {})
      : StoreError(what, sqlstate.starts_with("23"), sqlstate == "53100"),
        sqlstate_(std::move(sqlstate)),
        constraint_(std::move(constraint)) {}
  const std::string& sqlstate() const { return sqlstate_; }
  const std::string& constraint() const { return constraint_; }  // "" when none was named
  // 40001 serialization_failure / 40P01 deadlock_detected: the transaction may be retried.
  bool is_retryable() const { return sqlstate_ == "40001" || sqlstate_ == "40P01"; }
  // Class 08: the connection failed or was lost.
  bool is_connection() const { return sqlstate_.starts_with("08"); }

 private:
  std::string sqlstate_;
  std::string constraint_;
};

// Binary data for a bytea parameter (sent in binary format, so any byte is kept).
struct Bytes {
  std::string_view data;
};

// One value bound to $n. Integers and doubles are sent as text PostgreSQL parses exactly
// (doubles in their shortest round-trip form).
class Param {
 public:
  Param(std::nullptr_t) {}
  Param(std::nullopt_t) {}
  Param(int64_t v) : value_(std::to_string(v)) {}
  Param(int v) : Param(static_cast<int64_t>(v)) {}
  Param(bool v) : Param(static_cast<int64_t>(v ? 1 : 0)) {}  // booleans are 0/1 BIGINTs, as in SQLite
  Param(double v);
  Param(std::string_view v);  // text: throws PgError 22021 on a NUL byte (PostgreSQL text cannot hold one)
  Param(const char* v) : Param(std::string_view(v)) {}
  Param(const std::string& v) : Param(std::string_view(v)) {}
  Param(Bytes v) : value_(std::string(v.data)), binary_(true) {}
  template <class T>
  Param(const std::optional<T>& v) : Param(v ? Param(*v) : Param(nullptr)) {}

  const std::optional<std::string>& value() const { return value_; }
  bool binary() const { return binary_; }

 private:
  std::optional<std::string> value_;  // nullopt = SQL NULL
  bool binary_ = false;
};

// One row of a result; columns are 0-based. It shares the result, so a Row stays valid
// after the Rows it came from is gone (`auto row = c.exec(...).front();`).
class Row {
 public:
  Row(std::shared_ptr<PGresult> res, int row) : res_(std::move(res)), row_(row) {}
  bool is_null(int col) const;
  Oid type(int col) const { return PQftype(res_.get(), col); }  // the column's type (pg_type OID)
  int64_t int64(int col) const;
  double real(int col) const;
  std::string text(int col) const;
  std::string bytes(int col) const;  // a bytea column
  std::optional<int64_t> opt_int64(int col) const { return is_null(col) ? std::nullopt : std::optional(int64(col)); }
  std::optional<std::string> opt_text(int col) const { return is_null(col) ? std::nullopt : std::optional(text(col)); }

 private:
  const char* value(int col) const;  // checks that the row and column exist
  std::shared_ptr<PGresult> res_;
  int row_;
};

// The result of one statement: its rows (if any) and how many rows it changed.
class Rows {
 public:
  explicit Rows(PGresult* res) : res_(res, &PQclear) {}
  int size() const { return PQntuples(res_.get()); }
  int columns() const { return PQnfields(res_.get()); }
  bool empty() const { return size() == 0; }
  Row operator[](int row) const { return Row(res_, row); }
  Row front() const;  // throws PgError when there is no row
  int64_t affected() const;  // rows inserted, updated or deleted (0 for other statements)
  std::string command_tag() const { return PQcmdStatus(res_.get()); }  // "INSERT 0 1", "COMMIT", ...
  // A described prepared statement's parameter types.
  std::vector<Oid> parameter_types() const {
    std::vector<Oid> types(static_cast<size_t>(PQnparams(res_.get())));
    for (size_t i = 0; i < types.size(); ++i) types[i] = PQparamtype(res_.get(), static_cast<int>(i));
    return types;
  }

  class iterator {
   public:
    iterator(const Rows& rows, int row) : rows_(rows), row_(row) {}
    Row operator*() const { return rows_[row_]; }
    iterator& operator++() { ++row_; return *this; }
    bool operator!=(const iterator& other) const { return row_ != other.row_; }
   private:
    const Rows& rows_;
    int row_;
  };
  iterator begin() const { return iterator(*this, 0); }
  iterator end() const { return iterator(*this, size()); }

 private:
  std::shared_ptr<PGresult> res_;
};

class Connection {
 public:
  // Connects with a `postgres://` URL or a key=value connection string. Unless the DSN says
  // otherwise, connecting gives up after kDefaultConnectTimeoutS. Throws PgError (class 08)
  // naming the server and libpq's reason, never the DSN or its password.
  static constexpr int kDefaultConnectTimeoutS = 10;
  explicit Connection(const std::string& dsn);
  // Connects without blocking in libpq: `wait(socket, for_write)` waits until the socket is
  // ready and returns false to abandon the attempt (PgError 08001), so a background thread can
  // stop while the server is unreachable (store/pg/event_relay.cpp). The caller's wait
  // also enforces the deadline: libpq applies connect_timeout only to blocking connects.
  using ConnectWait = std::function<bool(int socket, bool for_write)>;
  Connection(const std::string& dsn, const ConnectWait& wait);
  Connection(const Connection&) = delete;
  Connection& operator=(const Connection&) = delete;
  ~Connection();

  // One statement with $n parameters. Throws PgError on failure.
  Rows exec(std::string_view sql, std::initializer_list<Param> params = {});
  // A named prepared statement on this connection, then runs of it. A parameter whose entry
  // in `types` is 0 (or missing) gets the type the server infers. Throw PgError.
  void prepare(const std::string& name, const std::string& sql, const std::vector<Oid>& types = {});
  // The parameter types the server gave the prepared statement `name`.
  std::vector<Oid> parameter_types(const std::string& name);
  // Forgets the prepared statement `name`.
  void deallocate(const std::string& name);
  Rows exec_prepared(const std::string& name, const std::vector<Param>& params);
  // Several statements separated by `;`, no parameters (migrations); comments alone are a
  // valid, empty script. Throws PgError.
  void exec_script(std::string_view sql);

  bool ssl_in_use() const { return PQsslInUse(conn_) != 0; }
  bool in_transaction() const { return PQtransactionStatus(conn_) != PQTRANS_IDLE; }
  PGconn* handle() const { return conn_; }

 private:
  Rows check(PGresult* res);
  [[noreturn]] void fail(const PGresult* res);
  std::string scrub(std::string message) const;

  PGconn* conn_ = nullptr;
  std::string password_;  // only to scrub it from messages
};

// A transaction on one connection: BEGIN (or begin_sql, e.g. "BEGIN ISOLATION LEVEL
// SERIALIZABLE") now, ROLLBACK when destroyed without commit().
class Transaction {
 public:
  explicit Transaction(Connection& c, std::string_view begin_sql = "BEGIN");
  Transaction(const Transaction&) = delete;
  Transaction& operator=(const Transaction&) = delete;
  ~Transaction();
  void commit();

 private:
  Connection& c_;
  bool open_ = true;
};

}  // namespace iron::store::pg
