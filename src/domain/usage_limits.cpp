#include "domain/usage_limits.h"

#include "domain/alert_raisers.h"

#include <algorithm>
#include <chrono>

#include <nlohmann/json.hpp>

#include "domain/audit.h"
#include "store/user_repo.h"
#include "util/json_fields.h"

namespace iron::domain {
namespace {

using nlohmann::json;

constexpr const char* kTokensDay = "tokens_day";
constexpr const char* kTokensMinute = "tokens_minute";
constexpr const char* kRequestsMinute = "requests_minute";
constexpr const char* kCostMonth = "cost_month";

std::vector<int64_t> thresholds_of(const store::UsageLimit& l) {
  std::vector<int64_t> out;
  const auto j = json::parse(l.alert_thresholds, nullptr, false);
  if (j.is_array())
    for (const auto& v : j)
      if (v.is_number_integer()) out.push_back(v.get<int64_t>());
  return out;
}

std::optional<Error> check_max(const std::string& field, const std::optional<int64_t>& v) {
  if (v && (*v <= 0 || *v > kMaxLimitValue))
    return Error::validation(field, field + " must be greater than 0 and at most 2^62");
  return std::nullopt;
}

// Validates the maxima and thresholds the fields set; normalises thresholds (sorted, unique).
std::optional<Error> check_fields(LimitFields& f) {
  if (auto e = check_max("max_tokens_per_day", f.max_tokens_per_day)) return e;
  if (auto e = check_max("max_requests_per_minute", f.max_requests_per_minute)) return e;
  if (auto e = check_max("max_tokens_per_minute", f.max_tokens_per_minute)) return e;
  if (auto e = check_max("max_cost_per_month_microdollars", f.max_cost_per_month_microdollars)) return e;
  if (f.set_thresholds) {
    if (f.alert_thresholds.size() > 10)
      return Error::validation("alert_thresholds", "alert_thresholds holds at most 10 percents");
    for (int64_t t : f.alert_thresholds)
      if (t < 1 || t > 100) return Error::validation("alert_thresholds", "each alert threshold must be 1..100 (%)");
    std::sort(f.alert_thresholds.begin(), f.alert_thresholds.end());
    f.alert_thresholds.erase(std::unique(f.alert_thresholds.begin(), f.alert_thresholds.end()),
                             f.alert_thresholds.end());
  }
  return std::nullopt;
}

void apply(store::UsageLimit& l, const LimitFields& f) {
  if (f.set_tokens) l.max_tokens_per_day = f.max_tokens_per_day;
  if (f.set_requests) l.max_requests_per_minute = f.max_requests_per_minute;
  if (f.set_tokens_minute) l.max_tokens_per_minute = f.max_tokens_per_minute;
  if (f.set_cost) l.max_cost_per_month_microdollars = f.max_cost_per_month_microdollars;
  if (f.set_thresholds) l.alert_thresholds = json(f.alert_thresholds).dump();
}

std::optional<Error> check_some_maximum(const store::UsageLimit& l) {
  if (l.max_tokens_per_day || l.max_tokens_per_minute || l.max_requests_per_minute ||
      l.max_cost_per_month_microdollars)
    return std::nullopt;
  return Error{ErrorKind::unprocessable, "NO_LIMIT_GIVEN",
               "give at least one of max_tokens_per_day, max_tokens_per_minute, max_requests_per_minute, "
               "max_cost_per_month_microdollars",
               json::object(), 0};
}

Error admin_only() { return Error::forbidden("only an admin may change usage limits"); }

Error exceeded(const std::string& limit, int64_t limit_value, int64_t current, int64_t resets_at_ms,
               util::TimePoint now, const store::UsageLimit& l) {
  const int64_t wait_ms = resets_at_ms - util::to_unix_ms(now);
  const int retry = static_cast<int>(std::max<int64_t>(1, (wait_ms + 999) / 1000));
  Error e = Error::rate_limited("LIMIT_EXCEEDED", "usage limit " + limit + " reached", retry);
  e.details["limit"] = limit;
  e.details["limit_value"] = limit_value;
  e.details["current"] = current;
  e.details["period_resets_at"] = util::to_rfc3339(util::from_unix_ms(resets_at_ms));
  e.details["limit_id"] = l.id;
  e.details["project_id"] = l.project_id;
  return e;
}

bool crossed(int64_t before, int64_t after, int64_t threshold, int64_t max) {
  const __int128 line = static_cast<__int128>(threshold) * max;
  return static_cast<__int128>(before) * 100 < line && static_cast<__int128>(after) * 100 >= line;
}

int64_t clamp_amount(int64_t v) { return std::clamp<int64_t>(v, 0, kMaxLimitValue); }

}  // namespace

json usage_limit_json(const store::UsageLimit& l) {
  return {IRON_JSON_FIELDS(l, id, user_id, project_id, max_tokens_per_day, max_requests_per_minute,
                           max_tokens_per_minute, max_cost_per_month_microdollars),
          {"alert_thresholds", json::parse(l.alert_thresholds, nullptr, false)}};
}

Periods periods_at(util::TimePoint now) {
  using namespace std::chrono;
  const int64_t t = util::to_unix_ms(now);
  Periods p;
  p.minute_start = t - ((t % 60'000) + 60'000) % 60'000;
  p.minute_end = p.minute_start + 60'000;
  p.day_start = t - ((t % 86'400'000) + 86'400'000) % 86'400'000;
  p.day_end = p.day_start + 86'400'000;
  const year_month_day ymd{floor<days>(now)};
  const year_month_day first = ymd.year() / ymd.month() / 1;
  const year_month_day next = first + months{1};
  p.month_start = duration_cast<milliseconds>(sys_days(first).time_since_epoch()).count();
  p.month_end = duration_cast<milliseconds>(sys_days(next).time_since_epoch()).count();
  return p;
}

Result<store::UsageLimit> UsageLimits::create(const Principal& p, const NewLimit& in, const RequestContext& ctx) {
  if (!p.is_admin()) return admin_only();
  if (in.user_id.empty()) return Error::validation("user_id", "user_id is required", "MISSING_FIELD");
  if (in.project_id && (in.project_id->empty() || in.project_id->size() > 1000))
    return Error::validation("project_id", "project_id must be 1..1000 characters");
  LimitFields f = in.fields;
  if (auto e = check_fields(f)) return *e;
  store::UsageLimit l;
  l.user_id = in.user_id;
  l.project_id = in.project_id;
  apply(l, f);
  if (auto e = check_some_maximum(l)) return *e;
  return db_.write([&](store::Connection& c) -> Result<store::UsageLimit> {
    const auto user = store::users::find_by_id(c, in.user_id);
    if (!user || user->deleted_at) return Error::validation("user_id", "no such user", "USER_NOT_FOUND");
    l.created_at = l.updated_at = util::to_unix_ms(util::now());
    try {
      l.id = store::usage_limits::insert(c, l);
    } catch (const store::StoreError& e) {
      if (!e.is_constraint()) throw;
      return Error::conflict("LIMIT_EXISTS", "this user already has a limit for this project (or user-wide)");
    }
    audit(c, ctx, "usage_limit.create", "usage_limit", std::to_string(l.id), nullptr, usage_limit_json(l));
    return l;
  });
}

Result<store::UsageLimit> UsageLimits::get(const Principal& p, int64_t id) {
  return db_.read([&](store::Connection& c) -> Result<store::UsageLimit> {
    auto l = store::usage_limits::find(c, id);
    if (!l || (!p.is_admin() && l->user_id != p.user_id)) return Error::not_found("limit");
    return *l;
  });
}

Result<std::vector<store::UsageLimit>> UsageLimits::list(const Principal& p, const std::optional<std::string>& user_id) {
  const std::optional<std::string> who = p.is_admin() ? user_id : std::optional<std::string>(p.user_id);
  return db_.read([&](store::Connection& c) { return store::usage_limits::list(c, who); });
}

Result<store::UsageLimit> UsageLimits::update(const Principal& p, int64_t id, const LimitFields& fields,
                                              const RequestContext& ctx) {
  if (!p.is_admin()) return admin_only();
  LimitFields f = fields;
  if (auto e = check_fields(f)) return *e;
  return db_.write([&](store::Connection& c) -> Result<store::UsageLimit> {
    auto before = store::usage_limits::find(c, id);
    if (!before) return Error::not_found("limit");
    store::UsageLimit after = *before;
    apply(after, f);  // only the fields the caller gave
    if (auto e = check_some_maximum(after)) return *e;
    after.updated_at = util::to_unix_ms(util::now());
    store::usage_limits::update(c, after);
    audit(c, ctx, "usage_limit.update", "usage_limit", std::to_string(id), usage_limit_json(*before), usage_limit_json(after));
    return after;
  });
}

Status UsageLimits::remove(const Principal& p, int64_t id, const RequestContext& ctx) {
  if (!p.is_admin()) return admin_only();
  return db_.write([&](store::Connection& c) -> Status {
    auto before = store::usage_limits::find(c, id);
    if (!before || !store::usage_limits::remove(c, id)) return Error::not_found("limit");
    audit(c, ctx, "usage_limit.delete", "usage_limit", std::to_string(id), usage_limit_json(*before), nullptr);
    return ok_status();
  });
}

Result<UsageReportView> UsageLimits::usage(const Principal& p, const std::optional<std::string>& user_id,
                                           util::TimePoint now) {
  if (user_id && *user_id != p.user_id && !p.is_admin())
    return Error::forbidden("only an admin may read another user's usage");
  UsageReportView v;
  v.user_id = user_id.value_or(p.user_id);
  v.periods = periods_at(now);
  return db_.read([&](store::Connection& c) -> Result<UsageReportView> {
    const auto counters = [&](const std::string& key, int64_t& tokens, int64_t& tokens_minute, int64_t& requests,
                              int64_t& cost) {
      tokens = store::usage_counters::get(c, v.user_id, key, kTokensDay, v.periods.day_start);
      tokens_minute = store::usage_counters::get(c, v.user_id, key, kTokensMinute, v.periods.minute_start);
      requests = store::usage_counters::get(c, v.user_id, key, kRequestsMinute, v.periods.minute_start);
      cost = store::usage_counters::get(c, v.user_id, key, kCostMonth, v.periods.month_start);
    };
    counters("", v.tokens_today, v.tokens_this_minute, v.requests_this_minute, v.cost_this_month_microdollars);
    for (auto& l : store::usage_limits::list(c, v.user_id)) {
      LimitUsage u;
      counters(l.project_id.value_or(""), u.tokens_today, u.tokens_this_minute, u.requests_this_minute,
               u.cost_this_month_microdollars);
      u.limit = std::move(l);
      v.limits.push_back(std::move(u));
    }
    return v;
  });
}

Status UsageLimits::check_in(store::Connection& c, const std::string& user_id,
                             const std::optional<std::string>& project_id, util::TimePoint now) {
  const Periods P = periods_at(now);
  // Each maximum against its counter of the current period, in this order (the first one
  // reached is the one the refusal names).
  struct Check {
    const char* name;
    std::optional<int64_t> store::UsageLimit::*max;
    const char* counter;
    int64_t period_start;
    int64_t period_end;
  };
  const Check checks[] = {
      {"max_requests_per_minute", &store::UsageLimit::max_requests_per_minute, kRequestsMinute, P.minute_start,
       P.minute_end},
      {"max_tokens_per_minute", &store::UsageLimit::max_tokens_per_minute, kTokensMinute, P.minute_start,
       P.minute_end},
      {"max_tokens_per_day", &store::UsageLimit::max_tokens_per_day, kTokensDay, P.day_start, P.day_end},
      {"max_cost_per_month_microdollars", &store::UsageLimit::max_cost_per_month_microdollars, kCostMonth,
       P.month_start, P.month_end},
  };
  for (const auto& l : store::usage_limits::applicable(c, user_id, project_id)) {
    const std::string key = l.project_id.value_or("");
    for (const auto& check : checks) {
      const auto& max = l.*check.max;
      if (!max) continue;
      const int64_t cur = store::usage_counters::get(c, user_id, key, check.counter, check.period_start);
      if (cur >= *max) return exceeded(check.name, *max, cur, check.period_end, now, l);
    }
  }
  return ok_status();
}

std::vector<LiveEvent> UsageLimits::record_in(store::Connection& c, const std::string& user_id,
                                              const std::optional<std::string>& project_id, int64_t tokens,
                                              int64_t cost_micros, util::TimePoint now) {
  const Periods P = periods_at(now);
  tokens = clamp_amount(tokens);
  cost_micros = clamp_amount(cost_micros);
  struct Delta {
    int64_t tokens_before, tokens_after, cost_before, cost_after;
  };
  // A counter is kept or read back only where a limit of the key needs it (saving a statement
  // per report of a user without such a limit, issue 13, docs/benchmarks.md): the minute's
  // token counter is read only by a max_tokens_per_minute check (check_in) and shown by
  // usage(), so it is kept only for a key whose limit has that maximum (docs/budgets.md); the
  // day's tokens and the month's cost are always counted, but their new totals are read back
  // only for the threshold alerts of a limit with that maximum (the loop below).
  const auto applicable = store::usage_limits::applicable(c, user_id, project_id);
  const auto limited = [&](const std::string& key, std::optional<int64_t> store::UsageLimit::*max) {
    return std::any_of(applicable.begin(), applicable.end(), [&](const store::UsageLimit& l) {
      return (l.*max).has_value() && l.project_id.value_or("") == key;
    });
  };
  const auto add = [&](const std::string& key, const char* kind, int64_t period_start, int64_t delta, bool read) {
    if (read) return store::usage_counters::add_and_get(c, user_id, key, kind, period_start, delta);
    store::usage_counters::add(c, user_id, key, kind, period_start, delta);
    return int64_t{0};  // not read: no limit of this key looks at it
  };
  const auto bump = [&](const std::string& key) {
    add(key, kRequestsMinute, P.minute_start, 1, false);
    if (limited(key, &store::UsageLimit::max_tokens_per_minute)) add(key, kTokensMinute, P.minute_start, tokens, false);
    const int64_t t = add(key, kTokensDay, P.day_start, tokens, limited(key, &store::UsageLimit::max_tokens_per_day));
    const int64_t m = add(key, kCostMonth, P.month_start, cost_micros,
                          limited(key, &store::UsageLimit::max_cost_per_month_microdollars));
    return Delta{t - tokens, t, m - cost_micros, m};
  };
  const Delta user_wide = bump("");
  std::optional<Delta> project;
  if (project_id && !project_id->empty()) project = bump(*project_id);

  std::vector<LiveEvent> alerts;
  for (const auto& l : applicable) {
    const Delta& d = l.project_id ? *project : user_wide;
    const auto check = [&](const char* limit, const std::optional<int64_t>& max, int64_t before, int64_t after,
                           int64_t period_start) {
      if (!max) return;
      alerts::limit_counter_moved(c, l.id, user_id, l.project_id, limit, before, after, *max, thresholds_of(l),
                                  util::to_rfc3339(util::from_unix_ms(period_start)));
      for (int64_t t : thresholds_of(l)) {
        if (!crossed(before, after, t, *max)) continue;
        alerts.push_back({0, "budget.alert", user_id,
                          {{"limit", limit},
                           {"threshold", t},
                           {"current", after},
                           {"limit_value", *max},
                           {"limit_id", l.id},
                           {"project_id", l.project_id},
                           {"period_start", util::to_rfc3339(util::from_unix_ms(period_start))}}});
      }
    };
    check("max_tokens_per_day", l.max_tokens_per_day, d.tokens_before, d.tokens_after, P.day_start);
    check("max_cost_per_month_microdollars", l.max_cost_per_month_microdollars, d.cost_before, d.cost_after,
          P.month_start);
  }
  return alerts;
}

void UsageLimits::publish_alerts(std::vector<LiveEvent> alerts) {
  for (auto& e : alerts) events_.publish(std::move(e));
}

void UsageLimits::record(const std::string& user_id, const std::optional<std::string>& project_id, int64_t tokens,
                         int64_t cost_micros, util::TimePoint now) {
  std::vector<LiveEvent> alerts;
  db_.write([&](store::Connection& c) {
    alerts = record_in(c, user_id, project_id, tokens, cost_micros, now);  // the latest run's: it may run again
    return 0;  // Database::write needs a value
  });
  publish_alerts(std::move(alerts));
}

int64_t UsageLimits::prune_before(util::TimePoint now) {
  const Periods P = periods_at(now);
  return db_.write([&](store::Connection& c) {
    return store::usage_counters::prune(c, kRequestsMinute, P.minute_start) +
           store::usage_counters::prune(c, kTokensMinute, P.minute_start) +
           store::usage_counters::prune(c, kTokensDay, P.day_start) +
           store::usage_counters::prune(c, kCostMonth, P.month_start);
  });
}

}  // namespace iron::domain
