#pragma once
// The budget lease protocol as agents call it (reference §2.6, fixed per §5/§9): every
// operation first authenticates the IC token against the stored hash, then runs one
// BudgetLedger operation, then publishes a live event (owner = the agent's owner). The
// predecessor's public report/return and its JWT requirement on refresh are gone: the IC
// token is the agent's credential, and the only one.
#include <cstdint>
#include <optional>
#include <string>

#include "domain/budget_ledger.h"
#include "domain/event_bus.h"
#include "domain/ic_tokens.h"
#include "util/result.h"

namespace iron::domain {

struct ReturnOutcome {
  ReleaseOutcome release;
  // The client's own spend figure, when it sent one. Never used for accounting: the ledger
  // releases granted − reported spend. Echoed so a runtime can spot its own drift.
  std::optional<int64_t> client_spent;
};

class LeaseProtocol {
 public:
  LeaseProtocol(BudgetLedger& ledger, IcTokens& ic_tokens, EventBus& events)
      : ledger_(ledger), ic_tokens_(ic_tokens), events_(events) {}

  Result<ReportOutcome> report(const std::string& ic_token, const std::string& lease_id, const UsageReport& usage,
                               const RequestContext& ctx);
  Result<ReturnOutcome> give_back(const std::string& ic_token, const std::string& lease_id,
                                  std::optional<int64_t> client_spent, const RequestContext& ctx);
  Result<RefreshOutcome> refresh(const std::string& ic_token, const std::string& lease_id, int64_t requested,
                                 const RequestContext& ctx);

 private:
  void publish(const std::string& type, const AgentIdentity& who, nlohmann::json data);
  BudgetLedger& ledger_;
  IcTokens& ic_tokens_;
  EventBus& events_;
};

}  // namespace iron::domain
