#include "domain/agent_key.h"

#include "store/user_repo.h"

namespace iron::domain::agent_key {
namespace {

bool is_active_admin(store::Connection& c, const std::string& user_id) {
  const auto u = store::users::find_by_id(c, user_id);
  return u && u->role == "admin" && u->is_active && !u->suspended_at && !u->deleted_at;
}

Error assignment_error(ErrorKind kind, const char* code, std::string message) {
  return Error{kind, code, std::move(message), {{"field", "provider_key_id"}}, 0};
}

Error none_assigned(const std::string& why) {
  return Error::forbidden("no usable provider key is assigned to this agent: " + why, "NO_PROVIDER_ASSIGNED");
}

}  // namespace

bool is_delegated(const store::ProviderKey& key, const store::Agent& agent) { return key.owner_id != agent.owner_id; }

Result<std::string> check_assignment(store::Connection& c, int64_t key_id, const std::string& owner_id,
                                     const Principal& assigner) {
  const auto key = store::provider_keys::find(c, key_id);
  const std::string name = "provider key " + std::to_string(key_id);
  if (!key) return assignment_error(ErrorKind::not_found, "PROVIDER_KEY_NOT_FOUND", name + " does not exist");
  // The owner's own key, or an admin delegating a key of their own: spending someone's
  // provider account is only ever that account holder's decision.
  const bool own = key->owner_id == owner_id;
  const bool delegation = assigner.is_admin() && key->owner_id == assigner.user_id;
  if (!own && !delegation)
    return assignment_error(ErrorKind::forbidden, "PROVIDER_KEY_NOT_OWNED",
                            name + " belongs to another user: an agent may use its owner's keys, or a key the "
                                   "assigning admin owns (delegation)");
  if (!key->is_enabled)
    return assignment_error(ErrorKind::conflict, "PROVIDER_KEY_DISABLED", name + " is disabled: enable it first");
  return key->provider;
}

Result<store::ProviderKey> usable_key(store::Connection& c, const store::Agent& agent) {
  if (!agent.provider_key_id) return none_assigned("none was assigned");
  auto key = store::provider_keys::find(c, *agent.provider_key_id);
  if (!key) return none_assigned("the assigned key no longer exists");
  if (is_delegated(*key, agent) && !is_active_admin(c, key->owner_id))
    return none_assigned("the delegated key's owner is no longer an active admin");
  if (!key->is_enabled) return Error::forbidden("the agent's provider key is disabled", "KEY_DISABLED");
  return std::move(*key);
}

}  // namespace iron::domain::agent_key
