#pragma once
// User accounts: creation with validation, the admin guards (never yourself, never the
// last active admin), suspension, soft deletion, roles, passwords and the first admin.
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "domain/principal.h"
#include "store/database.h"
#include "store/user_repo.h"
#include "util/result.h"

namespace iron::domain {

struct NewUser {
  std::string username;
  std::string email;
  std::optional<std::string> name;
  std::string password;
  std::string role = "user";
  bool force_password_change = false;
};

struct LoginUnlock {
  store::User user;
  int64_t login_failures_cleared = 0;
};

// The user as shown in API responses and audit rows: never the password hash.
nlohmann::json user_view(const store::User& u);

// Checks shared by every path that sets a password or an email.
std::optional<Error> check_new_password(const std::string& password, const std::string& field = "password");
std::optional<Error> check_email(const std::string& email, const std::string& field = "email");

class Accounts {
 public:
  explicit Accounts(store::Database& db) : db_(db) {}

  Result<store::User> create(const NewUser& u, const RequestContext& ctx);
  Result<store::User> get(const std::string& id);
  std::pair<std::vector<store::User>, int64_t> list(const store::UserFilter& f);
  Result<store::User> suspend(const Principal& actor, const std::string& id, std::optional<std::string> reason,
                              const RequestContext& ctx);
  Result<store::User> activate(const Principal& actor, const std::string& id, const RequestContext& ctx);
  Result<store::User> remove(const Principal& actor, const std::string& id, const RequestContext& ctx);
  Result<store::User> change_role(const Principal& actor, const std::string& id, const std::string& role,
                                  const RequestContext& ctx);
  // An admin resetting another user's password. Your own goes through
  // Sessions::change_own_password, which asks for the current one and starts a new session.
  Result<store::User> reset_password(const Principal& actor, const std::string& id, const std::string& new_password,
                                     bool force_change, const RequestContext& ctx);
  // An admin lifting the login throttle of a user's account for every source address (the
  // user mistyped from an address they must keep using).
  Result<LoginUnlock> unlock_logins(const std::string& id, const RequestContext& ctx);

  // First-admin paths (environment, setup token): succeed only while no admin exists.
  bool admin_exists();
  Result<store::User> create_first_admin(const NewUser& u, const RequestContext& ctx);

  // Operator recovery with file-system access (`ironpanel admin ...`): creates an admin
  // whether or not admins exist; resets a live user's password by email, clearing the
  // login throttle and the forced change and ending the user's sessions.
  Result<store::User> create_admin(const NewUser& u, const RequestContext& ctx);
  Result<store::User> recover_password(const std::string& email, const std::string& new_password,
                                       const RequestContext& ctx);

 private:
  Result<store::User> set_password(const std::string& id, const std::string& new_password, bool force_change,
                                   const std::string& action, const RequestContext& ctx);
  Result<store::User> insert_admin(const NewUser& u, bool only_if_none, const std::string& action,
                                   const RequestContext& ctx);
  store::Database& db_;
};

}  // namespace iron::domain
