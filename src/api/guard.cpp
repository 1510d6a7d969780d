#include "api/guard.h"

#include "api/responses.h"

namespace iron::api {

std::optional<std::string> bearer_token(const Request& req) {
  const auto h = req.header("authorization");
  if (!h || h->size() <= 7) return std::nullopt;
  std::string scheme = h->substr(0, 7);
  for (auto& ch : scheme) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  if (scheme != "bearer ") return std::nullopt;
  std::string token = h->substr(7);
  token.erase(0, token.find_first_not_of(' '));
  if (token.empty()) return std::nullopt;
  return token;
}

domain::RequestContext context_of(const Request& req, const domain::Principal* p) {
  domain::RequestContext ctx;
  ctx.request_id = req.request_id;
  ctx.client_ip = req.client_ip;
  ctx.user_agent = req.user_agent();
  if (p) {
    ctx.actor_id = p->user_id;
    ctx.actor_type = p->via == "api_token" ? "api_token" : "user";
  }
  return ctx;
}

namespace {

// The scope of an API token, checked before the role: a scope is what the token's creator
// chose to allow, whatever the owner's role is. Sessions carry no scope.
std::optional<Error> scope_refusal(const domain::Principal& p, Access access, const std::string& method) {
  if (!p.scope) return std::nullopt;
  auto refuse = [&](const std::string& why) {
    return Error::forbidden("this API token's scope (" + std::string(domain::token_scope_name(*p.scope)) + ") " + why,
                            "TOKEN_SCOPE_INSUFFICIENT");
  };
  switch (*p.scope) {
    case domain::TokenScope::runtime:
      return refuse("allows only GET /api/v1/keys");
    case domain::TokenScope::read:
      if (method != "GET" && method != "HEAD") return refuse("allows only GET requests");
      if (access == Access::admin) return refuse("does not allow admin routes");
      return std::nullopt;
    case domain::TokenScope::user:
      if (access == Access::admin) return refuse("does not allow admin routes");
      return std::nullopt;
    case domain::TokenScope::admin:
    case domain::TokenScope::legacy_full:
      return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace

Handler guarded(Services& s, Access access, AuthedHandler handler) {
  return [&s, access, handler = std::move(handler)](const Request& req) -> Response {
    const auto token = bearer_token(req);
    if (!token)
      return error_response(Error::unauthenticated("AUTH_MISSING_TOKEN", "an Authorization: Bearer token is required"));
    Result<domain::Principal> who = token->rfind("apitok_", 0) == 0 && s.authenticate_api_token
                                        ? s.authenticate_api_token(*token)
                                        : s.sessions.authenticate(*token);
    if (!who) return error_response(who.error(), req.request_id);
    const domain::Principal& p = who.value();
    if (p.force_password_change && access != Access::self_service)
      return error_response(Error::forbidden("change your password first (PUT /api/v1/me/password)",
                                             "PASSWORD_CHANGE_REQUIRED"));
    if (auto refused = scope_refusal(p, access, req.method)) return error_response(*refused);
    if (access == Access::admin && !p.is_admin())
      return error_response(Error::forbidden("this action requires the admin role", "INSUFFICIENT_PERMISSIONS"));
    if (access == Access::mutate && p.role == domain::Role::viewer)
      return error_response(Error::forbidden("viewers have read-only access", "INSUFFICIENT_PERMISSIONS"));
    return handler(req, p);
  };
}

}  // namespace iron::api
