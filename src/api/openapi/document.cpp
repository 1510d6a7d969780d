// Turns the endpoints' entries (api/routes.h: all_endpoints) and their Markdown descriptions
// (descriptions.h) into the OpenAPI 3.1 document, adding what every route shares: path
// parameters, the error envelope for auth / body / 500 errors, the X-Request-Id and Retry-After
// headers, and the security requirement of its access level.
#include <algorithm>
#include <map>
#include <utility>

#include "api/openapi/descriptions.h"
#include "api/openapi/spec.h"
#include "api/openapi_document.h"
#include "api/agent_views.h"
#include "api/routes.h"
#include "util/build_info.h"

namespace iron::api {
namespace openapi {

Op& Op::query(std::string name, json schema, std::string description) {
  parameters.push_back({{"name", std::move(name)}, {"in", "query"}, {"required", false},
                        {"description", std::move(description)}, {"schema", std::move(schema)}});
  return *this;
}

Op& Op::header(std::string name, json schema, std::string description) {
  parameters.push_back({{"name", std::move(name)}, {"in", "header"}, {"required", false},
                        {"description", std::move(description)}, {"schema", std::move(schema)}});
  return *this;
}

Op& Op::csv_export() {
  csv = true;
  return query("format", one_of_strings({"json", "csv"}),
               "csv: every matching row as a streamed RFC 4180 attachment (paging ignored; money in dollars with six "
               "decimals, times RFC 3339 UTC); `Accept: text/csv` does the same");
}

namespace {

const char* reason(int status) {
  switch (status) {
    case 400: return "Bad request: malformed or invalid input (`details.field` names the field)";
    case 401: return "Not authenticated: missing, invalid, expired or revoked credentials";
    case 403: return "Forbidden";
    case 404: return "Not found (or not yours: another user's resource is not revealed)";
    case 409: return "Conflict with the current state";
    case 413: return "Request body too large";
    case 415: return "Request body must be JSON with Content-Type: application/json";
    case 422: return "Unprocessable";
    case 429: return "Too many requests: retry after `Retry-After` seconds";
    case 500: return "Internal error: the message says only INTERNAL and `details.request_id`; the log has the rest";
    case 503: return "Unavailable: retry after `Retry-After` seconds";
    default: return "Error";
  }
}

json header_ref(const std::string& name) { return {{"$ref", "#/components/headers/" + name}}; }

json error_response(int status, const std::vector<std::string>& codes) {
  std::string description = reason(status);
  if (!codes.empty()) {
    description += ". Codes: ";
    for (size_t i = 0; i < codes.size(); ++i) description += (i ? ", " : "") + codes[i];
    description += ".";
  }
  json r = {{"description", description},
            {"headers", {{"X-Request-Id", header_ref("XRequestId")}}},
            {"content", {{"application/json", {{"schema", ref("ErrorEnvelope")}}}}},
            {"x-error-codes", codes}};
  if (status == 429 || status == 503) r["headers"]["Retry-After"] = header_ref("RetryAfter");
  return r;
}

std::vector<std::string> path_param_names(const std::string& pattern) {
  std::vector<std::string> names;
  size_t pos = 0;
  while ((pos = pattern.find("/:", pos)) != std::string::npos) {
    const size_t start = pos + 2;
    const size_t end = pattern.find('/', start);
    names.push_back(pattern.substr(start, end == std::string::npos ? std::string::npos : end - start));
    pos = start;
  }
  return names;
}

// The errors an operation can answer with: derived ones first, then its own, then 500.
std::map<int, std::vector<std::string>> errors_of(const Op& op) {
  std::map<int, std::vector<std::string>> out;
  auto add = [&out](int status, const std::vector<std::string>& codes) {
    auto& list = out[status];
    for (const auto& c : codes)
      if (std::find(list.begin(), list.end(), c) == list.end()) list.push_back(c);
  };
  const bool bearer = op.access == Auth::read || op.access == Auth::mutate || op.access == Auth::admin ||
                      op.access == Auth::self_service;
  if (bearer) {
    add(401, {"AUTH_MISSING_TOKEN", "AUTH_INVALID_TOKEN", "AUTH_TOKEN_REVOKED", "AUTH_ACCOUNT_DISABLED"});
    if (op.access != Auth::self_service) add(403, {"PASSWORD_CHANGE_REQUIRED"});
    add(403, {"TOKEN_SCOPE_INSUFFICIENT"});  // an API token whose scope excludes the route (guard.cpp)
    if (op.access == Auth::mutate || op.access == Auth::admin) add(403, {"INSUFFICIENT_PERMISSIONS"});
  }
  if (op.access == Auth::agent) add(401, {"IC_TOKEN_MISSING", "INVALID_IC_TOKEN"});
  if (op.integer_id) add(400, {"INVALID_PARAMETER"});
  // Text path parameters with control characters or ill-formed UTF-8 are refused (routes.cpp).
  if (!op.integer_id && !path_param_names(op.pattern).empty()) add(400, {"VALIDATION_ERROR"});
  for (const auto& p : op.parameters)
    if (p["in"] == "query") add(400, {"VALIDATION_ERROR"});
  if (!op.body_schema.is_null()) {
    const bool has_required = op.body_schema.contains("required") && !op.body_schema["required"].empty();
    add(400, {"MALFORMED_JSON", "INVALID_JSON", "VALIDATION_ERROR"});
    if (has_required) add(400, {"MISSING_FIELD"});
    add(413, {"PAYLOAD_TOO_LARGE"});
    add(415, {"UNSUPPORTED_MEDIA_TYPE"});
  }
  for (const auto& [status, codes] : op.own_errors) add(status, codes);
  // Any change can be refused for lack of space (endpoint.cpp); the GETs that write declare it.
  if (op.method != "GET") add(503, {"STORAGE_FULL"});
  add(500, {"INTERNAL"});
  return out;
}

const char* role_needed(Auth a) {
  switch (a) {
    case Auth::read: return "viewer";
    case Auth::mutate: return "user";
    case Auth::admin: return "admin";
    case Auth::self_service: return "viewer";
    default: return nullptr;
  }
}

std::string access_note(Auth a) {
  switch (a) {
    case Auth::none: return "**Access:** public.";
    case Auth::read: return "**Access:** any authenticated role (viewer, user, admin).";
    case Auth::mutate: return "**Access:** user or admin; viewers are read-only (403).";
    case Auth::admin: return "**Access:** admin only (403 otherwise).";
    case Auth::self_service: return "**Access:** any authenticated role, also while a password change is forced.";
    case Auth::agent:
    case Auth::custom: return "";
  }
  return "";
}

json operation(const Op& op) {
  json o = {{"operationId", op.id}, {"summary", op.summary}, {"tags", json::array({op.tag})}};
  std::string description = access_note(op.access);
  std::string own;  // the family's opening sentence, the operation's Markdown, the closing one
  for (const std::string_view part : {std::string_view(op.lead), description_of(op.id), std::string_view(op.trailer)})
    if (!part.empty()) own.append(own.empty() ? "" : " ").append(part);
  if (!own.empty()) description += (description.empty() ? "" : "\n\n") + own;
  if (!description.empty()) o["description"] = description;
  if (const char* role = role_needed(op.access)) o["x-required-role"] = role;

  json params = json::array();
  for (const auto& name : path_param_names(op.pattern)) {
    json schema = {{"type", "string"}};
    for (const auto& [n, s] : op.path_schemas)
      if (n == name) schema = s;
    params.push_back({{"name", name}, {"in", "path"}, {"required", true}, {"schema", schema}});
  }
  for (const auto& p : op.parameters) params.push_back(p);
  if (!params.empty()) o["parameters"] = params;

  if (!op.body_schema.is_null())
    o["requestBody"] = {{"required", op.body_required},
                        {"content", {{"application/json", {{"schema", op.body_schema}}}}}};

  json responses = json::object();
  json ok = {{"description", op.success_description}, {"headers", op.success_headers}};
  ok["headers"]["X-Request-Id"] = header_ref("XRequestId");
  // The edge adds it to every /api/ answer whose route chose none (server/security_headers.h).
  if (op.access != Auth::none && op.pattern.rfind("/api/", 0) == 0 && !ok["headers"].contains("Cache-Control"))
    ok["headers"]["Cache-Control"] = header_ref("CacheControlNoStore");
  if (!op.success_schema.is_null()) ok["content"] = {{op.success_media, {{"schema", op.success_schema}}}};
  if (op.csv) {
    ok["content"]["text/csv"] = {{"schema", {{"type", "string"}, {"description", "RFC 4180 CSV, header row first"}}}};
    ok["headers"]["Content-Disposition"] = {{"description", "CSV only: attachment; filename=\"ironpanel-….csv\""},
                                            {"schema", {{"type", "string"}}}};
  }
  responses[std::to_string(op.success_status)] = ok;
  for (const auto& [status, response] : op.plain_responses) responses[std::to_string(status)] = response;
  for (const auto& [status, codes] : errors_of(op))
    if (!responses.contains(std::to_string(status))) responses[std::to_string(status)] = error_response(status, codes);
  o["responses"] = responses;

  if (op.access == Auth::none) o["security"] = json::array();
  else if (op.access == Auth::custom) o["security"] = op.security;
  else if (op.access == Auth::agent) o["security"] = json::array({{{"icToken", json::array()}}, json::object()});
  else o["security"] = json::array({{{"bearerAuth", json::array()}}});
  return o;
}

json components() {
  return {
      {"schemas", [] {
         json all = component_schemas();
         all.update(iron::api::agent_component_schemas());
         return all;
       }()},
      {"securitySchemes",
       {{"bearerAuth",
         {{"type", "http"}, {"scheme", "bearer"}, {"bearerFormat", "JWT or apitok_"},
          {"description", "An access token (JWT, typ=access, from /api/v1/auth/login or /refresh) or an API token "
                          "(`apitok_…`, acting with its owner's current role). Re-checked against the database on "
                          "every request: suspension, deletion and role changes apply at once."}}},
        {"refreshCookie",
         {{"type", "apiKey"}, {"in", "cookie"}, {"name", "iron_refresh"},
          {"description", "Browser sessions: the refresh token as an HttpOnly SameSite=Strict cookie scoped to "
                          "<base>api/v1/auth. Honoured only with an `X-Requested-With` header (CSRF)."}}},
        {"icToken",
         {{"type", "http"}, {"scheme", "bearer"}, {"bearerFormat", "ic_<agent id>_<secret>"},
          {"description", "An agent's IC token (or the body field `ic_token`), checked against the stored hash "
                          "on every call."}}},
        {"metricsToken",
         {{"type", "http"}, {"scheme", "bearer"},
          {"description", "The metrics bearer token, when one is configured (IRON_METRICS_TOKEN)."}}}}},
      {"headers",
       {{"RetryAfter", {{"description", "Seconds to wait before retrying"},
                        {"schema", {{"type", "integer"}, {"minimum", 0}}}}},
        {"CacheControlNoStore", {{"description", "`no-store`: answers to authenticated requests are never cached"},
                                 {"schema", {{"type", "string"}, {"const", "no-store"}}}}},
        {"XRequestId", {{"description", "The request id (echoed from a valid incoming X-Request-Id, else generated); "
                                        "it is in every log line of the request"},
                        {"schema", {{"type", "string"}}}}}}},
  };
}

json tags() {
  // Name and description of each tag, in the order the document lists them.
  static const std::pair<const char*, const char*> kTags[] = {
      {"health", "Liveness, readiness and health for probes and load balancers"},
      {"meta", "The API contract and metrics"},
      {"auth", "Sessions: login, refresh-token rotation, logout, token validation"},
      {"account", "The caller's own account"},
      {"setup", "First-admin bootstrap on an empty database"},
      {"users", "User management (admin)"},
      {"api-tokens", "Personal API tokens (`apitok_…`)"},
      {"audit", "The append-only audit log (admin)"},
      {"providers", "Provider API keys (OpenAI, Anthropic, ...), encrypted at rest, always masked"},
      {"projects", "Which provider key a project uses"},
      {"analytics", "Usage events from agents (IC token) and owner-scoped spend and usage reads"},
      {"system", "Installation facts and database backups (admin)"},
      {"alerts", "Alert delivery: notification channels, rules, delivery log (admin)"},
  };
  json out = json::array();
  for (const auto& [name, description] : kTags) out.push_back({{"name", name}, {"description", description}});
  return out;
}

const char* kDescription =
    "The ironpanel control-panel API.\n\n"
    "- JSON, UTF-8; request bodies need `Content-Type: application/json` (else 415). Unknown fields are ignored; "
    "known fields are type-checked.\n"
    "- Every error is `{\"error\":{\"code\",\"message\",\"details\"}}` (component ErrorEnvelope); 429 and 503 "
    "carry `Retry-After`. An unknown API path is 404 NOT_FOUND; a known path with another method is 405 "
    "METHOD_NOT_ALLOWED with an `Allow` header.\n"
    "- Every response has an `X-Request-Id` header.\n"
    "- Any operation can also be answered by the HTTP edge, in the same envelope and with `Connection: close`: "
    "400 BAD_REQUEST (malformed framing: a `Transfer-Encoding` other than `chunked`, a bad `Content-Length`, "
    "bare-LF line endings), 408 REQUEST_TIMEOUT (headers not complete within 10 s, or the body stalled), "
    "414 URI_TOO_LONG, 431 HEADERS_TOO_LARGE, 503 TOO_MANY_CONNECTIONS (per client address) and 503 "
    "SHUTTING_DOWN. A request without `Content-Length` or `Transfer-Encoding` has an empty body.\n"
    "- Paths are relative to the server's base path (`--base-path`, default `/`); the server URL below resolves "
    "against this document's own location.\n"
    "- Times: fields kept from the predecessor are integers in milliseconds since the epoch; new fields are RFC 3339 "
    "strings.";

json build() {
  json paths = json::object();
  for (const auto& e : all_endpoints()) {
    const Op& op = e.doc;
    std::string method = op.method;
    std::transform(method.begin(), method.end(), method.begin(), ::tolower);
    paths[openapi_path(op.pattern)][method] = operation(op);
  }
  return {
      {"openapi", "3.1.0"},
      {"info", {{"title", "ironpanel API"}, {"version", util::build_version()}, {"description", kDescription}}},
      {"servers", json::array({{{"url", "../.."}, {"description", "the panel's base path (this document is at "
                                                                  "<base>api/v1/openapi.json)"}}})},
      {"security", json::array({{{"bearerAuth", json::array()}}})},
      {"tags", tags()},
      {"paths", paths},
      {"components", components()},
  };
}

}  // namespace
}  // namespace openapi

std::string openapi_path(std::string_view router_pattern) {
  std::string out;
  size_t pos = 0;
  while (pos < router_pattern.size()) {
    size_t slash = router_pattern.find('/', pos + 1);
    if (slash == std::string_view::npos) slash = router_pattern.size();
    std::string_view segment = router_pattern.substr(pos, slash - pos);  // "/name" or "/:name"
    if (segment.size() > 1 && segment[1] == ':') out += "/{" + std::string(segment.substr(2)) + "}";
    else out += segment;
    pos = slash;
  }
  return out;
}

const nlohmann::json& openapi_document() {
  static const nlohmann::json doc = openapi::build();
  return doc;
}

}  // namespace iron::api
