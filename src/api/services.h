#pragma once
// What api/ handlers are built with: the long-lived objects of one running server.
#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "config/config.h"
#include "domain/accounts.h"
#include "domain/analytics.h"
#include "domain/agents.h"
#include "domain/event_bus.h"
#include "domain/api_tokens.h"
#include "domain/budget_requests.h"
#include "domain/first_admin.h"
#include "domain/ic_tokens.h"
#include "domain/key_fetch.h"
#include "domain/lease_protocol.h"
#include "domain/principal.h"
#include "domain/provider_keys.h"
#include "domain/sessions.h"
#include "domain/usage_limits.h"
#include "store/database.h"
#include "util/result.h"

namespace iron::api {

struct Services {
  store::Database& db;
  const config::Config& config;
  const std::atomic<bool>& draining;  // set on SIGTERM: readiness turns 503
  domain::Sessions& sessions;
  domain::Accounts& accounts;
  domain::FirstAdmin& first_admin;
  domain::EventBus& events;
  // Authenticates an `apitok_…` bearer token (domain/api_tokens); unset = not supported.
  std::function<Result<domain::Principal>(const std::string&)> authenticate_api_token;
  std::chrono::steady_clock::time_point started = std::chrono::steady_clock::now();
  // The API-token service behind /api/v1/api-tokens; set by `serve` (null = routes answer 503).
  domain::ApiTokens* api_tokens = nullptr;
  // Agents, IC tokens and the lease protocol; set by `serve` (null = routes answer 503).
  domain::Agents* agents = nullptr;
  domain::IcTokens* ic_tokens = nullptr;
  domain::LeaseProtocol* leases = nullptr;
  // Authenticates an agent's IC token against the stored hash (domain/ic_tokens); used by
  // the routes agents call (lease protocol, analytics ingestion). Unset = not supported.
  std::function<Result<domain::AgentIdentity>(const std::string&)> authenticate_ic_token = {};
  // Provider keys behind /api/v1/providers and /projects/:id/provider, holding the master key;
  // set by `serve` (null = those routes answer 503). A pointer at the end, so existing
  // aggregate initialisations of Services stay valid.
  domain::ProviderKeys* provider_keys = nullptr;
  // Budget-change requests and usage limits (/budget/requests, /limits); set by `serve`
  // (null = those routes answer 503). The lease routes call usage_limits->check_in/record_in.
  domain::BudgetRequests* budget_requests = nullptr;
  domain::UsageLimits* usage_limits = nullptr;
  // Analytics ingestion and reads; the same instance `serve` prunes by retention.
  domain::Analytics* analytics = nullptr;
  // Plaintext key hand-out (GET /keys, POST /agents/provider-key); set by `serve` (null = 503).
  domain::KeyFetch* key_fetch = nullptr;
};

}  // namespace iron::api
