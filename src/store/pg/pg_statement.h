#pragma once
// The PostgreSQL engine of the storage seam (store/connection.h): the repositories' SQL,
// written once for both engines, prepared and run on a libpq connection.
//
// What the engine translates, so the repositories need not know (docs/postgresql.md):
// - placeholders: `?` (numbered in order) and `?N` become `$N`, typed by the server (also
//   those only tested for NULL: parameter_types);
// - `LIKE` becomes `ILIKE`: SQLite's LIKE ignores ASCII case, PostgreSQL's does not;
// - reads: a boolean expression reads as 0/1, a numeric (sum, avg) as its value, a BYTEA
//   column's text() as its bytes.
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "store/connection.h"
#include "store/pg/connection.h"

namespace iron::store::pg {

// The SQL of `sqlite_sql` as PostgreSQL takes it, and how many parameters it has.
struct Translated {
  std::string sql;
  int params = 0;
  // When the SQL tests a parameter with IS [NOT] NULL: the SQL with those tests as TRUE, from
  // which the server can type every parameter (PgConnection::parameter_types), and the
  // parameters used in nothing else.
  std::string probe;
  std::vector<int> only_null_checked;
};
Translated translate(const std::string& sqlite_sql);

class PgConnection;

class PgStatement final : public store::Statement {
 public:
  PgStatement(PgConnection& owner, std::string name, int params) : owner_(owner), name_(std::move(name)), params_(params) {}

  Statement& bind_null(int i) override { return set(i, Param(nullptr)); }
  bool step() override;
  void reset() override;
  bool is_null(int col) const override { return current().is_null(col); }
  int64_t int64(int col) const override;
  double real(int col) const override { return current().real(col); }
  std::string text(int col) const override;

 protected:
  Statement& bind_int64(int i, int64_t v) override { return set(i, Param(v)); }
  Statement& bind_double(int i, double v) override { return set(i, Param(v)); }
  Statement& bind_text(int i, std::string_view v) override { return set(i, Param(v)); }
  Statement& bind_bytes(int i, std::string_view bytes) override { return set(i, Param(Bytes{bytes})); }

 private:
  Statement& set(int i, Param p);
  Row current() const;

  PgConnection& owner_;
  std::string name_;
  int params_;
  std::vector<Param> binds_;
  std::optional<Rows> rows_;  // set once run
  int row_ = -1;
};

class PgConnection final : public store::Connection {
 public:
  explicit PgConnection(const std::string& dsn) : conn_(dsn) {}

  Engine engine() const override { return Engine::postgres; }
  void exec(std::string_view sql) override { conn_.exec_script(sql); }
  Statement& prepare(const std::string& sql) override;
  void reset_statements() override;
  int64_t changes() const override { return changes_; }

  pg::Connection& raw() { return conn_; }
  void set_changes(int64_t n) { changes_ = n; }

 private:
  std::vector<Oid> parameter_types(const Translated& t, const std::string& name);

  pg::Connection conn_;
  std::map<std::string, std::unique_ptr<PgStatement>, std::less<>> cache_;
  int64_t changes_ = 0;
};

}  // namespace iron::store::pg
