#include "domain/agent_leases.h"

#include "domain/agents.h"

namespace iron::domain {

Result<Paged<store::BudgetLease>> list_agent_leases(store::Database& db, const Principal& caller, int64_t agent_id,
                                                    const std::optional<std::string>& status, const PageRequest& page) {
  if (status && *status != "active" && *status != "closed" && *status != "expired" && *status != "revoked")
    return Error::validation("status", "status must be one of active, closed, expired, revoked");
  return db.read([&](store::Connection& c) -> Result<Paged<store::BudgetLease>> {
    if (auto a = visible_agent(c, caller, agent_id); !a) return a.error();
    Paged<store::BudgetLease> out;
    out.pagination = paginate(store::leases::count_for_agent(c, agent_id, status), page);
    out.items = store::leases::page_for_agent(c, agent_id, status, page.per_page, page.offset());
    return out;
  });
}

}  // namespace iron::domain
