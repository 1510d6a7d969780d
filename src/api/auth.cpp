// /api/v1/auth/*, /api/v1/me, /api/v1/setup. Field names follow the predecessor's login
// response (user_token, token_type, expires_in, expires_at, refresh_token, user{...}).
// Browser sessions (X-Requested-With present) get the refresh token only as an HttpOnly
// SameSite=Strict cookie scoped to the auth routes; programmatic clients get it in the body.
#include "api/body.h"
#include "api/endpoint.h"
#include "api/routes.h"
#include "util/clock.h"

namespace iron::api {
namespace {

using namespace openapi;

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

// What issuing() answers, as an operation documents it: `schema`, the refresh cookie of
// browser sessions (`cookie` says which) and no caching.
auto session_answer(json schema, std::string description, std::string cookie) {
  return [=](openapi::Op& op) {
    op.returns(200, schema, description)
        .response_header("Set-Cookie", cookie)
        .response_header("Cache-Control", "no-store");
  };
}

Response session_response(const Request& req, const domain::IssuedSession& s) {
  const int64_t now = util::to_unix_ms(util::now());
  return issuing(req, s, session_body(req, s, now), now);
}

struct LoginBody {
  std::string email, password;
};
const auto kLogin = BodyFields<LoginBody>()
    .text("email", &LoginBody::email, 1, 255)
    .text("password", &LoginBody::password, 1, 1000);

// refresh and logout: the body is optional and so is its one field.
struct RefreshTokenBody {
  std::optional<std::string> refresh_token;
};
const auto kRefreshToken = BodyFields<RefreshTokenBody>()
    .text("refresh_token", &RefreshTokenBody::refresh_token, 4096).schema_with({{"minLength", 1}});

struct PasswordChangeBody {
  std::string current_password, new_password;
};
const auto kPasswordChange = BodyFields<PasswordChangeBody>()
    .text("current_password", &PasswordChangeBody::current_password, 1, 1000)
    .text("new_password", &PasswordChangeBody::new_password, 1, 1000).domain_min_length(12)
    .describe("at least 12 characters, differs from the current one");

struct SetupBody {
  std::string setup_token, email, password;
  std::optional<std::string> name, username;
};
const auto kSetup = BodyFields<SetupBody>()
    .text("setup_token", &SetupBody::setup_token, 1, 200)
    .text("email", &SetupBody::email, 1, 255).schema_with({{"format", "email"}}).describe("at most 255 characters")
    .text("password", &SetupBody::password, 1, 1000).domain_min_length(12).describe("at least 12 characters")
    .text("name", &SetupBody::name, 255)
    .text("username", &SetupBody::username, 255).describe("defaults to one derived from the email");

Reply login(const Call& c, const LoginBody& in) {
  auto session = c.s.sessions.login(in.email, in.password, c.context());
  if (!session) return session.error();
  return session_response(c.req, *session);
}

Reply refresh(const Call& c, const RefreshTokenBody& in) {
  const Request& req = c.req;
  std::optional<std::string> token = in.refresh_token;
  if (!token) token = bearer_token(req);
  if (!token) {
    token = cookie(req, kRefreshCookie);
    // The cookie rides along with any cross-site request; a custom header cannot.
    if (token && !browser_session(req))
      return Error::forbidden("cookie sessions must send X-Requested-With", "CSRF_HEADER_REQUIRED");
  }
  if (!token) return errors::missing_bearer("a refresh token is required");
  auto session = c.s.sessions.refresh(*token, c.context());
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
Reply logout(const Call& c, const RefreshTokenBody& in) {
  const Request& req = c.req;
  std::vector<std::string> tokens;
  if (in.refresh_token) tokens.push_back(*in.refresh_token);
  if (const auto token = bearer_token(req)) tokens.push_back(*token);
  // CSRF: a bare cookie rides along with any cross-site request; only the SPA's header counts.
  if (const auto ck = cookie(req, kRefreshCookie); ck && browser_session(req)) tokens.push_back(*ck);
  if (tokens.empty())
    return errors::missing_bearer("an Authorization: Bearer token or a refresh_token in the body is required");
  auto st = c.s.sessions.logout(tokens, c.context());
  Response r = st ? no_content() : error_response(st.error(), req.request_id);
  // The browser forgets the cookie either way: it must not stay signed in on a dead cookie.
  if (browser_session(req)) r.header("Set-Cookie", refresh_cookie(req, "", 0));
  return r;
}

Reply validate(const Call& c) {
  const auto token = bearer_token(c.req);
  if (!token) return Error::validation("authorization", "an Authorization: Bearer token is required", "AUTH_MISSING_TOKEN");
  const auto check = c.s.sessions.check(*token);
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
Reply change_password(const Call& c, const PasswordChangeBody& in) {
  auto session = c.s.sessions.change_own_password(c.who().user_id, in.current_password, in.new_password, c.context());
  if (!session) return session.error();
  const int64_t now = util::to_unix_ms(util::now());
  nlohmann::json answer = domain::user_view(session->user);
  answer["session"] = session_body(c.req, *session, now);
  return issuing(c.req, *session, answer, now);
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

Reply list_own_sessions(const Call& c) {
  nlohmann::json items = nlohmann::json::array();
  for (const auto& o : c.s.sessions.list_own(c.who().user_id, bearer_token(c.req).value_or("")))
    items.push_back(own_session_view(o));
  return json_response(200, {{"sessions", items}});
}

Reply setup(const Call& c, const SetupBody& in) {
  domain::NewUser admin;
  admin.email = in.email;
  admin.password = in.password;
  admin.name = in.name;
  admin.username = in.username.value_or("");
  return reply(c.s.first_admin.redeem(in.setup_token, admin, c.context()), 201,
               [](const store::User& u) { return domain::user_view(u); });
}

json own_session_schema() {
  return object({{"id", described(str(1, 0), "names the session to its owner; not a credential")},
                 {"started_at", ms_time("sign-in time")},
                 {"last_active_at", ms_time("latest refresh (the sign-in time until the first one)")},
                 {"expires_at", ms_time("when the session ends unless refreshed again")},
                 {"current", boolean("the session this request's access token belongs to")}},
                {"id", "started_at", "last_active_at", "expires_at", "current"});
}

const Resource auth_op{.tag = "auth", .access = Auth::none};
// Self-service: every role, viewers included, may see its own account and end its own sessions.
const Resource account_op{.tag = "account",
                          .access = Auth::self_service,
                          .id_schema = described(str(1, 0), "session id from GET /api/v1/me/sessions"),
                          .integer_ids = false};
const Resource setup_op{.tag = "setup", .access = Auth::none};

}  // namespace

std::vector<Endpoint> auth_endpoints() {
  const json bearer = {{"bearerAuth", json::array()}};
  const json cookie = {{"refreshCookie", json::array()}};
  std::vector<Endpoint> e;
  e.push_back({auth_op("POST", "/api/v1/auth/login", "login", "Log in with email and password")
                   .header("X-Requested-With", str(), "present for browser sessions (cookie refresh token)")
                   .with(session_answer(ref("Session"), "Logged in",
                                        "browser sessions: `iron_refresh=…; HttpOnly; SameSite=Strict; Path=<base>api/v1/auth`"))
                   .errors(401, {"AUTH_INVALID_CREDENTIALS"})
                   .errors(403, {"AUTH_ACCOUNT_DISABLED"})
                   .errors(429, {"RATE_LIMIT_EXCEEDED"}),
               with_body(kLogin, login)});
  e.push_back({auth_op("POST", "/api/v1/auth/refresh", "refreshSession", "Exchange a refresh token for a new session")
                   .secured_by(json::array({cookie, bearer, json::object()}))
                   .header("X-Requested-With", str(), "required when the refresh token comes from the cookie")
                   .with(session_answer(ref("Session"), "A new access token and a new (rotated) refresh token",
                                        "browser sessions: the rotated refresh cookie (cleared on failure)"))
                   .errors(401, {"AUTH_MISSING_TOKEN", "AUTH_INVALID_TOKEN"})
                   .errors(403, {"CSRF_HEADER_REQUIRED"}),
               with_body(kRefreshToken, refresh, /*required=*/false)});
  e.push_back({auth_op("POST", "/api/v1/auth/logout", "logout", "Log out (revoke the access token and the refresh chain)")
                   .secured_by(json::array({bearer, json::object()}))
                   .header("X-Requested-With", str(), "browser sessions: also end the cookie session")
                   .no_content("Logged out")
                   .response_header("Set-Cookie", "browser sessions: clears the refresh cookie")
                   .errors(401, {"AUTH_MISSING_TOKEN", "AUTH_INVALID_TOKEN"}),
               with_body(kRefreshToken, logout, /*required=*/false)});
  e.push_back({auth_op("POST", "/api/v1/auth/validate", "validateToken", "Check an access token")
                   .secured_by(json::array({bearer}))
                   .returns(200, ref("TokenValidation"), "Validation outcome")
                   .errors(400, {"AUTH_MISSING_TOKEN"}),
               validate});
  e.push_back({account_op("GET", "/api/v1/me", "getMe", "The caller's own account")
                   .returns(200, ref("User"), "The caller")
                   .errors(404, {"NOT_FOUND"}),
               [](const Call& c) {
                 return reply(c.s.accounts.get(c.who().user_id), 200,
                              [](const store::User& u) { return domain::user_view(u); });
               }});
  e.push_back({account_op("PUT", "/api/v1/me/password", "changeOwnPassword", "Change the caller's password")
                   .with(session_answer({{"allOf", json::array({ref("User"), object({{"session", ref("Session")}}, {"session"})})}},
                                        "Password changed; the caller's new session",
                                        "browser sessions: the new refresh cookie"))
                   .errors(400, {"INVALID_CURRENT_PASSWORD"}),
               with_body(kPasswordChange, change_password)});
  e.push_back({account_op("GET", "/api/v1/me/sessions", "listOwnSessions", "The caller's active sessions")
                   .returns(200, object({{"sessions", array_of(own_session_schema())}}, {"sessions"}),
                            "The caller's sessions"),
               list_own_sessions});
  e.push_back({account_op("DELETE", "/api/v1/me/sessions", "endOtherSessions", "Sign out everywhere else")
                   .returns(200, object({{"ended", integer("sessions ended")}}, {"ended"}), "Other sessions ended"),
               [](const Call& c) {
                 auto ended = c.s.sessions.end_others(c.who().user_id, bearer_token(c.req).value_or(""), c.context());
                 return reply(ended, 200, [](int64_t n) { return json{{"ended", n}}; });
               }});
  e.push_back({account_op("DELETE", "/api/v1/me/sessions/:id", "endOwnSession", "End one of the caller's sessions")
                   .no_content("Session ended"),
               [](const Call& c) {
                 return reply_no_content(c.s.sessions.end_own(c.who().user_id, c.param("id"), c.context()));
               }});
  e.push_back({setup_op("GET", "/api/v1/setup", "getSetupStatus", "Whether first-admin setup is still pending")
                   .returns(200, ref("SetupStatus"), "Setup status"),
               [](const Call& c) -> Reply {
                 return json_response(200, {{"setup_required", c.s.first_admin.setup_required()}});
               }});
  e.push_back({setup_op("POST", "/api/v1/setup", "completeSetup", "Create the first admin with the one-time setup token")
                   .returns(201, ref("User"), "The first admin account")
                   .errors(403, {"INVALID_SETUP_TOKEN"})
                   .errors(409, {"ADMIN_EXISTS", "EMAIL_TAKEN"}),
               with_body(kSetup, setup)});
  return e;
}

}  // namespace iron::api
