#pragma once
// The alerts each use case raises, built in one place so that the event shapes and their
// edge keys (alert_events.h) are stated once. Each runs on the caller's write transaction,
// beside the change it reports; the calls in the use cases are one line each.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite.h"

namespace iron::domain::alerts {

// A usage limit counter moved from `before` to `after` against `max` (limit = the limit's
// field name): budget.threshold for each alert threshold crossed, budget.exhausted when
// `after` reached `max`. Edge: once per limit, field, threshold and period.
void limit_counter_moved(store::Connection& c, int64_t limit_id, const std::string& user_id,
                         const std::optional<std::string>& project_id, const std::string& limit, int64_t before,
                         int64_t after, int64_t max, const std::vector<int64_t>& thresholds,
                         const std::string& period_start);

// An agent's budget after a spend: budget.exhausted once everything allocated is spent.
// Edge: once per agent, allocation and UTC day.
void agent_spent(store::Connection& c, int64_t agent_id, int64_t allocated, int64_t spent, int64_t remaining,
                 int64_t now_ms);

// Usage of `tokens` recorded at cost 0 (a missing price, a runtime that reports none):
// usage.zero_cost. Edge: once per agent, model and UTC day.
void usage_recorded(store::Connection& c, int64_t agent_id, const std::string& source, const std::string& provider,
                    const std::string& model, int64_t tokens, int64_t cost_micros, int64_t at_ms);

// An event recorded for a model the agent's allow-list does not allow (it is kept, flagged):
// usage.model_not_allowed. Edge: once per agent, provider, model and UTC day.
void model_not_allowed(store::Connection& c, int64_t agent_id, const std::string& provider, const std::string& model,
                       int64_t at_ms);

void budget_request_created(store::Connection& c, const std::string& request_id, int64_t agent_id,
                            const std::string& requester_id, int64_t current_micros, int64_t requested_micros);
void budget_request_decided(store::Connection& c, const std::string& request_id, int64_t agent_id,
                            const std::string& status, const std::string& decided_by);

// Edge: once per key and disabling (its updated_at).
void provider_key_disabled(store::Connection& c, int64_t key_id, const std::string& owner_id,
                           const std::string& provider, const std::string& disabled_by, int64_t at_ms);

// Login throttling now refuses this account from `source` for `wait_s`. Edge: once per
// account, source and lockout (the first failure of the window).
void user_locked_out(store::Connection& c, const std::string& user_id, const std::string& source, int64_t wait_s,
                     int64_t window_started_at_ms);

}  // namespace iron::domain::alerts
