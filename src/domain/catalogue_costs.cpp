#include "domain/catalogue_costs.h"

#include <map>
#include <tuple>

#include "domain/audit.h"
#include "util/json_optional.h"

namespace iron::domain {
namespace {

struct EventChange {
  int64_t event_row_id;
  EventCost cost;
};

struct RollupChange {
  int64_t delta = 0;
  int64_t low = INT64_MAX, high = INT64_MIN;
};

using RollupKey = std::tuple<std::string, int64_t, std::string, std::string>;  // day, agent, provider, model

struct Plan {
  Recalculation summary;
  std::vector<EventChange> changes;
  std::map<RollupKey, RollupChange> rollups;
};

// The same computation for the dry run and for apply (run on the writer, in its transaction).
Result<Plan> plan_of(store::Connection& c, const PriceTable& table, const RecalculationWindow& w) {
  auto events = store::prices::events_in_window(c, w.from_ms, w.to_ms, w.agent_id, kMaxRecalculatedEvents);
  if (static_cast<int64_t>(events.size()) > kMaxRecalculatedEvents) {
    Error e = Error::validation("from", "the window holds more than " + std::to_string(kMaxRecalculatedEvents) +
                                            " events; recalculate a narrower window at a time",
                                "WINDOW_TOO_LARGE");
    return e;
  }
  Plan plan;
  plan.summary.window = w;
  std::map<int64_t, AgentRecalculation> agents;
  for (const auto& e : events) {
    ++plan.summary.events_examined;
    const bool reported = e.cost_source == "reported";
    const EventCost now = table.cost_of(e.provider, e.model, e.timestamp_ms, e.input_tokens, e.output_tokens,
                                        e.cached_input_tokens,
                                        reported ? std::optional(e.cost_micros) : std::nullopt);
    if (e.cost_source == "unpriced") ++plan.summary.unpriced_before;
    if (now.source == "unpriced") ++plan.summary.unpriced_after;
    if (e.completed && !reported) {
      plan.summary.before_micros += e.cost_micros;
      plan.summary.after_micros += now.cost_micros;
    }
    if (now.cost_micros == e.cost_micros && now.source == e.cost_source && now.catalogue_micros == e.catalogue_cost_micros)
      continue;
    ++plan.summary.events_changed;
    plan.changes.push_back({e.id, now});
    AgentRecalculation& a = agents[e.agent_id];
    a.agent_id = e.agent_id;
    ++a.events_changed;
    if (e.completed && !reported) {
      a.before_micros += e.cost_micros;
      a.after_micros += now.cost_micros;
      RollupChange& r = plan.rollups[{e.day, e.agent_id, e.provider, e.model}];
      r.delta += now.cost_micros - e.cost_micros;
      r.low = std::min(r.low, now.cost_micros);
      r.high = std::max(r.high, now.cost_micros);
    }
  }
  for (auto& [id, a] : agents) {
    a.agent_name = store::prices::agent_name(c, id).value_or("");
    plan.summary.agents.push_back(a);
  }
  return plan;
}

}  // namespace

Result<Recalculation> CatalogueCosts::recalculate(const RecalculationWindow& w, bool apply, const RequestContext& ctx) {
  if (w.to_ms <= w.from_ms) return Error::validation("to", "to must be later than from");
  const auto table = catalogue_.table();
  if (!apply) {
    auto plan = db_.read([&](store::Connection& c) { return plan_of(c, *table, w); });
    if (!plan) return plan.error();
    return plan->summary;
  }
  return db_.write([&](store::Connection& c) -> Result<Recalculation> {
    auto plan = plan_of(c, *table, w);
    if (!plan) return plan.error();
    for (const auto& ch : plan->changes)
      store::prices::update_event_cost(c, ch.event_row_id, ch.cost.cost_micros, ch.cost.source,
                                       ch.cost.catalogue_micros);
    for (const auto& [key, r] : plan->rollups)
      store::prices::adjust_rollup_cost(c, std::get<0>(key), std::get<1>(key), std::get<2>(key), std::get<3>(key),
                                        r.delta, r.low, r.high);
    Recalculation out = plan->summary;
    out.applied = true;
    nlohmann::json agents = nlohmann::json::array();
    for (const auto& a : out.agents)
      agents.push_back({{"agent_id", a.agent_id}, {"before_micros", a.before_micros}, {"after_micros", a.after_micros}});
    audit(c, ctx, "prices.recalculate", "analytics_events",
          std::to_string(w.from_ms) + ".." + std::to_string(w.to_ms),
          {{"total_micros", out.before_micros}, {"unpriced_events", out.unpriced_before}},
          {{"total_micros", out.after_micros}, {"unpriced_events", out.unpriced_after},
           {"events_changed", out.events_changed}, {"agent_id", w.agent_id},
           {"agents", agents}});
    return out;
  });
}

CostDifferences CatalogueCosts::differences(const Principal& p, const AnalyticsQuery& q, util::TimePoint now) {
  const DayRange days = range_of(q, now);
  const auto start_ms = [](const std::string& day, int extra_days) {
    return util::to_unix_ms(util::TimePoint(*parse_day(day) + std::chrono::days{extra_days}));
  };
  store::CostDifferenceFilter f;
  if (days.from_day) f.from_ms = start_ms(*days.from_day, 0);
  if (days.to_day) f.to_ms = start_ms(*days.to_day, 1);
  f.agent_id = q.agent_id;
  f.provider = q.provider;
  if (!p.is_admin()) f.owner_id = p.user_id;
  CostDifferences out;
  out.rows = db_.read([&](store::Connection& c) { return store::prices::cost_differences(c, f); });
  for (const auto& r : out.rows) {
    out.totals.compared_events += r.compared_events;
    out.totals.reported_micros += r.reported_micros;
    out.totals.catalogue_micros += r.catalogue_micros;
    out.totals.unpriced_events += r.unpriced_events;
    out.totals.unpriced_tokens += r.unpriced_tokens;
  }
  return out;
}

}  // namespace iron::domain
