#include "store/user_repo.h"

namespace iron::store::users {
namespace {
constexpr const char* kUserColumns =
    "id, username, email, name, password_hash, role, is_active, force_password_change, created_at, updated_at, "
    "last_login, suspended_at, suspended_reason, deleted_at, sessions_valid_after";

User read_user(Statement& s) {
  User u;
  u.id = s.text(0);
  u.username = s.text(1);
  u.email = s.text(2);
  u.name = s.opt_text(3);
  u.password_hash = s.text(4);
  u.role = s.text(5);
  u.is_active = s.int64(6) != 0;
  u.force_password_change = s.int64(7) != 0;
  u.created_at = s.int64(8);
  u.updated_at = s.int64(9);
  u.last_login = s.opt_int64(10);
  u.suspended_at = s.opt_int64(11);
  u.suspended_reason = s.opt_text(12);
  u.deleted_at = s.opt_int64(13);
  u.sessions_valid_after = s.int64(14);
  return u;
}

std::optional<User> one(Statement& s) {
  if (!s.step()) return std::nullopt;
  return read_user(s);
}
}  // namespace

std::optional<User> find_by_id(Connection& c, const std::string& id) {
  auto& s = c.prepare(std::string("SELECT ") + kUserColumns + " FROM users WHERE id = ?");
  s.bind(1, id);
  return one(s);
}

std::optional<User> find_by_email(Connection& c, const std::string& email) {
  auto& s = c.prepare(std::string("SELECT ") + kUserColumns + " FROM users WHERE email = ? AND deleted_at IS NULL");
  s.bind(1, email);
  return one(s);
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

void insert(Connection& c, const User& u) {
  auto& s = c.prepare(std::string("INSERT INTO users(") + kUserColumns +
                      ") VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, u.id).bind(2, u.username).bind(3, u.email).bind(4, u.name).bind(5, u.password_hash).bind(6, u.role);
  s.bind(7, u.is_active).bind(8, u.force_password_change).bind(9, u.created_at).bind(10, u.updated_at);
  s.bind(11, u.last_login).bind(12, u.suspended_at).bind(13, u.suspended_reason).bind(14, u.deleted_at);
  s.bind(15, u.sessions_valid_after);
  s.run();
}

void update(Connection& c, const User& u) {
  auto& s = c.prepare(
      "UPDATE users SET username = ?, email = ?, name = ?, password_hash = ?, role = ?, is_active = ?, "
      "force_password_change = ?, updated_at = ?, last_login = ?, suspended_at = ?, suspended_reason = ?, "
      "deleted_at = ?, sessions_valid_after = ? WHERE id = ?");
  s.bind(1, u.username).bind(2, u.email).bind(3, u.name).bind(4, u.password_hash).bind(5, u.role);
  s.bind(6, u.is_active).bind(7, u.force_password_change).bind(8, u.updated_at).bind(9, u.last_login);
  s.bind(10, u.suspended_at).bind(11, u.suspended_reason).bind(12, u.deleted_at).bind(13, u.sessions_valid_after);
  s.bind(14, u.id);
  s.run();
}

int64_t count_active_admins(Connection& c) {
  auto& s = c.prepare("SELECT count(*) FROM users WHERE role = 'admin' AND is_active = 1 AND deleted_at IS NULL");
  s.step();
  return s.int64(0);
}

int64_t count_admins(Connection& c) {
  auto& s = c.prepare("SELECT count(*) FROM users WHERE role = 'admin' AND deleted_at IS NULL");
  s.step();
  return s.int64(0);
}

std::pair<std::vector<User>, int64_t> list(Connection& c, const UserFilter& f) {
  // One statement shape for every filter combination: NULL parameters switch a clause off.
  const std::string where =
      " FROM users WHERE deleted_at IS NULL AND (?1 IS NULL OR role = ?1) AND (?2 IS NULL OR is_active = ?2) "
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
  auto& count = c.prepare("SELECT count(*)" + where);
  bind_filters(count);
  count.step();
  const int64_t total = count.int64(0);
  auto& s = c.prepare(std::string("SELECT ") + kUserColumns + where + " ORDER BY created_at DESC, id LIMIT ?4 OFFSET ?5");
  bind_filters(s);
  s.bind(4, f.page_size).bind(5, (f.page - 1) * f.page_size);
  std::vector<User> out;
  while (s.step()) out.push_back(read_user(s));
  return {std::move(out), total};
}

}  // namespace iron::store::users
