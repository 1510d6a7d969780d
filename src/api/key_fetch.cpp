// Plaintext provider keys (docs/compatibility.md, Key fetch): GET /api/v1/keys for API
// tokens bound to a project, POST /api/v1/agents/provider-key for an agent's IC token. The
// rules (binding, ownership, enabled, the 10/min rolling limit, audit) live in
// domain/key_fetch. Responses are never cached.
#include "api/body.h"
#include "api/endpoint.h"
#include "api/query.h"
#include "api/routes.h"
#include "domain/key_fetch.h"
#include "util/json_optional.h"

namespace iron::api {
namespace {

using namespace openapi;

Response secret_response(const json& body) {
  Response r = json_response(200, body);
  r.header("Cache-Control", "no-store");
  return r;
}

constexpr const char* kModelText =
    "the model the key will be used for; required when the caller has a model allow-list (docs/model-allow-lists.md)";

struct KeyQuery {
  std::optional<std::string> model;
};
const QueryFields<KeyQuery> kKeyQuery = QueryFields<KeyQuery>().text("model", &KeyQuery::model, 1, 200, kModelText);

struct AgentKeyBody {
  std::optional<std::string> model;
};
const auto kAgentKeyBody = BodyFields<AgentKeyBody>().text("model", &AgentKeyBody::model, 200).domain_min_length(1).describe(kModelText);

// GET /api/v1/keys: an API token only. A session JWT is refused before it is even verified.
Reply fetch_for_token(const Call& c) {
  const auto token = bearer_token(c.req);
  if (!token) return errors::missing_bearer("an Authorization: Bearer apitok_… token is required");
  if (token->rfind("apitok_", 0) != 0)
    return Error::unauthenticated("API_TOKEN_REQUIRED",
                                  "GET /api/v1/keys takes an API token (Bearer apitok_…), not a session token");
  auto who = c.s.api_tokens.authenticate(*token);
  if (!who) return who.error();
  auto q = kKeyQuery.decode(c.req);
  if (!q) return q.error();
  auto key = c.s.key_fetch.for_api_token(*who, context_of(c.req, &who.value()), q->model);
  if (!key) return key.error();
  return secret_response({{"provider", key->provider}, {"api_key", key->api_key}, {"base_url", key->base_url}});
}

// POST /api/v1/agents/provider-key: {ic_token} or Bearer ic_…; the body may be left out.
Reply fetch_for_agent(const Call& c, const AgentKeyBody& in, const std::string& ic) {
  auto key = c.s.key_fetch.for_agent(ic, c.context(), in.model);
  if (!key) return key.error();
  return secret_response(
      {{"provider_key", key->api_key}, {"provider", key->provider}, {"base_url", key->base_url}});
}

}  // namespace

std::vector<Endpoint> key_fetch_endpoints() {
  std::vector<Endpoint> e;
  e.push_back({Op("GET", "/api/v1/keys", "fetchProjectKey", "Fetch the provider key of an API token's project")
                    .tagged("providers")
                    .secured_by(json::array({{{"bearerAuth", json::array()}}}))
                    .query_params(kKeyQuery.parameters())
                    .returns(200, object({{"provider", provider_slug()},
                                          {"api_key", described(str(), "the plaintext provider key")},
                                          {"base_url", nullable(str(0, 2000))}},
                                         {"provider", "api_key", "base_url"}),
                             "The key")
                    .errors(400, {"TOKEN_HAS_NO_PROJECT", "MODEL_REQUIRED", "VALIDATION_ERROR"})
                    .errors(401, {"AUTH_MISSING_TOKEN", "API_TOKEN_REQUIRED", "AUTH_INVALID_TOKEN",
                                  "AUTH_TOKEN_REVOKED", "AUTH_TOKEN_EXPIRED"})
                    .errors(403, {"TOKEN_SCOPE_INSUFFICIENT", "USE_HANDSHAKE", "KEY_DISABLED", "MODEL_NOT_ALLOWED"})
                    .errors(404, {"NO_KEY_ASSIGNED"})
                    .errors(429, {"RATE_LIMIT_EXCEEDED"})
                    .errors(503, {"STORAGE_FULL"}),  // the audit row cannot be written
               fetch_for_token});
  e.push_back({Op("POST", "/api/v1/agents/provider-key", "fetchAgentProviderKey", "Fetch an agent's own provider key")
                    .tagged("agents")
                    .auth(Auth::agent)
                    .returns(200, object({{"provider_key", described(str(), "the plaintext provider key")},
                                          {"provider", provider_slug()},
                                          {"base_url", nullable(str(0, 2000))}},
                                         {"provider_key", "provider", "base_url"}),
                             "The key")
                    .errors(400, {"MODEL_REQUIRED", "VALIDATION_ERROR"})
                    .errors(403, {"NO_PROVIDER_ASSIGNED", "KEY_DISABLED", "MODEL_NOT_ALLOWED"}),
               with_agent_body(kAgentKeyBody, fetch_for_agent, /*required=*/false)});
  return e;
}

}  // namespace iron::api
