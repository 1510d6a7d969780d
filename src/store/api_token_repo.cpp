#include "store/api_token_repo.h"

namespace iron::store::api_tokens {
namespace {
constexpr const char* kApiTokenColumns =
    "id, user_id, token_hash, name, description, project_id, agent_id, provider, created_at, last_used_at, "
    "expires_at, revoked_at, rotated_at, is_active, scope";

ApiToken read_api_token(Statement& s) {
  ApiToken t;
  t.id = s.int64(0);
  t.user_id = s.text(1);
  t.token_hash = s.text(2);
  t.name = s.opt_text(3);
  t.description = s.opt_text(4);
  t.project_id = s.opt_text(5);
  t.agent_id = s.opt_int64(6);
  t.provider = s.opt_text(7);
  t.created_at = s.int64(8);
  t.last_used_at = s.opt_int64(9);
  t.expires_at = s.opt_int64(10);
  t.revoked_at = s.opt_int64(11);
  t.rotated_at = s.opt_int64(12);
  t.is_active = s.int64(13) != 0;
  t.scope = s.text(14);
  return t;
}

std::optional<ApiToken> one(Statement& s) {
  if (!s.step()) return std::nullopt;
  return read_api_token(s);
}
}  // namespace

int64_t insert(Connection& c, const ApiToken& t) {
  auto& s = c.prepare(
      "INSERT INTO api_tokens(user_id, token_hash, name, description, project_id, agent_id, provider, created_at, "
      "last_used_at, expires_at, revoked_at, rotated_at, is_active, scope) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, t.user_id).bind(2, t.token_hash).bind(3, t.name).bind(4, t.description).bind(5, t.project_id);
  s.bind(6, t.agent_id).bind(7, t.provider).bind(8, t.created_at).bind(9, t.last_used_at).bind(10, t.expires_at);
  s.bind(11, t.revoked_at).bind(12, t.rotated_at).bind(13, t.is_active).bind(14, t.scope);
  s.run();
  return c.last_insert_rowid();
}

std::optional<ApiToken> find_by_id(Connection& c, int64_t id) {
  auto& s = c.prepare(std::string("SELECT ") + kApiTokenColumns + " FROM api_tokens WHERE id = ?");
  s.bind(1, id);
  return one(s);
}

std::optional<ApiToken> find_by_hash(Connection& c, const std::string& token_hash) {
  auto& s = c.prepare(std::string("SELECT ") + kApiTokenColumns + " FROM api_tokens WHERE token_hash = ?");
  s.bind(1, token_hash);
  return one(s);
}

std::vector<ApiToken> list_for_user(Connection& c, const std::string& user_id) {
  auto& s = c.prepare(std::string("SELECT ") + kApiTokenColumns +
                      " FROM api_tokens WHERE user_id = ? ORDER BY created_at DESC, id DESC");
  s.bind(1, user_id);
  std::vector<ApiToken> out;
  while (s.step()) out.push_back(read_api_token(s));
  return out;
}

namespace {
// The WHERE clause of a token list and its bindings, in order.
struct ListWhere {
  std::string sql = " WHERE 1 = 1";
  // Returns the next free parameter index.
  int bind(Statement& s, const TokenListFilter& f) const {
    int i = 1;
    if (f.user_id) s.bind(i++, *f.user_id);
    if (f.status == "active" || f.status == "expired") s.bind(i++, f.now_ms);
    return i;
  }
};
ListWhere where_of(const TokenListFilter& f) {
  ListWhere w;
  if (f.user_id) w.sql += " AND user_id = ?";
  if (f.status == "active") w.sql += " AND is_active = 1 AND (expires_at IS NULL OR expires_at > ?)";
  if (f.status == "expired") w.sql += " AND is_active = 1 AND expires_at <= ?";
  if (f.status == "inactive") w.sql += " AND is_active = 0";
  return w;
}
}  // namespace

std::vector<ApiToken> list_page(Connection& c, const TokenListFilter& f, int64_t limit, int64_t offset) {
  const auto w = where_of(f);
  auto& s = c.prepare(std::string("SELECT ") + kApiTokenColumns + " FROM api_tokens" + w.sql +
                      " ORDER BY created_at DESC, id DESC LIMIT ? OFFSET ?");
  const int next = w.bind(s, f);
  s.bind(next, limit).bind(next + 1, offset);
  std::vector<ApiToken> out;
  while (s.step()) out.push_back(read_api_token(s));
  return out;
}

int64_t count(Connection& c, const TokenListFilter& f) {
  const auto w = where_of(f);
  auto& s = c.prepare("SELECT count(*) FROM api_tokens" + w.sql);
  w.bind(s, f);
  s.step();
  return s.int64(0);
}

std::vector<ApiToken> list_for_agent(Connection& c, int64_t agent_id) {
  auto& s = c.prepare(std::string("SELECT ") + kApiTokenColumns +
                      " FROM api_tokens WHERE agent_id = ? ORDER BY created_at DESC, id DESC");
  s.bind(1, agent_id);
  std::vector<ApiToken> out;
  while (s.step()) out.push_back(read_api_token(s));
  return out;
}

int64_t count_usable_for_user(Connection& c, const std::string& user_id, int64_t now) {
  auto& s = c.prepare(
      "SELECT count(*) FROM api_tokens WHERE user_id = ? AND is_active = 1 AND revoked_at IS NULL "
      "AND rotated_at IS NULL AND (expires_at IS NULL OR expires_at > ?)");
  s.bind(1, user_id).bind(2, now);
  s.step();
  return s.int64(0);
}

void update_metadata(Connection& c, const ApiToken& t) {
  c.prepare("UPDATE api_tokens SET name = ?, description = ?, provider = ? WHERE id = ?")
      .bind(1, t.name).bind(2, t.description).bind(3, t.provider).bind(4, t.id).run();
}

void mark_revoked(Connection& c, int64_t id, int64_t now) {
  c.prepare("UPDATE api_tokens SET revoked_at = ?, is_active = 0 WHERE id = ?").bind(1, now).bind(2, id).run();
}

void mark_rotated(Connection& c, int64_t id, int64_t now) {
  c.prepare("UPDATE api_tokens SET rotated_at = ?, is_active = 0 WHERE id = ?").bind(1, now).bind(2, id).run();
}

void record_last_used(Connection& c, const std::map<int64_t, int64_t>& last_used) {
  auto& s = c.prepare(
      "UPDATE api_tokens SET last_used_at = ?1 WHERE id = ?2 AND (last_used_at IS NULL OR last_used_at < ?1)");
  for (const auto& [id, at] : last_used) {
    s.reset();
    s.bind(1, at).bind(2, id).run();
  }
}

}  // namespace iron::store::api_tokens
