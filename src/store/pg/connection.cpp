#include "store/pg/connection.h"

#include <charconv>
#include <cstring>

namespace iron::store::pg {
namespace {

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s;
}

// The option `keyword` of a parsed connection string, "" when unset.
std::string option(const PQconninfoOption* options, std::string_view keyword) {
  for (const auto* o = options; o && o->keyword; ++o) {
    if (keyword == o->keyword) return o->val ? o->val : "";
  }
  return {};
}

void ignore_notice(void*, const char*) {}

// Parameters in the three parallel arrays libpq takes; they point into the Params.
struct Wire {
  template <class Params>
  explicit Wire(const Params& params) {
    for (const auto& p : params) {
      values.push_back(p.value() ? p.value()->c_str() : nullptr);
      lengths.push_back(p.value() ? static_cast<int>(p.value()->size()) : 0);
      formats.push_back(p.binary() ? 1 : 0);
    }
  }
  int count() const { return static_cast<int>(values.size()); }
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
};

// Drives a started connection to its end (libpq's documented loop: before the first
// PQconnectPoll, behave as if it asked to write). False when `wait` abandoned it.
bool poll_connect(PGconn* conn, const Connection::ConnectWait& wait) {
  if (PQstatus(conn) == CONNECTION_BAD) return true;
  for (auto state = PGRES_POLLING_WRITING; state != PGRES_POLLING_OK && state != PGRES_POLLING_FAILED;
       state = PQconnectPoll(conn)) {
    if (!wait(PQsocket(conn), state == PGRES_POLLING_WRITING)) return false;
  }
  return true;
}

}  // namespace

Param::Param(double v) {
  char buf[32];
  auto [end, ec] = std::to_chars(buf, buf + sizeof buf, v);
  value_ = std::string(buf, end);
}

Param::Param(std::string_view v) {
  // Text parameters travel NUL-terminated; a NUL inside would silently cut the value.
  if (v.find('\0') != std::string_view::npos) {
    throw PgError("22021", "a text value contains a NUL byte, which PostgreSQL text cannot store");
  }
  value_ = std::string(v);
}

const char* Row::value(int col) const {
  if (row_ < 0 || row_ >= PQntuples(res_.get()) || col < 0 || col >= PQnfields(res_.get())) {
    throw PgError("22023", "row " + std::to_string(row_) + " column " + std::to_string(col) + " is out of range");
  }
  return PQgetvalue(res_.get(), row_, col);
}

bool Row::is_null(int col) const {
  value(col);
  return PQgetisnull(res_.get(), row_, col) != 0;
}

int64_t Row::int64(int col) const {
  const char* p = value(col);
  const char* end = p + PQgetlength(res_.get(), row_, col);
  int64_t v = 0;
  auto [stop, ec] = std::from_chars(p, end, v);
  if (ec != std::errc() || stop != end) {
    throw PgError("22P02", std::string("column ") + PQfname(res_.get(), col) + " is not an integer");
  }
  return v;
}

double Row::real(int col) const {
  const char* p = value(col);
  double v = 0;
  auto [stop, ec] = std::from_chars(p, p + PQgetlength(res_.get(), row_, col), v);
  if (ec != std::errc()) throw PgError("22P02", std::string("column ") + PQfname(res_.get(), col) + " is not a number");
  return v;
}

std::string Row::text(int col) const {
  const char* p = value(col);
  return std::string(p, static_cast<size_t>(PQgetlength(res_.get(), row_, col)));
}

std::string Row::bytes(int col) const {
  size_t n = 0;
  unsigned char* raw = PQunescapeBytea(reinterpret_cast<const unsigned char*>(value(col)), &n);
  if (!raw) throw PgError("22P02", std::string("column ") + PQfname(res_.get(), col) + " is not bytea");
  std::string out(reinterpret_cast<const char*>(raw), n);
  PQfreemem(raw);
  return out;
}

Row Rows::front() const {
  if (empty()) throw PgError("02000", "the statement returned no row");
  return (*this)[0];
}

int64_t Rows::affected() const {
  const char* n = PQcmdTuples(res_.get());
  int64_t v = 0;
  std::from_chars(n, n + std::strlen(n), v);
  return v;
}

Connection::Connection(const std::string& dsn) : Connection(dsn, ConnectWait{}) {}

Connection::Connection(const std::string& dsn, const ConnectWait& wait) {
  char* parse_error = nullptr;
  PQconninfoOption* options = PQconninfoParse(dsn.c_str(), &parse_error);
  if (!options) {
    // libpq's parse errors quote the offending part of the string, which may be the password.
    PQfreemem(parse_error);
    throw PgError("08001", "the PostgreSQL connection string is not valid (expected postgres://user:password@host:port/"
                           "database or key=value pairs)");
  }
  password_ = option(options, "password");
  PQconninfoFree(options);

  // Defaults first: the DSN (expanded from `dbname`) overrides them.
  const std::string timeout = std::to_string(kDefaultConnectTimeoutS);
  const char* keywords[] = {"connect_timeout", "fallback_application_name", "dbname", nullptr};
  const char* values[] = {timeout.c_str(), "ironpanel", dsn.c_str(), nullptr};
  conn_ = wait ? PQconnectStartParams(keywords, values, 1) : PQconnectdbParams(keywords, values, 1);
  if (!conn_) throw PgError("08001", "out of memory opening a PostgreSQL connection");
  if (wait && !poll_connect(conn_, wait)) {
    PQfinish(conn_);
    conn_ = nullptr;
    throw PgError("08001", "connecting to PostgreSQL was abandoned");
  }
  if (PQstatus(conn_) != CONNECTION_OK) {
    std::string message = scrub(trimmed(PQerrorMessage(conn_)));
    PQfinish(conn_);
    conn_ = nullptr;
    throw PgError("08001", "cannot connect to PostgreSQL: " + message);
  }
  PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
}

Connection::~Connection() {
  if (conn_) PQfinish(conn_);
}

std::string Connection::scrub(std::string message) const {
  // Belt and braces: libpq and the server do not echo the password, but a message quoting
  // a statement or a connection option must not carry it either. Very short passwords would
  // blank out ordinary words and are not scrubbed.
  if (password_.size() < 4) return message;
  for (size_t at = message.find(password_); at != std::string::npos; at = message.find(password_, at)) {
    message.replace(at, password_.size(), "***");
  }
  return message;
}

void Connection::fail(const PGresult* res) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  const char* constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : nullptr;
  // Without a server error (a lost connection, a client-side failure) libpq's own message.
  std::string message = primary ? primary : trimmed(PQerrorMessage(conn_));
  std::string sqlstate = state ? state : (PQstatus(conn_) == CONNECTION_BAD ? "08006" : "XX000");
  if (constraint) message += std::string(" (constraint ") + constraint + ")";
  throw PgError(sqlstate, scrub(message + " [SQLSTATE " + sqlstate + "]"), constraint ? constraint : "");
}

Rows Connection::check(PGresult* res) {
  const auto status = res ? PQresultStatus(res) : PGRES_FATAL_ERROR;
  if (status == PGRES_COMMAND_OK || status == PGRES_TUPLES_OK) return Rows(res);
  Rows owner(res);  // freed when fail() throws
  fail(res);
}

Rows Connection::exec(std::string_view sql, std::initializer_list<Param> params) {
  const Wire w(params);
  const std::string statement(sql);
  return check(PQexecParams(conn_, statement.c_str(), w.count(), nullptr, w.values.data(), w.lengths.data(),
                            w.formats.data(), 0));
}

void Connection::prepare(const std::string& name, const std::string& sql, const std::vector<Oid>& types) {
  check(PQprepare(conn_, name.c_str(), sql.c_str(), static_cast<int>(types.size()), types.empty() ? nullptr : types.data()));
}

std::vector<Oid> Connection::parameter_types(const std::string& name) {
  const Rows described = check(PQdescribePrepared(conn_, name.c_str()));
  return described.parameter_types();
}

void Connection::deallocate(const std::string& name) {
  // DEALLOCATE takes an identifier; the names are the engine's own (letters and digits).
  exec("DEALLOCATE " + name);
}

Rows Connection::exec_prepared(const std::string& name, const std::vector<Param>& params) {
  const Wire w(params);
  return check(PQexecPrepared(conn_, name.c_str(), w.count(), w.values.data(), w.lengths.data(), w.formats.data(), 0));
}

void Connection::exec_script(std::string_view sql) {
  const std::string script(sql);
  PGresult* res = PQexec(conn_, script.c_str());
  // A script of comments only (a migration with nothing to do on this engine) is no error.
  if (res && PQresultStatus(res) == PGRES_EMPTY_QUERY) {
    PQclear(res);
    return;
  }
  check(res);
}

Transaction::Transaction(Connection& c, std::string_view begin_sql) : c_(c) { c_.exec(begin_sql); }

Transaction::~Transaction() {
  if (!open_) return;
  try {
    c_.exec("ROLLBACK");
  } catch (const PgError&) {
    // The connection is gone; the server has already rolled the transaction back.
  }
}

void Transaction::commit() {
  // COMMIT of a transaction in which a statement failed answers "ROLLBACK", not an error.
  const bool committed = c_.exec("COMMIT").command_tag() == "COMMIT";
  open_ = false;
  if (!committed) throw PgError("25P02", "the transaction was rolled back: a statement in it had failed");
}

}  // namespace iron::store::pg
