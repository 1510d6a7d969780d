#pragma once
// Agents table access: insert, find, list, update, delete, and the IC-token hash. Plain
// structs in, plain structs out.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite.h"

namespace iron::store {

struct Agent {
  int64_t id = 0;
  std::string name;
  std::string owner_id;
  std::optional<int64_t> provider_key_id;
  std::vector<std::string> providers;
  int64_t created_at = 0;
  int64_t updated_at = 0;
  std::optional<std::string> ic_token_hash;
  std::optional<int64_t> ic_token_created_at;
  // The models the agent may use (domain/model_allow_list.h); nullopt = every model.
  std::optional<std::vector<std::string>> allowed_models = std::nullopt;
};

namespace agents {
// Inserts the agent (its id is ignored) and returns the new id. The caller inserts the
// budget row in the same transaction (budgets::insert).
int64_t insert(Connection& c, const Agent& a);
std::optional<Agent> find_by_id(Connection& c, int64_t id);
// What checking an agent's IC token needs, in one seek, and only while the agent's owner is an
// active user (not deleted, not suspended): it runs on the single writer for every budget
// report and ingested event, where reading the whole agent and the whole owner was a third of
// the report's work.
struct IcCredential {
  std::optional<std::string> ic_token_hash;
  std::string owner_id;
};
std::optional<IcCredential> ic_credential_of_active(Connection& c, int64_t id);
// Hard delete; the budget, leases, reports and history rows cascade. False if absent.
bool remove(Connection& c, int64_t id);
std::vector<Agent> list_all(Connection& c);                                   // newest first
std::vector<Agent> list_for_owner(Connection& c, const std::string& owner_id);  // newest first
// name, owner_id, provider_key_id, providers, allowed_models and updated_at from `a` (by a.id).
void update(Connection& c, const Agent& a);
// The agent's model allow-list alone (one seek, for event ingestion); nullopt = every model,
// also for an agent that does not exist.
std::optional<std::vector<std::string>> allowed_models_of(Connection& c, int64_t id);
// Sets the IC-token hash; with only_if_none, only when the agent has none (false otherwise).
bool set_ic_token(Connection& c, int64_t id, const std::string& hash, int64_t created_at_s, bool only_if_none);
void clear_ic_token(Connection& c, int64_t id);
}  // namespace agents

}  // namespace iron::store
