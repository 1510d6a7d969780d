#include "store/usage_limit_repo.h"

namespace iron::store {
namespace {

constexpr const char* kUsageLimitColumns =
    "id, user_id, project_id, max_tokens_per_day, max_requests_per_minute, max_cost_per_month_microdollars, "
    "alert_thresholds, created_at, updated_at, max_tokens_per_minute";

UsageLimit read_usage_limit(Statement& s) {
  UsageLimit l;
  l.id = s.int64(0);
  l.user_id = s.text(1);
  l.project_id = s.opt_text(2);
  l.max_tokens_per_day = s.opt_int64(3);
  l.max_requests_per_minute = s.opt_int64(4);
  l.max_cost_per_month_microdollars = s.opt_int64(5);
  l.alert_thresholds = s.text(6);
  l.created_at = s.int64(7);
  l.updated_at = s.int64(8);
  l.max_tokens_per_minute = s.opt_int64(9);
  return l;
}

std::vector<UsageLimit> read_all(Statement& s) {
  std::vector<UsageLimit> out;
  while (s.step()) out.push_back(read_usage_limit(s));
  return out;
}

}  // namespace

namespace usage_limits {

int64_t insert(Connection& c, const UsageLimit& l) {
  auto& s = c.prepare(
      "INSERT INTO usage_limits(user_id, project_id, max_tokens_per_day, max_requests_per_minute, "
      "max_cost_per_month_microdollars, alert_thresholds, created_at, updated_at, max_tokens_per_minute) "
      "VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, l.user_id).bind(2, l.project_id).bind(3, l.max_tokens_per_day).bind(4, l.max_requests_per_minute);
  s.bind(5, l.max_cost_per_month_microdollars).bind(6, l.alert_thresholds).bind(7, l.created_at).bind(8, l.updated_at);
  s.bind(9, l.max_tokens_per_minute);
  s.run();
  return c.last_insert_rowid();
}

std::optional<UsageLimit> find(Connection& c, int64_t id) {
  auto& s = c.prepare(std::string("SELECT ") + kUsageLimitColumns + " FROM usage_limits WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  auto l = read_usage_limit(s);
  s.reset();
  return l;
}

std::vector<UsageLimit> list(Connection& c, const std::optional<std::string>& user_id) {
  auto& s = c.prepare(std::string("SELECT ") + kUsageLimitColumns +
                      " FROM usage_limits WHERE (?1 IS NULL OR user_id = ?1) ORDER BY id");
  s.bind(1, user_id);
  return read_all(s);
}

std::vector<UsageLimit> applicable(Connection& c, const std::string& user_id,
                                   const std::optional<std::string>& project_id) {
  auto& s = c.prepare(std::string("SELECT ") + kUsageLimitColumns +
                      " FROM usage_limits WHERE user_id = ?1 AND (project_id IS NULL OR project_id = ?2)"
                      " ORDER BY project_id IS NULL, id");
  s.bind(1, user_id).bind(2, project_id);
  return read_all(s);
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

bool remove(Connection& c, int64_t id) {
  auto& s = c.prepare("DELETE FROM usage_limits WHERE id = ?");
  s.bind(1, id);
  s.run();
  return c.changes() > 0;
}

}  // namespace usage_limits

namespace usage_counters {

int64_t add(Connection& c, const std::string& user_id, const std::string& project_key, const std::string& kind,
            int64_t period_start, int64_t delta) {
  auto& s = c.prepare(
      "INSERT INTO usage_counters(user_id, project_id, kind, period_start, value) VALUES(?, ?, ?, ?, ?) "
      "ON CONFLICT(user_id, project_id, kind, period_start) DO UPDATE SET value = "
      // saturates at 2^62 instead of overflowing (SQLite would turn an overflow into a REAL)
      "CASE WHEN value > 4611686018427387904 - excluded.value THEN 4611686018427387904 "
      "ELSE value + excluded.value END "
      "RETURNING value");
  s.bind(1, user_id).bind(2, project_key).bind(3, kind).bind(4, period_start).bind(5, delta);
  if (!s.step()) return 0;
  const int64_t v = s.int64(0);
  s.run();
  return v;
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
