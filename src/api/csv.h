#pragma once
// CSV exports of the dashboard's tables (api-conventions.md): `?format=csv` or
// `Accept: text/csv`, RFC 4180 (CRLF, fields quoted when they hold a comma, quote, CR or
// LF, quotes doubled), streamed, with a Content-Disposition filename. Money is written in
// dollars with six decimals (exact, from µ$), times as RFC 3339 UTC. Text that a spreadsheet
// would run as a formula (= + - @ first) is prefixed with ' (OWASP CSV injection); numbers
// are written as numbers.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_types.h"
#include "util/result.h"

namespace iron::api {

// True when the caller asked for CSV; a `format` other than json or csv is 400.
Result<bool> wants_csv(const Request& req);

// One record, built field by field.
class CsvRow {
 public:
  CsvRow& text(std::string_view v);
  CsvRow& opt_text(const std::optional<std::string>& v) { return v ? text(*v) : empty(); }
  CsvRow& integer(int64_t v);
  CsvRow& number(double v);
  CsvRow& dollars(int64_t micros);  // 1234567 -> 1.234567
  CsvRow& opt_dollars(const std::optional<int64_t>& micros) { return micros ? dollars(*micros) : empty(); }
  CsvRow& time_ms(int64_t unix_ms);  // RFC 3339 UTC with milliseconds
  CsvRow& empty();
  std::string line() const { return line_ + "\r\n"; }

 private:
  void add(std::string_view field, bool formula_guard = false);  // formula_guard: prefix an apostrophe
  std::string line_;
  bool first_ = true;
};

// Writes one chunk of CSV text; false once the client is gone (stop producing).
using CsvWrite = std::function<bool(const std::string&)>;

// A streamed text/csv attachment: the header record, then what `rows` writes. A failure
// while streaming is logged with `request_id` and ends the file with an ERROR record.
Response csv_response(const std::string& filename, const std::vector<std::string>& header,
                      std::function<void(const CsvWrite&)> rows, const std::string& request_id);

}  // namespace iron::api
