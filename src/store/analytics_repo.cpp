#include "store/analytics_repo.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <initializer_list>

#include "store/table.h"

namespace iron::store::analytics {
namespace {

// A bind value (a plain struct: std::variant<int64_t, std::string> trips GCC 12's
// -Wmaybe-uninitialized at -O3).
struct Bind {
  Bind(int64_t v) : is_int(true), i(v) {}             // NOLINT: implicit by design
  Bind(std::string v) : is_int(false), s(std::move(v)) {}  // NOLINT
  bool is_int;
  int64_t i = 0;
  std::string s;
};

// " WHERE …" over a rollup table r, plus its bind values in order, and the FROM clause the
// read can use (see rollup_where).
struct Where {
  std::string sql;
  std::vector<Bind> binds;
  std::string from;
  void add(const std::string& clause, std::initializer_list<Bind> values) {
    sql += sql.empty() ? " WHERE " : " AND ";
    sql += clause;
    binds.insert(binds.end(), values);
  }
  void add(const std::string& clause, Bind b) { add(clause, {std::move(b)}); }
};

// A project has no table: it is the project_id of API tokens, so "the project's usage" is the
// usage of the agents its tokens are bound to (the predecessor joined token usage the same way).
std::string in_project(const std::string& agent_column) {
  return agent_column + " IN (SELECT t.agent_id FROM api_tokens t WHERE t.project_id = ? AND t.agent_id IS NOT NULL)";
}

// The per-agent and per-provider reads need the agent (its name, the distinct agents), so they
// always read the per-agent rollups. Only the per-agent read joins agents (for the name): the
// others match an owner through the agent id, never looking up an agent per rollup row.
const char* kAgentRollups = " FROM usage_rollups_daily r";

// Without an agent, owner or project filter, the per-model rollups (migration 009) hold the
// same sums in a hundredth of the rows.
const char* rollups_for(bool agent_scoped) {
  return agent_scoped ? kAgentRollups : " FROM usage_rollups_daily_models r";
}

// The per-agent sums (by_agent, an agent-scoped total) need neither provider nor model unless
// a provider is asked for: the per-(day, agent) rollups (migration 013) then hold them in an
// eighth of the rows at 8 models (the 30-day by-agent read: ~25 ms to ~1.5 ms at 100 agents).
const char* kAgentDayRollups = " FROM usage_rollups_daily_agents r";
const char* agent_sums_from(const RollupFilter& f) { return f.provider ? kAgentRollups : kAgentDayRollups; }

// The agent, provider, owner and project clauses every read shares, over `t`.agent_id and
// `t`.provider (a RollupFilter's or an EventListFilter's). `owner_agent` is the agent column the
// owner clause matches (the event reads keep it off an index, see event_where).
template <class Filter>
void add_scope(Where& w, const std::string& t, const Filter& f, const std::string& owner_agent) {
  if (f.agent_id) w.add(t + ".agent_id = ?", *f.agent_id);
  if (f.provider) w.add(t + ".provider = ?", *f.provider);
  if (f.owner_id) w.add(owner_agent + " IN (SELECT o.id FROM agents o WHERE o.owner_id = ?)", *f.owner_id);
  if (f.project_id) w.add(in_project(t + ".agent_id"), *f.project_id);
}

// The scope clauses over rollup table r, and the rollup table that holds the sums they need.
template <class Filter>
void add_rollup_scope(Where& w, const Filter& f) {
  add_scope(w, "r", f, "r.agent_id");
  w.from = rollups_for(f.agent_id || f.owner_id || f.project_id);
}

Where rollup_where(const RollupFilter& f) {
  Where w;
  if (f.from_day) w.add("r.day >= ?", *f.from_day);
  if (f.to_day) w.add("r.day <= ?", *f.to_day);
  add_rollup_scope(w, f);
  return w;
}

// Over analytics_events e alone: the owner is matched through the agent id, so neither the
// count nor the page's key scan joins agents row by row (issue 13: the join made the 30-day
// count 28 s at 10M events). The unary + keeps that match off analytics_events_agent_time:
// the time index (which covers agent_id) gives the newest-first order without a sort.
Where event_where(const EventListFilter& f) {
  Where w;
  if (f.from_ms) w.add("e.timestamp_ms >= ?", *f.from_ms);
  if (f.to_ms) w.add("e.timestamp_ms < ?", *f.to_ms);
  add_scope(w, "e", f, "+e.agent_id");
  if (f.model) w.add("e.model = ?", *f.model);
  if (f.event_type) w.add("e.event_type = ?", *f.event_type);
  // A literal, not a bound value: only then may SQLite use the partial index of flagged
  // events (migration 015).
  if (f.model_allowed)
    w.add(*f.model_allowed ? "e.model_allowed = 1" : "e.model_allowed = 0", std::initializer_list<Bind>{});
  if (f.before) w.add("(e.timestamp_ms, e.id) < (?, ?)", {f.before->first, f.before->second});
  return w;
}

Statement& prepared(Connection& c, const std::string& sql, const std::vector<Bind>& binds) {
  auto& s = c.prepare(sql);
  int i = 1;
  for (const auto& b : binds) {
    if (b.is_int) s.bind(i++, b.i);
    else s.bind(i++, b.s);
  }
  return s;
}

// The aggregate columns every rollup read selects, read back by totals_at.
const char* kAggregates =
    "coalesce(sum(r.requests),0), coalesce(sum(r.completed),0), coalesce(sum(r.failed),0), "
    "coalesce(sum(r.input_tokens),0), coalesce(sum(r.output_tokens),0), coalesce(sum(r.cost_micros),0), "
    "min(r.min_cost_micros), max(r.max_cost_micros)";

UsageTotals totals_at(const Statement& s, int col) {
  UsageTotals t;
  t.requests = s.int64(col);
  t.completed = s.int64(col + 1);
  t.failed = s.int64(col + 2);
  t.input_tokens = s.int64(col + 3);
  t.output_tokens = s.int64(col + 4);
  t.cost_micros = s.int64(col + 5);
  t.min_cost_micros = s.opt_int64(col + 6);
  t.max_cost_micros = s.opt_int64(col + 7);
  return t;
}

// The rows of a read grouped by two text keys (model and provider, day and provider), each
// followed by kAggregates.
template <class Row>
std::vector<Row> two_keys_and_totals(Statement& s) {
  std::vector<Row> out;
  while (s.step()) out.push_back({s.text(0), s.text(1), totals_at(s, 2)});
  return out;
}

std::string totals_sql(const RollupFilter& f, const Where& w) {
  return std::string("SELECT ") + kAggregates + (w.from == kAgentRollups ? agent_sums_from(f) : w.from) + w.sql;
}
std::string by_agent_sql(const RollupFilter& f, const Where& w) {
  return std::string("SELECT r.agent_id, a.name, coalesce((SELECT b.total_allocated FROM agent_budgets b WHERE "
                     "b.agent_id = r.agent_id), 0), ") +
         kAggregates + agent_sums_from(f) + " JOIN agents a ON a.id = r.agent_id" + w.sql +
         " GROUP BY r.agent_id, a.name ORDER BY r.agent_id";
}
// Sets binds to the statement's bind values in order.
std::string by_provider_sql(const RollupFilter& f, const Where& w, std::vector<Bind>& binds) {
  binds = w.binds;
  if (w.from == kAgentRollups)
    return std::string("SELECT r.provider, count(DISTINCT r.agent_id), ") + kAggregates + kAgentRollups + w.sql +
           " GROUP BY r.provider ORDER BY r.provider";
  // Whole panel: the sums from the per-model rollups; the distinct agents per provider by one
  // seek of usage_rollups_daily_provider_agent per agent and provider, instead of reading
  // every agent's rollup rows of the period.
  std::string used = "x.provider = r.provider AND x.agent_id = a.id";
  std::vector<Bind> period;
  if (f.from_day) {
    used += " AND x.day >= ?";
    period.emplace_back(*f.from_day);
  }
  if (f.to_day) {
    used += " AND x.day <= ?";
    period.emplace_back(*f.to_day);
  }
  binds.insert(binds.begin(), period.begin(), period.end());
  return "SELECT r.provider, (SELECT count(*) FROM agents a WHERE EXISTS (SELECT 1 FROM usage_rollups_daily x WHERE " +
         used + ")), " + kAggregates + w.from + w.sql + " GROUP BY r.provider ORDER BY r.provider";
}
std::string by_model_sql(const Where& w) {
  return std::string("SELECT r.model, r.provider, ") + kAggregates + w.from + w.sql +
         " GROUP BY r.model, r.provider ORDER BY r.model, r.provider";
}

std::string daily_sql(const Where& w) {
  return std::string("SELECT r.day, r.provider, ") + kAggregates + w.from + w.sql +
         " GROUP BY r.day, r.provider ORDER BY r.day, r.provider";
}
std::string first_day_sql(const Where& w) { return std::string("SELECT min(r.day)") + w.from + w.sql; }

// An event as list_events reads it (joined to its agent's name, which follows these columns).
const Table<AnalyticsEventRow> kEvents = Table<AnalyticsEventRow>("analytics_events")
    .column("id", &AnalyticsEventRow::row_id)
    IRON_COLUMNS(AnalyticsEventRow, agent_id, event_id, timestamp_ms, day, event_type, model, provider, provider_id,
                 input_tokens, output_tokens, cost_micros, error_code, error_message, created_at, cached_input_tokens,
                 cost_source, catalogue_cost_micros, model_allowed);

constexpr int64_t kDayMs = 86'400'000;
int64_t floor_day(int64_t ms) { return ms - (((ms % kDayMs) + kDayMs) % kDayMs); }
int64_t ceil_day(int64_t ms) { return floor_day(ms) == ms ? ms : floor_day(ms) + kDayMs; }

// YYYY-MM-DD (UTC) of a day start, as usage_rollups_daily.day holds it.
std::string day_text(int64_t day_start_ms) {
  const std::chrono::year_month_day d{
      std::chrono::floor<std::chrono::days>(std::chrono::sys_time<std::chrono::milliseconds>(
          std::chrono::milliseconds(day_start_ms)))};
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(d.year()), static_cast<unsigned>(d.month()),
                static_cast<unsigned>(d.day()));
  return buf;
}

// min or max timestamp of all stored events: one seek of analytics_events_time.
std::optional<int64_t> extreme_timestamp(Connection& c, const char* fn) {
  return c.prepare(std::string("SELECT ") + fn + "(timestamp_ms) FROM analytics_events").value<int64_t>();
}

// Events matching f with lo <= timestamp_ms < hi, counted from the table's indexes.
int64_t count_raw_events(Connection& c, EventListFilter f, int64_t lo, int64_t hi) {
  if (lo >= hi) return 0;
  f.from_ms = lo;
  f.to_ms = hi;
  const Where w = event_where(f);
  return prepared(c, "SELECT count(*) FROM analytics_events e" + w.sql, w.binds).value<int64_t>().value_or(0);
}

// Events matching f in the whole days [first_day_ms, end_day_ms), from the daily rollups,
// which carry every dimension the event list filters on.
int64_t count_rollup_events(Connection& c, const EventListFilter& f, int64_t first_day_ms, int64_t end_day_ms) {
  Where w;
  w.add("r.day >= ?", day_text(first_day_ms));
  w.add("r.day < ?", day_text(end_day_ms));
  add_rollup_scope(w, f);
  if (f.model) w.add("r.model = ?", *f.model);
  const char* column = !f.event_type                            ? "r.requests"
                       : *f.event_type == "llm_request_completed" ? "r.completed"
                       : *f.event_type == "llm_request_failed"    ? "r.failed"
                                                                  : "0";
  auto& s = prepared(c, std::string("SELECT coalesce(sum(") + column + "), 0)" + w.from + w.sql, w.binds);
  return s.value<int64_t>().value_or(0);
}

// Events matching f in [lo, hi), a part of one UTC day whose rollup is exact, with no stored
// event at or after newest_end: from the events of that part, or as the day's rollup minus
// the events of the rest of the day, whichever spans less time. Today's events up to now (a
// period ending now: the newest stored event) are then one rollup read instead of up to a
// day of events (at 10M events over 90 days, ~110k rows, 30-80 ms with an owner or model
// filter; issue 13, docs/benchmarks.md, fifth pass).
int64_t count_within_day(Connection& c, const EventListFilter& f, int64_t lo, int64_t hi, int64_t newest_end) {
  const int64_t day = floor_day(lo);
  const int64_t stored_end = std::min(day + kDayMs, newest_end);
  const int64_t rest = (lo - day) + std::max<int64_t>(0, stored_end - hi);
  if (hi - lo <= rest) return count_raw_events(c, f, lo, hi);
  return count_rollup_events(c, f, day, day + kDayMs) - count_raw_events(c, f, day, lo) -
         count_raw_events(c, f, hi, stored_end);
}

}  // namespace

bool insert_event(Connection& c, const AnalyticsEventRow& e) {
  auto& s = c.prepare(
      "INSERT INTO analytics_events(agent_id, event_id, timestamp_ms, day, event_type, model, provider, provider_id, "
      "input_tokens, output_tokens, cost_micros, error_code, error_message, created_at, cached_input_tokens, "
      "cost_source, catalogue_cost_micros, model_allowed) "
      "VALUES(?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?,?) ON CONFLICT(agent_id, event_id) DO NOTHING");
  s.bind(1, e.agent_id).bind(2, e.event_id).bind(3, e.timestamp_ms).bind(4, e.day).bind(5, e.event_type);
  s.bind(6, e.model).bind(7, e.provider).bind(8, e.provider_id).bind(9, e.input_tokens).bind(10, e.output_tokens);
  s.bind(11, e.cost_micros).bind(12, e.error_code).bind(13, e.error_message).bind(14, e.created_at);
  s.bind(15, e.cached_input_tokens).bind(16, e.cost_source).bind(17, e.catalogue_cost_micros);
  s.bind(18, e.model_allowed);
  s.run();
  return c.changes() == 1;
}

void add_to_rollup(Connection& c, const AnalyticsEventRow& e) {
  const bool completed = e.event_type == "llm_request_completed";
  auto& s = c.prepare(
      "INSERT INTO usage_rollups_daily AS r(day, agent_id, provider, model, requests, completed, failed, input_tokens, "
      "output_tokens, cost_micros, min_cost_micros, max_cost_micros) VALUES(?,?,?,?,1,?,?,?,?,?,?,?) "
      "ON CONFLICT(day, agent_id, provider, model) DO UPDATE SET "
      // The stored row's columns are qualified: unqualified, PostgreSQL finds them ambiguous
      // with excluded's.
      "requests = r.requests + 1, completed = r.completed + excluded.completed, failed = r.failed + excluded.failed, "
      "input_tokens = r.input_tokens + excluded.input_tokens, output_tokens = r.output_tokens + excluded.output_tokens, "
      "cost_micros = r.cost_micros + excluded.cost_micros, "
      "min_cost_micros = CASE WHEN excluded.min_cost_micros IS NULL THEN r.min_cost_micros "
      "  WHEN r.min_cost_micros IS NULL OR excluded.min_cost_micros < r.min_cost_micros THEN excluded.min_cost_micros "
      "  ELSE r.min_cost_micros END, "
      "max_cost_micros = CASE WHEN excluded.max_cost_micros IS NULL THEN r.max_cost_micros "
      "  WHEN r.max_cost_micros IS NULL OR excluded.max_cost_micros > r.max_cost_micros THEN excluded.max_cost_micros "
      "  ELSE r.max_cost_micros END");
  // Spending counts completed requests only, as the predecessor's did; tokens count every event that carries them.
  const std::optional<int64_t> cost = completed ? std::optional<int64_t>(e.cost_micros) : std::nullopt;
  s.bind(1, e.day).bind(2, e.agent_id).bind(3, e.provider).bind(4, e.model);
  s.bind(5, int64_t{completed ? 1 : 0}).bind(6, int64_t{completed ? 0 : 1});
  s.bind(7, e.input_tokens).bind(8, e.output_tokens).bind(9, cost.value_or(0)).bind(10, cost).bind(11, cost);
  s.run();
}

std::optional<std::string> agent_owner(Connection& c, int64_t agent_id) {
  auto& s = c.prepare("SELECT owner_id FROM agents WHERE id = ?");
  s.bind(1, agent_id);
  return s.value<std::string>();
}

int64_t delete_events_before(Connection& c, int64_t cutoff_ms, int64_t limit) {
  auto& s = c.prepare(
      "DELETE FROM analytics_events WHERE id IN "
      "(SELECT id FROM analytics_events WHERE timestamp_ms < ? ORDER BY timestamp_ms LIMIT ?)");
  s.bind(1, cutoff_ms).bind(2, limit).run();
  return c.changes();
}

UsageTotals totals(Connection& c, const RollupFilter& f) {
  const Where w = rollup_where(f);
  auto& s = prepared(c, totals_sql(f, w), w.binds);
  UsageTotals t;
  if (s.step()) t = totals_at(s, 0);
  s.reset();
  return t;
}

std::vector<AgentUsage> by_agent(Connection& c, const RollupFilter& f) {
  const Where w = rollup_where(f);
  auto& s = prepared(c, by_agent_sql(f, w), w.binds);
  std::vector<AgentUsage> out;
  while (s.step()) out.push_back({s.int64(0), s.text(1), s.int64(2), totals_at(s, 3)});
  return out;
}

std::vector<ProviderUsage> by_provider(Connection& c, const RollupFilter& f) {
  const Where w = rollup_where(f);
  std::vector<Bind> binds;
  auto& s = prepared(c, by_provider_sql(f, w, binds), binds);
  std::vector<ProviderUsage> out;
  while (s.step()) out.push_back({s.text(0), s.int64(1), totals_at(s, 2)});
  return out;
}

std::vector<ModelUsage> by_model(Connection& c, const RollupFilter& f) {
  const Where w = rollup_where(f);
  return two_keys_and_totals<ModelUsage>(prepared(c, by_model_sql(w), w.binds));
}

std::vector<AgentBudgetRow> budgets(Connection& c, const std::optional<int64_t>& agent_id,
                                    const std::optional<std::string>& owner_id) {
  Where w;
  if (agent_id) w.add("a.id = ?", *agent_id);
  if (owner_id) w.add("a.owner_id = ?", *owner_id);
  auto& s = prepared(c,
                     "SELECT a.id, a.name, b.total_allocated, b.total_spent, b.total_reserved, b.budget_remaining, "
                     "b.period, b.resets_at FROM agents a JOIN agent_budgets b ON b.agent_id = a.id" + w.sql +
                         " ORDER BY a.id",
                     w.binds);
  std::vector<AgentBudgetRow> out;
  while (s.step())
    out.push_back({{s.int64(2), s.int64(3), s.int64(4), s.int64(5)}, s.int64(0), s.text(1), s.text(6), s.opt_int64(7)});
  return out;
}

std::vector<AnalyticsEventRow> list_events(Connection& c, const EventListFilter& f, int64_t limit, int64_t offset) {
  Where w = event_where(f);
  w.binds.push_back(limit);
  w.binds.push_back(offset);
  // The page's keys first, newest first along analytics_events_time (which covers the time,
  // key and agent filters, so an OFFSET skips index entries, not rows); then only those rows
  // are read and joined to their agent's name.
  auto& s = prepared(c,
                     "SELECT " + kEvents.columns("e") +
                         ", a.name FROM analytics_events e JOIN agents a ON a.id = e.agent_id WHERE e.id IN "
                         "(SELECT e.id FROM analytics_events e" + w.sql +
                         " ORDER BY e.timestamp_ms DESC, e.id DESC LIMIT ? OFFSET ?)"
                         " ORDER BY e.timestamp_ms DESC, e.id DESC",
                     w.binds);
  std::vector<AnalyticsEventRow> out;
  while (s.step()) {
    AnalyticsEventRow e = kEvents.read(s);
    e.agent_name = s.text(kEvents.width());
    out.push_back(std::move(e));
  }
  return out;
}

int64_t count_events(Connection& c, const EventListFilter& f) {
  // The rollups do not know the flag. Flagged events are few and indexed apart (migration
  // 015), so they are counted directly, and the others as all minus those.
  if (f.model_allowed) {
    EventListFilter flagged = f;
    flagged.model_allowed = false;
    const auto oldest = extreme_timestamp(c, "min");
    if (!oldest) return 0;
    const int64_t lo = f.from_ms ? std::max(*f.from_ms, *oldest) : *oldest;
    const int64_t hi = f.to_ms ? *f.to_ms : *extreme_timestamp(c, "max") + 1;
    const int64_t n_flagged = count_raw_events(c, flagged, lo, hi);
    if (!*f.model_allowed) return n_flagged;
    EventListFilter all = f;
    all.model_allowed.reset();
    return count_events(c, all) - n_flagged;
  }
  const auto oldest = extreme_timestamp(c, "min");
  if (!oldest) return 0;
  const int64_t newest_end = *extreme_timestamp(c, "max") + 1;
  const int64_t lo = f.from_ms ? std::max(*f.from_ms, *oldest) : *oldest;
  const int64_t hi = f.to_ms ? std::min(*f.to_ms, newest_end) : newest_end;
  if (lo >= hi) return 0;
  if (f.before) return count_raw_events(c, f, lo, hi);
  // Whole UTC days are counted from the daily rollups, a part of a day from the events of that
  // part or of the rest of its day, whichever is shorter (see count_within_day): at most half
  // a day of events is read at either end, however long the period. A rollup holds exactly
  // its day's events except on the oldest stored event's day, which retention may be deleting
  // from (in batches, ties included): that day is always counted from the events.
  const int64_t exact_from = floor_day(*oldest) + kDayMs;
  int64_t n = 0;
  int64_t at = lo;
  if (at < exact_from) {
    const int64_t end = std::min(hi, exact_from);
    n += count_raw_events(c, f, at, end);
    at = end;
  }
  if (at < hi && at != floor_day(at)) {
    const int64_t end = std::min(hi, ceil_day(at));
    n += count_within_day(c, f, at, end, newest_end);
    at = end;
  }
  if (at < floor_day(hi)) {
    n += count_rollup_events(c, f, at, floor_day(hi));
    at = floor_day(hi);
  }
  if (at < hi) n += count_within_day(c, f, at, hi, newest_end);
  return n;
}

std::vector<DailyProviderUsage> daily_by_provider(Connection& c, const RollupFilter& f) {
  const Where w = rollup_where(f);
  return two_keys_and_totals<DailyProviderUsage>(prepared(c, daily_sql(w), w.binds));
}

std::optional<std::string> first_day(Connection& c, const RollupFilter& f) {
  const Where w = rollup_where(f);
  return prepared(c, first_day_sql(w), w.binds).value<std::string>();
}

std::vector<std::string> rollup_read_sql(const RollupFilter& f) {
  const Where w = rollup_where(f);
  std::vector<Bind> binds;
  return {totals_sql(f, w), by_agent_sql(f, w), by_provider_sql(f, w, binds), by_model_sql(w), daily_sql(w),
          first_day_sql(w)};
}

}  // namespace iron::store::analytics
