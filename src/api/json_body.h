#pragma once
// Decoding request bodies and query strings with clear 4xx errors: wrong content type →
// 415, malformed JSON → 400 MALFORMED_JSON, wrong type / length / range → 400 naming the
// field. Unknown fields are ignored (api-conventions.md).
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/body.h"
#include "api/http_types.h"
#include "api/query.h"
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

}  // namespace iron::api
