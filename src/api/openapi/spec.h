#pragma once
// The building blocks of the OpenAPI 3.1 document (GET /api/v1/openapi.json): one `Op` per
// registered route, declared beside its handler (api/endpoint.h), turned into the document by
// document.cpp. The errors every route shares (auth, body decoding, 500) are derived from
// the op's access level and body, so each table row lists only its own error codes.
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

namespace iron::api::openapi {

using nlohmann::json;

// Who may call an operation; mirrors api::Access in guard.h plus the public routes.
enum class Auth {
  none,          // public
  read,          // any authenticated role (viewer included)
  mutate,        // user or admin: viewers get 403
  admin,         // admin only
  self_service,  // any role, allowed while a password change is forced
  agent,         // an agent's IC token (body field ic_token or Bearer ic_…; api/guard.h agent_token_of)
  custom,        // the op sets its own `security` (refresh, logout, validate, metrics)
};

struct Op {
  std::string method;     // GET, POST, PUT, PATCH, DELETE
  std::string pattern;    // router syntax: /api/v1/users/:id
  std::string id;         // operationId
  std::string summary;
  std::string tag;
  Auth access = Auth::read;
  // The description is the operation's Markdown section (openapi/descriptions.h), between the
  // sentences a family's operations share, which stay in code beside the builder that adds them.
  std::string lead;                                   // opens the description
  std::string trailer;                                // closes it
  std::vector<std::pair<std::string, json>> path_schemas;  // path param name -> schema
  std::vector<json> parameters;                       // query / header parameter objects
  json body_schema = nullptr;                         // request body; null = none
  bool body_required = true;
  int success_status = 200;
  json success_schema = nullptr;                      // null = no body (204)
  std::string success_description = "Success";
  std::string success_media = "application/json";
  json success_headers = json::object();
  std::vector<std::pair<int, std::vector<std::string>>> own_errors;  // status -> codes (envelope)
  std::vector<std::pair<int, json>> plain_responses;  // extra non-envelope responses (status -> response)
  json security = nullptr;                            // for Auth::custom
  bool csv = false;                                   // the success also comes as text/csv (csv_export)
  bool integer_id = false;                            // path params are positive integers (400 INVALID_PARAMETER)

  Op(std::string m, std::string p, std::string op_id, std::string s)
      : method(std::move(m)), pattern(std::move(p)), id(std::move(op_id)), summary(std::move(s)) {}

  // Fluent setters, so a table row reads top to bottom.
  Op& tagged(std::string t) {
    tag = std::move(t);
    return *this;
  }
  Op& auth(Auth a) {
    access = a;
    return *this;
  }
  Op& opens_with(std::string sentence) {
    lead = std::move(sentence);
    return *this;
  }
  Op& closes_with(std::string sentence) {
    trailer = std::move(sentence);
    return *this;
  }
  Op& path_param(std::string name, json schema) {
    path_schemas.emplace_back(std::move(name), std::move(schema));
    return *this;
  }
  Op& integer_ids() {
    integer_id = true;
    return *this;
  }
  Op& query(std::string name, json schema, std::string description);
  // The parameters of the operation's query table (api/query.h QueryFields::parameters).
  Op& query_params(const std::vector<json>& params) {
    parameters.insert(parameters.end(), params.begin(), params.end());
    return *this;
  }
  Op& header(std::string name, json schema, std::string description);
  Op& body(json schema, bool required = true) {
    body_schema = std::move(schema);
    body_required = required;
    return *this;
  }
  Op& returns(int status, json schema, std::string description = "Success") {
    success_status = status;
    success_schema = std::move(schema);
    success_description = std::move(description);
    return *this;
  }
  Op& returns_text(std::string media, std::string description) {
    success_media = std::move(media);
    success_schema = {{"type", "string"}};
    success_description = std::move(description);
    return *this;
  }
  Op& no_content(std::string description) {
    success_status = 204;
    success_schema = nullptr;
    success_description = std::move(description);
    return *this;
  }
  Op& response_header(std::string name, std::string description, json schema = {{"type", "string"}}) {
    success_headers[name] = {{"description", std::move(description)}, {"schema", std::move(schema)}};
    return *this;
  }
  Op& errors(int status, std::vector<std::string> codes) {
    own_errors.emplace_back(status, std::move(codes));
    return *this;
  }
  Op& plain_response(int status, json response) {
    plain_responses.emplace_back(status, std::move(response));
    return *this;
  }
  // Also answers text/csv with ?format=csv or Accept: text/csv (api/csv.h).
  Op& csv_export();
  // Applies a recurring combination of the setters above, written once by the family that
  // repeats it (e.g. api/auth.cpp session_answer).
  template <class F>
  Op& with(F&& setters) {
    setters(*this);
    return *this;
  }
  Op& secured_by(json s) {
    access = Auth::custom;
    security = std::move(s);
    return *this;
  }
};

// The operations of one resource family, called like a function: `ops(method, pattern,
// operationId, summary[, access])`. Each is tagged `tag`; one whose pattern names `:id` takes
// that path parameter (`id_schema`, checked as a positive integer before the action when
// `integer_ids`) and answers 404 `not_found` for an unknown one.
struct Resource {
  std::string tag;
  Auth access = Auth::read;  // when the call names none
  json id_schema = nullptr;
  bool integer_ids = true;
  std::string not_found = "NOT_FOUND";

  Op operator()(std::string method, std::string pattern, std::string id, std::string summary) const {
    return (*this)(std::move(method), std::move(pattern), std::move(id), std::move(summary), access);
  }
  Op operator()(std::string method, std::string pattern, std::string id, std::string summary, Auth a) const {
    Op op(std::move(method), std::move(pattern), std::move(id), std::move(summary));
    op.tagged(tag).auth(a);
    if (op.pattern.find(":id") != std::string::npos) {
      op.path_param("id", id_schema);
      if (integer_ids) op.integer_ids();
      op.errors(404, {not_found});
    }
    return op;
  }
};

// Schema helpers (JSON Schema 2020-12, as OpenAPI 3.1 uses it).
json ref(const std::string& schema_name);                    // {"$ref":"#/components/schemas/NAME"}
json str(size_t min_len = 0, size_t max_len = 0);            // max 0 = unbounded
json str_fmt(const std::string& format, const std::string& description = "");
json one_of_strings(const std::vector<std::string>& values);
json integer(const std::string& description = "");
json integer_range(int64_t min, int64_t max, const std::string& description = "");
json boolean(const std::string& description = "");
json nullable(json schema);                                  // type: [T, "null"]
json array_of(json items);
json object(json properties, std::vector<std::string> required);
json described(json schema, const std::string& description);
json ms_time(const std::string& description);                // ms since the epoch (predecessor fields)
json rfc3339(const std::string& description);
// Shared field schemas.
json provider_slug();   // openai, anthropic, or any other [a-z0-9_-]{1,64}
json user_id_schema();  // user_<uuid>

// Component schemas: the shared ones (components.cpp) and those a family owns, defined
// beside its endpoints.
json component_schemas();
json provider_key_schema();          // providers.cpp
json project_assignment_schema();    // providers.cpp
json analytics_component_schemas();  // analytics_schemas.cpp
json analytics_event_input_schema(); // analytics_schemas.cpp (AnalyticsEventInput)
json usage_component_schemas();      // usage.cpp
json alert_component_schemas();      // alert_channels.cpp
json alert_rule_schema();            // alert_rules.cpp

}  // namespace iron::api::openapi
