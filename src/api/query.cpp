#include "api/query.h"

#include <charconv>

#include "api/body.h"
#include "api/errors.h"

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

Result<std::optional<int64_t>> query_int(const Request& req, const std::string& name, int64_t min, int64_t max) {
  const auto raw = req.query_param(name);
  if (!raw) return std::optional<int64_t>{};
  const auto v = parse_int(*raw);
  if (!v || *v < min || *v > max)
    return errors::must_be(name, "an integer between " + std::to_string(min) + " and " + std::to_string(max));
  return std::optional<int64_t>(*v);
}

Result<std::optional<bool>> query_bool(const Request& req, const std::string& name) {
  const auto raw = req.query_param(name);
  if (!raw) return std::optional<bool>{};
  if (*raw == "true" || *raw == "1") return std::optional<bool>(true);
  if (*raw == "false" || *raw == "0") return std::optional<bool>(false);
  return errors::must_be(name, "true or false");
}

Result<std::optional<std::string>> query_text(const Request& req, const std::string& name, size_t max_len) {
  const auto raw = req.query_param(name);
  if (!raw) return std::optional<std::string>{};
  if (raw->empty() || raw->size() > max_len) return errors::must_be(name, "1 to " + std::to_string(max_len) + " characters");
  if (forbidden_control(*raw)) return errors::must_be(name, "text without NUL or control characters");
  return raw;
}

Result<int64_t> path_id(const Request& req, const std::string& name) {
  const auto v = parse_int(req.param(name));
  if (!v || *v <= 0) return errors::must_be(name, "a positive integer", "INVALID_PARAMETER");
  return *v;
}

}  // namespace iron::api
