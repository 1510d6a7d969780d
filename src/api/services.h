#pragma once
// What api/ handlers are built with: the long-lived objects of one running server.
#include <atomic>
#include <chrono>
#include <functional>
#include <string>

#include "config/config.h"
#include "domain/accounts.h"
#include "domain/event_bus.h"
#include "domain/api_tokens.h"
#include "domain/first_admin.h"
#include "domain/ic_tokens.h"
#include "domain/principal.h"
#include "domain/sessions.h"
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
  // Verifies an agent's IC token (domain/ic_tokens); unset = agent routes answer 503
  // IC_TOKENS_UNAVAILABLE. Set by `serve` once the IC-token service exists.
  std::function<Result<domain::AgentIdentity>(const std::string&)> authenticate_ic_token = nullptr;
};

}  // namespace iron::api
