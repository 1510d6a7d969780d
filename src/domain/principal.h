#pragma once
// Who is acting, as established by authentication, and the context of the request that
// every audit row records.
#include <cstdint>
#include <optional>
#include <string>

namespace iron::domain {

enum class Role { viewer = 0, user = 1, admin = 2 };

std::optional<Role> parse_role(const std::string& text);
const char* role_name(Role role);

// What an API token may do, chosen when it is created (docs/deploy.md, "API token scopes"):
//   read        GET routes only, with viewer rights: the owner's own resources; no key fetch
//   runtime     only GET /api/v1/keys (its project's provider key); every other route is 403
//   user        the owner's rights capped at the user role, key fetch included (the default)
//   admin       the owner's current rights, admin routes included (admin owners only)
//   legacy_full tokens that existed before scopes (migration 008): the owner's current role
//               on every route plus the key fetch; never issued any more
enum class TokenScope { read, runtime, user, admin, legacy_full };

std::optional<TokenScope> parse_token_scope(const std::string& text);
const char* token_scope_name(TokenScope scope);
// The highest role a token of this scope acts with, whatever its owner's role.
Role role_cap(TokenScope scope);
// Whether a token of this scope may fetch a plaintext provider key (GET /api/v1/keys).
bool may_fetch_keys(TokenScope scope);

struct Principal {
  std::string user_id;
  std::string email;
  std::string name;
  Role role = Role::viewer;
  bool force_password_change = false;
  std::string via;                     // "jwt" or "api_token"
  std::string token_id;                // jti of the access token, or the API token id
  int64_t token_expires_at_ms = 0;     // access tokens only
  std::optional<TokenScope> scope;     // API tokens only; `role` is already capped by it
  bool is_admin() const { return role == Role::admin; }
};

// The request an operation runs for: written into audit rows.
struct RequestContext {
  std::optional<std::string> actor_id;
  std::string actor_type = "anonymous";  // user | api_token | agent | system | anonymous
  std::string request_id;
  std::string client_ip;
  std::string user_agent;

  static RequestContext system() {
    RequestContext c;
    c.actor_type = "system";
    return c;
  }
};

}  // namespace iron::domain
