#include "domain/sessions.h"

#include "domain/audit.h"
#include "security/password.h"
#include "security/random.h"
#include "store/session_repo.h"
#include "util/clock.h"

namespace iron::domain {
namespace {

int64_t now_ms() { return util::to_unix_ms(util::now()); }

Error invalid_credentials() {
  return Error::unauthenticated("AUTH_INVALID_CREDENTIALS", "email or password is wrong");
}
Error invalid_token() { return Error::unauthenticated("AUTH_INVALID_TOKEN", "token is invalid or expired"); }

std::string lower(std::string s) {
  for (auto& ch : s) ch = static_cast<char>(std::tolower(static_cast<unsigned char>(ch)));
  return s;
}

}  // namespace

Principal principal_of(const store::User& u) {
  Principal p;
  p.user_id = u.id;
  p.email = u.email;
  p.name = u.name.value_or(u.username);
  p.role = parse_role(u.role).value_or(Role::viewer);
  p.force_password_change = u.force_password_change;
  return p;
}

IssuedSession Sessions::issue(store::Connection& c, const store::User& u, const std::string& family_id, int64_t now) {
  IssuedSession s;
  const int64_t now_s = now / 1000;
  const std::string access_jti = security::random_hex(16);
  s.access_expires_at_ms = (now_s + policy_.access_ttl_s) * 1000;
  // iat_ms: sessions_valid_after is compared at millisecond precision (a login right after a
  // password reset, in the same second, must work).
  s.access_token = signer_.sign({{"sub", u.id}, {"role", u.role}, {"typ", "access"}, {"jti", access_jti},
                                 {"iat", now_s}, {"iat_ms", now}, {"exp", now_s + policy_.access_ttl_s}});
  store::RefreshToken rt;
  rt.jti = security::random_hex(16);
  rt.family_id = family_id;
  rt.user_id = u.id;
  rt.issued_at = now;
  rt.expires_at = s.refresh_expires_at_ms = (now_s + policy_.refresh_ttl_s) * 1000;
  store::sessions::insert_refresh(c, rt);
  s.refresh_token = signer_.sign({{"sub", u.id}, {"typ", "refresh"}, {"jti", rt.jti}, {"fam", family_id},
                                  {"iat", now_s}, {"exp", now_s + policy_.refresh_ttl_s}});
  s.user = u;
  return s;
}

Result<IssuedSession> Sessions::login(const std::string& email_in, const std::string& password,
                                      const RequestContext& ctx) {
  const std::string email = lower(email_in);
  const int64_t now = now_ms();
  const int64_t since = now - policy_.window_s * 1000;
  const std::string ip_account = "login:ip_account:" + ctx.client_ip + "|" + email;
  const std::string ip_only = "login:ip:" + ctx.client_ip;

  // Throttle before spending a password hash on the attempt.
  struct Pre {
    std::optional<store::User> user;
    int64_t ip_account_failures, ip_failures;
    std::optional<int64_t> oldest_ip_account, oldest_ip;
  };
  const Pre pre = db_.read([&](store::Connection& c) {
    return Pre{store::users::find_by_email(c, email),
               store::rate_limits::count_since(c, ip_account, since),
               store::rate_limits::count_since(c, ip_only, since),
               store::rate_limits::oldest_since(c, ip_account, since),
               store::rate_limits::oldest_since(c, ip_only, since)};
  });
  auto retry_after = [&](std::optional<int64_t> oldest) {
    return static_cast<int>(std::max<int64_t>(1, ((oldest.value_or(now) + policy_.window_s * 1000) - now + 999) / 1000));
  };
  if (pre.ip_account_failures >= policy_.max_failures_ip_account)
    return Error::rate_limited("RATE_LIMIT_EXCEEDED", "too many failed logins; try again later",
                               retry_after(pre.oldest_ip_account));
  if (pre.ip_failures >= policy_.max_failures_ip)
    return Error::rate_limited("RATE_LIMIT_EXCEEDED", "too many failed logins from this address; try again later",
                               retry_after(pre.oldest_ip));
  if (pre.user && pre.user->locked_until && *pre.user->locked_until > now) {
    const int retry = static_cast<int>((*pre.user->locked_until - now + 999) / 1000);
    Error e = Error::forbidden("account is temporarily locked after repeated failed logins", "AUTH_ACCOUNT_LOCKED");
    e.details = {{"retry_after", retry}, {"locked_until", util::to_rfc3339(util::from_unix_ms(*pre.user->locked_until))}};
    e.retry_after_s = retry;
    return e;
  }

  const bool password_ok = pre.user ? security::verify_password(pre.user->password_hash, password)
                                    : security::verify_password_against_dummy(password);

  return db_.write([&](store::Connection& c) -> Result<IssuedSession> {
    auto user = pre.user ? store::users::find_by_id(c, pre.user->id) : std::nullopt;
    if (!password_ok || !user) {
      store::rate_limits::hit(c, ip_account, now);
      store::rate_limits::hit(c, ip_only, now);
      if (user) {
        // An expired lock starts a fresh count.
        if (user->locked_until && *user->locked_until <= now) {
          user->failed_logins = 0;
          user->locked_until.reset();
        }
        user->failed_logins += 1;
        if (user->failed_logins >= policy_.lockout_threshold) user->locked_until = now + policy_.lockout_s * 1000;
        store::users::update(c, *user);
      }
      audit(c, ctx, "auth.login_failed", "user", user ? user->id : "", nullptr, {{"email", email}});
      // Commit the failure record, then answer 401: the transaction must not roll back.
      return invalid_credentials();
    }
    if (!user->is_active || user->deleted_at) {
      audit(c, ctx, "auth.login_refused_inactive", "user", user->id);
      return Error::forbidden("account is disabled", "AUTH_ACCOUNT_DISABLED");
    }
    user->failed_logins = 0;
    user->locked_until.reset();
    user->last_login = now;
    store::users::update(c, *user);
    store::rate_limits::clear(c, ip_account);
    RequestContext as_user = ctx;
    as_user.actor_id = user->id;
    as_user.actor_type = "user";
    audit(c, as_user, "auth.login", "user", user->id);
    return issue(c, *user, security::random_hex(16), now);
  }, /*commit_on_error=*/true);
}

Result<IssuedSession> Sessions::refresh(const std::string& token, const RequestContext& ctx) {
  const int64_t now = now_ms();
  const auto claims = signer_.verify(token, now / 1000);
  if (!claims || claims->value("typ", "") != "refresh" || !(*claims)["jti"].is_string()) return invalid_token();
  const std::string jti = (*claims)["jti"];
  return db_.write([&](store::Connection& c) -> Result<IssuedSession> {
    auto rt = store::sessions::find_refresh(c, jti);
    if (!rt || rt->revoked_at) return invalid_token();
    RequestContext as_user = ctx;
    as_user.actor_id = rt->user_id;
    as_user.actor_type = "user";
    if (rt->used_at) {
      // A used token presented again: someone holds a copy. Kill the whole chain.
      store::sessions::revoke_family(c, rt->family_id, now);
      audit(c, as_user, "auth.refresh_reuse_detected", "user", rt->user_id, nullptr, {{"family", rt->family_id}});
      return invalid_token();
    }
    auto user = store::users::find_by_id(c, rt->user_id);
    if (!user || !user->is_active || user->deleted_at) {
      store::sessions::revoke_family(c, rt->family_id, now);
      return invalid_token();
    }
    store::sessions::mark_refresh_used(c, jti, now);
    audit(c, as_user, "auth.refresh", "user", user->id);
    return issue(c, *user, rt->family_id, now);
  }, /*commit_on_error=*/true);
}

Status Sessions::logout(const std::string& access_token, const std::optional<std::string>& refresh_token,
                        const RequestContext& ctx) {
  const int64_t now = now_ms();
  // Signature only: an expired or already-revoked token still logs out (idempotent 204).
  bool expired = false;
  auto claims = signer_.verify(access_token, now / 1000, &expired);
  if (!claims && !expired) return invalid_token();
  std::optional<nlohmann::json> refresh_claims;
  if (refresh_token) refresh_claims = signer_.verify(*refresh_token, now / 1000);
  return db_.write([&](store::Connection& c) -> Status {
    if (claims && claims->value("typ", "") == "access" && (*claims)["jti"].is_string()) {
      store::sessions::revoke_access(c, (*claims)["jti"], (*claims)["exp"].get<int64_t>() * 1000);
      // The route is unauthenticated (logout must work with an expired token), so the actor
      // comes from the verified token, not from the request context.
      RequestContext as_user = ctx;
      as_user.actor_id = claims->value("sub", "");
      as_user.actor_type = "user";
      audit(c, as_user, "auth.logout", "user", claims->value("sub", ""));
    }
    if (refresh_claims && refresh_claims->value("typ", "") == "refresh" && (*refresh_claims)["fam"].is_string())
      store::sessions::revoke_family(c, (*refresh_claims)["fam"], now);
    return ok_status();
  });
}

TokenCheck Sessions::check(const std::string& token) {
  TokenCheck out;
  bool expired = false;
  const auto claims = signer_.verify(token, now_ms() / 1000, &expired);
  if (!claims) {
    out.reason = expired ? "TOKEN_EXPIRED" : "TOKEN_INVALID";
    return out;
  }
  if (claims->value("typ", "") != "access" || !(*claims)["jti"].is_string() || !(*claims)["sub"].is_string()) {
    out.reason = "TOKEN_INVALID";
    return out;
  }
  const std::string jti = (*claims)["jti"];
  const std::string sub = (*claims)["sub"];
  const auto [revoked, user] = db_.read([&](store::Connection& c) {
    return std::pair{store::sessions::access_revoked(c, jti), store::users::find_by_id(c, sub)};
  });
  if (revoked) {
    out.reason = "TOKEN_REVOKED";
    return out;
  }
  if (!user || !user->is_active || user->deleted_at) {
    out.reason = "USER_INACTIVE";
    return out;
  }
  const int64_t issued_ms = claims->contains("iat_ms") && (*claims)["iat_ms"].is_number_integer()
                                ? (*claims)["iat_ms"].get<int64_t>()
                                : claims->value("iat", int64_t{0}) * 1000;
  if (issued_ms < user->sessions_valid_after) {
    out.reason = "TOKEN_REVOKED";  // issued before an admin reset or recovery of the password
    return out;
  }
  Principal p = principal_of(*user);
  p.via = "jwt";
  p.token_id = jti;
  p.token_expires_at_ms = (*claims)["exp"].get<int64_t>() * 1000;
  out.valid = true;
  out.principal = std::move(p);
  return out;
}

Result<Principal> Sessions::authenticate(const std::string& token) {
  auto c = check(token);
  if (c.valid) return *c.principal;
  if (c.reason == "USER_INACTIVE") return Error::unauthenticated("AUTH_ACCOUNT_DISABLED", "account is disabled or deleted");
  if (c.reason == "TOKEN_REVOKED") return Error::unauthenticated("AUTH_TOKEN_REVOKED", "token has been revoked");
  return invalid_token();
}

int64_t Sessions::purge_expired() {
  const int64_t now = now_ms();
  return db_.write([&](store::Connection& c) {
    return store::sessions::purge_expired(c, now) +
           store::rate_limits::purge_before(c, now - std::max<int64_t>(policy_.window_s, 3600) * 1000);
  });
}

}  // namespace iron::domain
