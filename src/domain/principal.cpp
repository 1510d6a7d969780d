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

std::optional<TokenScope> parse_token_scope(const std::string& text) {
  if (text == "read") return TokenScope::read;
  if (text == "runtime") return TokenScope::runtime;
  if (text == "user") return TokenScope::user;
  if (text == "admin") return TokenScope::admin;
  if (text == "legacy_full") return TokenScope::legacy_full;
  return std::nullopt;
}

const char* token_scope_name(TokenScope scope) {
  switch (scope) {
    case TokenScope::read: return "read";
    case TokenScope::runtime: return "runtime";
    case TokenScope::user: return "user";
    case TokenScope::admin: return "admin";
    case TokenScope::legacy_full: return "legacy_full";
  }
  return "read";
}

Role role_cap(TokenScope scope) {
  switch (scope) {
    case TokenScope::read:
    case TokenScope::runtime: return Role::viewer;
    case TokenScope::user: return Role::user;
    case TokenScope::admin:
    case TokenScope::legacy_full: return Role::admin;
  }
  return Role::viewer;
}

bool may_fetch_keys(TokenScope scope) { return scope != TokenScope::read; }

}  // namespace iron::domain
