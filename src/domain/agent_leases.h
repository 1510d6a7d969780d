#pragma once
// An agent's budget leases as the dashboard lists them (active ones first, then the most
// recent), visible to whoever may see the agent: admins any, others their own agents only
// (another user's agent is AGENT_NOT_FOUND, never a hint it exists).
#include <cstdint>
#include <optional>
#include <string>

#include "domain/paging.h"
#include "domain/principal.h"
#include "store/budget_repo.h"
#include "store/database.h"
#include "util/result.h"

namespace iron::domain {

// status: active | closed | expired | revoked, or nullopt for all.
Result<Paged<store::BudgetLease>> list_agent_leases(store::Database& db, const Principal& caller, int64_t agent_id,
                                                    const std::optional<std::string>& status, const PageRequest& page);

}  // namespace iron::domain
