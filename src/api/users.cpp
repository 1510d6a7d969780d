// /api/v1/users (docs/compatibility.md). Admin-only: the guard checks the caller's role BEFORE
// any body is read, so a non-admin learns nothing about validation (the predecessor
// validated first). The rules themselves — never yourself, never the last active admin,
// duplicates → 409 — live in domain::Accounts.
#include <algorithm>

#include "api/body.h"
#include "api/endpoint.h"
#include "api/routes.h"

namespace iron::api {
namespace {

using namespace openapi;

const std::vector<std::string> kRoles = {"admin", "user", "viewer"};

using domain::NewUser;
const auto kNewUser = BodyFields<NewUser>()
    .text("username", &NewUser::username, 1, 255)
    // Shape here; the domain enforces the minimum of 12 with the same field name.
    .text("password", &NewUser::password, 1, 1000).domain_min_length(12).describe("at least 12 characters")
    .text("email", &NewUser::email, 1, 255).schema_with({{"format", "email"}}).describe("at most 255 characters")
    .one_of("role", &NewUser::role, kRoles).schema_with(ref("Role"))
    .text("name", &NewUser::name, 255)
    // Off by default (the predecessor's clients never sent it); the dashboard sends true, so a
    // password an admin handed over is replaced by the person's own at first sign-in.
    .boolean("force_password_change", &NewUser::force_password_change)
    .describe("the user must choose their own password at first sign-in (default false)");

struct SuspendBody {
  std::optional<std::string> reason;
};
const auto kSuspend = BodyFields<SuspendBody>().text("reason", &SuspendBody::reason, 1000);

struct RoleBody {
  std::string role;
};
const auto kRole = BodyFields<RoleBody>().one_of("role", &RoleBody::role, kRoles).schema_with(ref("Role"));

struct ResetBody {
  std::string new_password;
  std::optional<bool> force_change;
};
const auto kReset = BodyFields<ResetBody>()
    .text("new_password", &ResetBody::new_password, 1, 1000).domain_min_length(12).describe("at least 12 characters")
    .boolean("force_change", &ResetBody::force_change).describe("require a change at next login; default true");

Reply user_reply(const Result<store::User>& u, int status = 200) {
  return reply(u, status, [](const store::User& v) { return domain::user_view(v); });
}

Reply create_user(const Call& c, const NewUser& in) { return user_reply(c.s.accounts.create(in, c.context()), 201); }

// `page` is bounded so (page - 1) * page_size can never overflow (the predecessor underflowed on 0).
const QueryFields<store::UserFilter> kUserQuery =
    QueryFields<store::UserFilter>()
        .one_of("role", &store::UserFilter::role, kRoles, "only this role").schema_with(ref("Role"))
        .boolean("is_active", &store::UserFilter::is_active, "only active (true) or suspended (false) users")
        .text("search", &store::UserFilter::search, 0, 255, "substring of the username or email")
        .integer("page", &store::UserFilter::page, 1, 1'000'000'000, "page number")
        .schema_with({{"description", "1-based page; default 1"}})
        .integer("page_size", &store::UserFilter::page_size, 1, 100, "users per page")
        .schema_with({{"description", "default 20"}});

Reply list_users(const Call& c, const store::UserFilter& f) {
  const auto [users, total] = c.s.accounts.list(f);
  return json_response(200, {{"users", json_array_of(users, domain::user_view)},
                             {"total", total},
                             {"page", f.page},
                             {"page_size", f.page_size}});
}

Reply suspend_user(const Call& c, const SuspendBody& in) {
  return user_reply(c.s.accounts.suspend(c.who(), c.param("id"), in.reason, c.context()));
}

Reply change_role(const Call& c, const RoleBody& in) {
  return user_reply(c.s.accounts.change_role(c.who(), c.param("id"), in.role, c.context()));
}

Reply reset_password(const Call& c, const ResetBody& in) {
  return user_reply(c.s.accounts.reset_password(c.who(), c.param("id"), in.new_password,
                                                in.force_change.value_or(true), c.context()));
}

// Lifts the login throttle of the account for every source address; the account itself is
// never locked (see domain/login_throttle.h), so this is all an "unlock" has to do.
Reply unlock_logins(const Call& c) {
  return reply(c.s.accounts.unlock_logins(c.param("id"), c.context()), 200, [](const domain::LoginUnlock& u) {
    return nlohmann::json{{"user", domain::user_view(u.user)}, {"login_failures_cleared", u.login_failures_cleared}};
  });
}

// User ids are user_<uuid>, not integers.
const Resource user_op{
    .tag = "users", .access = Auth::admin, .id_schema = user_id_schema(), .integer_ids = false};

}  // namespace

std::vector<Endpoint> user_endpoints() {
  std::vector<Endpoint> e;
  e.push_back({user_op("POST", "/api/v1/users", "createUser", "Create a user")
                   .returns(201, ref("User"), "Created")
                   .errors(409, {"USERNAME_TAKEN", "EMAIL_TAKEN"}),
               with_body(kNewUser, create_user)});
  e.push_back({user_op("GET", "/api/v1/users", "listUsers", "List users (deleted users excluded, newest first)")
                   .returns(200, ref("UserList"), "One page of users"),
               with_query(kUserQuery, list_users)});
  e.push_back({user_op("GET", "/api/v1/users/:id", "getUser", "Get a user").returns(200, ref("User"), "The user"),
               [](const Call& c) { return user_reply(c.s.accounts.get(c.param("id"))); }});
  e.push_back({user_op("DELETE", "/api/v1/users/:id", "deleteUser", "Soft-delete a user")
                   .returns(200, ref("User"), "The deleted user")
                   .errors(403, {"SELF_MODIFICATION_FORBIDDEN"})
                   .errors(409, {"LAST_ADMIN"}),
               [](const Call& c) { return user_reply(c.s.accounts.remove(c.who(), c.param("id"), c.context())); }});
  e.push_back({user_op("PUT", "/api/v1/users/:id/suspend", "suspendUser", "Suspend a user")
                   .returns(200, ref("User"), "The suspended user")
                   .errors(403, {"SELF_MODIFICATION_FORBIDDEN"})
                   .errors(409, {"ALREADY_SUSPENDED", "LAST_ADMIN"}),
               with_body(kSuspend, suspend_user, /*required=*/false)});
  e.push_back({user_op("PUT", "/api/v1/users/:id/activate", "activateUser", "Re-activate a suspended user")
                   .returns(200, ref("User"), "The active user")
                   .errors(409, {"ALREADY_ACTIVE"}),
               [](const Call& c) { return user_reply(c.s.accounts.activate(c.who(), c.param("id"), c.context())); }});
  e.push_back({user_op("POST", "/api/v1/users/:id/unlock", "unlockUserLogins", "Lift the login throttle of a user")
                   .returns(200,
                            object({{"user", ref("User")},
                                    {"login_failures_cleared", integer("failed logins forgotten, from all sources")}},
                                   {"user", "login_failures_cleared"}),
                            "The user, with the number of failed logins forgotten"),
               unlock_logins});
  e.push_back({user_op("PUT", "/api/v1/users/:id/role", "changeUserRole", "Change a user's role")
                   .returns(200, ref("User"), "The updated user")
                   .errors(403, {"SELF_MODIFICATION_FORBIDDEN"})
                   .errors(409, {"LAST_ADMIN"}),
               with_body(kRole, change_role)});
  e.push_back({user_op("POST", "/api/v1/users/:id/reset-password", "resetUserPassword", "Set a new password for a user")
                   .returns(200, ref("User"), "The updated user"),
               with_body(kReset, reset_password)});
  return e;
}

}  // namespace iron::api
