#pragma once
// The JSON shapes of agents, their budgets and leases (agents.cpp, agent_credentials.cpp),
// beside their OpenAPI component schemas (Agent, AgentLease, AgentPage, AgentLeasePage).
#include <cstdint>
#include <map>
#include <optional>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/openapi/spec.h"
#include "api/services.h"
#include "domain/agents.h"
#include "util/clock.h"
#include "util/json_writer.h"

namespace iron::api {

// Window spend per agent (domain::BurnRate) in the caller's scope.
std::map<int64_t, int64_t> recent_spend_of(Services& s, const domain::Principal& p, std::optional<int64_t> agent_id);
// The agent object the routes answer with: the agent, its budget, burn rate and projected
// exhaustion. Written straight as text (lists of agents are long); agent_with_burn parses it
// back for the routes that answer one agent.
void write_agent(util::JsonWriter& w, const domain::AgentView& v, const std::map<int64_t, int64_t>& recent_spend,
                 util::TimePoint now);
// Until when the agent objects of `rows` written at `now` (write_agent) stay the same bytes
// as long as no write commits: the next UTC midnight (the burn-rate window is whole days),
// any budget's resets_at, and the instant any projected_exhaustion_at (now + a duration,
// written to the second) turns over. api/agent_list_cache.h keeps the list that long.
util::TimePoint agents_unchanged_until(const std::vector<domain::AgentView>& rows,
                                       const std::map<int64_t, int64_t>& recent_spend, util::TimePoint now);
nlohmann::json agent_with_burn(const domain::AgentView& v, const std::map<int64_t, int64_t>& recent_spend);
nlohmann::json allocation_view(const domain::BudgetSnapshot& b);
nlohmann::json history_view(const std::vector<store::BudgetHistoryEntry>& entries);
nlohmann::json lease_view(const store::BudgetLease& l);

nlohmann::json agent_component_schemas();
// The OpenAPI entry of an /agents route: tag, access and, for `:id` routes, the integer id
// and its 404 (agents.cpp).
extern const openapi::Resource agent_op;

}  // namespace iron::api
