#pragma once
// The price catalogue (model_prices, migration 012) and the event cost columns the catalogue
// fills: price versions in and out, the events a recalculation re-prices, and the
// reported-vs-catalogue read. Plain structs in, plain structs out.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite.h"

namespace iron::store {

struct PriceRow {
  int64_t id = 0;
  std::string provider;
  std::string model;  // exact name, or a prefix ending in one '*'
  int64_t input_micros_per_mtok = 0;
  int64_t output_micros_per_mtok = 0;
  int64_t cached_input_micros_per_mtok = 0;
  int64_t effective_from_ms = 0;
  std::string source;  // seed | admin | import
  int64_t created_at = 0;
};

// One event as a recalculation sees it.
struct PricedEventRow {
  int64_t id = 0;
  int64_t agent_id = 0;
  std::string day;
  int64_t timestamp_ms = 0;
  bool completed = false;
  std::string provider;
  std::string model;
  int64_t input_tokens = 0;
  int64_t output_tokens = 0;
  int64_t cached_input_tokens = 0;
  int64_t cost_micros = 0;
  std::string cost_source;
  std::optional<int64_t> catalogue_cost_micros;
};

// Reported cost against the catalogue's, and unpriced events, per (agent, provider, model).
struct CostDifferenceRow {
  int64_t agent_id = 0;
  std::string agent_name;
  std::string provider;
  std::string model;
  int64_t compared_events = 0;    // reported cost with a catalogue price beside it
  int64_t reported_micros = 0;    // of those events
  int64_t catalogue_micros = 0;   // of those events
  int64_t unpriced_events = 0;
  int64_t unpriced_tokens = 0;    // input + output tokens of the unpriced events
};

struct CostDifferenceFilter {
  std::optional<int64_t> from_ms;  // inclusive
  std::optional<int64_t> to_ms;    // exclusive
  std::optional<int64_t> agent_id;
  std::optional<std::string> provider;
  std::optional<std::string> owner_id;  // agents of this user only
};

namespace prices {
int64_t count(Connection& c);
// Every version, ordered by provider, model, effective_from.
std::vector<PriceRow> list(Connection& c);
std::optional<PriceRow> find(Connection& c, const std::string& provider, const std::string& model,
                             int64_t effective_from_ms);
int64_t insert(Connection& c, const PriceRow& p);

// Events with timestamp in [from_ms, to_ms) (of one agent when given) whose cost the
// catalogue may set or compare (every source but legacy), by id; at most `limit` + 1 rows so
// the caller can tell that the window holds more than `limit`.
std::vector<PricedEventRow> events_in_window(Connection& c, int64_t from_ms, int64_t to_ms,
                                             const std::optional<int64_t>& agent_id, int64_t limit);
void update_event_cost(Connection& c, int64_t id, int64_t cost_micros, const std::string& cost_source,
                       const std::optional<int64_t>& catalogue_cost_micros);
// Adds `delta` to one daily rollup row's cost (the per-model rollups follow by trigger) and
// widens its per-request min / max to cover [low, high].
void adjust_rollup_cost(Connection& c, const std::string& day, int64_t agent_id, const std::string& provider,
                        const std::string& model, int64_t delta, int64_t low, int64_t high);
// Agent names by id (for a recalculation's per-agent lines).
std::optional<std::string> agent_name(Connection& c, int64_t agent_id);

// Over raw events; every filter that is set narrows.
std::vector<CostDifferenceRow> cost_differences(Connection& c, const CostDifferenceFilter& f);
}  // namespace prices

}  // namespace iron::store
