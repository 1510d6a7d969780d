#include "api/json_body.h"

namespace iron::api {

Result<JsonBody> JsonBody::parse(const Request& req, bool allow_empty) {
  auto j = json_object_of(req, allow_empty);
  if (!j) return j.error();
  return JsonBody(std::move(*j));
}

Result<std::string> JsonBody::string(const std::string& field, size_t min_len, size_t max_len) const {
  if (!has(field)) return errors::missing_field(field);
  auto v = opt_string(field, max_len);
  if (!v) return v.error();
  if (v.value()->size() < min_len) return errors::too_short(field, min_len);
  return *v.value();
}

Result<std::optional<std::string>> JsonBody::opt_string(const std::string& field, size_t max_len) const {
  return text_member(json_, field, max_len);
}

Result<std::optional<int64_t>> JsonBody::opt_int(const std::string& field, int64_t min, int64_t max) const {
  return int_member(json_, field, min, max);
}

Result<int64_t> JsonBody::integer(const std::string& field, int64_t min, int64_t max) const {
  if (!has(field)) return errors::missing_field(field);
  auto v = opt_int(field, min, max);
  if (!v) return v.error();
  return *v.value();
}

Result<std::optional<bool>> JsonBody::opt_bool(const std::string& field) const { return bool_member(json_, field); }

Result<std::string> JsonBody::one_of(const std::string& field, const std::vector<std::string>& allowed) const {
  auto v = string(field, 1, 64);
  if (!v) return v.error();
  for (const auto& a : allowed)
    if (*v == a) return *v;
  return errors::not_one_of(field, allowed);
}

}  // namespace iron::api
