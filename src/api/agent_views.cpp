// The JSON shapes of agents, budgets and leases, and their component schemas.
#include "api/agent_views.h"

#include "api/model_allow_list_field.h"
#include "api/openapi/spec.h"
#include "domain/analytics.h"
#include "util/clock.h"
#include "util/json_fields.h"

namespace iron::api {
namespace {

using namespace openapi;

json micros(const std::string& description) { return described(integer(), description + " (µ$)"); }

json agent_schema() {
  return object({{"id", integer("agent id")},
                 {"name", str(1, 255)},
                 {"providers", described(array_of(str()), "the assigned key's provider, or empty")},
                 {"created_at", ms_time("creation time")},
                 {"owner_id", described(str(), "the owning user")},
                 {"provider_key_id", nullable(integer("the agent's provider key; the only key its handshake uses"))},
                 {"provider_key_owner_id",
                  nullable(described(str(), "who owns the assigned key: the agent's owner, or the admin who "
                                            "delegated a key of their own to this agent"))},
                 {"has_ic_token", described(boolean(), "whether the agent has an IC token")},
                 {"allowed_models", allowed_models_schema()},
                 {"budget",
                  object({{"allocated", micros("the period's amount plus carried_reserved")},
                          {"spent", micros("reported usage (of the current period, for a periodic budget)")},
                          {"reserved", micros("held by active leases, not yet reported")},
                          {"remaining", micros("free to lease; allocated = spent + reserved + remaining")},
                          {"period", described(one_of_strings({"one_off", "daily", "weekly", "monthly"}),
                                               "one_off, or when spent returns to 0 and remaining to the period's "
                                               "amount (calendar boundaries; weekly = Monday)")},
                          {"time_zone", described(str(), "the IANA zone of the period boundaries (UTC, or e.g. Europe/Berlin)")},
                          {"period_started_at", nullable(rfc3339("start of the current period (local midnight in time_zone, as a "
                                                                 "UTC instant); null for one_off"))},
                          {"resets_at", nullable(rfc3339("the next reset (local midnight in time_zone, or the first instant "
                                                         "after it when DST skips it, as a UTC instant); null for one_off"))},
                          {"carried_reserved",
                           micros("part of reserved held by leases opened before the last reset: what they report or "
                                  "give back is charged to their own period and leaves allocated, never this "
                                  "period's spent or remaining")}},
                         {"allocated", "spent", "reserved", "remaining", "period", "time_zone", "period_started_at",
                          "resets_at", "carried_reserved"})},
                 {"burn_rate_micros_per_day",
                  micros("analytics spend of the last 7 UTC days (today included) / 7, rounded down, per day")},
                 {"projected_exhaustion_at",
                  nullable(rfc3339("when `remaining` runs out at the 7-day pace; null with no spend in those 7 days, "
                                   "nothing remaining, or more than 100 years away"))}},
                {"id", "name", "providers", "created_at", "owner_id", "provider_key_id", "provider_key_owner_id", "has_ic_token", "allowed_models", "budget",
                 "burn_rate_micros_per_day", "projected_exhaustion_at"});
}

json lease_schema() {
  return object({{"id", described({{"type", "string"}, {"pattern", "^lease_"}}, "lease_<uuid>")},
                 {"agent_id", integer()},
                 {"status", one_of_strings({"active", "closed", "expired", "revoked"})},
                 {"granted_microdollars", micros("reserved for the lease at handshake or refresh")},
                 {"spent_microdollars", micros("reported against the lease")},
                 {"available_microdollars", micros("granted - spent while active; 0 once ended")},
                 {"released_microdollars", nullable(micros("given back to the budget when the lease ended"))},
                 {"created_at", rfc3339("granted at")},
                 {"expires_at", rfc3339("expiry unless returned or refreshed first")},
                 {"closed_at", nullable(rfc3339("when it was returned, refreshed, expired or revoked"))}},
                {"id", "agent_id", "status", "granted_microdollars", "spent_microdollars", "available_microdollars",
                 "released_microdollars", "created_at", "expires_at", "closed_at"});
}

}  // namespace

json allocation_view(const domain::BudgetSnapshot& b) {
  return {{"agent_id", b.agent_id},
          {"total_allocated", b.allocated},
          {"total_spent", b.spent},
          {"total_reserved", b.reserved},
          {"budget_remaining", b.remaining}};
}

json history_view(const std::vector<store::BudgetHistoryEntry>& entries) {
  json out = json::array();
  for (const auto& e : entries)
    out.push_back({IRON_JSON_FIELDS(e, id, agent_id, previous_allocated, new_allocated, changed_by, reason,
                                    budget_request_id, created_at, kind, period_spent),
                   {"change", e.new_allocated - e.previous_allocated}});
  return out;
}

std::map<int64_t, int64_t> recent_spend_of(Services& s, const domain::Principal& p, std::optional<int64_t> agent_id) {
  return s.analytics.recent_spend(p, agent_id);
}

// Keys in name order, as nlohmann::json writes an object: the list and the single agent
// answer the same bytes as when both were built as json trees.
void write_agent(util::JsonWriter& w, const domain::AgentView& v, const std::map<int64_t, int64_t>& recent_spend,
                 util::TimePoint now) {
  const auto& a = v.agent;
  const auto it = recent_spend.find(a.id);
  const auto burn = domain::burn_rate_of(it == recent_spend.end() ? 0 : it->second, v.budget.remaining, now);
  w.begin_object();
  const auto at = [&w](const std::optional<int64_t>& ms) {
    if (ms) w.string(util::to_rfc3339(util::from_unix_ms(*ms)));
    else w.null();
  };
  w.key("allowed_models");
  if (a.allowed_models) {
    w.begin_array();
    for (const auto& m : *a.allowed_models) w.string(m);
    w.end_array();
  } else {
    w.null();
  }
  const auto& b = v.budget;
  w.key("budget").begin_object();
  w.key("allocated").number(b.allocated);
  w.key("carried_reserved").number(b.carried_reserved);
  w.key("period").string(b.period);
  w.key("period_started_at");
  at(b.period_started_at);
  w.key("remaining").number(b.remaining);
  w.key("reserved").number(b.reserved);
  w.key("resets_at");
  at(b.resets_at);
  w.key("spent").number(b.spent);
  w.key("time_zone").string(b.time_zone);
  w.end_object();
  w.key("burn_rate_micros_per_day").number(burn.micros_per_day);
  w.key("created_at").number(a.created_at);
  w.key("has_ic_token").boolean(a.ic_token_hash.has_value());
  w.key("id").number(a.id);
  w.key("name").string(a.name);
  w.key("owner_id").string(a.owner_id);
  w.key("projected_exhaustion_at");
  if (burn.exhaustion_at) w.string(util::to_rfc3339(*burn.exhaustion_at));
  else w.null();
  w.key("provider_key_id");
  if (a.provider_key_id) w.number(*a.provider_key_id);
  else w.null();
  w.key("provider_key_owner_id");
  if (v.provider_key_owner_id) w.string(*v.provider_key_owner_id);
  else w.null();
  w.key("providers").begin_array();
  for (const auto& p : a.providers) w.string(p);
  w.end_array();
  w.end_object();
}

util::TimePoint agents_unchanged_until(const std::vector<domain::AgentView>& rows,
                                       const std::map<int64_t, int64_t>& recent_spend, util::TimePoint now) {
  using namespace std::chrono;
  util::TimePoint until = floor<days>(now) + days{1};
  for (const auto& v : rows) {
    if (v.budget.resets_at) until = std::min(until, util::from_unix_ms(*v.budget.resets_at));
    const auto it = recent_spend.find(v.agent.id);
    const auto burn = domain::burn_rate_of(it == recent_spend.end() ? 0 : it->second, v.budget.remaining, now);
    if (!burn.exhaustion_at) continue;
    const auto next_second = floor<seconds>(*burn.exhaustion_at) + seconds{1};
    until = std::min(until, now + (next_second - *burn.exhaustion_at));
  }
  return until;
}

json agent_with_burn(const domain::AgentView& v, const std::map<int64_t, int64_t>& recent_spend) {
  util::JsonWriter w;
  write_agent(w, v, recent_spend, util::now());
  return json::parse(w.take());
}

json lease_view(const store::BudgetLease& l) {
  const auto at = [](int64_t ms) { return util::to_rfc3339(util::from_unix_ms(ms)); };
  return {IRON_JSON_FIELDS(l, id, agent_id, status),
          {"granted_microdollars", l.granted},
          {"spent_microdollars", l.spent},
          {"available_microdollars", l.status == "active" ? l.granted - l.spent : 0},
          {"released_microdollars", l.released},
          {"created_at", at(l.created_at)},
          {"expires_at", at(l.expires_at)},
          {"closed_at", l.closed_at ? json(at(*l.closed_at)) : json(nullptr)}};
}

json agent_component_schemas() {
  return {{"Agent", agent_schema()},
          {"AgentLease", lease_schema()},
          {"AgentPage", object({{"data", array_of(ref("Agent"))}, {"pagination", ref("Pagination")}},
                               {"data", "pagination"})},
          {"AgentLeasePage", object({{"data", array_of(ref("AgentLease"))}, {"pagination", ref("Pagination")}},
                                    {"data", "pagination"})}};
}

}  // namespace iron::api
