#include "domain/agents.h"

#include <nlohmann/json.hpp>
#include <unordered_map>

#include "domain/audit.h"
#include "store/provider_key_repo.h"
#include "store/user_repo.h"
#include "util/clock.h"
#include "util/json_fields.h"

namespace iron::domain {
namespace {

using nlohmann::json;

// The budget row exists for every agent (same transaction); an absent one is a broken book.
BudgetSnapshot budget_of(store::Connection& c, int64_t agent_id) {
  if (auto b = store::budgets::find(c, agent_id)) return *b;
  BudgetSnapshot empty;
  empty.agent_id = agent_id;
  return empty;
}

// Agents belong to live, active users: a suspended or deleted owner is refused.
std::optional<Error> check_owner(store::Connection& c, const std::string& owner_id) {
  auto u = store::users::find_by_id(c, owner_id);
  if (!u || u->deleted_at || u->suspended_at || !u->is_active)
    return Error::validation("owner_id", "owner_id must be an existing active user", "OWNER_NOT_FOUND");
  return std::nullopt;
}

std::optional<std::string> key_owner_of(store::Connection& c, const store::Agent& a) {
  if (!a.provider_key_id) return std::nullopt;
  const auto key = store::provider_keys::find(c, *a.provider_key_id);
  return key ? std::optional(key->owner_id) : std::nullopt;
}

AgentView view_of(store::Connection& c, const store::Agent& a, std::optional<BudgetSnapshot> budget = std::nullopt) {
  return {a, budget ? *budget : budget_of(c, a.id), key_owner_of(c, a)};
}

// A delegated key (owned by the assigning admin, not by the agent's owner) is named in the
// audit row, so who lent whose provider account is on record.
json agent_audit(store::Connection& c, const store::Agent& a) {
  const auto budget = budget_of(c, a.id);
  json out = {IRON_JSON_FIELDS(a, name, owner_id, provider_key_id, providers, allowed_models),
              {"budget_period", budget.period},
              {"budget_time_zone", budget.time_zone}};
  if (const auto key_owner = key_owner_of(c, a); key_owner && *key_owner != a.owner_id) {
    out["provider_key_owner_id"] = *key_owner;
    out["provider_key_delegated"] = true;
  }
  return out;
}

}  // namespace

Result<store::Agent> visible_agent(store::Connection& c, const Principal& caller, int64_t agent_id) {
  auto a = store::agents::find_by_id(c, agent_id);
  if (!a || (!caller.is_admin() && a->owner_id != caller.user_id)) return agent_not_found();
  return std::move(*a);
}

Result<std::string> Agents::resolve_key(store::Connection& c, int64_t key_id, const std::string& owner_id,
                                        const Principal& assigner) const {
  if (!resolve_key_)
    return Error{ErrorKind::unavailable, "PROVIDER_KEYS_UNAVAILABLE", "provider keys are not available on this server",
                 json::object(), 0};
  return resolve_key_(c, key_id, owner_id, assigner);
}

// Three queries for the whole list (agents, their budget rows, the provider keys' owners),
// not two more per agent (issue 13: GET /agents ran one budget and one key query per agent).
std::vector<AgentView> Agents::list(const Principal& caller) {
  BudgetLedger::catch_up(db_, util::now());  // periodic budgets due for their reset
  return db_.read([&](store::Connection& c) {
    const std::optional<std::string> owner = caller.is_admin() ? std::nullopt : std::optional(caller.user_id);
    const auto agents = owner ? store::agents::list_for_owner(c, *owner) : store::agents::list_all(c);
    std::unordered_map<int64_t, BudgetSnapshot> budgets;
    for (auto& b : store::budgets::list(c, owner)) budgets.emplace(b.agent_id, std::move(b));
    // All keys, not only the caller's: an agent may use a key its admin delegated.
    std::unordered_map<int64_t, std::string> key_owners;
    for (auto& k : store::provider_keys::list_all(c)) key_owners.emplace(k.id, std::move(k.owner_id));
    std::vector<AgentView> out;
    out.reserve(agents.size());
    for (const auto& a : agents) {
      const auto b = budgets.find(a.id);
      std::optional<std::string> key_owner;
      if (a.provider_key_id) {
        if (const auto k = key_owners.find(*a.provider_key_id); k != key_owners.end()) key_owner = k->second;
      }
      out.push_back({a, b != budgets.end() ? b->second : budget_of(c, a.id), std::move(key_owner)});
    }
    return out;
  });
}

Result<AgentView> Agents::get(const Principal& caller, int64_t id) {
  BudgetLedger::catch_up(db_, util::now());
  return db_.read([&](store::Connection& c) -> Result<AgentView> {
    auto a = visible_agent(c, caller, id);
    if (!a) return a.error();
    return view_of(c, *a);
  });
}

Result<AgentView> Agents::create(const Principal& caller, const NewAgent& in, const RequestContext& ctx) {
  const std::string owner_id = in.owner_id.value_or(caller.user_id);
  auto allowed = normalized_allowed_models(in.allowed_models, "allowed_models");
  if (!allowed) return allowed.error();
  return db_.write([&](store::Connection& c) -> Result<AgentView> {
    if (auto e = check_owner(c, owner_id)) return *e;
    std::optional<std::string> provider;
    if (in.provider_key_id) {
      auto p = resolve_key(c, *in.provider_key_id, owner_id, caller);
      if (!p) return p.error();
      provider = *p;
    }
    auto created = BudgetLedger::create_agent_in(c, in.name, owner_id, in.initial_budget_micros, ctx);
    if (!created) return created.error();
    store::Agent a = created->agent;
    if (in.budget_period != BudgetPeriod::one_off || in.budget_time_zone != "UTC") {
      auto budget = BudgetLedger::set_period_in(c, a.id, in.budget_period, in.budget_time_zone, util::now());
      if (!budget) return budget.error();
      created->budget = *budget;
      audit(c, ctx, "agent.set_budget_period", "agent", std::to_string(a.id), nullptr, agent_audit(c, a));
    }
    if (in.provider_key_id) {
      a.provider_key_id = in.provider_key_id;
      a.providers = {*provider};
      store::agents::update(c, a);
      audit(c, ctx, "agent.assign_key", "agent", std::to_string(a.id), nullptr, agent_audit(c, a));
    }
    if (*allowed) {
      const json before = agent_audit(c, a);
      a.allowed_models = *allowed;
      store::agents::update(c, a);
      audit(c, ctx, "agent.set_allowed_models", "agent", std::to_string(a.id), before, agent_audit(c, a));
    }
    return view_of(c, a, created->budget);
  });
}

Result<AgentView> Agents::update(const Principal& caller, int64_t id, const AgentPatch& patch,
                                 const RequestContext& ctx) {
  if (patch.name && (patch.name->empty() || patch.name->size() > 255))
    return Error::validation("name", "name must be 1..255 characters");
  std::optional<AllowedModels> allowed;
  if (patch.allowed_models) {
    auto checked = normalized_allowed_models(*patch.allowed_models, "allowed_models");
    if (!checked) return checked.error();
    allowed = std::move(*checked);
  }
  return db_.write([&](store::Connection& c) -> Result<AgentView> {
    auto found = store::agents::find_by_id(c, id);
    if (!found) return agent_not_found();
    store::Agent a = *found;
    if (patch.name) a.name = *patch.name;
    if (allowed) a.allowed_models = *allowed;
    if (patch.owner_id && *patch.owner_id != a.owner_id) {
      if (auto e = check_owner(c, *patch.owner_id)) return *e;
      a.owner_id = *patch.owner_id;
    }
    if (patch.set_provider_key) {
      if (patch.provider_key_id) {
        auto p = resolve_key(c, *patch.provider_key_id, a.owner_id, caller);
        if (!p) return p.error();
        a.provider_key_id = patch.provider_key_id;
        a.providers = {*p};
      } else {
        a.provider_key_id.reset();
        a.providers.clear();
      }
    } else if (a.provider_key_id && a.owner_id != found->owner_id) {
      // A new owner must be entitled to the key the agent already uses.
      auto p = resolve_key(c, *a.provider_key_id, a.owner_id, caller);
      if (!p) return p.error();
    }
    const json before = agent_audit(c, *found);
    if (patch.budget_period || patch.budget_time_zone) {
      const auto current = budget_of(c, id);
      const auto period = patch.budget_period ? *patch.budget_period : *parse_budget_period(current.period);
      auto budget = BudgetLedger::set_period_in(c, id, period, patch.budget_time_zone.value_or(current.time_zone),
                                                util::now());
      if (!budget) return budget.error();
    }
    a.updated_at = util::to_unix_ms(util::now());
    store::agents::update(c, a);
    audit(c, ctx, "agent.update", "agent", std::to_string(id), before, agent_audit(c, a));
    return view_of(c, a);
  });
}

Status Agents::remove(int64_t id, const RequestContext& ctx) {
  return db_.write([&](store::Connection& c) -> Status {
    auto found = store::agents::find_by_id(c, id);
    if (!found) return agent_not_found();
    const auto budget = budget_of(c, id);
    store::agents::remove(c, id);
    json before = agent_audit(c, *found);
    before["budget"] = {IRON_JSON_FIELDS(budget, allocated, spent, reserved, remaining)};
    audit(c, ctx, "agent.delete", "agent", std::to_string(id), before, nullptr);
    return ok_status();
  });
}

Result<BudgetSnapshot> Agents::set_budget(int64_t id, int64_t total_allocated, const RequestContext& ctx) {
  return db_.write([&](store::Connection& c) -> Result<BudgetSnapshot> {
    if (!store::agents::find_by_id(c, id)) return agent_not_found();
    return BudgetLedger::set_allocation_in(c, id, total_allocated, ctx, {"set by an admin", std::nullopt});
  });
}

Result<std::vector<store::ApiToken>> Agents::tokens(const Principal& caller, int64_t id) {
  return db_.read([&](store::Connection& c) -> Result<std::vector<store::ApiToken>> {
    auto a = visible_agent(c, caller, id);
    if (!a) return a.error();
    auto all = store::api_tokens::list_for_agent(c, id);
    if (caller.is_admin()) return all;
    std::vector<store::ApiToken> own;
    for (auto& t : all)
      if (t.user_id == caller.user_id) own.push_back(std::move(t));
    return own;
  });
}

Result<std::vector<store::BudgetHistoryEntry>> Agents::history(const Principal& caller, int64_t id) {
  BudgetLedger::catch_up(db_, util::now());
  return db_.read([&](store::Connection& c) -> Result<std::vector<store::BudgetHistoryEntry>> {
    auto a = visible_agent(c, caller, id);
    if (!a) return a.error();
    return store::budget_history::list_for_agent(c, id);
  });
}

}  // namespace iron::domain
