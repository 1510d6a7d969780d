#pragma once
// COPY ... FROM STDIN on a Connection: rows streamed in PostgreSQL's text format, one round
// trip per MiB instead of one per row. Used to move a whole SQLite database
// (sqlite_copy.h); nothing else writes in bulk.
#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "store/pg/connection.h"

namespace iron::store::pg {

// A double-quoted SQL identifier ("" doubles a quote inside).
std::string quote_ident(std::string_view name);

class CopyIn {
 public:
  // Starts `COPY table (columns) FROM STDIN`. Throws PgError (an unknown table or column).
  CopyIn(Connection& c, std::string_view table, const std::vector<std::string>& columns);
  CopyIn(const CopyIn&) = delete;
  CopyIn& operator=(const CopyIn&) = delete;
  // Ends an unfinished COPY with an error, so the connection is usable again.
  ~CopyIn();

  // Field values of the row being built, in the columns' order.
  void null();
  void text(std::string_view v);    // throws PgError 22021 on a NUL byte, as Param does
  void bytea(std::string_view raw);  // any bytes, sent as \x hex
  void end_row();

  // Sends the rest and ends the COPY; returns the rows PostgreSQL stored. Throws PgError
  // (a constraint, a value the column's type refuses) with the primary message only.
  int64_t finish();

 private:
  void field_separator();
  void flush();
  [[noreturn]] void fail(const std::string& what);

  Connection& c_;
  std::string buffer_;
  bool row_started_ = false;
  bool open_ = true;
};

}  // namespace iron::store::pg
