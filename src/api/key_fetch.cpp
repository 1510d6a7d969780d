// Plaintext provider keys (docs/compatibility.md, Key fetch): GET /api/v1/keys for API
// tokens bound to a project, POST /api/v1/agents/provider-key for an agent's IC token. The
// rules (binding, ownership, enabled, the 10/min rolling limit, audit) live in
// domain/key_fetch. Responses are never cached.
#include "api/guard.h"
#include "api/json_body.h"
#include "api/responses.h"
#include "api/routes.h"
#include "domain/key_fetch.h"

namespace iron::api {
namespace {

using nlohmann::json;

Error unavailable() {
  return Error{ErrorKind::unavailable, "UNAVAILABLE", "key fetching is not available on this server", {}, 0};
}

json nullable(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }

Response secret_response(const json& body) {
  Response r = json_response(200, body);
  r.header("Cache-Control", "no-store");
  return r;
}

// GET /api/v1/keys: an API token only. A session JWT is refused before it is even verified.
Response fetch_for_token(Services& s, const Request& req) {
  if (!s.key_fetch || !s.authenticate_api_token) return error_response(unavailable());
  const auto token = bearer_token(req);
  if (!token)
    return error_response(Error::unauthenticated("AUTH_MISSING_TOKEN", "an Authorization: Bearer apitok_… token is required"));
  if (token->rfind("apitok_", 0) != 0)
    return error_response(Error::unauthenticated("API_TOKEN_REQUIRED",
                                                 "GET /api/v1/keys takes an API token (Bearer apitok_…), not a "
                                                 "session token"));
  auto who = s.authenticate_api_token(*token);
  if (!who) return error_response(who.error(), req.request_id);
  auto key = s.key_fetch->for_api_token(*who, context_of(req, &who.value()));
  if (!key) return error_response(key.error(), req.request_id);
  return secret_response({{"provider", key->provider}, {"api_key", key->api_key}, {"base_url", nullable(key->base_url)}});
}

// POST /api/v1/agents/provider-key: {ic_token} or Bearer ic_….
Response fetch_for_agent(Services& s, const Request& req) {
  if (!s.key_fetch) return error_response(unavailable());
  auto body = JsonBody::parse(req, true);
  if (!body) return error_response(body.error());
  auto field = body->opt_string("ic_token", 2000);
  if (!field) return error_response(field.error());
  std::string ic;
  if (*field && !(*field)->empty()) ic = **field;
  else if (auto b = bearer_token(req); b && b->rfind("ic_", 0) == 0) ic = *b;
  else
    return error_response(
        Error::unauthenticated("IC_TOKEN_MISSING", "an IC token is required (body field ic_token or Bearer ic_…)"));
  auto key = s.key_fetch->for_agent(ic, context_of(req));
  if (!key) return error_response(key.error(), req.request_id);
  return secret_response(
      {{"provider_key", key->api_key}, {"provider", key->provider}, {"base_url", nullable(key->base_url)}});
}

}  // namespace

void add_key_fetch_routes(std::vector<Route>& routes, Services& s) {
  routes.push_back({"GET", "/api/v1/keys", [&s](const Request& r) { return fetch_for_token(s, r); }});
  routes.push_back({"POST", "/api/v1/agents/provider-key", [&s](const Request& r) { return fetch_for_agent(s, r); }});
}

}  // namespace iron::api
