// Schema helpers and the shared component schemas of the OpenAPI document.
#include "api/openapi/spec.h"

#include "api/model_allow_list_field.h"

namespace iron::api::openapi {

json ref(const std::string& schema_name) { return {{"$ref", "#/components/schemas/" + schema_name}}; }

json str(size_t min_len, size_t max_len) {
  json s = {{"type", "string"}};
  if (min_len > 0) s["minLength"] = min_len;
  if (max_len > 0) s["maxLength"] = max_len;
  return s;
}

json str_fmt(const std::string& format, const std::string& description) {
  json s = {{"type", "string"}, {"format", format}};
  if (!description.empty()) s["description"] = description;
  return s;
}

json one_of_strings(const std::vector<std::string>& values) { return {{"type", "string"}, {"enum", values}}; }

json integer(const std::string& description) {
  json s = {{"type", "integer"}, {"format", "int64"}};
  if (!description.empty()) s["description"] = description;
  return s;
}

json integer_range(int64_t min, int64_t max, const std::string& description) {
  json s = integer(description);
  s["minimum"] = min;
  s["maximum"] = max;
  return s;
}

json boolean(const std::string& description) {
  json s = {{"type", "boolean"}};
  if (!description.empty()) s["description"] = description;
  return s;
}

json nullable(json schema) {
  if (schema.contains("$ref")) return {{"oneOf", json::array({schema, {{"type", "null"}}})}};
  if (schema.contains("enum")) schema["enum"].push_back(nullptr);
  schema["type"] = json::array({schema["type"], "null"});
  return schema;
}

json array_of(json items) { return {{"type", "array"}, {"items", std::move(items)}}; }

json object(json properties, std::vector<std::string> required) {
  json s = {{"type", "object"}, {"properties", std::move(properties)}};
  if (!required.empty()) s["required"] = std::move(required);
  return s;
}

json described(json schema, const std::string& description) {
  if (schema.contains("$ref")) return {{"allOf", json::array({schema})}, {"description", description}};
  schema["description"] = description;
  return schema;
}

json ms_time(const std::string& description) { return integer(description + " (milliseconds since the Unix epoch)"); }

json rfc3339(const std::string& description) { return str_fmt("date-time", description + " (RFC 3339, UTC)"); }

json provider_slug() {
  return described({{"type", "string"}, {"minLength", 1}, {"maxLength", 64}, {"pattern", "^[a-z0-9_-]{1,64}$"}},
                   "lowercase provider slug: openai, anthropic, or any other [a-z0-9_-]{1,64}");
}

json user_id_schema() { return described({{"type", "string"}, {"pattern", "^user_"}}, "user id (user_<uuid>)"); }

namespace {

json error_envelope() {
  json details = {{"type", "object"},
                  {"description",
                   "Machine-readable context. `field` names the offending field on validation errors; "
                   "`retry_after` (seconds) accompanies 429; `request_id` accompanies 500."},
                  {"properties",
                   {{"field", str()},
                    {"retry_after", integer("seconds until a retry may succeed")},
                    {"request_id", str()},
                    {"allowed", array_of(str())},
                    {"allow", str()}}},
                  {"additionalProperties", true}};
  return described(
      object({{"error", object({{"code", described({{"type", "string"}, {"pattern", "^[A-Z][A-Z0-9_]*$"}},
                                                  "stable SNAKE_CASE error code")},
                                {"message", described(str(), "a human sentence; never contains secrets")},
                                {"details", details}},
                               {"code", "message", "details"})}},
             {"error"}),
      "The one error envelope every API error uses.");
}

json user() {
  return object({{"id", described({{"type", "string"}, {"pattern", "^user_"}}, "user_<uuid>")},
                 {"username", str(1, 255)},
                 {"email", str_fmt("email")},
                 {"name", nullable(str(0, 255))},
                 {"role", ref("Role")},
                 {"is_active", boolean()},
                 {"force_password_change", boolean("the user must change the password before anything else")},
                 {"created_at", ms_time("creation time")},
                 {"last_login", nullable(ms_time("last successful login"))},
                 {"suspended_at", nullable(ms_time("suspension time"))},
                 {"suspended_reason", nullable(str(0, 1000))},
                 {"deleted_at", nullable(ms_time("soft-deletion time"))}},
                {"id", "username", "email", "name", "role", "is_active", "force_password_change", "created_at",
                 "last_login", "suspended_at", "suspended_reason", "deleted_at"});
}

json user_brief() {
  return object({{"id", str()}, {"email", str_fmt("email")}, {"role", ref("Role")},
                 {"name", described(str(), "display name (the username when no name is set)")}},
                {"id", "email", "role", "name"});
}

json session() {
  return object(
      {{"user_token", described(str(), "access token (JWT, typ=access); keep it in memory only")},
       {"token_type", one_of_strings({"Bearer"})},
       {"expires_in", integer("seconds until the access token expires")},
       {"expires_at", rfc3339("access token expiry")},
       {"refresh_token",
        nullable(described(str(), "refresh token (JWT, typ=refresh, single use: rotated on every refresh); null "
                                  "for browser sessions, which get it as the HttpOnly iron_refresh cookie"))},
       {"user", ref("UserBrief")},
       {"force_password_change", boolean()}},
      {"user_token", "token_type", "expires_in", "expires_at", "refresh_token", "user", "force_password_change"});
}

json token_validation() {
  json valid = object({{"valid", {{"type", "boolean"}, {"const", true}}},
                       {"user", ref("UserBrief")},
                       {"expires_at", rfc3339("access token expiry")},
                       {"expires_in", integer("seconds until expiry")}},
                      {"valid", "user", "expires_at", "expires_in"});
  json invalid = object({{"valid", {{"type", "boolean"}, {"const", false}}},
                         {"reason", one_of_strings({"TOKEN_EXPIRED", "TOKEN_REVOKED", "TOKEN_INVALID", "USER_INACTIVE"})}},
                        {"valid", "reason"});
  return {{"oneOf", json::array({valid, invalid})}};
}

json health(const std::vector<std::string>& statuses) {
  return object({{"status", one_of_strings(statuses)},
                 {"version", str()},
                 {"build_sha", str()},
                 {"uptime_s", integer("seconds since start")},
                 {"checks", object({{"database", one_of_strings({"ok", "error"})}}, {"database"})}},
                {"status", "version", "build_sha", "uptime_s", "checks"});
}

json api_token_fields(bool with_secret) {
  json props = {
      {"id", integer("token id")},
      {"name", nullable(str(1, 100))},
      {"user_id", described(str(), "owner; the token acts with the owner's current role, capped by its scope")},
      {"project_id", nullable(str(0, 500))},
      {"description", nullable(str(0, 500))},
      {"agent_id", nullable(integer())},
      {"provider", nullable(str(1, 64))},
      {"created_at", ms_time("creation time")},
      {"expires_at", nullable(rfc3339("expiry; null = never"))},
      {"scope", described(one_of_strings({"read", "runtime", "user", "admin", "legacy_full"}),
                          "what the token may do (see createApiToken); legacy_full = created before scopes")},
      {"allowed_models", allowed_models_schema()}};
  if (with_secret) {
    props["token"] = described({{"type", "string"}, {"pattern", "^apitok_[0-9A-Za-z]+$"}},
                               "the secret, shown once only: it is stored as a hash");
    return object(props,
                  {"id", "token", "user_id", "project_id", "description", "agent_id", "provider", "created_at", "scope",
                   "allowed_models"});
  }
  props["last_used_at"] = nullable(ms_time("last use (updated in batches)"));
  props["is_active"] = boolean("false once revoked or rotated");
  return object(props, {"id", "user_id", "project_id", "description", "agent_id", "provider", "created_at",
                        "last_used_at", "is_active", "scope", "allowed_models"});
}

json audit_entry() {
  const json any_json = described(json::object(), "JSON snapshot (secrets never included); null when not applicable");
  return object({{"id", integer("monotonic; newer rows have larger ids")},
                 {"at", rfc3339("when the change happened")},
                 {"actor_id", nullable(str())},
                 {"actor_type", one_of_strings({"user", "api_token", "agent", "system", "anonymous"})},
                 {"action", described(str(), "e.g. auth.login, user.suspend")},
                 {"entity_type", nullable(str())},
                 {"entity_id", nullable(str())},
                 {"before", any_json},
                 {"after", any_json},
                 {"request_id", nullable(str())},
                 {"client_ip", nullable(str())},
                 {"user_agent", nullable(str())}},
                {"id", "at", "actor_id", "actor_type", "action", "entity_type", "entity_id", "before", "after",
                 "request_id", "client_ip", "user_agent"});
}

}  // namespace

json component_schemas() {
  json all = {
      {"ErrorEnvelope", error_envelope()},
      {"Role", described(one_of_strings({"admin", "user", "viewer"}), "admin > user > viewer; viewer never mutates")},
      {"User", user()},
      {"UserBrief", user_brief()},
      {"UserList", object({{"users", array_of(ref("User"))},
                           {"total", integer("matching users")},
                           {"page", integer()},
                           {"page_size", integer()}},
                          {"users", "total", "page", "page_size"})},
      {"Session", session()},
      {"TokenValidation", token_validation()},
      {"Health", health({"ok", "degraded"})},
      {"LegacyHealth", described(health({"healthy", "unhealthy"}),
                                 "the predecessor's shape: status healthy/unhealthy plus a unix timestamp")},
      {"Liveness", object({{"status", one_of_strings({"ok"})}}, {"status"})},
      {"Readiness", object({{"status", one_of_strings({"ready", "not_ready"})},
                            {"checks", object({{"database", one_of_strings({"ok", "error"})},
                                               {"migrations", one_of_strings({"ok", "pending"})},
                                               {"draining", boolean()},
                                               {"storage", described(one_of_strings({"ok", "full"}),
                                                                     "full while writes are refused for lack of "
                                                                     "space (503 STORAGE_FULL); reads still work, "
                                                                     "so the server stays ready")}},
                                              {"database", "migrations", "draining", "storage"})}},
                           {"status", "checks"})},
      {"SetupStatus", object({{"setup_required", boolean("true while no admin account exists")}}, {"setup_required"})},
      {"ApiToken", api_token_fields(false)},
      {"ApiTokenCreated", api_token_fields(true)},
      {"ApiTokenPage", object({{"data", array_of(ref("ApiToken"))}, {"pagination", ref("Pagination")}}, {"data", "pagination"})},
      {"AuditEntry", audit_entry()},
      {"AuditPage", object({{"items", array_of(ref("AuditEntry"))},
                            {"next_cursor", nullable(described(str(), "pass as `cursor` for the next (older) page"))}},
                           {"items", "next_cursor"})},
      {"ProviderKey", provider_key_schema()},
      {"ProviderKeyPage", object({{"data", array_of(ref("ProviderKey"))}, {"pagination", ref("Pagination")}}, {"data", "pagination"})},
      {"ProjectProviderAssignment", project_assignment_schema()},
  };
  all.update(analytics_component_schemas());
  all.update(usage_component_schemas());
  all.update(alert_component_schemas());
  return all;
}

}  // namespace iron::api::openapi
