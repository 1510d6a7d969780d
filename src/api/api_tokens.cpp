// /api/v1/api-tokens: create, list, get, update, rotate, revoke, and the public validate.
// Paths and field names follow the predecessor (§2.3); ms-epoch integers for its fields,
// RFC 3339 for the new expires_at. The secret appears only in create and rotate responses.
#include "api/guard.h"
#include "api/json_body.h"
#include "api/paging.h"
#include "api/responses.h"
#include "api/routes.h"
#include "domain/api_tokens.h"
#include "util/clock.h"

namespace iron::api {
namespace {

nlohmann::json issued_view(const domain::IssuedApiToken& issued) {
  const auto v = domain::api_token_view(issued.token);
  return {{"id", v["id"]},
          {"token", issued.secret},
          {"user_id", v["user_id"]},
          {"project_id", v["project_id"]},
          {"description", v["description"]},
          {"name", v["name"]},
          {"agent_id", v["agent_id"]},
          {"provider", v["provider"]},
          {"created_at", v["created_at"]},
          {"expires_at", v["expires_at"]},
          {"scope", v["scope"]}};
}

Response secret_response(int status, const domain::IssuedApiToken& issued) {
  Response r = json_response(status, issued_view(issued));
  r.header("Cache-Control", "no-store");
  return r;
}

Error unavailable() {
  return Error{ErrorKind::unavailable, "UNAVAILABLE", "API tokens are not available on this server", {}, 0};
}

Response create(Services& s, const Request& req, const domain::Principal& p) {
  auto body = JsonBody::parse(req);
  if (!body) return error_response(body.error());
  domain::NewApiToken in;
  auto name = body->opt_string("name", 100);
  if (!name) return error_response(name.error());
  auto description = body->opt_string("description", 500);
  if (!description) return error_response(description.error());
  auto project_id = body->opt_string("project_id", 500);
  if (!project_id) return error_response(project_id.error());
  auto agent_id = body->opt_int("agent_id", 1, INT64_MAX);
  if (!agent_id) return error_response(agent_id.error());
  auto provider = body->opt_string("provider", 64);
  if (!provider) return error_response(provider.error());
  auto user_id = body->opt_string("user_id", 255);
  if (!user_id) return error_response(user_id.error());
  auto scope = body->opt_string("scope", 32);
  if (!scope) return error_response(scope.error());
  auto expires_at = body->opt_string("expires_at", 64);
  if (!expires_at) return error_response(expires_at.error());
  if (*expires_at) {
    const auto t = util::parse_rfc3339(**expires_at);
    if (!t) return error_response(Error::validation("expires_at", "expires_at must be an RFC 3339 date-time"));
    in.expires_at_ms = util::to_unix_ms(*t);
  }
  in.name = *name;
  in.description = *description;
  in.project_id = *project_id;
  in.agent_id = *agent_id;
  in.provider = *provider;
  in.user_id = *user_id;
  in.scope = *scope;
  auto issued = s.api_tokens->create(p, in, context_of(req, &p));
  if (!issued) return error_response(issued.error(), req.request_id);
  return secret_response(201, *issued);
}

// ?user_id=<id> lists that user's tokens, ?user_id=* everyone's: admins only (403 otherwise).
// ?status= narrows to active | expired | inactive. Without page/per_page the answer is the
// predecessor's plain array; with them, one page as {data, pagination}.
Response list(Services& s, const Request& req, const domain::Principal& p) {
  domain::ApiTokens::ListQuery q;
  q.owner = req.query_param("user_id");
  if (q.owner && (q.owner->empty() || q.owner->size() > 255))
    return error_response(Error::validation("user_id", "user_id must be a user id or *"));
  q.status = req.query_param("status");
  if (q.status && *q.status != "active" && *q.status != "expired" && *q.status != "inactive")
    return error_response(Error::validation("status", "status must be active, expired or inactive"));
  auto page = page_of(req, 25);
  if (!page) return error_response(page.error());
  if (req.query_param("page") || req.query_param("per_page")) q.page = *page;
  auto rows = s.api_tokens->list(p, q);
  if (!rows) return error_response(rows.error(), req.request_id);
  nlohmann::json out = nlohmann::json::array();
  for (const auto& t : rows->items) out.push_back(domain::api_token_view(t));
  if (!q.page) return json_response(200, out);
  return json_response(200, {{"data", out}, {"pagination", pagination_json(rows->pagination)}});
}

Response get(Services& s, const Request& req, const domain::Principal& p) {
  auto id = path_id(req, "id");
  if (!id) return error_response(id.error());
  return respond(s.api_tokens->get(p, *id), 200, domain::api_token_view, req.request_id);
}

Response update(Services& s, const Request& req, const domain::Principal& p) {
  auto id = path_id(req, "id");
  if (!id) return error_response(id.error());
  auto body = JsonBody::parse(req);
  if (!body) return error_response(body.error());
  // A scope is fixed at creation: silently keeping the old one would mislead.
  if (body->has("scope"))
    return error_response(Error::validation("scope", "scope cannot be changed: create a new token and revoke this one"));
  domain::ApiTokenPatch patch;
  auto provider = body->opt_string("provider", 64);
  if (!provider) return error_response(provider.error());
  auto name = body->opt_string("name", 100);
  if (!name) return error_response(name.error());
  auto description = body->opt_string("description", 500);
  if (!description) return error_response(description.error());
  patch.provider = *provider;
  patch.name = *name;
  patch.description = *description;
  return respond(s.api_tokens->update(p, *id, patch, context_of(req, &p)), 200, domain::api_token_view,
                 req.request_id);
}

Response rotate(Services& s, const Request& req, const domain::Principal& p) {
  auto id = path_id(req, "id");
  if (!id) return error_response(id.error());
  auto issued = s.api_tokens->rotate(p, *id, context_of(req, &p));
  if (!issued) return error_response(issued.error(), req.request_id);
  return secret_response(200, *issued);
}

Response revoke(Services& s, const Request& req, const domain::Principal& p) {
  auto id = path_id(req, "id");
  if (!id) return error_response(id.error());
  auto t = s.api_tokens->revoke(p, *id, context_of(req, &p));
  if (!t) return error_response(t.error(), req.request_id);
  return json_response(200, {{"id", t->id}, {"revoked", true}, {"message", "API token revoked"}});
}

// Public: says nothing beyond {valid:false} for a token it cannot match or cannot honour.
Response validate(Services& s, const Request& req) {
  auto body = JsonBody::parse(req);
  if (!body) return error_response(body.error());
  auto token = body->string("token", 1, 4096);
  if (!token) return error_response(token.error());
  const auto t = s.api_tokens->validate(*token);
  if (!t) return json_response(200, {{"valid", false}});
  return json_response(200, {{"valid", true},
                             {"user_id", t->user_id},
                             {"project_id", t->project_id ? nlohmann::json(*t->project_id) : nlohmann::json(nullptr)},
                             {"token_id", t->id}});
}

// Wraps a handler so a server built without the token service answers 503, not a crash.
template <class F>
AuthedHandler with_service(Services& s, F f) {
  return [&s, f](const Request& req, const domain::Principal& p) -> Response {
    if (!s.api_tokens) return error_response(unavailable());
    return f(req, p);
  };
}

}  // namespace

void add_api_token_routes(std::vector<Route>& routes, Services& s) {
  const std::string base = "/api/v1/api-tokens";
  routes.push_back({"POST", base, guarded(s, Access::mutate, with_service(s, [&s](const Request& r, const domain::Principal& p) {
                      return create(s, r, p);
                    }))});
  routes.push_back({"GET", base, guarded(s, Access::read, with_service(s, [&s](const Request& r, const domain::Principal& p) {
                      return list(s, r, p);
                    }))});
  routes.push_back({"POST", base + "/validate", [&s](const Request& r) {
                      if (!s.api_tokens) return error_response(unavailable());
                      return validate(s, r);
                    }});
  routes.push_back({"GET", base + "/:id", guarded(s, Access::read, with_service(s, [&s](const Request& r, const domain::Principal& p) {
                      return get(s, r, p);
                    }))});
  routes.push_back({"PUT", base + "/:id", guarded(s, Access::mutate, with_service(s, [&s](const Request& r, const domain::Principal& p) {
                      return update(s, r, p);
                    }))});
  routes.push_back({"DELETE", base + "/:id", guarded(s, Access::mutate, with_service(s, [&s](const Request& r, const domain::Principal& p) {
                      return revoke(s, r, p);
                    }))});
  routes.push_back({"POST", base + "/:id/rotate", guarded(s, Access::mutate, with_service(s, [&s](const Request& r, const domain::Principal& p) {
                      return rotate(s, r, p);
                    }))});
}

}  // namespace iron::api
