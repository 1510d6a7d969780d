#pragma once
// The one rule for the provider key an agent uses, written once and
// applied on every path: assignment (agent create / update), the handshake and the agent
// key fetch. The key must exist, be enabled, and belong to the agent's owner — or be
// DELEGATED: owned by an admin who assigned it to another user's agent themselves (audited,
// and shown on the agent as provider_key_owner_id). A delegated key stops serving the agent
// once its owner is no longer an active admin. Deleting a key clears agents' references
// (store::provider_keys::remove), so a deleted key reads as "no key assigned" everywhere.
#include <cstdint>
#include <string>

#include "domain/principal.h"
#include "store/agent_repo.h"
#include "store/provider_key_repo.h"
#include "store/sqlite.h"
#include "util/result.h"

namespace iron::domain::agent_key {

// May `assigner` make an agent of `owner_id` use key `key_id`? On success the key's provider
// (the agent's `providers` becomes [it]). Errors name the field provider_key_id:
// 404 PROVIDER_KEY_NOT_FOUND, 403 PROVIDER_KEY_NOT_OWNED, 409 PROVIDER_KEY_DISABLED.
Result<std::string> check_assignment(store::Connection& c, int64_t key_id, const std::string& owner_id,
                                     const Principal& assigner);

// The key row the agent may use right now: 403 NO_PROVIDER_ASSIGNED when it has none (never
// assigned, deleted, or no longer its owner's nor delegated by an active admin), 403
// KEY_DISABLED when it is disabled.
Result<store::ProviderKey> usable_key(store::Connection& c, const store::Agent& agent);

// Whether the key is delegated to the agent (owned by someone other than the agent's owner).
bool is_delegated(const store::ProviderKey& key, const store::Agent& agent);

}  // namespace iron::domain::agent_key
