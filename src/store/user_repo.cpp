#include "store/user_repo.h"

#include "store/table.h"

namespace iron::store::users {
namespace {
const Table<User> kUsers = Table<User>("users") IRON_COLUMNS(
    User, id, username, email, name, password_hash, role, is_active, force_password_change, created_at,
    updated_at, last_login, suspended_at, suspended_reason, deleted_at, sessions_valid_after);
}  // namespace

std::optional<User> find_by_id(Connection& c, const std::string& id) { return kUsers.find(c, id); }

std::optional<User> find_by_email(Connection& c, const std::string& email) {
  auto& s = c.prepare(kUsers.select() + " WHERE email = ? AND deleted_at IS NULL");
  s.bind(1, email);
  return kUsers.one(s);
}

bool username_taken(Connection& c, const std::string& username) {
  auto& s = c.prepare("SELECT 1 FROM users WHERE username = ?");
  s.bind(1, username);
  return s.step();
}

bool email_taken(Connection& c, const std::string& email) {
  auto& s = c.prepare("SELECT 1 FROM users WHERE email = ?");
  s.bind(1, email);
  return s.step();
}

void insert(Connection& c, const User& u) { kUsers.insert(c, u); }

void update(Connection& c, const User& u) { kUsers.update(c, u); }

int64_t count_active_admins(Connection& c) {
  return c.prepare("SELECT count(*) FROM users WHERE role = 'admin' AND is_active = 1 AND deleted_at IS NULL")
      .value<int64_t>()
      .value_or(0);
}

int64_t count_admins(Connection& c) {
  return c.prepare("SELECT count(*) FROM users WHERE role = 'admin' AND deleted_at IS NULL").value<int64_t>().value_or(0);
}

std::pair<std::vector<User>, int64_t> list(Connection& c, const UserFilter& f) {
  // One statement shape for every filter combination: NULL parameters switch a clause off.
  const std::string where =
      " WHERE deleted_at IS NULL AND (?1 IS NULL OR role = ?1) AND (?2 IS NULL OR is_active = ?2) "
      "AND (?3 IS NULL OR username LIKE ?3 ESCAPE '\\' OR email LIKE ?3 ESCAPE '\\' OR name LIKE ?3 ESCAPE '\\')";
  std::optional<std::string> like;
  if (f.search) {
    std::string escaped;
    for (char ch : *f.search) {
      if (ch == '%' || ch == '_' || ch == '\\') escaped += '\\';
      escaped += ch;
    }
    like = "%" + escaped + "%";
  }
  auto bind_filters = [&](Statement& s) {
    s.bind(1, f.role);
    if (f.is_active) s.bind(2, *f.is_active); else s.bind_null(2);
    s.bind(3, like);
  };
  auto& count = c.prepare("SELECT count(*) FROM users" + where);
  bind_filters(count);
  const int64_t total = count.value<int64_t>().value_or(0);
  auto& s = c.prepare(kUsers.select() + where + " ORDER BY created_at DESC, id LIMIT ?4 OFFSET ?5");
  bind_filters(s);
  s.bind(4, f.page_size).bind(5, (f.page - 1) * f.page_size);
  return {kUsers.all(s), total};
}

}  // namespace iron::store::users
