#include "domain/alert_raisers.h"

#include <vector>

#include "domain/alert_events.h"
#include "util/clock.h"
#include "util/json_optional.h"

namespace iron::domain::alerts {
namespace {

using nlohmann::json;

bool crossed_percent(int64_t before, int64_t after, int64_t percent, int64_t max) {
  const __int128 line = static_cast<__int128>(percent) * max;
  return static_cast<__int128>(before) * 100 < line && static_cast<__int128>(after) * 100 >= line;
}

std::string utc_day_of(int64_t ms) { return util::to_rfc3339(util::from_unix_ms(ms)).substr(0, 10); }

std::string usd(int64_t micros) {
  const std::string cents = std::to_string((micros % 1'000'000) / 10'000);
  return "$" + std::to_string(micros / 1'000'000) + "." + (cents.size() < 2 ? "0" + cents : cents);
}

}  // namespace

void limit_counter_moved(store::Connection& c, int64_t limit_id, const std::string& user_id,
                         const std::optional<std::string>& project_id, const std::string& limit, int64_t before,
                         int64_t after, int64_t max, const std::vector<int64_t>& thresholds,
                         const std::string& period_start) {
  const std::string edge = "limit:" + std::to_string(limit_id) + ":" + limit + ":" + period_start;
  json data = {{"limit_id", limit_id},
               {"user_id", user_id},
               {"project_id", project_id},
               {"limit", limit},
               {"current", after},
               {"limit_value", max},
               {"period_start", period_start}};
  for (int64_t t : thresholds) {
    if (!crossed_percent(before, after, t, max)) continue;
    json d = data;
    d["threshold"] = t;
    raise_alert(c, {alert_type::budget_threshold, edge + ":" + std::to_string(t),
                    "Usage limit " + std::to_string(limit_id) + " (" + limit + ") of " + user_id + " passed " +
                        std::to_string(t) + "% in the period starting " + period_start + ".",
                    d});
  }
  if (before < max && after >= max)
    raise_alert(c, {alert_type::budget_exhausted, edge,
                    "Usage limit " + std::to_string(limit_id) + " (" + limit + ") of " + user_id +
                        " is used up for the period starting " + period_start + ".",
                    data});
}

void agent_spent(store::Connection& c, int64_t agent_id, int64_t allocated, int64_t spent, int64_t remaining,
                 int64_t now_ms) {
  if (allocated <= 0 || spent < allocated) return;
  raise_alert(c, {alert_type::budget_exhausted,
                  "agent:" + std::to_string(agent_id) + ":allocated:" + std::to_string(allocated) + ":" +
                      utc_day_of(now_ms),
                  "Agent " + std::to_string(agent_id) + " has no budget left (" + usd(spent) + " spent of " +
                      usd(allocated) + ").",
                  {{"agent_id", agent_id},
                   {"allocated_microdollars", allocated},
                   {"spent_microdollars", spent},
                   {"remaining_microdollars", remaining}}});
}

void usage_recorded(store::Connection& c, int64_t agent_id, const std::string& source, const std::string& provider,
                    const std::string& model, int64_t tokens, int64_t cost_micros, int64_t at_ms) {
  if (tokens <= 0 || cost_micros != 0) return;
  const std::string day = utc_day_of(at_ms);
  raise_alert(c, {alert_type::usage_zero_cost, "agent:" + std::to_string(agent_id) + ":model:" + model + ":" + day,
                  "Agent " + std::to_string(agent_id) + " recorded " + std::to_string(tokens) + " tokens of " +
                      (model.empty() ? std::string("an unnamed model") : model) + " at cost $0 (" + day + ").",
                  {{"agent_id", agent_id},
                   {"source", source},
                   {"provider", provider},
                   {"model", model},
                   {"tokens", tokens},
                   {"day", day}}});
}

void model_not_allowed(store::Connection& c, int64_t agent_id, const std::string& provider, const std::string& model,
                       int64_t at_ms) {
  const std::string day = utc_day_of(at_ms);
  raise_alert(c, {alert_type::usage_model_not_allowed,
                  "agent:" + std::to_string(agent_id) + ":model:" + provider + "/" + model + ":" + day,
                  "Agent " + std::to_string(agent_id) + " used " + provider + "/" + model +
                      ", which its model allow-list does not allow (" + day + "; the usage is recorded and flagged).",
                  {{"agent_id", agent_id}, {"provider", provider}, {"model", model}, {"day", day}}});
}

void budget_request_created(store::Connection& c, const std::string& request_id, int64_t agent_id,
                            const std::string& requester_id, int64_t current_micros, int64_t requested_micros) {
  raise_alert(c, {alert_type::budget_request_created, request_id,
                  "Budget request " + request_id + " for agent " + std::to_string(agent_id) + ": " +
                      usd(current_micros) + " → " + usd(requested_micros) + ".",
                  {{"budget_request_id", request_id},
                   {"agent_id", agent_id},
                   {"requester_id", requester_id},
                   {"current_budget_microdollars", current_micros},
                   {"requested_budget_microdollars", requested_micros}}});
}

void budget_request_decided(store::Connection& c, const std::string& request_id, int64_t agent_id,
                            const std::string& status, const std::string& decided_by) {
  raise_alert(c, {alert_type::budget_request_decided, request_id,
                  "Budget request " + request_id + " for agent " + std::to_string(agent_id) + " was " + status + ".",
                  {{"budget_request_id", request_id},
                   {"agent_id", agent_id},
                   {"status", status},
                   {"decided_by", decided_by}}});
}

void provider_key_disabled(store::Connection& c, int64_t key_id, const std::string& owner_id,
                           const std::string& provider, const std::string& disabled_by, int64_t at_ms) {
  raise_alert(c, {alert_type::provider_key_disabled, std::to_string(key_id) + ":" + std::to_string(at_ms),
                  "Provider key " + std::to_string(key_id) + " (" + provider + ") of " + owner_id +
                      " was disabled; agents using it are refused.",
                  {{"provider_key_id", key_id},
                   {"owner_id", owner_id},
                   {"provider", provider},
                   {"disabled_by", disabled_by}}});
}

void user_locked_out(store::Connection& c, const std::string& user_id, const std::string& source, int64_t wait_s,
                     int64_t window_started_at_ms) {
  raise_alert(c, {alert_type::user_locked_out, user_id + ":" + source + ":" + std::to_string(window_started_at_ms),
                  "Logins to " + user_id + " from " + source + " are refused for " + std::to_string(wait_s) +
                      " s after repeated failures.",
                  {{"user_id", user_id}, {"client_ip", source}, {"retry_after_s", wait_s}}});
}

}  // namespace iron::domain::alerts
