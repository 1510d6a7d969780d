#include "domain/principal.h"

namespace iron::domain {

std::optional<Role> parse_role(const std::string& text) {
  if (text == "admin") return Role::admin;
  if (text == "user") return Role::user;
  if (text == "viewer") return Role::viewer;
  return std::nullopt;
}

const char* role_name(Role role) {
  switch (role) {
    case Role::admin: return "admin";
    case Role::user: return "user";
    case Role::viewer: return "viewer";
  }
  return "viewer";
}

}  // namespace iron::domain
