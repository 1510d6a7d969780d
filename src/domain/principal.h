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

struct Principal {
  std::string user_id;
  std::string email;
  std::string name;
  Role role = Role::viewer;
  bool force_password_change = false;
  std::string via;                     // "jwt" or "api_token"
  std::string token_id;                // jti of the access token, or the API token id
  int64_t token_expires_at_ms = 0;     // access tokens only
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
