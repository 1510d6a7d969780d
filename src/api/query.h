#pragma once
// Query-string and path parameters with clear 400s naming the parameter: integers in range,
// booleans, bounded text (the body's text rule, body.h); absent → nullopt.
#include <cstdint>
#include <optional>
#include <string>

#include "api/http_types.h"
#include "util/result.h"

namespace iron::api {

Result<std::optional<int64_t>> query_int(const Request& req, const std::string& name, int64_t min, int64_t max);
Result<std::optional<bool>> query_bool(const Request& req, const std::string& name);
// A text parameter: 1..max_len bytes under the same text rule as JSON strings.
Result<std::optional<std::string>> query_text(const Request& req, const std::string& name, size_t max_len);
// A path parameter that must be a positive integer id (else 400 INVALID_PARAMETER).
Result<int64_t> path_id(const Request& req, const std::string& name);

}  // namespace iron::api
