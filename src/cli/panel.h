#pragma once
// The composition root: every long-lived domain service of one running server, wired
// together, plus the background tasks they need. `serve` builds one Panel and hands
// `services()` to the HTTP routes.
#include <atomic>
#include <memory>
#include <string>

#include "api/services.h"
#include "config/config.h"
#include "domain/accounts.h"
#include "domain/alert_channels.h"
#include "domain/alert_delivery.h"
#include "domain/alert_rules.h"
#include "domain/agents.h"
#include "domain/analytics.h"
#include "domain/api_tokens.h"
#include "domain/budget_ledger.h"
#include "domain/budget_requests.h"
#include "domain/catalogue_costs.h"
#include "domain/event_bus.h"
#include "domain/first_admin.h"
#include "domain/ic_tokens.h"
#include "domain/key_fetch.h"
#include "domain/lease_protocol.h"
#include "domain/price_catalogue.h"
#include "domain/provider_keys.h"
#include "domain/sessions.h"
#include "domain/usage_limits.h"
#include "security/server_keys.h"
#include "store/database.h"
#include "store/pg/replica_wiring.h"
#include "util/scheduler.h"

namespace iron::cli {

class Panel {
 public:
  // Loads and checks the server keys, builds the services and prepares the first-admin
  // bootstrap. Throws ConfigError (server_key_check.h) on bad or missing keys.
  Panel(store::Database& db, const config::Config& c, const std::atomic<bool>& draining);

  api::Services& services() { return services_; }
  domain::EventBus& events() { return events_; }
  // Registers the maintenance tasks on `scheduler` and the alert delivery worker on
  // `alert_worker` (call before they start). Delivery has its own thread: a slow receiver
  // (up to IRON_ALERT_TIMEOUT_MS per attempt) must not hold up lease expiry and the others.
  // On PostgreSQL each round of a shared task runs on one replica at a time.
  void schedule(util::Scheduler& scheduler, util::Scheduler& alert_worker);
  // Writes what is batched in memory (API-token last_used_at); called after the last request.
  void flush();

 private:
  store::Database& db_;
  const config::Config& config_;
  const std::atomic<bool>& draining_;
  // PostgreSQL only: whether other replicas serve, which the key check needs; declared
  // before keys_, and holds this replica's place until it stops.
  std::unique_ptr<store::pg::ReplicaPresence> presence_;
  security::ServerKeys keys_;
  domain::EventBus events_;
  // PostgreSQL only (docs/postgresql.md, "Wiring the replica pieces"): the live events of the
  // other replicas, and one task guard per scheduler thread (each owns a connection).
  // Declared after events_, so the relay stops before the bus it feeds goes.
  std::unique_ptr<store::pg::EventRelay> relay_;
  std::unique_ptr<store::pg::TaskGuard> task_guard_, alert_guard_;
  domain::Sessions sessions_;
  domain::Accounts accounts_;
  domain::FirstAdmin first_admin_;
  domain::ApiTokens api_tokens_;
  domain::ProviderKeys provider_keys_;
  domain::KeyFetch key_fetch_;
  domain::BudgetLedger ledger_;
  domain::Agents agents_;
  domain::IcTokens ic_tokens_;
  domain::UsageLimits usage_limits_;
  domain::LeaseProtocol leases_;
  domain::BudgetRequests budget_requests_;
  domain::PriceCatalogue prices_;
  domain::Analytics analytics_;
  domain::CatalogueCosts catalogue_costs_;
  domain::AlertChannels alert_channels_;
  domain::AlertRules alert_rules_;
  domain::AlertDelivery alert_delivery_;
  api::Services services_;
};

}  // namespace iron::cli
