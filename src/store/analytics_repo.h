#pragma once
// Analytics tables: raw events (idempotent per (agent_id, event_id)) and the daily rollups
// every read is answered from. Plain structs in, plain structs out.
#include <cstdint>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "store/budget_repo.h"
#include "store/sqlite.h"

namespace iron::store {

struct AnalyticsEventRow {
  int64_t row_id = 0;  // the table's key, for keyset reads (filled by list_events)
  int64_t agent_id = 0;
  std::string event_id;
  int64_t timestamp_ms = 0;
  std::string day;  // YYYY-MM-DD (UTC) of timestamp_ms
  std::string event_type;
  std::string model;
  std::string provider;
  std::optional<std::string> provider_id;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t cached_input_tokens = 0;
  int64_t cost_micros = 0;
  std::string cost_source = "none";  // reported | catalogue | unpriced | none | legacy (migration 012)
  std::optional<int64_t> catalogue_cost_micros;
  std::optional<std::string> error_code;
  std::optional<std::string> error_message;
  int64_t created_at = 0;
  // False: the agent's model allow-list did not allow this model when it was ingested
  // (recorded all the same: spend is never lost; migration 015).
  bool model_allowed = true;
  std::string agent_name;  // filled by list_events
};

// Which rollup rows a read covers. Days are inclusive YYYY-MM-DD bounds; owner_id scopes to
// the agents of one user (non-admins).
struct RollupFilter {
  std::optional<std::string> from_day;
  std::optional<std::string> to_day;
  std::optional<int64_t> agent_id;
  std::optional<std::string> provider;
  std::optional<std::string> owner_id;
  std::optional<std::string> project_id;  // agents bound to an API token of this project
};

struct UsageTotals {
  int64_t requests = 0;
  int64_t completed = 0;
  int64_t failed = 0;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t cost_micros = 0;
  std::optional<int64_t> min_cost_micros;  // per completed request
  std::optional<int64_t> max_cost_micros;
};

struct AgentUsage {
  int64_t agent_id = 0;
  std::string agent_name;
  int64_t allocated_micros = 0;  // the agent's current allocation (agent_budgets)
  UsageTotals totals;
};

struct ProviderUsage {
  std::string provider;
  int64_t agent_count = 0;
  UsageTotals totals;
};

struct ModelUsage {
  std::string model;
  std::string provider;
  UsageTotals totals;
};

struct DailyProviderUsage {
  std::string day;
  std::string provider;
  UsageTotals totals;
};

struct AgentBudgetRow : BudgetFigures {
  int64_t agent_id = 0;
  std::string agent_name;
  std::string period = "one_off";    // periodic budgets (budget_repo.h)
  std::optional<int64_t> resets_at;  // ms; null for one_off
};

struct EventListFilter {
  std::optional<int64_t> from_ms;  // inclusive
  std::optional<int64_t> to_ms;    // exclusive
  std::optional<int64_t> agent_id;
  std::optional<std::string> provider;
  std::optional<std::string> owner_id;
  std::optional<std::string> project_id;
  std::optional<std::string> model;       // exact
  std::optional<std::string> event_type;  // exact
  std::optional<bool> model_allowed;      // only flagged (false) or only unflagged (true) events
  // Keyset: only events older than this (timestamp_ms, row id) in list order.
  std::optional<std::pair<int64_t, int64_t>> before;
};

namespace analytics {
// False when (agent_id, event_id) already exists; nothing is written then.
bool insert_event(Connection& c, const AnalyticsEventRow& e);
// Adds one event to its (day, agent, provider, model) rollup row (UPSERT).
void add_to_rollup(Connection& c, const AnalyticsEventRow& e);
// The owner of an agent, or nullopt when the agent does not exist.
std::optional<std::string> agent_owner(Connection& c, int64_t agent_id);
// Deletes up to `limit` raw events with timestamp_ms < cutoff; returns how many.
int64_t delete_events_before(Connection& c, int64_t cutoff_ms, int64_t limit);

UsageTotals totals(Connection& c, const RollupFilter& f);
std::vector<AgentUsage> by_agent(Connection& c, const RollupFilter& f);
std::vector<ProviderUsage> by_provider(Connection& c, const RollupFilter& f);
std::vector<ModelUsage> by_model(Connection& c, const RollupFilter& f);
// Per (day, provider), ordered by day then provider: the spend-over-time series.
std::vector<DailyProviderUsage> daily_by_provider(Connection& c, const RollupFilter& f);
// The earliest day with a rollup row in scope, or nullopt when there is none.
std::optional<std::string> first_day(Connection& c, const RollupFilter& f);
// Scoped agents with their budget rows (no period: a budget is a current state).
std::vector<AgentBudgetRow> budgets(Connection& c, const std::optional<int64_t>& agent_id,
                                    const std::optional<std::string>& owner_id);
// Raw events, newest first, and the total matching.
std::vector<AnalyticsEventRow> list_events(Connection& c, const EventListFilter& f, int64_t limit, int64_t offset);
int64_t count_events(Connection& c, const EventListFilter& f);

// The SQL of every rollup read for `f` (for EXPLAIN QUERY PLAN in tests).
std::vector<std::string> rollup_read_sql(const RollupFilter& f);
}  // namespace analytics

}  // namespace iron::store
