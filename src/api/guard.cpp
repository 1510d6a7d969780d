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
    if (access == Access::admin && !p.is_admin())
      return error_response(Error::forbidden("this action requires the admin role", "INSUFFICIENT_PERMISSIONS"));
    if (access == Access::mutate && p.role == domain::Role::viewer)
      return error_response(Error::forbidden("viewers have read-only access", "INSUFFICIENT_PERMISSIONS"));
    return handler(req, p);
  };
}

}  // namespace iron::api
