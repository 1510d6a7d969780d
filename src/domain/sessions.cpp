#include "domain/sessions.h"

#include <algorithm>
#include <limits>

#include "domain/accounts.h"
#include "domain/alert_raisers.h"
#include "domain/audit.h"
#include "security/password.h"
#include "security/random.h"
#include "store/login_failure_repo.h"
#include "store/session_repo.h"
#include "util/clock.h"

namespace iron::domain {
namespace {

Error invalid_credentials() {
  return Error::unauthenticated("AUTH_INVALID_CREDENTIALS", "email or password is wrong");
}
Error invalid_token() { return Error::unauthenticated("AUTH_INVALID_TOKEN", "token is invalid or expired"); }

RequestContext acting_as(RequestContext ctx, const std::string& user_id) {
  ctx.actor_id = user_id;
  ctx.actor_type = "user";
  return ctx;
}

std::optional<std::string> string_claim(const nlohmann::json& claims, const char* name) {
  if (!claims.contains(name) || !claims[name].is_string()) return std::nullopt;
  return claims[name].get<std::string>();
}

// After a failed login of an existing account: when this failure makes the throttle refuse
// the next attempt from this source, the user.locked_out alert is due (once per lockout).
void raise_if_locked_out(store::Connection& c, const LoginThrottlePolicy& throttle, const std::string& user_id,
                         const std::string& email, const std::string& source, int64_t now) {
  const int64_t since = now - throttle.window_s * 1000;
  const auto pair = store::login_failures::for_pair(c, source, email, since);
  const int64_t wait_s = login_wait_s(throttle, pair, store::login_failures::for_source(c, source, since), now);
  if (wait_s > 0) alerts::user_locked_out(c, user_id, source, wait_s, pair.oldest_at.value_or(now));
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
                                 {"fam", family_id}, {"iat", now_s}, {"iat_ms", now},
                                 {"exp", now_s + policy_.access_ttl_s}});
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
  const std::string email = login_account_key(email_in);
  const int64_t now = util::now_unix_ms();
  const auto& throttle = policy_.login;

  // Count the guess before spending a password hash on it, in the serialised writer: a
  // parallel burst sees every earlier guess of the burst. It stays counted as a failure
  // unless the password turns out right.
  auto gate = db_.write([&](store::Connection& c) -> Result<std::optional<store::User>> {
    const int64_t since = now - throttle.window_s * 1000;
    const int64_t wait_s = login_wait_s(throttle, store::login_failures::for_pair(c, ctx.client_ip, email, since),
                                        store::login_failures::for_source(c, ctx.client_ip, since), now);
    // One answer whether or not the account exists: the key is the email as typed.
    if (wait_s > 0)
      return Error::rate_limited("RATE_LIMIT_EXCEEDED", "too many failed logins from this address; try again later",
                                 static_cast<int>(wait_s));
    store::login_failures::record(c, ctx.client_ip, email, now);
    return store::users::find_by_email(c, email);
  });
  if (!gate) return gate.error();
  const std::optional<store::User>& found = gate.value();

  const bool password_ok = found ? security::verify_password(found->password_hash, password)
                                 : security::verify_password_against_dummy(password);

  return db_.write([&](store::Connection& c) -> Result<IssuedSession> {
    auto user = found ? store::users::find_by_id(c, found->id) : std::nullopt;
    if (!password_ok || !user) {
      audit(c, ctx, "auth.login_failed", "user", user ? user->id : "", nullptr, {{"email", email}});
      if (user) raise_if_locked_out(c, throttle, user->id, email, ctx.client_ip, now);
      // Commit the audit row, then answer 401: the transaction must not roll back.
      return invalid_credentials();
    }
    // The right password: this source's failures at this account are forgiven.
    store::login_failures::clear_pair(c, ctx.client_ip, email);
    if (!user->is_active || user->deleted_at) {
      audit(c, ctx, "auth.login_refused_inactive", "user", user->id);
      return Error::forbidden("account is disabled", "AUTH_ACCOUNT_DISABLED");
    }
    user->last_login = now;
    store::users::update(c, *user);
    audit(c, acting_as(ctx, user->id), "auth.login", "user", user->id);
    return issue(c, *user, security::random_hex(16), now);
  }, /*commit_on_error=*/true);
}

Result<IssuedSession> Sessions::refresh(const std::string& token, const RequestContext& ctx) {
  const int64_t now = util::now_unix_ms();
  const auto claims = signer_.verify(token, now / 1000);
  if (!claims || claims->value("typ", "") != "refresh" || !(*claims)["jti"].is_string()) return invalid_token();
  const std::string jti = (*claims)["jti"];
  return db_.write([&](store::Connection& c) -> Result<IssuedSession> {
    auto rt = store::sessions::find_refresh(c, jti);
    if (!rt || rt->revoked_at) return invalid_token();
    const RequestContext as_user = acting_as(ctx, rt->user_id);
    if (rt->used_at) {
      // A used token presented again: someone holds a copy. Kill the whole chain.
      store::sessions::revoke_family(c, rt->family_id, now);
      audit(c, as_user, "auth.refresh_reuse_detected", "user", rt->user_id, nullptr, {{"family", rt->family_id}});
      return invalid_token();
    }
    auto user = store::users::find_by_id(c, rt->user_id);
    // A chain started before a password change, reset or suspension is over.
    if (!user || !user->is_active || user->deleted_at || rt->issued_at < user->sessions_valid_after) {
      store::sessions::revoke_family(c, rt->family_id, now);
      return invalid_token();
    }
    store::sessions::mark_refresh_used(c, jti, now);
    audit(c, as_user, "auth.refresh", "user", user->id);
    return issue(c, *user, rt->family_id, now);
  }, /*commit_on_error=*/true);
}

Status Sessions::logout(const std::vector<std::string>& tokens, const RequestContext& ctx) {
  const int64_t now = util::now_unix_ms();
  // Signature only: an expired or already-revoked token still logs out (idempotent 204).
  std::vector<nlohmann::json> verified;
  for (const auto& token : tokens) {
    bool expired = false;
    auto claims = signer_.verify(token, now / 1000, &expired);
    if (!claims) claims = expired ? signer_.verify(token, 0) : std::nullopt;
    if (!claims || !string_claim(*claims, "sub")) return invalid_token();
    verified.push_back(std::move(*claims));
  }
  return db_.write([&](store::Connection& c) -> Status {
    for (const auto& claims : verified) {
      const std::string typ = claims.value("typ", "");
      if (typ == "access") {
        // Tokens from before `fam` existed are ended by their own jti.
        if (auto jti = string_claim(claims, "jti"); jti && claims["exp"].is_number_integer())
          store::sessions::revoke_access(c, *jti, claims["exp"].get<int64_t>() * 1000);
      } else if (typ != "refresh") {
        continue;
      }
      if (auto family = string_claim(claims, "fam")) store::sessions::revoke_family(c, *family, now);
    }
    // The route is unauthenticated (logout must work with an expired token), so the actor
    // comes from the verified token, not from the request context.
    if (!verified.empty()) {
      const std::string sub = verified.front()["sub"];
      audit(c, acting_as(ctx, sub), "auth.logout", "user", sub);
    }
    return ok_status();
  });
}

Result<IssuedSession> Sessions::change_own_password(const std::string& user_id, const std::string& current,
                                                    const std::string& new_password, const RequestContext& ctx) {
  if (auto e = check_new_password(new_password, "new_password")) return *e;
  if (current == new_password) return Error::validation("new_password", "the new password must differ from the current one");
  auto u = db_.read([&](store::Connection& c) { return store::users::find_by_id(c, user_id); });
  if (!u || u->deleted_at) return Error::not_found("user");
  if (!security::verify_password(u->password_hash, current))
    return Error::validation("current_password", "current password is wrong", "INVALID_CURRENT_PASSWORD");
  const std::string hash = security::hash_password(new_password);  // outside the write lock
  return db_.write([&](store::Connection& c) -> Result<IssuedSession> {
    auto fresh = store::users::find_by_id(c, user_id);
    if (!fresh || fresh->deleted_at) return Error::not_found("user");
    const int64_t now = util::now_unix_ms();
    fresh->password_hash = hash;
    fresh->force_password_change = false;
    // Every session of the old password ends — on other devices too, where a thief may sit —
    // and this device continues on the session issued below, at the same instant.
    fresh->updated_at = fresh->sessions_valid_after = now;
    store::users::update(c, *fresh);
    store::sessions::revoke_all_for_user(c, fresh->id, now);
    audit(c, ctx, "user.password_change", "user", fresh->id, nullptr, {{"other_sessions_ended", true}});
    return issue(c, *fresh, security::random_hex(16), now);
  });
}

std::optional<std::string> Sessions::family_of(const std::string& access_token) {
  const auto claims = signer_.verify(access_token, util::now_unix_ms() / 1000);
  if (!claims || claims->value("typ", "") != "access") return std::nullopt;
  return string_claim(*claims, "fam");
}

std::vector<OwnSession> Sessions::list_own(const std::string& user_id, const std::string& access_token) {
  const auto mine = family_of(access_token);
  const auto families = db_.read([&](store::Connection& c) {
    return store::sessions::live_families(c, user_id, util::now_unix_ms(), kMaxListedSessions);
  });
  std::vector<OwnSession> out;
  for (const auto& f : families)
    out.push_back({f.family_id, f.started_at, f.last_active_at, f.expires_at, mine && *mine == f.family_id});
  return out;
}

Status Sessions::end_own(const std::string& user_id, const std::string& session_id, const RequestContext& ctx) {
  return db_.write([&](store::Connection& c) -> Status {
    const int64_t now = util::now_unix_ms();
    const auto live = store::sessions::live_families(c, user_id, now, kMaxListedSessions);
    const bool mine = std::any_of(live.begin(), live.end(), [&](const auto& f) { return f.family_id == session_id; });
    if (!mine) return Error::not_found("session");
    store::sessions::revoke_family(c, session_id, now);
    audit(c, ctx, "auth.session_end", "user", user_id, nullptr, {{"sessions_ended", 1}});
    return ok_status();
  });
}

Result<int64_t> Sessions::end_others(const std::string& user_id, const std::string& access_token,
                                     const RequestContext& ctx) {
  const auto keep = family_of(access_token);
  return db_.write([&](store::Connection& c) -> Result<int64_t> {
    const int64_t now = util::now_unix_ms();
    int64_t ended = 0;
    // Every live family, not only the listed ones: the limit bounds the list, not the sign-out.
    for (const auto& f : store::sessions::live_families(c, user_id, now, std::numeric_limits<int>::max())) {
      if (keep && *keep == f.family_id) continue;
      store::sessions::revoke_family(c, f.family_id, now);
      ++ended;
    }
    audit(c, ctx, "auth.sessions_end_others", "user", user_id, nullptr, {{"sessions_ended", ended}});
    return ended;
  });
}

std::optional<AccessClaims> Sessions::verify_access(const std::string& token, int64_t now_s,
                                                    std::string& reason) const {
  bool expired = false;
  const auto claims = signer_.verify(token, now_s, &expired);
  if (!claims) {
    reason = expired ? "TOKEN_EXPIRED" : "TOKEN_INVALID";
    return std::nullopt;
  }
  auto jti = string_claim(*claims, "jti");
  auto sub = string_claim(*claims, "sub");
  if (claims->value("typ", "") != "access" || !jti || !sub) {
    reason = "TOKEN_INVALID";
    return std::nullopt;
  }
  AccessClaims out{std::move(*jti), std::move(*sub), string_claim(*claims, "fam"), 0, (*claims)["exp"].get<int64_t>()};
  out.issued_ms = claims->contains("iat_ms") && (*claims)["iat_ms"].is_number_integer()
                      ? (*claims)["iat_ms"].get<int64_t>()
                      : claims->value("iat", int64_t{0}) * 1000;
  return out;
}

TokenCheck Sessions::check(const std::string& token) {
  TokenCheck out;
  const int64_t now_s = util::now_unix_ms() / 1000;
  // Read before the reads below: a write committed after it makes this check stale.
  const uint64_t version = db_.data_version();
  AccessClaims claims;
  if (auto hit = verified_.find(token, version, now_s)) {
    if (hit->principal) {
      out.valid = true;
      out.principal = std::move(hit->principal);
      return out;
    }
    claims = std::move(hit->claims);
  } else if (auto verified = verify_access(token, now_s, out.reason)) {
    claims = std::move(*verified);
  } else {
    return out;
  }
  const auto [revoked, user] = db_.read([&](store::Connection& c) {
    const bool ended = store::sessions::access_revoked(c, claims.jti) ||
                       (claims.family && store::sessions::family_revoked(c, *claims.family));
    return std::pair{ended, store::users::find_by_id(c, claims.sub)};
  });
  // A disabled account says so, even though its sessions were also ended.
  if (!user || !user->is_active || user->deleted_at) {
    out.reason = "USER_INACTIVE";
    return out;
  }
  if (revoked) {
    out.reason = "TOKEN_REVOKED";
    return out;
  }
  if (claims.issued_ms < user->sessions_valid_after) {
    out.reason = "TOKEN_REVOKED";  // issued before a password change or reset, or a suspension
    return out;
  }
  Principal p = principal_of(*user);
  p.via = "jwt";
  p.token_id = claims.jti;
  p.token_expires_at_ms = claims.expires_s * 1000;
  verified_.remember(token, claims, version, p);
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
  const int64_t now = util::now_unix_ms();
  return db_.write([&](store::Connection& c) {
    return store::sessions::purge_expired(c, now) +
           store::login_failures::purge_before(c, now - policy_.login.window_s * 1000) +
           store::rate_limits::purge_before(c, now - int64_t{3600} * 1000);
  });
}

}  // namespace iron::domain
