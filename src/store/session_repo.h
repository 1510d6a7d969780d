#pragma once
// Refresh-token chains, revoked access tokens, sliding-window rate-limit hits, settings.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite.h"

namespace iron::store {

struct RefreshToken {
  std::string jti;
  std::string family_id;
  std::string user_id;
  int64_t issued_at = 0;
  int64_t expires_at = 0;
  std::optional<int64_t> used_at;
  std::optional<int64_t> revoked_at;
};

// One sign-in (a refresh-token family) as its owner sees it in "my sessions".
struct SessionFamily {
  std::string family_id;
  int64_t started_at = 0;      // the family's first token
  int64_t last_active_at = 0;  // its latest refresh
  int64_t expires_at = 0;      // when its unused refresh token runs out
};

namespace sessions {
void insert_refresh(Connection& c, const RefreshToken& t);
std::optional<RefreshToken> find_refresh(Connection& c, const std::string& jti);
void mark_refresh_used(Connection& c, const std::string& jti, int64_t now);
void revoke_family(Connection& c, const std::string& family_id, int64_t now);
void revoke_all_for_user(Connection& c, const std::string& user_id, int64_t now);
bool family_revoked(Connection& c, const std::string& family_id);
// The user's sessions that can still refresh (none of the family revoked, an unused token not
// yet expired), most recently active first, at most `limit`.
std::vector<SessionFamily> live_families(Connection& c, const std::string& user_id, int64_t now, int limit);
void revoke_access(Connection& c, const std::string& jti, int64_t expires_at);  // idempotent
bool access_revoked(Connection& c, const std::string& jti);
int64_t purge_expired(Connection& c, int64_t now);  // revocations and refresh rows past expiry
}  // namespace sessions

namespace rate_limits {
void hit(Connection& c, const std::string& bucket, int64_t now);
int64_t count_since(Connection& c, const std::string& bucket, int64_t since);
std::optional<int64_t> oldest_since(Connection& c, const std::string& bucket, int64_t since);
void clear(Connection& c, const std::string& bucket);
int64_t purge_before(Connection& c, int64_t cutoff);
}  // namespace rate_limits

namespace settings {
std::optional<std::string> get(Connection& c, const std::string& key);
void put(Connection& c, const std::string& key, const std::string& value, int64_t now);
void erase(Connection& c, const std::string& key);
}  // namespace settings

}  // namespace iron::store
