#include "store/pg/copy_in.h"

#include <charconv>
#include <cstring>

namespace iron::store::pg {
namespace {

constexpr size_t kFlushBytes = 1 << 20;

// What the server said about a failed COPY: its primary message, SQLSTATE and constraint,
// never DETAIL or CONTEXT (they quote the row's values), as Connection's own errors.
PgError copy_error(PGconn* conn, const PGresult* res) {
  const char* state = res ? PQresultErrorField(res, PG_DIAG_SQLSTATE) : nullptr;
  const char* primary = res ? PQresultErrorField(res, PG_DIAG_MESSAGE_PRIMARY) : nullptr;
  const char* constraint = res ? PQresultErrorField(res, PG_DIAG_CONSTRAINT_NAME) : nullptr;
  std::string sqlstate = state ? state : "08006";
  std::string message = primary ? primary : PQerrorMessage(conn);
  while (!message.empty() && message.back() == '\n') message.pop_back();
  if (constraint) message += std::string(" (constraint ") + constraint + ")";
  return PgError(sqlstate, message + " [SQLSTATE " + sqlstate + "]", constraint ? constraint : "");
}

}  // namespace

std::string quote_ident(std::string_view name) {
  std::string out = "\"";
  for (char ch : name) out += ch == '"' ? std::string("\"\"") : std::string(1, ch);
  return out + "\"";
}

CopyIn::CopyIn(Connection& c, std::string_view table, const std::vector<std::string>& columns) : c_(c) {
  std::string sql = "COPY " + quote_ident(table) + " (";
  for (size_t i = 0; i < columns.size(); ++i) sql += (i ? ", " : "") + quote_ident(columns[i]);
  sql += ") FROM STDIN";
  PGresult* res = PQexec(c_.handle(), sql.c_str());
  const bool started = res && PQresultStatus(res) == PGRES_COPY_IN;
  if (!started) {
    open_ = false;
    PgError e = copy_error(c_.handle(), res);
    PQclear(res);
    throw e;
  }
  PQclear(res);
}

CopyIn::~CopyIn() {
  if (!open_) return;
  PQputCopyEnd(c_.handle(), "abandoned");
  while (PGresult* res = PQgetResult(c_.handle())) PQclear(res);
}

void CopyIn::field_separator() {
  if (row_started_) buffer_ += '\t';
  row_started_ = true;
}

void CopyIn::null() {
  field_separator();
  buffer_ += "\\N";
}

void CopyIn::text(std::string_view v) {
  if (v.find('\0') != std::string_view::npos) {
    throw PgError("22021", "a text value contains a NUL byte, which PostgreSQL text cannot store");
  }
  field_separator();
  // The text format's escapes: backslash, and the characters that end a field or a row.
  for (char ch : v) {
    switch (ch) {
      case '\\': buffer_ += "\\\\"; break;
      case '\t': buffer_ += "\\t"; break;
      case '\n': buffer_ += "\\n"; break;
      case '\r': buffer_ += "\\r"; break;
      default: buffer_ += ch;
    }
  }
}

void CopyIn::bytea(std::string_view raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  field_separator();
  buffer_ += "\\\\x";  // bytea's hex input \x, its backslash escaped for the text format
  for (unsigned char b : raw) {
    buffer_ += kHex[b >> 4];
    buffer_ += kHex[b & 15];
  }
}

void CopyIn::end_row() {
  buffer_ += '\n';
  row_started_ = false;
  if (buffer_.size() >= kFlushBytes) flush();
}

void CopyIn::flush() {
  if (buffer_.empty()) return;
  if (PQputCopyData(c_.handle(), buffer_.data(), static_cast<int>(buffer_.size())) != 1) {
    fail("sending COPY data failed");
  }
  buffer_.clear();
}

void CopyIn::fail(const std::string& what) {
  open_ = false;
  throw PgError("08006", what + ": " + PQerrorMessage(c_.handle()));
}

int64_t CopyIn::finish() {
  flush();
  if (PQputCopyEnd(c_.handle(), nullptr) != 1) fail("ending COPY failed");
  open_ = false;
  int64_t rows = -1;
  std::optional<PgError> error;
  while (PGresult* res = PQgetResult(c_.handle())) {
    if (PQresultStatus(res) == PGRES_COMMAND_OK) {
      const char* n = PQcmdTuples(res);
      std::from_chars(n, n + std::strlen(n), rows);
    } else if (!error) {
      error = copy_error(c_.handle(), res);
    }
    PQclear(res);
  }
  if (error) throw *error;
  return rows;
}

}  // namespace iron::store::pg
