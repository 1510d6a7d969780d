#include "api/query.h"

#include <charconv>

#include "api/body.h"

namespace iron::api {
namespace {

std::optional<int64_t> parse_int(const std::string& text) {
  int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || p != end || text.empty()) return std::nullopt;
  return v;
}

}  // namespace

Result<int64_t> query_int(const std::string& name, const std::string& raw, int64_t min, int64_t max) {
  const auto v = parse_int(raw);
  if (!v || *v < min || *v > max)
    return errors::must_be(name, "an integer between " + std::to_string(min) + " and " + std::to_string(max));
  return *v;
}

Result<bool> query_bool(const std::string& name, const std::string& raw) {
  if (raw == "true" || raw == "1") return true;
  if (raw == "false" || raw == "0") return false;
  return errors::must_be(name, "true or false");
}

Result<std::string> query_text(const std::string& name, const std::string& raw, size_t min_len, size_t max_len) {
  if (raw.size() < min_len || raw.size() > max_len)
    return errors::must_be(name, std::to_string(min_len) + " to " + std::to_string(max_len) + " characters");
  if (forbidden_control(raw)) return errors::must_be(name, "text without NUL or control characters");
  return raw;
}

Result<int64_t> path_id(const Request& req, const std::string& name) {
  const auto v = parse_int(req.param(name));
  if (!v || *v <= 0) return errors::must_be(name, "a positive integer", "INVALID_PARAMETER");
  return *v;
}

}  // namespace iron::api
