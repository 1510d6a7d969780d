#pragma once
// Agents (docs/compatibility.md): admin CRUD, owner-scoped reads, the allocation, the agent's API
// tokens and its budget history. Creation goes through BudgetLedger::create_agent_in, so the
// agent, its budget row and its provider-key assignment commit together (docs/compatibility.md C11).
// A non-admin asking for another user's agent gets AGENT_NOT_FOUND, never a hint it exists.
#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "domain/budget_ledger.h"
#include "domain/model_allow_list.h"
#include "domain/principal.h"
#include "store/agent_repo.h"
#include "store/api_token_repo.h"
#include "store/budget_repo.h"
#include "store/database.h"
#include "util/result.h"

namespace iron::domain {

struct AgentView {
  store::Agent agent;
  BudgetSnapshot budget;
  // Who owns the assigned key: the agent's owner, or the admin who delegated it (agent_key.h).
  std::optional<std::string> provider_key_owner_id;
};

struct NewAgent {
  std::string name;
  std::optional<int64_t> provider_key_id;
  int64_t initial_budget_micros = 0;
  std::optional<std::string> owner_id;  // default: the caller
  BudgetPeriod budget_period = BudgetPeriod::one_off;
  std::string budget_time_zone = "UTC";
  AllowedModels allowed_models = std::nullopt;  // every model (docs/model-allow-lists.md)
};

struct AgentPatch {
  std::optional<std::string> name;
  bool set_provider_key = false;          // provider_key_id present in the request (null clears)
  std::optional<int64_t> provider_key_id;
  std::optional<std::string> owner_id;
  // Either one given sets the budget's period; the other keeps its stored value.
  std::optional<BudgetPeriod> budget_period;
  std::optional<std::string> budget_time_zone;
  std::optional<AllowedModels> allowed_models = std::nullopt;  // absent: unchanged; null: every model; a list: that list
};

// Checks that `assigner` may make an agent of `owner_id` use provider key `key_id` and returns
// the key's provider name (the agent's `providers` becomes [that]): agent_key::check_assignment
// on a server with provider keys; unset = keys are not available, so assigning one is refused.
using ProviderKeyResolver = std::function<Result<std::string>(store::Connection&, int64_t key_id,
                                                              const std::string& owner_id, const Principal& assigner)>;

// The agent if the caller may see it: admins any, others only their own.
Result<store::Agent> visible_agent(store::Connection& c, const Principal& caller, int64_t agent_id);

class Agents {
 public:
  Agents(store::Database& db, ProviderKeyResolver resolve_key = {}) : db_(db), resolve_key_(std::move(resolve_key)) {}

  std::vector<AgentView> list(const Principal& caller);  // newest first
  Result<AgentView> get(const Principal& caller, int64_t id);
  Result<AgentView> create(const Principal& caller, const NewAgent& in, const RequestContext& ctx);
  Result<AgentView> update(const Principal& caller, int64_t id, const AgentPatch& patch, const RequestContext& ctx);
  Status remove(int64_t id, const RequestContext& ctx);  // budget, leases, history cascade
  Result<BudgetSnapshot> set_budget(int64_t id, int64_t total_allocated, const RequestContext& ctx);
  // API tokens bound to the agent; non-admins see only their own tokens.
  Result<std::vector<store::ApiToken>> tokens(const Principal& caller, int64_t id);
  Result<std::vector<store::BudgetHistoryEntry>> history(const Principal& caller, int64_t id);

 private:
  Result<std::string> resolve_key(store::Connection& c, int64_t key_id, const std::string& owner_id,
                                  const Principal& assigner) const;
  store::Database& db_;
  ProviderKeyResolver resolve_key_;
};

}  // namespace iron::domain
