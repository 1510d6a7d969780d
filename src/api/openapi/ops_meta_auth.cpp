// OpenAPI table: health, meta (openapi.json, /metrics), auth, the caller's own account, setup.
#include "api/openapi/spec.h"

namespace iron::api::openapi {
namespace {

json plain(const std::string& description, const std::string& schema_name) {
  return {{"description", description}, {"content", {{"application/json", {{"schema", ref(schema_name)}}}}}};
}

json own_session() {
  return object({{"id", described(str(1, 0), "names the session to its owner; not a credential")},
                 {"started_at", ms_time("sign-in time")},
                 {"last_active_at", ms_time("latest refresh (the sign-in time until the first one)")},
                 {"expires_at", ms_time("when the session ends unless refreshed again")},
                 {"current", boolean("the session this request's access token belongs to")}},
                {"id", "started_at", "last_active_at", "expires_at", "current"});
}

}  // namespace

std::vector<Op> meta_ops() {
  std::vector<Op> ops;
  ops.push_back(Op("GET", "/health", "getHealth", "Health summary (database check, version, uptime)")
                    .tagged("health").auth(Auth::none)
                    .returns(200, ref("Health"), "Healthy")
                    .plain_response(503, plain("The database is unreachable", "Health")));
  ops.push_back(Op("GET", "/health/live", "getLiveness", "Liveness probe (never touches the database)")
                    .tagged("health").auth(Auth::none)
                    .returns(200, ref("Liveness"), "The process is alive"));
  ops.push_back(Op("GET", "/health/ready", "getReadiness", "Readiness probe: database reachable, schema current, not draining")
                    .tagged("health").auth(Auth::none)
                    .returns(200, ref("Readiness"), "Ready for traffic")
                    .plain_response(503, {{"description", "Not ready (draining, database down or migrations pending)"},
                                          {"headers", {{"Retry-After", {{"$ref", "#/components/headers/RetryAfter"}}}}},
                                          {"content", {{"application/json", {{"schema", ref("Readiness")}}}}}}));
  ops.push_back(Op("GET", "/api/health", "getLegacyHealth", "Health in the predecessor's shape")
                    .tagged("health").auth(Auth::none)
                    .describe("Kept for existing clients: `status` is `healthy`/`unhealthy` and `timestamp` is unix seconds.")
                    .returns(200, ref("LegacyHealth"), "Healthy")
                    .plain_response(503, plain("The database is unreachable", "LegacyHealth")));
  ops.push_back(Op("GET", "/api/v1/openapi.json", "getOpenApi", "This OpenAPI 3.1 document")
                    .tagged("meta").auth(Auth::none)
                    .returns(200, described({{"type", "object"}}, "an OpenAPI 3.1 document"), "The API contract"));
  ops.push_back(Op("GET", "/metrics", "getMetrics", "Prometheus metrics")
                    .tagged("meta")
                    .secured_by(json::array({json::object(), {{"metricsToken", json::array()}}}))
                    .describe("Registered only when metrics are enabled (`--metrics` / IRON_METRICS); otherwise 404. "
                              "When a metrics token is configured it must be sent as `Authorization: Bearer <token>`. "
                              "Served outside /api/v1, under the base path.")
                    .returns_text("text/plain; version=0.0.4; charset=utf-8", "Metrics in the Prometheus text format")
                    .errors(401, {"AUTH_MISSING_TOKEN"}));
  ops.push_back(Op("GET", "/api/v1/events/stream", "streamEvents", "Live events (Server-Sent Events)")
                    .tagged("events").auth(Auth::read)
                    .describe("A `text/event-stream` of `id`/`event`/`data` frames: budget alerts, lease changes, "
                              "usage ticks and budget requests (`budget_request.created`, `.approved`, `.rejected`, "
                              "`.cancelled`; data: id, agent_id, status, requester_id) for the caller's agents "
                              "(admins: all). A comment line is sent every "
                              "heartbeat interval (IRON_EVENT_HEARTBEAT, default 15 s). The number of concurrent "
                              "streams is bounded (IRON_MAX_EVENT_STREAMS): beyond it 503 with Retry-After. One user "
                              "may hold at most an eighth of them (at least one): beyond that share, 429 with "
                              "Retry-After, so one viewer cannot take every stream.")
                    .returns_text("text/event-stream", "The event stream; it ends when the server shuts down")
                    .errors(429, {"TOO_MANY_STREAMS_FOR_USER"})
                    .errors(503, {"TOO_MANY_STREAMS"}));
  return ops;
}

std::vector<Op> auth_ops() {
  const json bearer = {{"bearerAuth", json::array()}};
  const json cookie = {{"refreshCookie", json::array()}};
  std::vector<Op> ops;
  ops.push_back(Op("POST", "/api/v1/auth/login", "login", "Log in with email and password")
                    .tagged("auth").auth(Auth::none)
                    .describe("Returns a short-lived access token and a single-use refresh token. Requests carrying "
                              "`X-Requested-With` (the SPA) get the refresh token only as an HttpOnly SameSite=Strict "
                              "cookie scoped to the auth routes, and `refresh_token: null` in the body. Failed logins "
                              "are throttled per source address (429 with Retry-After): 5 failures at one account "
                              "from one address, then a doubling wait (30 s, 60 s, … up to 15 min), and 20 failures "
                              "per address across accounts in 15 minutes. An account is never locked: the right "
                              "password from another address still works, and unknown and existing accounts get "
                              "the same answers. An admin lifts a throttle with POST /api/v1/users/{id}/unlock.")
                    .header("X-Requested-With", str(), "present for browser sessions (cookie refresh token)")
                    .body(object({{"email", str(1, 255)}, {"password", str(1, 1000)}}, {"email", "password"}))
                    .returns(200, ref("Session"), "Logged in")
                    .response_header("Set-Cookie", "browser sessions: `iron_refresh=…; HttpOnly; SameSite=Strict; Path=<base>api/v1/auth`")
                    .response_header("Cache-Control", "no-store")
                    .errors(401, {"AUTH_INVALID_CREDENTIALS"})
                    .errors(403, {"AUTH_ACCOUNT_DISABLED"})
                    .errors(429, {"RATE_LIMIT_EXCEEDED"}));
  ops.push_back(Op("POST", "/api/v1/auth/refresh", "refreshSession", "Exchange a refresh token for a new session")
                    .tagged("auth")
                    .secured_by(json::array({cookie, bearer, json::object()}))
                    .describe("The refresh token comes from the body (`refresh_token`), else `Authorization: Bearer`, "
                              "else the iron_refresh cookie — which is honoured only with `X-Requested-With` (CSRF). "
                              "Each refresh token works once: presenting a used one revokes its whole chain.")
                    .header("X-Requested-With", str(), "required when the refresh token comes from the cookie")
                    .body(object({{"refresh_token", str(1, 4096)}}, {}), false)
                    .returns(200, ref("Session"), "A new access token and a new (rotated) refresh token")
                    .response_header("Set-Cookie", "browser sessions: the rotated refresh cookie (cleared on failure)")
                    .response_header("Cache-Control", "no-store")
                    .errors(401, {"AUTH_MISSING_TOKEN", "AUTH_INVALID_TOKEN"})
                    .errors(403, {"CSRF_HEADER_REQUIRED"}));
  ops.push_back(Op("POST", "/api/v1/auth/logout", "logout", "Log out (revoke the access token and the refresh chain)")
                    .tagged("auth")
                    .secured_by(json::array({bearer, json::object()}))
                    .describe("Ends the session of every token presented: `Authorization: Bearer` (an access token: "
                              "it and its whole refresh chain; a refresh token: its chain), `refresh_token` in the "
                              "body (what the predecessor's dashboard sends, with no Authorization header), and "
                              "with `X-Requested-With` the refresh cookie, which is then cleared. The access tokens "
                              "of an ended chain stop working at once. Idempotent: an expired or already revoked "
                              "token still gets 204; a forged or malformed one gets 401 AUTH_INVALID_TOKEN.")
                    .header("X-Requested-With", str(), "browser sessions: also end the cookie session")
                    .body(object({{"refresh_token", str(1, 4096)}}, {}), false)
                    .no_content("Logged out")
                    .response_header("Set-Cookie", "browser sessions: clears the refresh cookie")
                    .errors(401, {"AUTH_MISSING_TOKEN", "AUTH_INVALID_TOKEN"}));
  ops.push_back(Op("POST", "/api/v1/auth/validate", "validateToken", "Check an access token")
                    .tagged("auth")
                    .secured_by(json::array({bearer}))
                    .describe("Always 200 for a presented token: `valid:false` with a reason when it is expired, "
                              "revoked, malformed or its user is inactive.")
                    .returns(200, ref("TokenValidation"), "Validation outcome")
                    .errors(400, {"AUTH_MISSING_TOKEN"}));
  ops.push_back(Op("GET", "/api/v1/me", "getMe", "The caller's own account")
                    .tagged("account").auth(Auth::self_service)
                    .returns(200, ref("User"), "The caller")
                    .errors(404, {"NOT_FOUND"}));
  ops.push_back(Op("PUT", "/api/v1/me/password", "changeOwnPassword", "Change the caller's password")
                    .tagged("account").auth(Auth::self_service)
                    .describe("Allowed (and required) while `force_password_change` is set; clears it. Ends every "
                              "session of the account, on other devices too: access tokens stop working at once and "
                              "refresh tokens no longer mint sessions. This device continues with the new session in "
                              "`session` (the login response's shape; browser sessions get the new refresh cookie). "
                              "API tokens are not sessions and keep working.")
                    .body(object({{"current_password", str(1, 1000)},
                                  {"new_password", described(str(12, 1000), "at least 12 characters, differs from the current one")}},
                                 {"current_password", "new_password"}))
                    .returns(200, {{"allOf", json::array({ref("User"), object({{"session", ref("Session")}}, {"session"})})}},
                             "Password changed; the caller's new session")
                    .response_header("Set-Cookie", "browser sessions: the new refresh cookie")
                    .response_header("Cache-Control", "no-store")
                    .errors(400, {"INVALID_CURRENT_PASSWORD"}));
  ops.push_back(Op("GET", "/api/v1/me/sessions", "listOwnSessions", "The caller's active sessions")
                    .tagged("account").auth(Auth::self_service)
                    .describe("Every sign-in of the caller that can still refresh, most recently active first (at "
                              "most 100). `current` marks the one this request uses; none when the caller uses an "
                              "API token, which is not a session (see /api/v1/api-tokens).")
                    .returns(200, object({{"sessions", array_of(own_session())}}, {"sessions"}), "The caller's sessions"));
  ops.push_back(Op("DELETE", "/api/v1/me/sessions", "endOtherSessions", "Sign out everywhere else")
                    .tagged("account").auth(Auth::self_service)
                    .describe("Ends every session of the caller except the one this request uses: their access tokens "
                              "stop working at once and their refresh tokens no longer mint sessions. API tokens keep "
                              "working. Audited as `auth.sessions_end_others`.")
                    .returns(200, object({{"ended", integer("sessions ended")}}, {"ended"}), "Other sessions ended"));
  ops.push_back(Op("DELETE", "/api/v1/me/sessions/:id", "endOwnSession", "End one of the caller's sessions")
                    .tagged("account").auth(Auth::self_service)
                    .path_param("id", described(str(1, 0), "session id from GET /api/v1/me/sessions"))
                    .describe("Only the caller's own live sessions: anyone else's, or one already ended, is 404. "
                              "Ending the current one signs this device out. Audited as `auth.session_end`.")
                    .no_content("Session ended")
                    .errors(404, {"NOT_FOUND"}));
  ops.push_back(Op("GET", "/api/v1/setup", "getSetupStatus", "Whether first-admin setup is still pending")
                    .tagged("setup").auth(Auth::none)
                    .returns(200, ref("SetupStatus"), "Setup status"));
  ops.push_back(Op("POST", "/api/v1/setup", "completeSetup", "Create the first admin with the one-time setup token")
                    .tagged("setup").auth(Auth::none)
                    .describe("The setup token is printed to the log on first start while no admin exists; it works "
                              "once and only while no admin exists.")
                    .body(object({{"setup_token", str(1, 200)},
                                  {"email", described(str_fmt("email"), "at most 255 characters")},
                                  {"password", described(str(12, 1000), "at least 12 characters")},
                                  {"name", str(0, 255)},
                                  {"username", described(str(0, 255), "defaults to one derived from the email")}},
                                 {"setup_token", "email", "password"}))
                    .returns(201, ref("User"), "The first admin account")
                    .errors(403, {"INVALID_SETUP_TOKEN"})
                    .errors(409, {"ADMIN_EXISTS", "EMAIL_TAKEN"}));
  return ops;
}

}  // namespace iron::api::openapi
