// /api/v1/auth/*, /api/v1/me, /api/v1/setup. Field names follow the predecessor's login
// response (user_token, token_type, expires_in, expires_at, refresh_token, user{...}).
// Browser sessions (X-Requested-With present) get the refresh token only as an HttpOnly
// SameSite=Strict cookie scoped to the auth routes; programmatic clients get it in the body.
#include "api/guard.h"
#include "api/json_body.h"
#include "api/responses.h"
#include "api/routes.h"
#include "util/clock.h"

namespace iron::api {
namespace {

constexpr const char* kRefreshCookie = "iron_refresh";

bool browser_session(const Request& req) { return req.header("x-requested-with").has_value(); }

std::optional<std::string> cookie(const Request& req, const std::string& name) {
  const auto h = req.header("cookie");
  if (!h) return std::nullopt;
  size_t pos = 0;
  while (pos < h->size()) {
    size_t end = h->find(';', pos);
    if (end == std::string::npos) end = h->size();
    std::string part = h->substr(pos, end - pos);
    part.erase(0, part.find_first_not_of(' '));
    if (part.rfind(name + "=", 0) == 0) return part.substr(name.size() + 1);
    pos = end + 1;
  }
  return std::nullopt;
}

std::string refresh_cookie(const Request& req, const std::string& value, int64_t max_age_s) {
  std::string c = std::string(kRefreshCookie) + "=" + value + "; Path=" + req.base_path + "api/v1/auth; Max-Age=" +
                  std::to_string(max_age_s) + "; HttpOnly; SameSite=Strict";
  if (req.https) c += "; Secure";
  return c;
}

nlohmann::json user_brief(const store::User& u) {
  return {{"id", u.id}, {"email", u.email}, {"role", u.role}, {"name", u.name.value_or(u.username)}};
}

// The predecessor's login shape; browser sessions get `refresh_token: null` (see the cookie).
nlohmann::json session_body(const Request& req, const domain::IssuedSession& s, int64_t now) {
  return {{"user_token", s.access_token},
          {"token_type", "Bearer"},
          {"expires_in", (s.access_expires_at_ms - now) / 1000},
          {"expires_at", util::to_rfc3339(util::from_unix_ms(s.access_expires_at_ms))},
          {"refresh_token", browser_session(req) ? nlohmann::json(nullptr) : nlohmann::json(s.refresh_token)},
          {"user", user_brief(s.user)},
          {"force_password_change", s.user.force_password_change}};
}

// A response that hands out a session: the refresh cookie for browsers, never cached.
Response issuing(const Request& req, const domain::IssuedSession& s, const nlohmann::json& body, int64_t now) {
  Response r = json_response(200, body);
  if (browser_session(req))
    r.header("Set-Cookie", refresh_cookie(req, s.refresh_token, (s.refresh_expires_at_ms - now) / 1000));
  r.header("Cache-Control", "no-store");
  return r;
}

Response session_response(const Request& req, const domain::IssuedSession& s) {
  const int64_t now = util::to_unix_ms(util::now());
  return issuing(req, s, session_body(req, s, now), now);
}

Response login(Services& s, const Request& req) {
  auto body = JsonBody::parse(req);
  if (!body) return error_response(body.error());
  auto email = body->string("email", 1, 255);
  if (!email) return error_response(email.error());
  auto password = body->string("password", 1, 1000);
  if (!password) return error_response(password.error());
  auto session = s.sessions.login(*email, *password, context_of(req));
  if (!session) return error_response(session.error(), req.request_id);
  return session_response(req, *session);
}

Response refresh(Services& s, const Request& req) {
  std::optional<std::string> token;
  if (!req.body.empty()) {
    auto body = JsonBody::parse(req);
    if (!body) return error_response(body.error());
    auto t = body->opt_string("refresh_token", 4096);
    if (!t) return error_response(t.error());
    token = *t;
  }
  if (!token) token = bearer_token(req);
  if (!token) {
    token = cookie(req, kRefreshCookie);
    // The cookie rides along with any cross-site request; a custom header cannot.
    if (token && !browser_session(req))
      return error_response(Error::forbidden("cookie sessions must send X-Requested-With", "CSRF_HEADER_REQUIRED"));
  }
  if (!token) return error_response(Error::unauthenticated("AUTH_MISSING_TOKEN", "a refresh token is required"));
  auto session = s.sessions.refresh(*token, context_of(req));
  if (!session) {
    Response r = error_response(session.error(), req.request_id);
    if (browser_session(req)) r.header("Set-Cookie", refresh_cookie(req, "", 0));
    return r;
  }
  return session_response(req, *session);
}

// Every client logs out the same way: the Bearer token (access or refresh), a `refresh_token`
// in the body (what the predecessor's dashboard sends, with no Authorization header) and, for
// browser sessions, the refresh cookie. Each one's whole session ends, refresh chain included.
Response logout(Services& s, const Request& req) {
  std::vector<std::string> tokens;
  if (!req.body.empty()) {
    auto body = JsonBody::parse(req);
    if (!body) return error_response(body.error());
    auto t = body->opt_string("refresh_token", 4096);
    if (!t) return error_response(t.error());
    if (*t) tokens.push_back(**t);
  }
  if (const auto token = bearer_token(req)) tokens.push_back(*token);
  // CSRF: a bare cookie rides along with any cross-site request; only the SPA's header counts.
  if (const auto c = cookie(req, kRefreshCookie); c && browser_session(req)) tokens.push_back(*c);
  if (tokens.empty())
    return error_response(Error::unauthenticated(
        "AUTH_MISSING_TOKEN", "an Authorization: Bearer token or a refresh_token in the body is required"));
  auto st = s.sessions.logout(tokens, context_of(req));
  Response r = st ? no_content() : error_response(st.error(), req.request_id);
  // The browser forgets the cookie either way: it must not stay signed in on a dead cookie.
  if (browser_session(req)) r.header("Set-Cookie", refresh_cookie(req, "", 0));
  return r;
}

Response validate(Services& s, const Request& req) {
  const auto token = bearer_token(req);
  if (!token) return error_response(Error::validation("authorization", "an Authorization: Bearer token is required", "AUTH_MISSING_TOKEN"));
  const auto check = s.sessions.check(*token);
  if (!check.valid) return json_response(200, {{"valid", false}, {"reason", check.reason}});
  const auto& p = *check.principal;
  const int64_t now = util::to_unix_ms(util::now());
  return json_response(200, {{"valid", true},
                             {"user", {{"id", p.user_id}, {"email", p.email}, {"role", domain::role_name(p.role)}, {"name", p.name}}},
                             {"expires_at", util::to_rfc3339(util::from_unix_ms(p.token_expires_at_ms))},
                             {"expires_in", (p.token_expires_at_ms - now) / 1000}});
}

// The password change ends every other session; this device continues on the session in the
// answer (`session`, shaped like the login response; browser sessions get the new cookie).
Response change_password(Services& s, const Request& req, const domain::Principal& p) {
  auto body = JsonBody::parse(req);
  if (!body) return error_response(body.error());
  auto current = body->string("current_password", 1, 1000);
  if (!current) return error_response(current.error());
  auto next = body->string("new_password", 1, 1000);
  if (!next) return error_response(next.error());
  auto session = s.sessions.change_own_password(p.user_id, *current, *next, context_of(req, &p));
  if (!session) return error_response(session.error(), req.request_id);
  const int64_t now = util::to_unix_ms(util::now());
  nlohmann::json answer = domain::user_view(session->user);
  answer["session"] = session_body(req, *session, now);
  return issuing(req, *session, answer, now);
}

// "My sessions": the caller's sign-ins (refresh families), which one this request uses, and
// ending one or every other. API tokens are not sessions and are listed under /api-tokens.
nlohmann::json own_session_view(const domain::OwnSession& o) {
  return {{"id", o.id},
          {"started_at", o.started_at_ms},
          {"last_active_at", o.last_active_at_ms},
          {"expires_at", o.expires_at_ms},
          {"current", o.current}};
}

Response list_own_sessions(Services& s, const Request& req, const domain::Principal& p) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& o : s.sessions.list_own(p.user_id, bearer_token(req).value_or(""))) items.push_back(own_session_view(o));
  return json_response(200, {{"sessions", items}});
}

Response end_own_session(Services& s, const Request& req, const domain::Principal& p) {
  auto done = s.sessions.end_own(p.user_id, req.param("id"), context_of(req, &p));
  if (!done) return error_response(done.error(), req.request_id);
  return no_content();
}

Response end_other_sessions(Services& s, const Request& req, const domain::Principal& p) {
  auto ended = s.sessions.end_others(p.user_id, bearer_token(req).value_or(""), context_of(req, &p));
  return respond(ended, 200, [](int64_t n) { return nlohmann::json{{"ended", n}}; }, req.request_id);
}

Response setup(Services& s, const Request& req) {
  auto body = JsonBody::parse(req);
  if (!body) return error_response(body.error());
  auto token = body->string("setup_token", 1, 200);
  if (!token) return error_response(token.error());
  auto email = body->string("email", 1, 255);
  if (!email) return error_response(email.error());
  auto password = body->string("password", 1, 1000);
  if (!password) return error_response(password.error());
  auto name = body->opt_string("name", 255);
  if (!name) return error_response(name.error());
  auto username = body->opt_string("username", 255);
  if (!username) return error_response(username.error());
  domain::NewUser admin;
  admin.email = *email;
  admin.password = *password;
  admin.name = *name;
  admin.username = username->value_or("");
  auto u = s.first_admin.redeem(*token, admin, context_of(req));
  if (!u) return error_response(u.error(), req.request_id);
  return json_response(201, domain::user_view(*u));
}

}  // namespace

void add_auth_routes(std::vector<Route>& routes, Services& s) {
  routes.push_back({"POST", "/api/v1/auth/login", [&s](const Request& r) { return login(s, r); }});
  routes.push_back({"POST", "/api/v1/auth/refresh", [&s](const Request& r) { return refresh(s, r); }});
  routes.push_back({"POST", "/api/v1/auth/logout", [&s](const Request& r) { return logout(s, r); }});
  routes.push_back({"POST", "/api/v1/auth/validate", [&s](const Request& r) { return validate(s, r); }});
  routes.push_back({"GET", "/api/v1/me", guarded(s, Access::self_service, [&s](const Request&, const domain::Principal& p) {
                      auto u = s.accounts.get(p.user_id);
                      if (!u) return error_response(u.error());
                      return json_response(200, domain::user_view(*u));
                    })});
  routes.push_back({"PUT", "/api/v1/me/password", guarded(s, Access::self_service, [&s](const Request& r, const domain::Principal& p) {
                      return change_password(s, r, p);
                    })});
  // Self-service: every role, viewers included, may see and end their own sessions.
  routes.push_back({"GET", "/api/v1/me/sessions", guarded(s, Access::self_service, [&s](const Request& r, const domain::Principal& p) {
                      return list_own_sessions(s, r, p);
                    })});
  routes.push_back({"DELETE", "/api/v1/me/sessions", guarded(s, Access::self_service, [&s](const Request& r, const domain::Principal& p) {
                      return end_other_sessions(s, r, p);
                    })});
  routes.push_back({"DELETE", "/api/v1/me/sessions/:id", guarded(s, Access::self_service, [&s](const Request& r, const domain::Principal& p) {
                      return end_own_session(s, r, p);
                    })});
  routes.push_back({"GET", "/api/v1/setup", [&s](const Request&) {
                      return json_response(200, {{"setup_required", s.first_admin.setup_required()}});
                    }});
  routes.push_back({"POST", "/api/v1/setup", [&s](const Request& r) { return setup(s, r); }});
}

}  // namespace iron::api
