#pragma once
// What the price catalogue does to recorded events (docs/prices.md): re-pricing a window of
// history after a price change (dry run first, then apply), and the read of reported costs
// against the catalogue's, with the unpriced events.
//
// A recalculation re-prices the events in [from, to) whose cost came from the catalogue
// (cost_source catalogue, unpriced or none) with the version in effect at each event's time,
// and refreshes the catalogue cost shown beside reported costs; a reported cost itself is
// never changed, and legacy events (stored before migration 012) are left alone. Apply runs
// the same plan as the dry run, inside ONE write transaction with its audit row: events,
// daily rollups (the per-model rollups follow by trigger) and the audit row commit together,
// so every read sees either the old or the new costs. A window may hold at most
// kMaxRecalculatedEvents such events (400 otherwise: choose a narrower window), which keeps
// that transaction short.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "domain/analytics.h"
#include "domain/price_catalogue.h"
#include "domain/principal.h"
#include "store/database.h"
#include "store/price_repo.h"
#include "util/result.h"

namespace iron::domain {

inline constexpr int64_t kMaxRecalculatedEvents = 200'000;

struct RecalculationWindow {
  int64_t from_ms = 0;  // inclusive
  int64_t to_ms = 0;    // exclusive
  std::optional<int64_t> agent_id;
};

// Money sums are over completed events (what spending and the rollups count).
struct AgentRecalculation {
  int64_t agent_id = 0;
  std::string agent_name;
  int64_t events_changed = 0;
  int64_t before_micros = 0;
  int64_t after_micros = 0;
};

struct Recalculation {
  RecalculationWindow window;
  bool applied = false;
  int64_t events_examined = 0;  // catalogue-costed and reported events in the window
  int64_t events_changed = 0;   // whose cost, source or catalogue cost changes
  int64_t unpriced_before = 0;
  int64_t unpriced_after = 0;
  int64_t before_micros = 0;
  int64_t after_micros = 0;
  std::vector<AgentRecalculation> agents;  // agents with a changed event, by id
};

struct CostDifferences {
  std::vector<store::CostDifferenceRow> rows;
  store::CostDifferenceRow totals;  // every row summed (agent and model empty)
};

class CatalogueCosts {
 public:
  CatalogueCosts(store::Database& db, PriceCatalogue& catalogue) : db_(db), catalogue_(catalogue) {}

  // 400 naming `to` for an empty / reversed window, `from` for one holding too many events.
  // Admin only (the api guard). `apply`: commit the plan with an audit row of the totals.
  Result<Recalculation> recalculate(const RecalculationWindow& w, bool apply, const RequestContext& ctx);

  // Reported vs catalogue cost and unpriced events over the raw events of the query's days
  // (agent and provider filters apply), owner-scoped like every analytics read.
  CostDifferences differences(const Principal& p, const AnalyticsQuery& q, util::TimePoint now = util::now());

 private:
  store::Database& db_;
  PriceCatalogue& catalogue_;
};

}  // namespace iron::domain
