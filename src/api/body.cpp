#include "api/body.h"

namespace iron::api {

std::optional<unsigned> forbidden_control(const std::string& s) {
  // C0 except tab, LF and CR, DEL, and the C1 range (UTF-8 C2 80..C2 9F); `s` is valid
  // UTF-8 (the parser checked).
  for (size_t i = 0; i < s.size(); ++i) {
    const auto ch = static_cast<unsigned char>(s[i]);
    if ((ch < 0x20 && ch != '\t' && ch != '\n' && ch != '\r') || ch == 0x7f) return ch;
    if (ch == 0xc2 && i + 1 < s.size() && static_cast<unsigned char>(s[i + 1]) <= 0x9f)
      return static_cast<unsigned char>(s[i + 1]);
  }
  return std::nullopt;
}

Result<nlohmann::json> json_object_of(const Request& req, bool optional) {
  if (req.body.empty() && optional) return nlohmann::json::object();
  const std::string ct = req.header("content-type").value_or("");
  const std::string media = ct.substr(0, ct.find(';'));
  std::string lowered;
  for (char ch : media)
    if (ch != ' ') lowered += static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (lowered != "application/json") return errors::unsupported_media();
  auto j = nlohmann::json::parse(req.body, nullptr, false);
  if (j.is_discarded()) return errors::malformed_json();
  if (!j.is_object()) return errors::not_an_object();
  return j;
}

Result<std::optional<std::string>> text_member(const nlohmann::json& object, const std::string& field, size_t max_len) {
  if (!object.contains(field) || object[field].is_null()) return std::optional<std::string>{};
  if (!object[field].is_string()) return errors::must_be(field, "a string");
  std::string s = object[field].get<std::string>();
  if (const auto bad = forbidden_control(s)) {
    Error e = errors::must_be(field, "text without NUL or control characters");
    e.details["character"] = *bad;
    return e;
  }
  if (s.size() > max_len) return errors::too_long(field, max_len);
  return std::optional<std::string>(std::move(s));
}

Result<std::optional<int64_t>> int_member(const nlohmann::json& object, const std::string& field, int64_t min,
                                          int64_t max) {
  if (!object.contains(field) || object[field].is_null()) return std::optional<int64_t>{};
  const auto& v = object[field];
  if (!v.is_number_integer()) return errors::must_be(field, "an integer");
  if (v.is_number_unsigned() && v.get<uint64_t>() > static_cast<uint64_t>(INT64_MAX)) return errors::out_of_range(field);
  const int64_t n = v.get<int64_t>();
  if (n < min || n > max) return errors::between(field, min, max);
  return std::optional<int64_t>(n);
}

Result<std::optional<bool>> bool_member(const nlohmann::json& object, const std::string& field) {
  if (!object.contains(field) || object[field].is_null()) return std::optional<bool>{};
  if (!object[field].is_boolean()) return errors::must_be(field, "true or false");
  return std::optional<bool>(object[field].get<bool>());
}

}  // namespace iron::api
