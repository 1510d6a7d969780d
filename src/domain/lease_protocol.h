#pragma once
// The budget lease protocol as agents call it (docs/compatibility.md: S5, S6, C1–C3): every
// operation is one write transaction that authenticates the IC token against the stored hash
// and runs one BudgetLedger operation (a report also bumps the usage-limit counters), then
// publishes a live event (owner = the agent's owner). The predecessor's public report/return
// and its JWT requirement on refresh are gone: the IC token is the agent's credential, and
// the only one.
#include <cstdint>
#include <optional>
#include <string>

#include "domain/budget_ledger.h"
#include "domain/event_bus.h"
#include "domain/ic_tokens.h"
#include "domain/provider_keys.h"
#include "domain/usage_limits.h"
#include "util/completion.h"
#include "util/result.h"

namespace iron::domain {

struct ReturnOutcome {
  ReleaseOutcome release;
  // The client's own spend figure, when it sent one. Never used for accounting: the ledger
  // releases granted − reported spend. Echoed so a runtime can spot its own drift.
  std::optional<int64_t> client_spent;
};

struct HandshakeRequest {
  std::string provider;
  std::optional<int64_t> provider_key_id;  // must be the agent's own key when given
  int64_t requested = 0;
  // The model the runtime will call; required when the agent has a model allow-list, which
  // it must then match (docs/model-allow-lists.md).
  std::optional<std::string> model = std::nullopt;
};

struct HandshakeOutcome {
  Lease lease;
  std::string ip_token;  // AES256:iv:ct:tag
};

class LeaseProtocol {
 public:
  // provider_keys and ip_token_key (32 bytes) serve the handshake; without them it is 503.
  // limits (optional) are checked at handshake and refresh and fed by every report.
  LeaseProtocol(store::Database& db, BudgetLedger& ledger, EventBus& events,
                const ProviderKeys* provider_keys = nullptr, std::string ip_token_key = {},
                UsageLimits* limits = nullptr)
      : db_(db), ledger_(ledger), events_(events), provider_keys_(provider_keys),
        ip_token_key_(std::move(ip_token_key)), limits_(limits) {}

  // One write transaction: IC token, the agent's model allow-list (checked before anything is
  // reserved), reservation, the agent's assigned key (and only it), provider match, enabled,
  // decrypt, IP token. Any refusal after the reservation rolls it
  // back (the predecessor leaked it, docs/compatibility.md C1).
  Result<HandshakeOutcome> handshake(const std::string& ic_token, const HandshakeRequest& in, const RequestContext& ctx);

  // Answers through `done` once the report is durably committed (store::Database::
  // write_async): the request's thread serves others meanwhile.
  void report(const std::string& ic_token, const std::string& lease_id, const UsageReport& usage,
              util::Completion<Result<ReportOutcome>> done);
  Result<ReturnOutcome> give_back(const std::string& ic_token, const std::string& lease_id,
                                  std::optional<int64_t> client_spent, const RequestContext& ctx);
  Result<RefreshOutcome> refresh(const std::string& ic_token, const std::string& lease_id, int64_t requested,
                                 const RequestContext& ctx);

 private:
  void publish(const std::string& type, const AgentIdentity& who, nlohmann::json data);
  // A committed report's live events: the usage-limit alerts it raised, and lease.reported.
  void published(const AgentIdentity& who, const UsageReport& usage, const ReportOutcome& out,
                 std::vector<LiveEvent>& alerts);
  store::Database& db_;
  BudgetLedger& ledger_;
  EventBus& events_;
  const ProviderKeys* provider_keys_;
  std::string ip_token_key_;
  UsageLimits* limits_;
};

}  // namespace iron::domain
