#pragma once
// Decoding request bodies and query strings with clear 4xx errors: wrong content type →
// 415, malformed JSON → 400 MALFORMED_JSON, wrong type / length / range → 400 naming the
// field. Unknown fields are ignored (api-conventions.md).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/http_types.h"
#include "util/result.h"

namespace iron::api {

class JsonBody {
 public:
  // An empty body is accepted as {} only when allow_empty (routes whose body is optional).
  static Result<JsonBody> parse(const Request& req, bool allow_empty = false);

  Result<std::string> string(const std::string& field, size_t min_len, size_t max_len) const;
  Result<std::optional<std::string>> opt_string(const std::string& field, size_t max_len) const;
  Result<std::optional<int64_t>> opt_int(const std::string& field, int64_t min, int64_t max) const;
  Result<int64_t> integer(const std::string& field, int64_t min, int64_t max) const;
  Result<std::optional<bool>> opt_bool(const std::string& field) const;
  Result<std::string> one_of(const std::string& field, const std::vector<std::string>& allowed) const;
  bool has(const std::string& field) const { return json_.contains(field) && !json_[field].is_null(); }
  bool is_explicit_null(const std::string& field) const { return json_.contains(field) && json_[field].is_null(); }
  const nlohmann::json& json() const { return json_; }

 private:
  explicit JsonBody(nlohmann::json j) : json_(std::move(j)) {}
  nlohmann::json json_;
};

// Members of a JSON object that is not a whole body (an item of a batch), decoded by the
// same rules as JsonBody's: absent or null → nullopt; wrong type, out of range or unsafe
// text → 400 VALIDATION_ERROR naming the field.
// Text rule, for every string any route decodes: no NUL and no control characters other
// than tab, line feed and carriage return (C APIs, SQLite's length() and terminals stop or
// misbehave at them). Invalid UTF-8, lone surrogates and over-long encodings never get this
// far: the JSON parser refuses them (400 MALFORMED_JSON).
Result<std::optional<std::string>> text_member(const nlohmann::json& object, const std::string& field, size_t max_len);
Result<std::optional<int64_t>> int_member(const nlohmann::json& object, const std::string& field, int64_t min,
                                          int64_t max);

// Query parameters: integers in range, enums; absent → nullopt.
Result<std::optional<int64_t>> query_int(const Request& req, const std::string& name, int64_t min, int64_t max);
Result<std::optional<bool>> query_bool(const Request& req, const std::string& name);
// A text parameter: 1..max_len bytes under the same text rule as JSON strings.
Result<std::optional<std::string>> query_text(const Request& req, const std::string& name, size_t max_len);
// A path parameter that must be a positive integer id (else 400 INVALID_PARAMETER).
Result<int64_t> path_id(const Request& req, const std::string& name);

}  // namespace iron::api
