#include "domain/principal.h"

#include "util/enum_names.h"

namespace iron::domain {

// Each enum's names beside the two functions that read them (constexpr: local to this file).
constexpr util::EnumNames<Role, 3> kRoleNames = {{{Role::admin, "admin"}, {Role::user, "user"}, {Role::viewer, "viewer"}}};
std::optional<Role> parse_role(const std::string& text) { return util::parse_name(kRoleNames, text); }
const char* role_name(Role role) { return util::name_of(kRoleNames, role); }

constexpr util::EnumNames<TokenScope, 5> kScopeNames = {{{TokenScope::read, "read"}, {TokenScope::runtime, "runtime"},
                                                        {TokenScope::user, "user"}, {TokenScope::admin, "admin"},
                                                        {TokenScope::legacy_full, "legacy_full"}}};
std::optional<TokenScope> parse_token_scope(const std::string& text) { return util::parse_name(kScopeNames, text); }
const char* token_scope_name(TokenScope scope) { return util::name_of(kScopeNames, scope); }

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
