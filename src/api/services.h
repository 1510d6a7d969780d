#pragma once
// What api/ handlers are built with: the long-lived objects of one running server, built once
// by the composition root (cli/panel.h) and never null. `db` is the handle the domain
// functions that are not services take (system facts, backups, lease lists, health); api/
// itself never reads or writes through it (api/README.md).
#include <atomic>
#include <chrono>

#include "api/agent_list_cache.h"
#include "config/config.h"
#include "domain/accounts.h"
#include "domain/alert_channels.h"
#include "domain/alert_rules.h"
#include "domain/agents.h"
#include "domain/analytics.h"
#include "domain/api_tokens.h"
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
#include "store/database.h"

namespace iron::api {

struct Services {
  store::Database& db;
  const config::Config& config;
  const std::atomic<bool>& draining;  // set on SIGTERM: readiness turns 503
  domain::Sessions& sessions;
  domain::Accounts& accounts;
  domain::FirstAdmin& first_admin;
  domain::EventBus& events;
  domain::ApiTokens& api_tokens;
  domain::ProviderKeys& provider_keys;
  domain::KeyFetch& key_fetch;
  domain::Agents& agents;
  domain::IcTokens& ic_tokens;
  domain::LeaseProtocol& leases;
  domain::BudgetRequests& budget_requests;
  domain::UsageLimits& usage_limits;
  domain::Analytics& analytics;
  domain::PriceCatalogue& prices;
  domain::CatalogueCosts& catalogue_costs;
  domain::AlertChannels& alert_channels;
  domain::AlertRules& alert_rules;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  AgentListCache agent_list_cache{};  // GET /agents answers, exact (agent_list_cache.h)
};

}  // namespace iron::api
