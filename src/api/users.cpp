// /api/v1/users (docs/compatibility.md). Admin-only: the guard checks the caller's role BEFORE
// any body is read, so a non-admin learns nothing about validation (the predecessor
// validated first). The rules themselves — never yourself, never the last active admin,
// duplicates → 409 — live in domain::Accounts.
#include <algorithm>

#include "api/guard.h"
#include "api/json_body.h"
#include "api/responses.h"
#include "api/routes.h"

namespace iron::api {
namespace {

const std::vector<std::string> kRoles = {"admin", "user", "viewer"};

Response user_response(const Result<store::User>& u, const Request& req, int status = 200) {
  return respond(u, status, [](const store::User& v) { return domain::user_view(v); }, req.request_id);
}

Response create_user(Services& s, const Request& req, const domain::Principal& p) {
  auto body = JsonBody::parse(req);
  if (!body) return error_response(body.error());
  auto username = body->string("username", 1, 255);
  if (!username) return error_response(username.error());
  // Length 1..1000 here (shape); the domain enforces the minimum of 12 with the same field name.
  auto password = body->string("password", 1, 1000);
  if (!password) return error_response(password.error());
  auto email = body->string("email", 1, 255);
  if (!email) return error_response(email.error());
  auto role = body->one_of("role", kRoles);
  if (!role) return error_response(role.error());
  auto name = body->opt_string("name", 255);
  if (!name) return error_response(name.error());
  // Off by default (the predecessor's clients never sent it); the dashboard sends true, so a
  // password an admin handed over is replaced by the person's own at first sign-in.
  auto force = body->opt_bool("force_password_change");
  if (!force) return error_response(force.error());
  domain::NewUser u;
  u.username = *username;
  u.password = *password;
  u.email = *email;
  u.role = *role;
  u.name = *name;
  u.force_password_change = force->value_or(false);
  return user_response(s.accounts.create(u, context_of(req, &p)), req, 201);
}

Response list_users(Services& s, const Request& req) {
  store::UserFilter f;
  if (const auto role = req.query_param("role")) {
    if (std::find(kRoles.begin(), kRoles.end(), *role) == kRoles.end()) {
      Error e = Error::validation("role", "role must be one of: admin, user, viewer");
      e.details["allowed"] = kRoles;
      return error_response(e);
    }
    f.role = *role;
  }
  auto active = query_bool(req, "is_active");
  if (!active) return error_response(active.error());
  f.is_active = *active;
  if (const auto search = req.query_param("search")) {
    if (search->size() > 255) return error_response(Error::validation("search", "search must be at most 255 characters"));
    if (search->find('\0') != std::string::npos)
      return error_response(Error::validation("search", "search must be text without NUL characters"));
    if (!search->empty()) f.search = *search;
  }
  // Bounded so (page - 1) * page_size can never overflow (the predecessor underflowed on 0).
  auto page = query_int(req, "page", 1, 1'000'000'000);
  if (!page) return error_response(page.error());
  auto page_size = query_int(req, "page_size", 1, 100);
  if (!page_size) return error_response(page_size.error());
  f.page = page->value_or(1);
  f.page_size = page_size->value_or(20);
  const auto [users, total] = s.accounts.list(f);
  nlohmann::json items = nlohmann::json::array();
  for (const auto& u : users) items.push_back(domain::user_view(u));
  return json_response(200, {{"users", items}, {"total", total}, {"page", f.page}, {"page_size", f.page_size}});
}

Response suspend_user(Services& s, const Request& req, const domain::Principal& p) {
  auto body = JsonBody::parse(req, /*allow_empty=*/true);
  if (!body) return error_response(body.error());
  auto reason = body->opt_string("reason", 1000);
  if (!reason) return error_response(reason.error());
  return user_response(s.accounts.suspend(p, req.param("id"), *reason, context_of(req, &p)), req);
}

Response change_role(Services& s, const Request& req, const domain::Principal& p) {
  auto body = JsonBody::parse(req);
  if (!body) return error_response(body.error());
  auto role = body->one_of("role", kRoles);
  if (!role) return error_response(role.error());
  return user_response(s.accounts.change_role(p, req.param("id"), *role, context_of(req, &p)), req);
}

Response reset_password(Services& s, const Request& req, const domain::Principal& p) {
  auto body = JsonBody::parse(req);
  if (!body) return error_response(body.error());
  auto password = body->string("new_password", 1, 1000);
  if (!password) return error_response(password.error());
  auto force = body->opt_bool("force_change");
  if (!force) return error_response(force.error());
  return user_response(
      s.accounts.reset_password(p, req.param("id"), *password, force->value_or(true), context_of(req, &p)), req);
}

// Lifts the login throttle of the account for every source address; the account itself is
// never locked (see domain/login_throttle.h), so this is all an "unlock" has to do.
Response unlock_logins(Services& s, const Request& req, const domain::Principal& p) {
  auto done = s.accounts.unlock_logins(req.param("id"), context_of(req, &p));
  return respond(done, 200, [](const domain::LoginUnlock& u) {
    return nlohmann::json{{"user", domain::user_view(u.user)}, {"login_failures_cleared", u.login_failures_cleared}};
  }, req.request_id);
}

}  // namespace

void add_user_routes(std::vector<Route>& routes, Services& s) {
  auto admin = [&s](AuthedHandler h) { return guarded(s, Access::admin, std::move(h)); };
  routes.push_back({"POST", "/api/v1/users", admin([&s](const Request& r, const domain::Principal& p) {
                      return create_user(s, r, p);
                    })});
  routes.push_back({"GET", "/api/v1/users", admin([&s](const Request& r, const domain::Principal&) {
                      return list_users(s, r);
                    })});
  routes.push_back({"GET", "/api/v1/users/:id", admin([&s](const Request& r, const domain::Principal&) {
                      return user_response(s.accounts.get(r.param("id")), r);
                    })});
  routes.push_back({"DELETE", "/api/v1/users/:id", admin([&s](const Request& r, const domain::Principal& p) {
                      return user_response(s.accounts.remove(p, r.param("id"), context_of(r, &p)), r);
                    })});
  routes.push_back({"PUT", "/api/v1/users/:id/suspend", admin([&s](const Request& r, const domain::Principal& p) {
                      return suspend_user(s, r, p);
                    })});
  routes.push_back({"PUT", "/api/v1/users/:id/activate", admin([&s](const Request& r, const domain::Principal& p) {
                      return user_response(s.accounts.activate(p, r.param("id"), context_of(r, &p)), r);
                    })});
  routes.push_back({"POST", "/api/v1/users/:id/unlock", admin([&s](const Request& r, const domain::Principal& p) {
                      return unlock_logins(s, r, p);
                    })});
  routes.push_back({"PUT", "/api/v1/users/:id/role", admin([&s](const Request& r, const domain::Principal& p) {
                      return change_role(s, r, p);
                    })});
  routes.push_back({"POST", "/api/v1/users/:id/reset-password", admin([&s](const Request& r, const domain::Principal& p) {
                      return reset_password(s, r, p);
                    })});
}

}  // namespace iron::api
