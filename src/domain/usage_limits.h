#pragma once
// Usage limits that are enforced (the predecessor stored them and never checked them,
// docs/compatibility.md C5). A limit row belongs to a user, optionally narrowed to one project, and
// caps any of: tokens per UTC day, tokens per UTC minute (TPM), requests per UTC minute,
// cost (µ$) per UTC month.
//
// Counting: record_in adds each reported usage to the counters of the current periods —
// the user-wide counter (project '') and, when the usage names a project, that project's
// counter. A user-wide limit is compared with the user-wide counter (all projects), a
// project limit with its project's counter. One report = one request. Counters are keyed by
// period start, so a new day / minute / month starts at zero with no job involved;
// prune_before only deletes finished periods.
//
// Enforcement: check_in runs inside the handshake / refresh transaction and refuses when a
// counter has reached its maximum. One scheme for every limit: 429 LIMIT_EXCEEDED with
// Retry-After = seconds until that period resets, details {limit, limit_value, current,
// period_resets_at (RFC 3339), limit_id, project_id}. (429, not 403: every limit here
// lifts by itself when its period ends, and the client should come back then.)
//
// Soft thresholds: when record_in carries a cost or token counter across one of the
// limit's alert_thresholds percents (counters only grow within a period, so a crossing
// happens at most once per period), a `budget.alert` event {owner_id = user_id, data
// {limit, threshold, current, limit_value, limit_id, project_id, period_start}} is due.
// record_in cannot publish: it runs inside the caller's transaction, which may still roll
// back or run again (store/database.h). It returns the alerts; the caller keeps the latest
// run's list and publishes it with publish_alerts() once its write committed (record() does
// both), so an alert is published once, and never for work that was rolled back.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "domain/event_bus.h"
#include "domain/principal.h"
#include "store/database.h"
#include "store/usage_limit_repo.h"
#include "util/clock.h"
#include "util/result.h"

namespace iron::domain {

// Largest accepted maximum: 2^62 (counters saturate there too).
inline constexpr int64_t kMaxLimitValue = int64_t{1} << 62;

// Create / replace input. For update, an absent field (nullopt in `set_*` false) keeps the
// stored value; set_* true with a nullopt value clears that maximum.
// A limit as its audit rows record it (the API's view adds created_at and updated_at).
nlohmann::json usage_limit_json(const store::UsageLimit& l);

struct LimitFields {
  bool set_tokens = false, set_requests = false, set_cost = false, set_thresholds = false, set_tokens_minute = false;
  std::optional<int64_t> max_tokens_per_day;
  std::optional<int64_t> max_tokens_per_minute;
  std::optional<int64_t> max_requests_per_minute;
  std::optional<int64_t> max_cost_per_month_microdollars;
  std::vector<int64_t> alert_thresholds;  // percents 1..100
};

struct NewLimit {
  std::string user_id;
  std::optional<std::string> project_id;
  LimitFields fields;
};

// The current periods of one instant (UTC), as ms since the epoch.
struct Periods {
  int64_t minute_start = 0, minute_end = 0;
  int64_t day_start = 0, day_end = 0;
  int64_t month_start = 0, month_end = 0;
};
Periods periods_at(util::TimePoint now);

struct LimitUsage {
  store::UsageLimit limit;
  int64_t tokens_today = 0;
  int64_t tokens_this_minute = 0;
  int64_t requests_this_minute = 0;
  int64_t cost_this_month_microdollars = 0;
};

struct UsageReportView {
  std::string user_id;
  Periods periods;
  int64_t tokens_today = 0;               // user-wide counters
  int64_t tokens_this_minute = 0;
  int64_t requests_this_minute = 0;
  int64_t cost_this_month_microdollars = 0;
  std::vector<LimitUsage> limits;
};

// Error codes (kind): NOT_FOUND [not_found]; LIMIT_EXISTS [conflict]; NO_LIMIT_GIVEN
// [unprocessable]; VALIDATION_ERROR, USER_NOT_FOUND [validation]; FORBIDDEN [forbidden];
// LIMIT_EXCEEDED [rate_limited].
class UsageLimits {
 public:
  UsageLimits(store::Database& db, EventBus& events) : db_(db), events_(events) {}

  // CRUD: admin writes; reads are the caller's own rows (admin: all, or ?user_id).
  Result<store::UsageLimit> create(const Principal& p, const NewLimit& in, const RequestContext& ctx);
  Result<store::UsageLimit> get(const Principal& p, int64_t id);
  Result<std::vector<store::UsageLimit>> list(const Principal& p, const std::optional<std::string>& user_id);
  Result<store::UsageLimit> update(const Principal& p, int64_t id, const LimitFields& fields, const RequestContext& ctx);
  Status remove(const Principal& p, int64_t id, const RequestContext& ctx);
  // The caller's (admin: any user's) current counters against their limits.
  Result<UsageReportView> usage(const Principal& p, const std::optional<std::string>& user_id, util::TimePoint now);

  // Enforcement, inside the caller's write transaction (see the header comment).
  Status check_in(store::Connection& c, const std::string& user_id, const std::optional<std::string>& project_id,
                  util::TimePoint now);
  // Returns the budget.alert events due (see the header comment).
  [[nodiscard]] std::vector<LiveEvent> record_in(store::Connection& c, const std::string& user_id,
                                                 const std::optional<std::string>& project_id, int64_t tokens,
                                                 int64_t cost_micros, util::TimePoint now);
  // Publishes what record_in returned; call after the transaction committed.
  void publish_alerts(std::vector<LiveEvent> alerts);
  // record_in in its own transaction, then publish_alerts().
  void record(const std::string& user_id, const std::optional<std::string>& project_id, int64_t tokens,
              int64_t cost_micros, util::TimePoint now);
  // Deletes counters of periods that ended at or before `now`; returns how many rows.
  int64_t prune_before(util::TimePoint now);

 private:
  store::Database& db_;
  EventBus& events_;
};

}  // namespace iron::domain
