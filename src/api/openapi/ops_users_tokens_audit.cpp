// OpenAPI table: user management (admin), API tokens, the audit log (admin).
// Shapes follow the predecessor (reference §2.2–2.3) with the guards it lacked.
#include "api/openapi/spec.h"

namespace iron::api::openapi {
namespace {

json user_id() { return described({{"type", "string"}, {"pattern", "^user_"}}, "user id (user_<uuid>)"); }
json token_id() { return integer_range(1, INT64_MAX, "API token id"); }

Op user_op(std::string method, std::string pattern, std::string id, std::string summary) {
  Op op(std::move(method), std::move(pattern), std::move(id), std::move(summary));
  op.tagged("users").auth(Auth::admin);
  if (op.pattern.find(":id") != std::string::npos) op.path_param("id", user_id()).errors(404, {"NOT_FOUND"});
  return op;
}

Op token_op(std::string method, std::string pattern, std::string id, std::string summary, Auth access) {
  Op op(std::move(method), std::move(pattern), std::move(id), std::move(summary));
  op.tagged("api-tokens").auth(access);
  if (op.pattern.find(":id") != std::string::npos)
    op.path_param("id", token_id()).integer_ids().errors(404, {"NOT_FOUND"});
  return op;
}

}  // namespace

std::vector<Op> user_ops() {
  const json role = ref("Role");
  std::vector<Op> ops;
  ops.push_back(user_op("POST", "/api/v1/users", "createUser", "Create a user")
                    .body(object({{"username", str(1, 255)},
                                  {"password", described(str(12, 1000), "at least 12 characters")},
                                  {"email", described(str_fmt("email"), "at most 255 characters")},
                                  {"role", role},
                                  {"name", str(0, 255)},
                                  {"force_password_change",
                                   boolean("the user must choose their own password at first sign-in (default false)")}},
                                 {"username", "password", "email", "role"}))
                    .returns(201, ref("User"), "Created")
                    .errors(409, {"USERNAME_TAKEN", "EMAIL_TAKEN"}));
  ops.push_back(user_op("GET", "/api/v1/users", "listUsers", "List users (deleted users excluded, newest first)")
                    .query("role", role, "only this role")
                    .query("is_active", boolean(), "only active (true) or suspended (false) users")
                    .query("search", str(0, 255), "substring of the username or email")
                    .query("page", described(integer_range(1, INT64_MAX, ""), "1-based page; default 1"), "page number")
                    .query("page_size", described(integer_range(1, 100, ""), "default 20"), "users per page")
                    .returns(200, ref("UserList"), "One page of users"));
  ops.push_back(user_op("GET", "/api/v1/users/:id", "getUser", "Get a user")
                    .returns(200, ref("User"), "The user"));
  ops.push_back(user_op("DELETE", "/api/v1/users/:id", "deleteUser", "Soft-delete a user")
                    .describe("Not yourself, not the last active admin. Revokes the user's sessions at once.")
                    .returns(200, ref("User"), "The deleted user")
                    .errors(403, {"SELF_MODIFICATION_FORBIDDEN"})
                    .errors(409, {"LAST_ADMIN"}));
  ops.push_back(user_op("PUT", "/api/v1/users/:id/suspend", "suspendUser", "Suspend a user")
                    .describe("Not yourself, not the last active admin. The user is locked out at once, and every "
                              "credential issued before ends for good: access and refresh tokens stop working and "
                              "the user's API tokens are revoked, so re-activation revives none of them.")
                    .body(object({{"reason", str(0, 1000)}}, {}), false)
                    .returns(200, ref("User"), "The suspended user")
                    .errors(403, {"SELF_MODIFICATION_FORBIDDEN"})
                    .errors(409, {"ALREADY_SUSPENDED", "LAST_ADMIN"}));
  ops.push_back(user_op("PUT", "/api/v1/users/:id/activate", "activateUser", "Re-activate a suspended user")
                    .returns(200, ref("User"), "The active user")
                    .errors(409, {"ALREADY_ACTIVE"}));
  ops.push_back(user_op("POST", "/api/v1/users/:id/unlock", "unlockUserLogins", "Lift the login throttle of a user")
                    .describe("Forgets the failed logins recorded against this account from every source address, "
                              "so a user who throttled their own address may sign in again at once. Accounts are "
                              "never locked by failures (the throttle is per source); audited as `user.unlock`.")
                    .returns(200,
                             object({{"user", ref("User")},
                                     {"login_failures_cleared", integer("failed logins forgotten, from all sources")}},
                                    {"user", "login_failures_cleared"}),
                             "The user, with the number of failed logins forgotten"));
  ops.push_back(user_op("PUT", "/api/v1/users/:id/role", "changeUserRole", "Change a user's role")
                    .describe("Not your own role, never demoting the last active admin. Applies at once.")
                    .body(object({{"role", role}}, {"role"}))
                    .returns(200, ref("User"), "The updated user")
                    .errors(403, {"SELF_MODIFICATION_FORBIDDEN"})
                    .errors(409, {"LAST_ADMIN"}));
  ops.push_back(user_op("POST", "/api/v1/users/:id/reset-password", "resetUserPassword", "Set a new password for a user")
                    .describe("Ends the user's sessions at once and lifts the login throttle of the account.")
                    .body(object({{"new_password", described(str(12, 1000), "at least 12 characters")},
                                  {"force_change", described(boolean(), "require a change at next login; default true")}},
                                 {"new_password"}))
                    .returns(200, ref("User"), "The updated user"));
  return ops;
}

std::vector<Op> api_token_ops() {
  const json name = described({{"type", "string"}, {"minLength", 1}, {"maxLength", 100}, {"pattern", "^[^\\x00<>]*$"}},
                              "1..100 characters, no NUL, < or >");
  json create_body = object({{"name", name},
                             {"description", str(0, 500)},
                             {"user_id", described(user_id(), "admin only: the owner of the new token")},
                             {"project_id", str(0, 500)},
                             {"agent_id", described(integer(), "an agent of the token's owner (404 AGENT_NOT_FOUND otherwise)")},
                             {"provider", str(1, 64)},
                             {"expires_at", rfc3339("optional expiry; must be in the future")},
                             {"scope", described(one_of_strings({"read", "runtime", "user", "admin"}),
                                                 "what the token may do; default `user` (`runtime` when bound to an "
                                                 "agent, which allows nothing else)")}},
                            {});
  create_body["minProperties"] = 1;
  std::vector<Op> ops;
  ops.push_back(token_op("POST", "/api/v1/api-tokens", "createApiToken", "Create an API token", Auth::mutate)
                    .describe("The secret (`apitok_…`) is returned once and stored only as a hash. At least one of "
                              "the fields is required. `user_id` (create for another user) is admin-only. Per-user "
                              "caps on active tokens and on creations per minute answer 429.\n\n"
                              "**Scopes**, enforced on every route, fixed at creation and shown in the list: "
                              "`read` — GET requests only, with viewer rights (the owner's own resources; no admin "
                              "routes, no key fetch); `runtime` — only `GET /api/v1/keys`, every other route is 403; "
                              "`user` (the default) — the owner's rights capped at the user role (no admin routes); "
                              "`admin` — the owner's current rights including admin routes, only for an admin owner "
                              "(403 SCOPE_NOT_ALLOWED). A token bound to an agent is `runtime` only and never acts "
                              "as its owner. Tokens created before scopes existed show `legacy_full` (the owner's "
                              "current role everywhere, as before); it cannot be chosen. A scope's refusal is 403 "
                              "TOKEN_SCOPE_INSUFFICIENT. No token can create or rotate tokens (403 SESSION_REQUIRED).")
                    .body(create_body)
                    .returns(201, ref("ApiTokenCreated"), "Created; `token` is shown only now")
                    .errors(403, {"INSUFFICIENT_PERMISSIONS", "SESSION_REQUIRED", "SCOPE_NOT_ALLOWED",
                                  "TOKEN_SCOPE_INSUFFICIENT", "USER_ID_OVERRIDE_FORBIDDEN"})
                    .errors(404, {"USER_NOT_FOUND", "AGENT_NOT_FOUND"})
                    .errors(429, {"RATE_LIMIT_EXCEEDED", "TOKEN_LIMIT_EXCEEDED"}));
  ops.push_back(token_op("GET", "/api/v1/api-tokens", "listApiTokens",
                         "List the caller's API tokens (revoked included, newest first)", Auth::read)
                    .describe("Each row carries its owner's `user_id`. Admins (a session, or an `admin`-scoped token) "
                              "may pass `user_id` to list another user's tokens, or `user_id=*` for every user's; "
                              "anyone else naming a user other than themselves gets 403 USER_ID_OVERRIDE_FORBIDDEN. "
                              "An unknown user has no tokens (empty list). `status` narrows the list; with `page` or "
                              "`per_page` the answer is one page as `{data, pagination}`, without them the plain array.")
                    .query("user_id", str(1, 255), "whose tokens: a user id, or `*` for everyone (admins only)")
                    .query("status", one_of_strings({"active", "expired", "inactive"}),
                           "active (usable), expired (past expires_at) or inactive (revoked or rotated)")
                    .query("page", integer_range(1, 1'000'000'000, ""), "1-based page; answers `{data, pagination}`")
                    .query("per_page", integer_range(1, 200, ""), "default 25; answers `{data, pagination}`")
                    .returns(200, json{{"oneOf", json::array({array_of(ref("ApiToken")), ref("ApiTokenPage")})}},
                             "The tokens, or one page of them")
                    .errors(403, {"USER_ID_OVERRIDE_FORBIDDEN"}));
  ops.push_back(token_op("GET", "/api/v1/api-tokens/:id", "getApiToken", "Get one of the caller's API tokens", Auth::read)
                    .returns(200, ref("ApiToken"), "The token (never its secret)")
                    .errors(403, {"NOT_TOKEN_OWNER"}));
  ops.push_back(token_op("PUT", "/api/v1/api-tokens/:id", "updateApiToken", "Update one of the caller's API tokens", Auth::mutate)
                    .describe("At least one of provider, name, description. `scope` cannot be changed (400): create "
                              "a new token instead.")
                    .body([] {
                      auto b = object({{"provider", str(1, 64)}, {"name", str(1, 100)}, {"description", str(0, 500)}}, {});
                      b["minProperties"] = 1;
                      return b;
                    }())
                    .returns(200, ref("ApiToken"), "The updated token")
                    .errors(403, {"NOT_TOKEN_OWNER"})
                    .errors(409, {"TOKEN_REVOKED"}));
  ops.push_back(token_op("DELETE", "/api/v1/api-tokens/:id", "revokeApiToken", "Revoke one of the caller's API tokens", Auth::mutate)
                    .describe("The owner, or an admin for any user's token (audited as `api_token.revoke`). Rotating "
                              "stays owner-only: it would show the new secret to the admin.")
                    .returns(200,
                             object({{"id", integer()}, {"revoked", {{"type", "boolean"}, {"const", true}}}, {"message", str()}},
                                    {"id", "revoked", "message"}),
                             "Revoked (soft: the row stays, inactive)")
                    .errors(403, {"NOT_TOKEN_OWNER"})
                    .errors(409, {"TOKEN_ALREADY_REVOKED"}));
  ops.push_back(token_op("POST", "/api/v1/api-tokens/:id/rotate", "rotateApiToken", "Rotate one of the caller's API tokens",
                         Auth::mutate)
                    .describe("Owner only (the predecessor let anyone rotate). Deactivates the token and issues a new "
                              "one with the same metadata under a new id; the new secret is shown once.")
                    .returns(200, ref("ApiTokenCreated"), "The replacement token")
                    .errors(403, {"SESSION_REQUIRED"})
                    .errors(409, {"TOKEN_EXPIRED"}));
  ops.push_back(token_op("POST", "/api/v1/api-tokens/validate", "validateApiToken", "Check an API token (public)", Auth::none)
                    .describe("Says nothing beyond `valid:false` for a token it cannot match.")
                    .body(object({{"token", str(1, 4096)}}, {"token"}))
                    .returns(200,
                             object({{"valid", boolean()},
                                     {"user_id", str()},
                                     {"project_id", nullable(str())},
                                     {"token_id", integer()}},
                                    {"valid"}),
                             "Validation outcome; the ids only when valid"));
  return ops;
}

std::vector<Op> audit_ops() {
  std::vector<Op> ops;
  ops.push_back(Op("GET", "/api/v1/audit", "listAudit", "Read the audit log (newest first)")
                    .tagged("audit").auth(Auth::admin)
                    .describe("Append-only record of every mutation and auth event, written in the same transaction "
                              "as the change. Cursor-paged: pass `next_cursor` back as `cursor`.")
                    .query("actor_id", str(1, 255), "only this actor")
                    .query("entity_type", str(1, 64), "e.g. user, api_token")
                    .query("entity_id", str(1, 255), "only this entity (with entity_type)")
                    .query("action", str(1, 128), "e.g. auth.login")
                    .query("from", rfc3339("inclusive lower bound"), "rows at or after this time")
                    .query("to", rfc3339("exclusive upper bound"), "rows before this time")
                    .query("cursor", str(1, 64), "opaque cursor from a previous page's next_cursor")
                    .query("limit", described(integer_range(1, 200, ""), "default 50"), "rows per page")
                    .csv_export()
                    .returns(200, ref("AuditPage"), "One page of audit rows"));
  return ops;
}

}  // namespace iron::api::openapi
