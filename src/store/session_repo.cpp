#include "store/session_repo.h"

#include "store/table.h"

namespace iron::store {

namespace {
const Table<RefreshToken> kRefreshTokens = Table<RefreshToken>("refresh_tokens") IRON_COLUMNS(
    RefreshToken, jti, family_id, user_id, issued_at, expires_at, used_at, revoked_at);

// Revokes the refresh tokens whose `column` (family_id or user_id) is `key`; an earlier
// revocation keeps its time.
void revoke_refresh_where(Connection& c, const char* column, const std::string& key, int64_t now) {
  c.prepare(std::string("UPDATE refresh_tokens SET revoked_at = coalesce(revoked_at, ?) WHERE ") + column + " = ?")
      .bind(1, now).bind(2, key).run();
}

// Whether `sql`, with `key` bound to its one parameter, finds a row.
bool any_row(Connection& c, const char* sql, const std::string& key) {
  auto& s = c.prepare(sql);
  s.bind(1, key);
  return s.step();
}
}  // namespace

namespace sessions {
void insert_refresh(Connection& c, const RefreshToken& t) { kRefreshTokens.insert(c, t); }

std::optional<RefreshToken> find_refresh(Connection& c, const std::string& jti) { return kRefreshTokens.find(c, jti); }

void mark_refresh_used(Connection& c, const std::string& jti, int64_t now) {
  c.prepare("UPDATE refresh_tokens SET used_at = ? WHERE jti = ?").bind(1, now).bind(2, jti).run();
}

void revoke_family(Connection& c, const std::string& family_id, int64_t now) {
  revoke_refresh_where(c, "family_id", family_id, now);
}

void revoke_all_for_user(Connection& c, const std::string& user_id, int64_t now) {
  revoke_refresh_where(c, "user_id", user_id, now);
}

bool family_revoked(Connection& c, const std::string& family_id) {
  return any_row(c, "SELECT 1 FROM refresh_tokens WHERE family_id = ? AND revoked_at IS NOT NULL LIMIT 1", family_id);
}

std::vector<SessionFamily> live_families(Connection& c, const std::string& user_id, int64_t now, int limit) {
  auto& s = c.prepare(
      "SELECT family_id, min(issued_at), max(issued_at), max(expires_at) FROM refresh_tokens WHERE user_id = ? "
      "GROUP BY family_id HAVING count(revoked_at) = 0 AND count(CASE WHEN used_at IS NULL AND expires_at > ? THEN 1 END) > 0 "
      "ORDER BY max(issued_at) DESC, family_id LIMIT ?");
  s.bind(1, user_id).bind(2, now).bind(3, int64_t{limit});
  std::vector<SessionFamily> out;
  while (s.step()) out.push_back({s.text(0), s.int64(1), s.int64(2), s.int64(3)});
  return out;
}

void revoke_access(Connection& c, const std::string& jti, int64_t expires_at) {
  c.prepare("INSERT INTO revoked_access_tokens(jti, expires_at) VALUES(?, ?) ON CONFLICT DO NOTHING")
      .bind(1, jti).bind(2, expires_at).run();
}

bool access_revoked(Connection& c, const std::string& jti) {
  return any_row(c, "SELECT 1 FROM revoked_access_tokens WHERE jti = ?", jti);
}

int64_t purge_expired(Connection& c, int64_t now) {
  c.prepare("DELETE FROM revoked_access_tokens WHERE expires_at < ?").bind(1, now).run();
  int64_t n = c.changes();
  c.prepare("DELETE FROM refresh_tokens WHERE expires_at < ?").bind(1, now).run();
  return n + c.changes();
}
}  // namespace sessions

namespace rate_limits {
void hit(Connection& c, const std::string& bucket, int64_t now) {
  c.prepare("INSERT INTO rate_limit_hits(bucket, at) VALUES(?, ?)").bind(1, bucket).bind(2, now).run();
}

int64_t count_since(Connection& c, const std::string& bucket, int64_t since) {
  auto& s = c.prepare("SELECT count(*) FROM rate_limit_hits WHERE bucket = ? AND at >= ?");
  s.bind(1, bucket).bind(2, since);
  return s.value<int64_t>().value_or(0);
}

std::optional<int64_t> oldest_since(Connection& c, const std::string& bucket, int64_t since) {
  auto& s = c.prepare("SELECT min(at) FROM rate_limit_hits WHERE bucket = ? AND at >= ?");
  s.bind(1, bucket).bind(2, since);
  return s.value<int64_t>();
}

void clear(Connection& c, const std::string& bucket) {
  c.prepare("DELETE FROM rate_limit_hits WHERE bucket = ?").bind(1, bucket).run();
}

int64_t purge_before(Connection& c, int64_t cutoff) {
  c.prepare("DELETE FROM rate_limit_hits WHERE at < ?").bind(1, cutoff).run();
  return c.changes();
}
}  // namespace rate_limits

namespace settings {
std::optional<std::string> get(Connection& c, const std::string& key) {
  auto& s = c.prepare("SELECT value FROM settings WHERE key = ?");
  s.bind(1, key);
  return s.value<std::string>();
}

void put(Connection& c, const std::string& key, const std::string& value, int64_t now) {
  c.prepare("INSERT INTO settings(key, value, updated_at) VALUES(?, ?, ?) "
            "ON CONFLICT(key) DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at")
      .bind(1, key).bind(2, value).bind(3, now).run();
}

void erase(Connection& c, const std::string& key) {
  c.prepare("DELETE FROM settings WHERE key = ?").bind(1, key).run();
}
}  // namespace settings

}  // namespace iron::store
