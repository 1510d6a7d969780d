// /api/v1/api-tokens: create, list, get, update, rotate, revoke, and the public validate.
// Paths and field names follow the predecessor (docs/compatibility.md); ms-epoch integers for its fields,
// RFC 3339 for the new expires_at. The secret appears only in create and rotate responses.
#include "api/body.h"
#include "api/endpoint.h"
#include "api/model_allow_list_field.h"
#include "api/paging.h"
#include "api/routes.h"
#include "domain/api_tokens.h"
#include "util/clock.h"
#include "util/json_optional.h"

namespace iron::api {
namespace {

using namespace openapi;

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
          {"scope", v["scope"]},
          {"allowed_models", v["allowed_models"]}};
}

Reply secret_response(int status, const Result<domain::IssuedApiToken>& issued) {
  if (!issued) return issued.error();
  Response r = json_response(status, issued_view(issued.value()));
  r.header("Cache-Control", "no-store");
  return r;
}

using domain::NewApiToken;
// A name's characters, the scopes and who may create for whom are the domain's rules.
const auto kNewToken = BodyFields<NewApiToken>()
    .text("name", &NewApiToken::name, 100)
    .schema_with({{"minLength", 1}, {"pattern", "^[^\\x00<>]*$"}}).describe("1..100 characters, no NUL, < or >")
    .text("description", &NewApiToken::description, 500)
    .text("project_id", &NewApiToken::project_id, 500)
    .integer("agent_id", &NewApiToken::agent_id, 1, INT64_MAX)
    .describe("an agent of the token's owner (404 AGENT_NOT_FOUND otherwise)")
    .text("provider", &NewApiToken::provider, 64).schema_with({{"minLength", 1}})
    .text("user_id", &NewApiToken::user_id, 255).schema_with({{"pattern", "^user_"}})
    .describe("admin only: the owner of the new token")
    .text("scope", &NewApiToken::scope, 32)
    .schema_with({{"enum", {"read", "runtime", "user", "admin"}}})
    .describe("what the token may do; default `user` (`runtime` when bound to an agent, which allows nothing else)")
    .custom("expires_at", false, rfc3339("optional expiry; must be in the future"),
            [](const json& o, NewApiToken& out) -> Status {
              auto v = text_member(o, "expires_at", 64);
              if (!v) return v.error();
              if (!*v) return ok_status();
              const auto t = util::parse_rfc3339(**v);
              if (!t) return errors::must_be("expires_at", "an RFC 3339 date-time");
              out.expires_at_ms = util::to_unix_ms(*t);
              return ok_status();
            })
    .custom("allowed_models", false, allowed_models_schema(), allowed_models_reader(&NewApiToken::allowed_models))
    .at_least_one();

const auto kTokenPatch = BodyFields<domain::ApiTokenPatch>()
    .refuse("scope", errors::immutable("scope", "create a new token and revoke this one"))
    .text("provider", &domain::ApiTokenPatch::provider, 64).schema_with({{"minLength", 1}})
    .text("name", &domain::ApiTokenPatch::name, 100).schema_with({{"minLength", 1}})
    .text("description", &domain::ApiTokenPatch::description, 500)
    .custom("allowed_models", false, allowed_models_schema(),
            allowed_models_patch_reader(&domain::ApiTokenPatch::allowed_models))
    .at_least_one();

struct ValidateBody {
  std::string token;
};
const auto kValidate = BodyFields<ValidateBody>().text("token", &ValidateBody::token, 1, 4096);

Reply create(const Call& c, const NewApiToken& in) {
  return secret_response(201, c.s.api_tokens.create(c.who(), in, c.context()));
}

// ?user_id=<id> lists that user's tokens, ?user_id=* everyone's: admins only (403 otherwise).
// ?status= narrows to active | expired | inactive. Without page/per_page the answer is the
// predecessor's plain array; with them, one page as {data, pagination}.
struct TokenListParams {
  std::optional<std::string> owner, status;
  PageParams page;
};
const QueryFields<TokenListParams> kTokenListQuery =
    QueryFields<TokenListParams>()
        .text("user_id", &TokenListParams::owner, 1, 255, "whose tokens: a user id, or `*` for everyone (admins only)")
        .one_of("status", &TokenListParams::status, {"active", "expired", "inactive"},
                "active (usable), expired (past expires_at) or inactive (revoked or rotated)")
        .within(&TokenListParams::page, page_on_request_fields(25));

Reply list(const Call& c, const TokenListParams& in) {
  const domain::ApiTokens::ListQuery q{in.owner, in.status, in.page.asked()};
  auto rows = c.s.api_tokens.list(c.who(), q);
  if (!rows) return rows.error();
  return listed_response(*rows, q.page.has_value(), domain::api_token_view);
}

Reply update(const Call& c, const domain::ApiTokenPatch& in) {
  return reply(c.s.api_tokens.update(c.who(), c.id(), in, c.context()), 200, domain::api_token_view);
}

// Public: says nothing beyond {valid:false} for a token it cannot match or cannot honour.
Reply validate(const Call& c, const ValidateBody& in) {
  const auto t = c.s.api_tokens.validate(in.token);
  if (!t) return json_response(200, {{"valid", false}});
  return json_response(200, {{"valid", true},
                             {"user_id", t->user_id},
                             {"project_id", t->project_id},
                             {"token_id", t->id}});
}

json token_id() { return integer_range(1, INT64_MAX, "API token id"); }

const Resource token_op{.tag = "api-tokens", .id_schema = token_id()};

}  // namespace

std::vector<Endpoint> api_token_endpoints() {
  std::vector<Endpoint> e;
  e.push_back({token_op("POST", "/api/v1/api-tokens", "createApiToken", "Create an API token", Auth::mutate)
                    .returns(201, ref("ApiTokenCreated"), "Created; `token` is shown only now")
                    .errors(403, {"INSUFFICIENT_PERMISSIONS", "SESSION_REQUIRED", "SCOPE_NOT_ALLOWED",
                                  "TOKEN_SCOPE_INSUFFICIENT", "USER_ID_OVERRIDE_FORBIDDEN"})
                    .errors(404, {"USER_NOT_FOUND", "AGENT_NOT_FOUND"})
                    .errors(429, {"RATE_LIMIT_EXCEEDED", "TOKEN_LIMIT_EXCEEDED"}),
               with_body(kNewToken, create)});
  e.push_back({token_op("GET", "/api/v1/api-tokens", "listApiTokens",
                         "List the caller's API tokens (revoked included, newest first)", Auth::read)
                    .returns(200, json{{"oneOf", json::array({array_of(ref("ApiToken")), ref("ApiTokenPage")})}},
                             "The tokens, or one page of them")
                    .errors(403, {"USER_ID_OVERRIDE_FORBIDDEN"}),
               with_query(kTokenListQuery, list)});
  e.push_back({token_op("GET", "/api/v1/api-tokens/:id", "getApiToken", "Get one of the caller's API tokens", Auth::read)
                    .returns(200, ref("ApiToken"), "The token (never its secret)")
                    .errors(403, {"NOT_TOKEN_OWNER"}),
               [](const Call& c) { return reply(c.s.api_tokens.get(c.who(), c.id()), 200, domain::api_token_view); }});
  e.push_back({token_op("PUT", "/api/v1/api-tokens/:id", "updateApiToken", "Update one of the caller's API tokens", Auth::mutate)
                    .returns(200, ref("ApiToken"), "The updated token")
                    .errors(403, {"NOT_TOKEN_OWNER", "SESSION_REQUIRED"})
                    .errors(409, {"TOKEN_REVOKED"}),
               with_body(kTokenPatch, update)});
  e.push_back({token_op("DELETE", "/api/v1/api-tokens/:id", "revokeApiToken", "Revoke one of the caller's API tokens", Auth::mutate)
                    .returns(200,
                             object({{"id", integer()}, {"revoked", {{"type", "boolean"}, {"const", true}}}, {"message", str()}},
                                    {"id", "revoked", "message"}),
                             "Revoked (soft: the row stays, inactive)")
                    .errors(403, {"NOT_TOKEN_OWNER"})
                    .errors(409, {"TOKEN_ALREADY_REVOKED"}),
               [](const Call& c) {
                 return reply(c.s.api_tokens.revoke(c.who(), c.id(), c.context()), 200, [](const auto& t) {
                   return json{{"id", t.id}, {"revoked", true}, {"message", "API token revoked"}};
                 });
               }});
  e.push_back({token_op("POST", "/api/v1/api-tokens/:id/rotate", "rotateApiToken", "Rotate one of the caller's API tokens",
                         Auth::mutate)
                    .returns(200, ref("ApiTokenCreated"), "The replacement token")
                    .errors(403, {"SESSION_REQUIRED"})
                    .errors(409, {"TOKEN_EXPIRED"}),
               [](const Call& c) { return secret_response(200, c.s.api_tokens.rotate(c.who(), c.id(), c.context())); }});
  e.push_back({token_op("POST", "/api/v1/api-tokens/validate", "validateApiToken", "Check an API token (public)", Auth::none)
                    .returns(200,
                             object({{"valid", boolean()},
                                     {"user_id", str()},
                                     {"project_id", nullable(str())},
                                     {"token_id", integer()}},
                                    {"valid"}),
                             "Validation outcome; the ids only when valid"),
               with_body(kValidate, validate)});
  return e;
}

}  // namespace iron::api
