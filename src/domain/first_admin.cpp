#include "domain/first_admin.h"

#include <stdexcept>

#include "domain/audit.h"
#include "security/crypto.h"
#include "security/random.h"
#include "store/session_repo.h"
#include "util/clock.h"

namespace iron::domain {
namespace {
constexpr const char* kSetupTokenKey = "setup_token_sha256";
}

std::optional<std::string> FirstAdmin::prepare(const std::string& env_email, const std::string& env_password) {
  if (accounts_.admin_exists()) {
    db_.write([](store::Connection& c) {
      store::settings::erase(c, kSetupTokenKey);
      return 0;
    });
    return std::nullopt;
  }
  if (!env_email.empty() || !env_password.empty()) {
    if (env_email.empty() || env_password.empty())
      throw std::runtime_error("IRON_ADMIN_EMAIL and IRON_ADMIN_PASSWORD(_FILE) must be given together");
    NewUser u;
    u.email = env_email;
    u.password = env_password;
    auto created = accounts_.create_first_admin(u, RequestContext::system());
    if (!created) throw std::runtime_error("IRON_ADMIN_EMAIL/IRON_ADMIN_PASSWORD: " + created.error().message);
    return std::nullopt;
  }
  // A new token on every start while setup is pending: an old one from a previous log is void.
  const std::string token = "setup_" + security::random_base62(32);
  db_.write([&](store::Connection& c) {
    store::settings::put(c, kSetupTokenKey, security::sha256_hex(token), util::to_unix_ms(util::now()));
    return 0;
  });
  return token;
}

bool FirstAdmin::setup_required() { return !accounts_.admin_exists(); }

Result<store::User> FirstAdmin::redeem(const std::string& setup_token, const NewUser& admin, const RequestContext& ctx) {
  const auto stored = db_.read([](store::Connection& c) { return store::settings::get(c, kSetupTokenKey); });
  if (!stored || !security::constant_time_equal(*stored, security::sha256_hex(setup_token)))
    return Error::forbidden("setup token is invalid or already used", "INVALID_SETUP_TOKEN");
  auto created = accounts_.create_first_admin(admin, ctx);
  if (created) {
    db_.write([](store::Connection& c) {
      store::settings::erase(c, kSetupTokenKey);
      return 0;
    });
  }
  return created;
}

}  // namespace iron::domain
