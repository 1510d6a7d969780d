#pragma once
// Making an empty database usable without demo data: an admin from IRON_ADMIN_EMAIL +
// IRON_ADMIN_PASSWORD on first start, or else a one-time setup token (logged once, stored
// only as a hash) that POST /api/v1/setup exchanges for the first admin account.
#include <optional>
#include <string>

#include "domain/accounts.h"

namespace iron::domain {

class FirstAdmin {
 public:
  FirstAdmin(store::Database& db, Accounts& accounts) : db_(db), accounts_(accounts) {}

  // At start. Returns a fresh setup token to print when neither an admin nor the
  // environment bootstrap exists; nullopt otherwise. Throws on a bad IRON_ADMIN_* value.
  std::optional<std::string> prepare(const std::string& env_email, const std::string& env_password);
  bool setup_required();
  Result<store::User> redeem(const std::string& setup_token, const NewUser& admin, const RequestContext& ctx);

 private:
  store::Database& db_;
  Accounts& accounts_;
};

}  // namespace iron::domain
