#include "store/price_repo.h"

#include "store/read_columns.h"
#include "store/table.h"

namespace iron::store::prices {
namespace {

const Table<PriceRow> kPrices = Table<PriceRow>("model_prices").key_assigned_on_insert() IRON_COLUMNS(
    PriceRow, id, provider, model, input_micros_per_mtok, output_micros_per_mtok,
    cached_input_micros_per_mtok, effective_from_ms, source, created_at);

}  // namespace

int64_t count(Connection& c) {
  return c.prepare("SELECT count(*) FROM model_prices").value<int64_t>().value_or(0);
}

std::vector<PriceRow> list(Connection& c) {
  return kPrices.all(c.prepare(kPrices.select() + " ORDER BY provider, model, effective_from_ms"));
}

std::optional<PriceRow> find(Connection& c, const std::string& provider, const std::string& model,
                             int64_t effective_from_ms) {
  auto& s = c.prepare(kPrices.select() + " WHERE provider = ? AND model = ? AND effective_from_ms = ?");
  s.bind(1, provider).bind(2, model).bind(3, effective_from_ms);
  return kPrices.one(s);
}

int64_t insert(Connection& c, const PriceRow& p) { return kPrices.insert(c, p); }

std::vector<PricedEventRow> events_in_window(Connection& c, int64_t from_ms, int64_t to_ms,
                                             const std::optional<int64_t>& agent_id, int64_t limit) {
  auto& s = c.prepare(
      "SELECT id, agent_id, day, timestamp_ms, event_type = 'llm_request_completed', provider, model, input_tokens, "
      "output_tokens, cached_input_tokens, cost_micros, cost_source, catalogue_cost_micros FROM analytics_events "
      "WHERE timestamp_ms >= ?1 AND timestamp_ms < ?2 AND (?3 IS NULL OR agent_id = ?3) AND cost_source <> 'legacy' "
      "ORDER BY id LIMIT ?4");
  s.bind(1, from_ms).bind(2, to_ms).bind(3, agent_id).bind(4, limit + 1);
  std::vector<PricedEventRow> out;
  while (s.step()) {
    PricedEventRow e;
    read_columns(s, e.id, e.agent_id, e.day, e.timestamp_ms, e.completed, e.provider, e.model, e.input_tokens,
                 e.output_tokens, e.cached_input_tokens, e.cost_micros, e.cost_source, e.catalogue_cost_micros);
    out.push_back(std::move(e));
  }
  return out;
}

void update_event_cost(Connection& c, int64_t id, int64_t cost_micros, const std::string& cost_source,
                       const std::optional<int64_t>& catalogue_cost_micros) {
  auto& s = c.prepare("UPDATE analytics_events SET cost_micros = ?, cost_source = ?, catalogue_cost_micros = ? WHERE id = ?");
  s.bind(1, cost_micros).bind(2, cost_source).bind(3, catalogue_cost_micros).bind(4, id);
  s.run();
}

void adjust_rollup_cost(Connection& c, const std::string& day, int64_t agent_id, const std::string& provider,
                        const std::string& model, int64_t delta, int64_t low, int64_t high) {
  auto& s = c.prepare(
      "UPDATE usage_rollups_daily SET cost_micros = cost_micros + ?1, "
      "min_cost_micros = CASE WHEN min_cost_micros IS NULL OR ?2 < min_cost_micros THEN ?2 ELSE min_cost_micros END, "
      "max_cost_micros = CASE WHEN max_cost_micros IS NULL OR ?3 > max_cost_micros THEN ?3 ELSE max_cost_micros END "
      "WHERE day = ?4 AND agent_id = ?5 AND provider = ?6 AND model = ?7");
  s.bind(1, delta).bind(2, low).bind(3, high).bind(4, day).bind(5, agent_id).bind(6, provider).bind(7, model);
  s.run();
}

std::optional<std::string> agent_name(Connection& c, int64_t agent_id) {
  auto& s = c.prepare("SELECT name FROM agents WHERE id = ?");
  s.bind(1, agent_id);
  return s.value<std::string>();
}

std::vector<CostDifferenceRow> cost_differences(Connection& c, const CostDifferenceFilter& f) {
  auto& s = c.prepare(
      "SELECT e.agent_id, a.name, e.provider, e.model, "
      "  count(CASE WHEN e.cost_source = 'reported' AND e.catalogue_cost_micros IS NOT NULL THEN 1 END), "
      "  coalesce(sum(CASE WHEN e.cost_source = 'reported' AND e.catalogue_cost_micros IS NOT NULL "
      "                    THEN e.cost_micros END), 0), "
      "  coalesce(sum(CASE WHEN e.cost_source = 'reported' THEN e.catalogue_cost_micros END), 0), "
      "  count(CASE WHEN e.cost_source = 'unpriced' THEN 1 END), "
      "  coalesce(sum(CASE WHEN e.cost_source = 'unpriced' THEN e.input_tokens + e.output_tokens END), 0) "
      "FROM analytics_events e JOIN agents a ON a.id = e.agent_id "
      "WHERE (?1 IS NULL OR e.timestamp_ms >= ?1) AND (?2 IS NULL OR e.timestamp_ms < ?2) "
      "  AND (?3 IS NULL OR e.agent_id = ?3) AND (?4 IS NULL OR a.owner_id = ?4) AND (?5 IS NULL OR e.provider = ?5) "
      "  AND (e.cost_source = 'unpriced' OR (e.cost_source = 'reported' AND e.catalogue_cost_micros IS NOT NULL)) "
      "GROUP BY e.agent_id, a.name, e.provider, e.model ORDER BY e.agent_id, e.provider, e.model");
  s.bind(1, f.from_ms).bind(2, f.to_ms).bind(3, f.agent_id).bind(4, f.owner_id).bind(5, f.provider);
  std::vector<CostDifferenceRow> out;
  while (s.step()) {
    CostDifferenceRow r;
    read_columns(s, r.agent_id, r.agent_name, r.provider, r.model, r.compared_events, r.reported_micros,
                 r.catalogue_micros, r.unpriced_events, r.unpriced_tokens);
    out.push_back(std::move(r));
  }
  return out;
}

}  // namespace iron::store::prices
