#include "domain/accounts.h"

#include "domain/audit.h"
#include "domain/login_throttle.h"
#include "security/password.h"
#include "security/random.h"
#include "store/api_token_repo.h"
#include "store/login_failure_repo.h"
#include "store/session_repo.h"
#include "util/clock.h"
#include "util/json_fields.h"

namespace iron::domain {
namespace {

Error user_not_found() { return Error::not_found("user"); }

Error self_forbidden(const std::string& what) {
  return Error::forbidden("you cannot " + what + " your own account", "SELF_MODIFICATION_FORBIDDEN");
}

Error last_admin() {
  return Error::conflict("LAST_ADMIN", "this is the last active admin; promote another admin first");
}

// Would removing `u`'s admin power leave no active admin?
bool is_last_active_admin(store::Connection& c, const store::User& u) {
  return u.role == "admin" && u.is_active && !u.deleted_at && store::users::count_active_admins(c) <= 1;
}

}  // namespace

nlohmann::json user_view(const store::User& u) {
  return {IRON_JSON_FIELDS(u, id, username, email, name, role, is_active, force_password_change, created_at,
                           last_login, suspended_at, suspended_reason, deleted_at)};
}

std::optional<Error> check_new_password(const std::string& password, const std::string& field) {
  if (password.size() < security::kMinPasswordLength)
    return Error::validation(field, "password must be at least " + std::to_string(security::kMinPasswordLength) +
                                        " characters");
  if (password.size() > security::kMaxPasswordLength)
    return Error::validation(field, "password must be at most 1000 characters");
  return std::nullopt;
}

std::optional<Error> check_email(const std::string& email, const std::string& field) {
  const auto at = email.find('@');
  if (email.size() > 255 || at == std::string::npos || at == 0 || at + 1 >= email.size() ||
      email.find('@', at + 1) != std::string::npos || email.find_first_of(" \t\r\n<>") != std::string::npos)
    return Error::validation(field, "not a valid email address");
  return std::nullopt;
}

Result<store::User> Accounts::create(const NewUser& in, const RequestContext& ctx) {
  if (in.username.empty() || in.username.size() > 255) return Error::validation("username", "username must be 1..255 characters");
  if (auto e = check_email(in.email)) return *e;
  if (auto e = check_new_password(in.password)) return *e;
  if (!parse_role(in.role)) return Error::validation("role", "role must be admin, user or viewer");
  if (in.name && in.name->size() > 255) return Error::validation("name", "name must be at most 255 characters");
  const std::string hash = security::hash_password(in.password);  // outside the write lock: ~70 ms
  return db_.write([&](store::Connection& c) -> Result<store::User> {
    if (store::users::username_taken(c, in.username)) return Error::conflict("USERNAME_TAKEN", "username already in use");
    if (store::users::email_taken(c, in.email)) return Error::conflict("EMAIL_TAKEN", "email already in use");
    store::User u;
    u.id = "user_" + security::uuid_v4();
    u.username = in.username;
    u.email = in.email;
    u.name = in.name;
    u.password_hash = hash;
    u.role = in.role;
    u.force_password_change = in.force_password_change;
    u.created_at = u.updated_at = util::now_unix_ms();
    store::users::insert(c, u);
    audit(c, ctx, "user.create", "user", u.id, nullptr, user_view(u));
    return u;
  });
}

Result<store::User> Accounts::get(const std::string& id) {
  auto u = db_.read([&](store::Connection& c) { return store::users::find_by_id(c, id); });
  if (!u || u->deleted_at) return user_not_found();
  return *u;
}

std::pair<std::vector<store::User>, int64_t> Accounts::list(const store::UserFilter& f) {
  return db_.read([&](store::Connection& c) { return store::users::list(c, f); });
}

Result<store::User> Accounts::suspend(const Principal& actor, const std::string& id, std::optional<std::string> reason,
                                      const RequestContext& ctx) {
  if (actor.user_id == id) return self_forbidden("suspend");
  return db_.write([&](store::Connection& c) -> Result<store::User> {
    auto u = store::users::find_by_id(c, id);
    if (!u || u->deleted_at) return user_not_found();
    if (!u->is_active) return Error::conflict("ALREADY_SUSPENDED", "user is already suspended");
    if (is_last_active_admin(c, *u)) return last_admin();
    const auto before = user_view(*u);
    const int64_t now = util::now_unix_ms();
    u->is_active = false;
    u->suspended_reason = std::move(reason);
    // Every credential issued before ends for good: re-activation must not revive a session
    // or an API token that was handed out while the account was trusted.
    u->suspended_at = u->updated_at = u->sessions_valid_after = now;
    store::users::update(c, *u);
    store::sessions::revoke_all_for_user(c, u->id, now);
    int64_t tokens_revoked = 0;
    for (const auto& t : store::api_tokens::list_for_user(c, u->id)) {
      if (t.revoked_at || t.rotated_at || !t.is_active) continue;
      store::api_tokens::mark_revoked(c, t.id, now);
      ++tokens_revoked;
    }
    auto after = user_view(*u);
    after["api_tokens_revoked"] = tokens_revoked;
    audit(c, ctx, "user.suspend", "user", u->id, before, after);
    return *u;
  });
}

Result<store::User> Accounts::activate(const Principal& actor, const std::string& id, const RequestContext& ctx) {
  (void)actor;
  return db_.write([&](store::Connection& c) -> Result<store::User> {
    auto u = store::users::find_by_id(c, id);
    if (!u || u->deleted_at) return user_not_found();
    if (u->is_active) return Error::conflict("ALREADY_ACTIVE", "user is already active");
    const auto before = user_view(*u);
    u->is_active = true;
    u->suspended_at.reset();
    u->suspended_reason.reset();
    u->updated_at = util::now_unix_ms();
    store::users::update(c, *u);
    audit(c, ctx, "user.activate", "user", u->id, before, user_view(*u));
    return *u;
  });
}

Result<store::User> Accounts::remove(const Principal& actor, const std::string& id, const RequestContext& ctx) {
  if (actor.user_id == id) return self_forbidden("delete");
  return db_.write([&](store::Connection& c) -> Result<store::User> {
    auto u = store::users::find_by_id(c, id);
    if (!u || u->deleted_at) return user_not_found();
    if (is_last_active_admin(c, *u)) return last_admin();
    const auto before = user_view(*u);
    u->deleted_at = u->updated_at = util::now_unix_ms();
    u->is_active = false;
    store::users::update(c, *u);
    store::sessions::revoke_all_for_user(c, u->id, util::now_unix_ms());
    audit(c, ctx, "user.delete", "user", u->id, before, user_view(*u));
    return *u;
  });
}

Result<store::User> Accounts::change_role(const Principal& actor, const std::string& id, const std::string& role,
                                          const RequestContext& ctx) {
  if (!parse_role(role)) return Error::validation("role", "role must be admin, user or viewer");
  if (actor.user_id == id) return self_forbidden("change the role of");
  return db_.write([&](store::Connection& c) -> Result<store::User> {
    auto u = store::users::find_by_id(c, id);
    if (!u || u->deleted_at) return user_not_found();
    if (role != "admin" && is_last_active_admin(c, *u)) return last_admin();
    const auto before = user_view(*u);
    u->role = role;
    u->updated_at = util::now_unix_ms();
    store::users::update(c, *u);
    audit(c, ctx, "user.role_change", "user", u->id, before, user_view(*u));
    return *u;
  });
}

Result<store::User> Accounts::reset_password(const Principal& actor, const std::string& id,
                                             const std::string& new_password, bool force_change,
                                             const RequestContext& ctx) {
  if (actor.user_id == id) return self_forbidden("reset the password of");
  if (auto e = check_new_password(new_password, "new_password")) return *e;
  return set_password(id, new_password, force_change, "user.password_reset", ctx);
}

Result<store::User> Accounts::set_password(const std::string& id, const std::string& new_password, bool force_change,
                                           const std::string& action, const RequestContext& ctx) {
  const std::string hash = security::hash_password(new_password);
  return db_.write([&](store::Connection& c) -> Result<store::User> {
    auto u = store::users::find_by_id(c, id);
    if (!u || u->deleted_at) return user_not_found();
    u->password_hash = hash;
    u->force_password_change = force_change;
    u->updated_at = u->sessions_valid_after = util::now_unix_ms();  // every session of the old password ends
    store::users::update(c, *u);
    store::sessions::revoke_all_for_user(c, u->id, util::now_unix_ms());
    // The owner may have throttled their own address while they could not remember it.
    store::login_failures::clear_account(c, login_account_key(u->email));
    audit(c, ctx, action, "user", u->id, nullptr, {{"force_password_change", force_change}});
    return *u;
  });
}

Result<LoginUnlock> Accounts::unlock_logins(const std::string& id, const RequestContext& ctx) {
  return db_.write([&](store::Connection& c) -> Result<LoginUnlock> {
    auto u = store::users::find_by_id(c, id);
    if (!u || u->deleted_at) return user_not_found();
    const int64_t cleared = store::login_failures::clear_account(c, login_account_key(u->email));
    audit(c, ctx, "user.unlock", "user", u->id, nullptr, {{"login_failures_cleared", cleared}});
    return LoginUnlock{std::move(*u), cleared};
  });
}

bool Accounts::admin_exists() {
  return db_.read([](store::Connection& c) { return store::users::count_admins(c) > 0; });
}

Result<store::User> Accounts::create_first_admin(const NewUser& in, const RequestContext& ctx) {
  return insert_admin(in, /*only_if_none=*/true, "user.bootstrap_admin", ctx);
}

Result<store::User> Accounts::create_admin(const NewUser& in, const RequestContext& ctx) {
  return insert_admin(in, /*only_if_none=*/false, "user.create", ctx);
}

Result<store::User> Accounts::insert_admin(const NewUser& in, bool only_if_none, const std::string& action,
                                           const RequestContext& ctx) {
  NewUser admin = in;
  admin.role = "admin";
  if (admin.username.empty()) admin.username = admin.email.substr(0, admin.email.find('@'));
  if (auto e = check_email(admin.email)) return *e;
  if (auto e = check_new_password(admin.password)) return *e;
  if (admin.name && admin.name->size() > 255) return Error::validation("name", "name must be at most 255 characters");
  const std::string hash = security::hash_password(admin.password);
  return db_.write([&](store::Connection& c) -> Result<store::User> {
    // Checked inside the write transaction: two racing bootstraps cannot both win.
    if (only_if_none && store::users::count_admins(c) > 0)
      return Error::conflict("ADMIN_EXISTS", "an admin account already exists");
    if (store::users::email_taken(c, admin.email)) return Error::conflict("EMAIL_TAKEN", "email already in use");
    std::string username = admin.username;
    for (int i = 2; store::users::username_taken(c, username); ++i) username = admin.username + std::to_string(i);
    store::User u;
    u.id = "user_" + security::uuid_v4();
    u.username = username;
    u.email = admin.email;
    u.name = admin.name;
    u.password_hash = hash;
    u.role = "admin";
    u.created_at = u.updated_at = util::now_unix_ms();
    store::users::insert(c, u);
    audit(c, ctx, action, "user", u.id, nullptr, user_view(u));
    return u;
  });
}

Result<store::User> Accounts::recover_password(const std::string& email, const std::string& new_password,
                                               const RequestContext& ctx) {
  if (auto e = check_new_password(new_password)) return *e;
  const auto u = db_.read([&](store::Connection& c) { return store::users::find_by_email(c, email); });
  if (!u) return user_not_found();
  return set_password(u->id, new_password, /*force_change=*/false, "user.password_recover", ctx);
}

}  // namespace iron::domain
