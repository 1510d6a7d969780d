#include "api/guard.h"

#include "api/body.h"
#include "api/errors.h"
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

Result<domain::Principal> authenticate(Services& s, const Request& req, Access access) {
  const auto token = bearer_token(req);
  if (!token) return errors::missing_bearer();
  auto who = token->rfind("apitok_", 0) == 0 ? s.api_tokens.authenticate(*token) : s.sessions.authenticate(*token);
  if (!who) return who.error();
  const domain::Principal& p = who.value();
  if (p.force_password_change && access != Access::self_service)
    return Error::forbidden("change your password first (PUT /api/v1/me/password)", "PASSWORD_CHANGE_REQUIRED");
  if (auto refused = scope_refusal(p, access, req.method)) return *refused;
  if (access == Access::admin && !p.is_admin()) return errors::insufficient_permissions("this action requires the admin role");
  if (access == Access::mutate && p.role == domain::Role::viewer)
    return errors::insufficient_permissions("viewers have read-only access");
  return who;
}

Result<std::string> agent_token_of(const Request& req, const nlohmann::json& body) {
  auto field = text_member(body, "ic_token", 2000);
  if (!field) return field.error();
  if (*field && !(*field)->empty()) return **field;
  if (auto b = bearer_token(req); b && b->rfind("ic_", 0) == 0) return *b;
  return errors::ic_token_missing();
}

}  // namespace iron::api
