#include "api/csv.h"

#include <cstdio>
#include <exception>
#include <optional>

#include "api/errors.h"
#include "util/clock.h"
#include "util/log.h"

namespace iron::api {

Result<bool> wants_csv(const Request& req) {
  if (const auto format = req.query_param("format")) {
    if (*format == "csv") return true;
    if (*format == "json") return false;
    return errors::must_be("format", "json or csv");
  }
  std::string accept = req.header("accept").value_or("");
  for (auto& ch : accept) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return accept.find("text/csv") != std::string::npos;
}

void CsvRow::add(std::string_view field, bool formula_guard) {
  if (!first_) line_ += ',';
  first_ = false;
  const bool quote = field.find_first_of(",\"\r\n") != std::string_view::npos;
  if (quote) line_ += '"';
  if (formula_guard) line_ += '\'';
  for (char ch : field) {
    if (ch == '"') line_ += '"';
    line_ += ch;
  }
  if (quote) line_ += '"';
}

CsvRow& CsvRow::text(std::string_view v) {
  const bool formula = !v.empty() && (v[0] == '=' || v[0] == '+' || v[0] == '-' || v[0] == '@' || v[0] == '\t' ||
                                      v[0] == '\r');
  add(v, formula);
  return *this;
}

CsvRow& CsvRow::integer(int64_t v) {
  add(std::to_string(v));
  return *this;
}

CsvRow& CsvRow::number(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6f", v);
  add(buf);
  return *this;
}

CsvRow& CsvRow::dollars(int64_t micros) {
  // Integer arithmetic: a float would round large amounts.
  const bool negative = micros < 0;
  const uint64_t m = negative ? 0 - static_cast<uint64_t>(micros) : static_cast<uint64_t>(micros);
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s%llu.%06llu", negative ? "-" : "", static_cast<unsigned long long>(m / 1'000'000),
                static_cast<unsigned long long>(m % 1'000'000));
  add(buf);
  return *this;
}

CsvRow& CsvRow::time_ms(int64_t unix_ms) {
  add(util::to_rfc3339_millis(util::from_unix_ms(unix_ms)));
  return *this;
}

CsvRow& CsvRow::empty() {
  add("");
  return *this;
}

Response csv_response(const std::string& filename, const std::vector<std::string>& header,
                      std::function<void(const CsvWrite&)> rows, const std::string& request_id) {
  Response r;
  r.content_type = "text/csv; charset=utf-8";
  r.header("Content-Disposition", "attachment; filename=\"" + filename + "\"");
  CsvRow head;
  for (const auto& h : header) head.text(h);
  r.stream = [first = head.line(), rows = std::move(rows), request_id](const std::function<bool(std::string_view)>& write) {
    if (!write(first)) return;
    // The body is written after the handler returned, outside the server's error handling:
    // a failure here must neither escape (it would end the process) nor pass for a complete
    // export, so it is logged and the file ends with a record saying so.
    try {
      rows([&write](const std::string& chunk) { return write(chunk); });
    } catch (const std::exception& e) {
      log::error("csv export failed", {{"request_id", request_id}, {"error", e.what()}});
      write(CsvRow().text("ERROR: export incomplete, see the server log for request " + request_id).line());
    }
  };
  return r;
}

}  // namespace iron::api
