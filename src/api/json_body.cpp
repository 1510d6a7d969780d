#include "api/json_body.h"

#include <charconv>

namespace iron::api {
namespace {

Error type_error(const std::string& field, const std::string& want) {
  return Error::validation(field, field + " must be " + want);
}

// The first control character of `s` that text may not hold, if any: C0 except tab, LF and
// CR, DEL, and the C1 range (UTF-8 C2 80..C2 9F). `s` is valid UTF-8 (the parser checked).
std::optional<unsigned> forbidden_control(const std::string& s) {
  for (size_t i = 0; i < s.size(); ++i) {
    const auto ch = static_cast<unsigned char>(s[i]);
    if ((ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') || ch == 0x7f) return ch;
    if (ch == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9f)
      return static_cast<unsigned char>(s[i + 1]);
  }
  return std::nullopt;
}

std::optional<int64_t> parse_int(const std::string& text) {
  int64_t v = 0;
  const char* end = text.data() + text.size();
  auto [p, ec] = std::from_chars(text.data(), end, v);
  if (ec != std::errc() || p != end || text.empty()) return std::nullopt;
  return v;
}

}  // namespace

Result<JsonBody> JsonBody::parse(const Request& req, bool allow_empty) {
  if (req.body.empty() && allow_empty) return JsonBody(nlohmann::json::object());
  const std::string ct = req.header("content-type").value_or("");
  const std::string media = ct.substr(0, ct.find(';'));
  std::string lowered;
  for (char ch : media)
    if (ch != ' ') lowered += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (lowered != "application/json")
    return Error{ErrorKind::unsupported_media, "UNSUPPORTED_MEDIA_TYPE",
                 "request body must be JSON with Content-Type: application/json", {}, 0};
  auto j = nlohmann::json::parse(req.body, nullptr, false);
  if (j.is_discarded()) return Error{ErrorKind::validation, "MALFORMED_JSON", "request body is not valid JSON", {}, 0};
  if (!j.is_object()) return Error{ErrorKind::validation, "INVALID_JSON", "request body must be a JSON object", {}, 0};
  return JsonBody(std::move(j));
}

Result<std::string> JsonBody::string(const std::string& field, size_t min_len, size_t max_len) const {
  if (!has(field)) return Error::validation(field, field + " is required", "MISSING_FIELD");
  auto v = opt_string(field, max_len);
  if (!v) return v.error();
  if (v.value()->size() < min_len)
    return Error::validation(field, field + " must be at least " + std::to_string(min_len) + " characters");
  return *v.value();
}

Result<std::optional<std::string>> JsonBody::opt_string(const std::string& field, size_t max_len) const {
  return text_member(json_, field, max_len);
}

Result<std::optional<int64_t>> JsonBody::opt_int(const std::string& field, int64_t min, int64_t max) const {
  return int_member(json_, field, min, max);
}

Result<std::optional<std::string>> text_member(const nlohmann::json& object, const std::string& field, size_t max_len) {
  if (!object.contains(field) || object[field].is_null()) return std::optional<std::string>{};
  if (!object[field].is_string()) return type_error(field, "a string");
  std::string s = object[field].get<std::string>();
  if (const auto bad = forbidden_control(s)) {
    Error e = type_error(field, "text without NUL or control characters");
    e.details["character"] = *bad;
    return e;
  }
  if (s.size() > max_len) return Error::validation(field, field + " must be at most " + std::to_string(max_len) + " characters");
  return std::optional<std::string>(std::move(s));
}

Result<std::optional<int64_t>> int_member(const nlohmann::json& object, const std::string& field, int64_t min,
                                          int64_t max) {
  if (!object.contains(field) || object[field].is_null()) return std::optional<int64_t>{};
  const auto& v = object[field];
  if (!v.is_number_integer()) return type_error(field, "an integer");
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX))
    return Error::validation(field, field + " is out of range");
  const int64_t n = v.get<int64_t>();
  if (n < min || n > max)
    return Error::validation(field, field + " must be between " + std::to_string(min) + " and " + std::to_string(max));
  return std::optional<int64_t>(n);
}

Result<int64_t> JsonBody::integer(const std::string& field, int64_t min, int64_t max) const {
  if (!has(field)) return Error::validation(field, field + " is required", "MISSING_FIELD");
  auto v = opt_int(field, min, max);
  if (!v) return v.error();
  return *v.value();
}

Result<std::optional<bool>> JsonBody::opt_bool(const std::string& field) const {
  if (!has(field)) return std::optional<bool>{};
  if (!json_[field].is_boolean()) return type_error(field, "true or false");
  return std::optional<bool>(json_[field].get<bool>());
}

Result<std::string> JsonBody::one_of(const std::string& field, const std::vector<std::string>& allowed) const {
  auto v = string(field, 1, 64);
  if (!v) return v.error();
  for (const auto& a : allowed)
    if (*v == a) return *v;
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  Error e = Error::validation(field, field + " must be one of: " + list);
  e.details["allowed"] = allowed;
  return e;
}

Result<std::optional<int64_t>> query_int(const Request& req, const std::string& name, int64_t min, int64_t max) {
  const auto raw = req.query_param(name);
  if (!raw) return std::optional<int64_t>{};
  const auto v = parse_int(*raw);
  if (!v || *v < min || *v > max)
    return Error::validation(name, name + " must be an integer between " + std::to_string(min) + " and " +
                                       std::to_string(max));
  return std::optional<int64_t>(*v);
}

Result<std::optional<bool>> query_bool(const Request& req, const std::string& name) {
  const auto raw = req.query_param(name);
  if (!raw) return std::optional<bool>{};
  if (*raw == "true" || *raw == "1") return std::optional<bool>(true);
  if (*raw == "false" || *raw == "0") return std::optional<bool>(false);
  return Error::validation(name, name + " must be true or false");
}

Result<std::optional<std::string>> query_text(const Request& req, const std::string& name, size_t max_len) {
  const auto raw = req.query_param(name);
  if (!raw) return std::optional<std::string>{};
  if (raw->empty() || raw->size() > max_len)
    return Error::validation(name, name + " must be 1 to " + std::to_string(max_len) + " characters");
  if (forbidden_control(*raw)) return type_error(name, "text without NUL or control characters");
  return raw;
}

Result<int64_t> path_id(const Request& req, const std::string& name) {
  const auto v = parse_int(req.param(name));
  if (!v || *v <= 0) return Error::validation(name, name + " must be a positive integer", "INVALID_PARAMETER");
  return *v;
}

}  // namespace iron::api
