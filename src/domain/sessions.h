#pragma once
// Login, refresh-token rotation with reuse detection, logout, the caller's own password change,
// and authentication of access tokens. Every authenticated request re-reads the user:
// suspension, deletion and role changes apply at once, and a refresh token is never accepted
// as an access token. An access token names its refresh family (`fam`), so ending the family
// (logout, reuse detection) ends the access tokens issued with it.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/login_throttle.h"
#include "domain/principal.h"
#include "domain/verified_tokens.h"
#include "security/jwt.h"
#include "store/database.h"
#include "store/user_repo.h"
#include "util/result.h"

namespace iron::domain {

struct SessionPolicy {
  int64_t access_ttl_s = 15 * 60;
  int64_t refresh_ttl_s = 7 * 24 * 3600;
  LoginThrottlePolicy login;
};

struct IssuedSession {
  std::string access_token;
  int64_t access_expires_at_ms = 0;
  std::string refresh_token;
  int64_t refresh_expires_at_ms = 0;
  store::User user;
};

struct TokenCheck {
  bool valid = false;
  std::string reason;  // TOKEN_EXPIRED | TOKEN_REVOKED | TOKEN_INVALID | USER_INACTIVE
  std::optional<Principal> principal;
};

// One of the caller's sign-ins, for "my sessions". `id` is the refresh family: it names the
// session to its owner and is no credential (tokens are signed; knowing it mints nothing).
struct OwnSession {
  std::string id;
  int64_t started_at_ms = 0;
  int64_t last_active_at_ms = 0;
  int64_t expires_at_ms = 0;
  bool current = false;  // the session the request's access token belongs to
};

// At most this many sessions are listed (newest first); a person has a handful.
inline constexpr int kMaxListedSessions = 100;

class Sessions {
 public:
  Sessions(store::Database& db, security::JwtSigner signer, SessionPolicy policy = {})
      : db_(db), signer_(std::move(signer)), policy_(policy) {}

  Result<IssuedSession> login(const std::string& email, const std::string& password, const RequestContext& ctx);
  Result<IssuedSession> refresh(const std::string& refresh_token, const RequestContext& ctx);
  // Ends the sessions the presented tokens belong to: an access token's own jti and its refresh
  // family, a refresh token's family. Idempotent: a validly signed token that is already
  // revoked or expired still logs out with success; a forged or malformed one is 401.
  Status logout(const std::vector<std::string>& tokens, const RequestContext& ctx);
  // Changes the caller's password, ends every other session of the account (access and refresh
  // tokens issued before) and starts a fresh one for the device that asked.
  Result<IssuedSession> change_own_password(const std::string& user_id, const std::string& current,
                                            const std::string& new_password, const RequestContext& ctx);
  // The caller's live sessions; `current` marks the one `access_token` belongs to (none when
  // the caller uses an API token, which is not a session).
  std::vector<OwnSession> list_own(const std::string& user_id, const std::string& access_token);
  // Ends one of the caller's own sessions at once (its access and refresh tokens). Another
  // user's session, or one already ended, is 404: owners only ever see their own.
  Status end_own(const std::string& user_id, const std::string& session_id, const RequestContext& ctx);
  // "Sign out everywhere else": ends every session of the caller except the one
  // `access_token` belongs to; answers how many ended.
  Result<int64_t> end_others(const std::string& user_id, const std::string& access_token, const RequestContext& ctx);
  // Full check for an access token: signature, expiry, typ, revocation, live user state.
  Result<Principal> authenticate(const std::string& access_token);
  TokenCheck check(const std::string& access_token);
  int64_t purge_expired();
  const SessionPolicy& policy() const { return policy_; }

 private:
  std::optional<std::string> family_of(const std::string& access_token);
  // Signature, expiry and typ of an access token; `reason` says why not.
  std::optional<AccessClaims> verify_access(const std::string& token, int64_t now_s, std::string& reason) const;
  IssuedSession issue(store::Connection& c, const store::User& u, const std::string& family_id, int64_t now_ms);
  store::Database& db_;
  security::JwtSigner signer_;
  SessionPolicy policy_;
  VerifiedTokens verified_;
};

// Builds the Principal of a live, active user (shared with API-token authentication).
Principal principal_of(const store::User& u);

}  // namespace iron::domain
