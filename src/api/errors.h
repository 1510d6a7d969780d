#pragma once
// The errors api/ itself raises (decoding, guards), named once so a code and its wording do
// not drift between routes. Domain errors come from domain/; both become the envelope in
// responses.h.
#include <cstdint>
#include <string>
#include <vector>

#include "util/result.h"

namespace iron::api::errors {

inline Error missing_field(const std::string& field) {
  return Error::validation(field, field + " is required", "MISSING_FIELD");
}
// A field or parameter of the wrong type or shape: "<field> must be <what>".
inline Error must_be(const std::string& field, const std::string& what, std::string code = "VALIDATION_ERROR") {
  return Error::validation(field, field + " must be " + what, std::move(code));
}
inline Error out_of_range(const std::string& field) { return Error::validation(field, field + " is out of range"); }
inline Error between(const std::string& field, int64_t min, int64_t max) {
  return must_be(field, "between " + std::to_string(min) + " and " + std::to_string(max));
}
inline Error too_long(const std::string& field, size_t max_len) {
  return must_be(field, "at most " + std::to_string(max_len) + " characters");
}
inline Error too_short(const std::string& field, size_t min_len) {
  return must_be(field, "at least " + std::to_string(min_len) + " characters");
}
inline Error not_one_of(const std::string& field, const std::vector<std::string>& allowed) {
  std::string list;
  for (const auto& a : allowed) list += (list.empty() ? "" : ", ") + a;
  Error e = must_be(field, "one of: " + list);
  e.details["allowed"] = allowed;
  return e;
}
inline Error invalid_cursor() {
  return Error::validation("cursor", "cursor is not one this server issued", "INVALID_CURSOR");
}
inline Error unsupported_media() {
  return {ErrorKind::unsupported_media, "UNSUPPORTED_MEDIA_TYPE",
          "request body must be JSON with Content-Type: application/json", {}, 0};
}
inline Error malformed_json() { return {ErrorKind::validation, "MALFORMED_JSON", "request body is not valid JSON", {}, 0}; }
inline Error not_an_object() {
  return {ErrorKind::validation, "INVALID_JSON", "request body must be a JSON object", {}, 0};
}
// A known field a route does not let the caller change (silently keeping it would mislead).
inline Error immutable(const std::string& field, const std::string& instead) {
  return Error::validation(field, field + " cannot be changed: " + instead);
}
inline Error missing_bearer(const std::string& message = "an Authorization: Bearer token is required") {
  return Error::unauthenticated("AUTH_MISSING_TOKEN", message);
}
// The agent routes' one answer for a request without an IC token (guard.h, agent_token_of).
inline Error ic_token_missing() {
  return Error::unauthenticated("IC_TOKEN_MISSING", "an IC token is required (body field ic_token or Bearer ic_…)");
}
// A write refused for lack of space (the disk, or the operator's IRON_MAX_DB_MB cap): nothing was
// stored. 503 rather than 507, as for the backup's INSUFFICIENT_STORAGE (docs/deploy.md): generic
// clients and proxies handle 507 poorly, and 503 carries Retry-After.
inline Error storage_full() {
  return {ErrorKind::unavailable, "STORAGE_FULL",
          "the server's storage is full, so this change was not saved; retry once space has been freed", {}, 30};
}
inline Error insufficient_permissions(const std::string& message) {
  return Error::forbidden(message, "INSUFFICIENT_PERMISSIONS");
}

}  // namespace iron::api::errors
