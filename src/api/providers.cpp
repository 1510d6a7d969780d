// /api/v1/providers (provider API keys) and /api/v1/projects/:project_id/provider (which key
// a project uses). Field names follow the predecessor (reference §2.4, rows 30–36); the
// rules it lacked (no hijacking on create, per-owner projects, masking everywhere, base_url
// credentials sealed, read-only viewers) live in domain/provider_keys. No response ever
// carries the key itself.
#include "api/guard.h"
#include "api/json_body.h"
#include "api/paging.h"
#include "api/responses.h"
#include "api/routes.h"
#include "domain/provider_keys.h"

namespace iron::api {
namespace {

using domain::Principal;

// Set by `serve`; a Services built without it (tools, the OpenAPI test) answers 503.
Response unavailable(const Request& req) {
  return error_response({ErrorKind::unavailable, "UNAVAILABLE", "provider keys are not available on this server", {}, 0},
                        req.request_id);
}

Response create_key(domain::ProviderKeys& keys, const Request& req, const Principal& p) {
  auto body = JsonBody::parse(req);
  if (!body) return error_response(body.error());
  auto provider = body->string("provider", 1, domain::kProviderSlugMax);
  if (!provider) return error_response(provider.error());
  auto api_key = body->string("api_key", 1, domain::kProviderApiKeyMax);
  if (!api_key) return error_response(api_key.error());
  auto base_url = body->opt_string("base_url", domain::kProviderBaseUrlMax);
  if (!base_url) return error_response(base_url.error());
  auto description = body->opt_string("description", domain::kProviderDescriptionMax);
  if (!description) return error_response(description.error());
  domain::NewProviderKey in{*provider, *api_key, *base_url, *description};
  return respond(keys.create(p, in, context_of(req, &p)), 201, domain::provider_key_view, req.request_id);
}

Response list_keys(domain::ProviderKeys& keys, const Request& req, const Principal& p) {
  auto all = query_bool(req, "all");
  if (!all) return error_response(all.error());
  auto page = page_of(req, 25);
  if (!page) return error_response(page.error());
  // Without page/per_page: the predecessor's plain array; with them, one page.
  const bool paged = req.query_param("page") || req.query_param("per_page");
  auto rows = keys.list(p, all->value_or(false), paged ? std::optional(*page) : std::nullopt);
  if (!rows) return error_response(rows.error(), req.request_id);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& k : rows->items) out.push_back(domain::provider_key_view(k));
  if (!paged) return json_response(200, out);
  return json_response(200, {{"data", out}, {"pagination", pagination_json(rows->pagination)}});
}

Response get_key(domain::ProviderKeys& keys, const Request& req, const Principal& p) {
  auto id = path_id(req, "id");
  if (!id) return error_response(id.error());
  return respond(keys.get(p, *id), 200, domain::provider_key_view, req.request_id);
}

// base_url / description: a string sets, "" or null clears, absent leaves unchanged.
Result<std::optional<std::string>> clearable(const JsonBody& body, const std::string& field, size_t max_len) {
  if (body.is_explicit_null(field)) return std::optional<std::string>(std::string());
  return body.opt_string(field, max_len);
}

Response update_key(domain::ProviderKeys& keys, const Request& req, const Principal& p) {
  auto id = path_id(req, "id");
  if (!id) return error_response(id.error());
  auto body = JsonBody::parse(req);
  if (!body) return error_response(body.error());
  // Known fields that cannot change: silently keeping the old secret would mislead.
  for (const char* fixed : {"api_key", "provider"})
    if (body->json().contains(fixed))
      return error_response(Error::validation(fixed, std::string(fixed) + " cannot be changed: create a new key "
                                                                          "and delete this one"));
  domain::ProviderKeyChanges changes;
  auto base_url = clearable(*body, "base_url", domain::kProviderBaseUrlMax);
  if (!base_url) return error_response(base_url.error());
  changes.base_url = *base_url;
  auto description = clearable(*body, "description", domain::kProviderDescriptionMax);
  if (!description) return error_response(description.error());
  changes.description = *description;
  auto enabled = body->opt_bool("is_enabled");
  if (!enabled) return error_response(enabled.error());
  changes.is_enabled = *enabled;
  return respond(keys.update(p, *id, changes, context_of(req, &p)), 200, domain::provider_key_view, req.request_id);
}

Response delete_key(domain::ProviderKeys& keys, const Request& req, const Principal& p) {
  auto id = path_id(req, "id");
  if (!id) return error_response(id.error());
  auto st = keys.remove(p, *id, context_of(req, &p));
  if (!st) return error_response(st.error(), req.request_id);
  return no_content();
}

Response assign_project(domain::ProviderKeys& keys, const Request& req, const Principal& p) {
  auto body = JsonBody::parse(req);
  if (!body) return error_response(body.error());
  auto key_id = body->integer("provider_key_id", 1, INT64_MAX);
  if (!key_id) return error_response(key_id.error());
  return respond(keys.assign(p, req.param("project_id"), *key_id, context_of(req, &p)), 200,
                 domain::project_assignment_view, req.request_id);
}

// ?owner_id= names another user's project (admins only): project ids are per owner.
Response unassign_project(domain::ProviderKeys& keys, const Request& req, const Principal& p) {
  auto st = keys.unassign(p, req.param("project_id"), req.query_param("owner_id"), context_of(req, &p));
  if (!st) return error_response(st.error(), req.request_id);
  return no_content();
}

// Wraps a handler: authentication and role via guarded(), then the domain object.
template <class F>
Handler with_keys(Services& s, Access access, F f) {
  return guarded(s, access, [&s, f](const Request& req, const Principal& p) {
    if (!s.provider_keys) return unavailable(req);
    return f(*s.provider_keys, req, p);
  });
}

}  // namespace

void add_provider_routes(std::vector<Route>& routes, Services& s) {
  routes.push_back({"POST", "/api/v1/providers", with_keys(s, Access::mutate, create_key)});
  routes.push_back({"GET", "/api/v1/providers", with_keys(s, Access::read, list_keys)});
  routes.push_back({"GET", "/api/v1/providers/:id", with_keys(s, Access::read, get_key)});
  routes.push_back({"PUT", "/api/v1/providers/:id", with_keys(s, Access::mutate, update_key)});
  routes.push_back({"DELETE", "/api/v1/providers/:id", with_keys(s, Access::mutate, delete_key)});
  routes.push_back({"POST", "/api/v1/projects/:project_id/provider", with_keys(s, Access::mutate, assign_project)});
  routes.push_back({"DELETE", "/api/v1/projects/:project_id/provider", with_keys(s, Access::mutate, unassign_project)});
}

}  // namespace iron::api
