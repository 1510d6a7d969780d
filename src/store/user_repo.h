#pragma once
// Users table access. Plain structs in, plain structs out.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite.h"

namespace iron::store {

struct User {
  std::string id;
  std::string username;
  std::string email;
  std::optional<std::string> name;
  std::string password_hash;
  std::string role;
  bool is_active = true;
  bool force_password_change = false;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::optional<int64_t> last_login;
  std::optional<int64_t> suspended_at;
  std::optional<std::string> suspended_reason;
  std::optional<int64_t> deleted_at;
  // Access tokens issued before this (ms) are refused: set by a password change or reset and
  // by suspension, so re-activation does not revive the sessions of before.
  int64_t sessions_valid_after = 0;
};

struct UserFilter {
  std::optional<std::string> role;
  std::optional<bool> is_active;
  std::optional<std::string> search;
  int64_t page = 1;
  int64_t page_size = 20;
};

namespace users {
std::optional<User> find_by_id(Connection& c, const std::string& id);         // deleted included
std::optional<User> find_by_email(Connection& c, const std::string& email);   // live users only
bool username_taken(Connection& c, const std::string& username);
bool email_taken(Connection& c, const std::string& email);
void insert(Connection& c, const User& u);
void update(Connection& c, const User& u);
int64_t count_active_admins(Connection& c);
int64_t count_admins(Connection& c);  // live (not deleted) admins, active or not
std::pair<std::vector<User>, int64_t> list(Connection& c, const UserFilter& f);
}  // namespace users

}  // namespace iron::store
