#include "store/usage_limit_repo.h"

#include <algorithm>

#include "store/table.h"

namespace iron::store {
namespace {

const Table<UsageLimit> kUsageLimits = Table<UsageLimit>("usage_limits").key_assigned_on_insert() IRON_COLUMNS(
    UsageLimit, id, user_id, project_id, max_tokens_per_day, max_requests_per_minute, max_tokens_per_minute,
    max_cost_per_month_microdollars, alert_thresholds, created_at, updated_at);

}  // namespace

namespace usage_limits {

int64_t insert(Connection& c, const UsageLimit& l) { return kUsageLimits.insert(c, l); }

std::optional<UsageLimit> find(Connection& c, int64_t id) { return kUsageLimits.find(c, id); }

std::vector<UsageLimit> list(Connection& c, const std::optional<std::string>& user_id) {
  auto& s = c.prepare(kUsageLimits.select() + " WHERE (?1 IS NULL OR user_id = ?1) ORDER BY id");
  s.bind(1, user_id);
  return kUsageLimits.all(s);
}

std::vector<UsageLimit> applicable(Connection& c, const std::string& user_id,
                                   const std::optional<std::string>& project_id) {
  // Ordered here rather than by an ORDER BY, which opens a sorter on every execution (this
  // runs on every budget report, and finds at most two rows): project rows first, then by id.
  static const std::string sql =
      kUsageLimits.select() + " WHERE user_id = ?1 AND (project_id IS NULL OR project_id = ?2)";
  auto& s = c.prepare(sql);
  s.bind(1, user_id).bind(2, project_id);
  auto rows = kUsageLimits.all(s);
  if (rows.size() > 1)
    std::sort(rows.begin(), rows.end(), [](const UsageLimit& a, const UsageLimit& b) {
      const bool a_wide = !a.project_id, b_wide = !b.project_id;
      return a_wide != b_wide ? b_wide : a.id < b.id;
    });
  return rows;
}

bool update(Connection& c, const UsageLimit& l) {
  auto& s = c.prepare(
      "UPDATE usage_limits SET max_tokens_per_day = ?, max_requests_per_minute = ?, "
      "max_cost_per_month_microdollars = ?, alert_thresholds = ?, updated_at = ?, max_tokens_per_minute = ? "
      "WHERE id = ?");
  s.bind(1, l.max_tokens_per_day).bind(2, l.max_requests_per_minute).bind(3, l.max_cost_per_month_microdollars);
  s.bind(4, l.alert_thresholds).bind(5, l.updated_at).bind(6, l.max_tokens_per_minute).bind(7, l.id);
  s.run();
  return c.changes() > 0;
}

bool remove(Connection& c, int64_t id) { return kUsageLimits.remove(c, id); }

}  // namespace usage_limits

namespace usage_counters {

void add(Connection& c, const std::string& user_id, const std::string& project_key, const std::string& kind,
         int64_t period_start, int64_t delta) {
  // The period's row exists for all but a period's first use: a plain UPDATE by the key first,
  // which costs SQLite less than the upsert (no new record built, no rowid drawn, the
  // constraints checked once); the upsert only when it changed nothing. Same saturation.
  static const std::string update =
      "UPDATE usage_counters SET value = "
      "CASE WHEN value > 4611686018427387904 - ?5 THEN 4611686018427387904 ELSE value + ?5 END "
      "WHERE user_id = ?1 AND project_id = ?2 AND kind = ?3 AND period_start = ?4";
  auto& u = c.prepare(update);
  u.bind(1, user_id).bind(2, project_key).bind(3, kind).bind(4, period_start).bind(5, delta);
  u.run();
  if (c.changes() > 0) return;
  // No RETURNING: SQLite (3.40) gathers RETURNING rows in an ephemeral table it opens and
  // frees per execution, which made this upsert ~4x its plain cost on the budget report path
  // (callgrind, docs/benchmarks.md). add_and_get reads the value back with a point lookup.
  auto& s = c.prepare(
      "INSERT INTO usage_counters AS u(user_id, project_id, kind, period_start, value) VALUES(?, ?, ?, ?, ?) "
      "ON CONFLICT(user_id, project_id, kind, period_start) DO UPDATE SET value = "
      // saturates at 2^62 instead of overflowing (SQLite would turn an overflow into a REAL)
      "CASE WHEN u.value > 4611686018427387904 - excluded.value THEN 4611686018427387904 "
      "ELSE u.value + excluded.value END");
  s.bind(1, user_id).bind(2, project_key).bind(3, kind).bind(4, period_start).bind(5, delta);
  s.run();
}

int64_t add_and_get(Connection& c, const std::string& user_id, const std::string& project_key,
                    const std::string& kind, int64_t period_start, int64_t delta) {
  add(c, user_id, project_key, kind, period_start, delta);
  return get(c, user_id, project_key, kind, period_start);
}

int64_t get(Connection& c, const std::string& user_id, const std::string& project_key, const std::string& kind,
            int64_t period_start) {
  auto& s = c.prepare(
      "SELECT value FROM usage_counters WHERE user_id = ? AND project_id = ? AND kind = ? AND period_start = ?");
  s.bind(1, user_id).bind(2, project_key).bind(3, kind).bind(4, period_start);
  if (!s.step()) return 0;
  const int64_t v = s.int64(0);
  s.reset();
  return v;
}

int64_t prune(Connection& c, const std::string& kind, int64_t period_start) {
  auto& s = c.prepare("DELETE FROM usage_counters WHERE kind = ? AND period_start < ?");
  s.bind(1, kind).bind(2, period_start);
  s.run();
  return c.changes();
}

}  // namespace usage_counters

}  // namespace iron::store
