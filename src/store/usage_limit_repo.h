#pragma once
// usage_limits and usage_counters access. Plain structs in, plain structs out. Counters are
// keyed by period start, so "reset" is simply a new key; old periods are deleted by prune.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite.h"

namespace iron::store {

struct UsageLimit {
  int64_t id = 0;
  std::string user_id;
  std::optional<std::string> project_id;
  std::optional<int64_t> max_tokens_per_day;
  std::optional<int64_t> max_requests_per_minute;
  std::optional<int64_t> max_cost_per_month_microdollars;
  std::optional<int64_t> max_tokens_per_minute;  // migration 011
  std::string alert_thresholds = "[50,80,95]";  // JSON array of percents
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

namespace usage_limits {
// Returns the new id; throws StoreError (is_constraint) on a duplicate (user_id, project_id).
int64_t insert(Connection& c, const UsageLimit& l);
std::optional<UsageLimit> find(Connection& c, int64_t id);
// All limits (user_id unset) or one user's, oldest first.
std::vector<UsageLimit> list(Connection& c, const std::optional<std::string>& user_id);
// The limits that apply to usage of `user_id` in `project_id`: the user-wide row (project
// NULL) and, when a project is given, that project's row.
std::vector<UsageLimit> applicable(Connection& c, const std::string& user_id, const std::optional<std::string>& project_id);
// Writes the maxima, thresholds and updated_at of an existing row. False if absent.
bool update(Connection& c, const UsageLimit& l);
bool remove(Connection& c, int64_t id);
}  // namespace usage_limits

namespace usage_counters {
// value += delta for the period (creating the row at 0 first).
void add(Connection& c, const std::string& user_id, const std::string& project_key, const std::string& kind,
         int64_t period_start, int64_t delta);
// add, then the new value.
int64_t add_and_get(Connection& c, const std::string& user_id, const std::string& project_key,
                    const std::string& kind, int64_t period_start, int64_t delta);
// The period's value, 0 when there is no row.
int64_t get(Connection& c, const std::string& user_id, const std::string& project_key, const std::string& kind,
            int64_t period_start);
// Deletes the rows of `kind` whose period started before `period_start`; returns how many.
int64_t prune(Connection& c, const std::string& kind, int64_t period_start);
}  // namespace usage_counters

}  // namespace iron::store
