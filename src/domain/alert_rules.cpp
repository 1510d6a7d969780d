#include "domain/alert_rules.h"

#include <algorithm>

#include "domain/alert_channels.h"
#include "domain/alert_events.h"
#include "domain/audit.h"
#include "util/clock.h"
#include "util/json_fields.h"

namespace iron::domain {
namespace {

Error rule_not_found() { return Error::not_found("alert rule"); }
Error rules_admin_only() { return Error::forbidden("managing alert rules requires the admin role"); }

// Checks the fields present and normalises the lists (sorted, without repeats).
std::optional<Error> check_rule_input(AlertRuleInput& in) {
  if (in.name && (in.name->empty() || in.name->size() > kAlertNameMax))
    return Error::validation("name", "name must be 1..200 characters");
  if (in.event_types) {
    auto& t = *in.event_types;
    if (t.empty()) return Error::validation("event_types", "event_types must name at least one event type");
    for (const auto& type : t)
      if (!is_alert_event_type(type)) {
        Error e = Error::validation("event_types", "event_types holds an unknown event type");
        e.details["allowed"] = alert_event_types();
        return e;
      }
    std::sort(t.begin(), t.end());
    t.erase(std::unique(t.begin(), t.end()), t.end());
  }
  if (in.channel_ids) {
    auto& ids = *in.channel_ids;
    if (ids.empty()) return Error::validation("channel_ids", "channel_ids must name at least one channel");
    std::sort(ids.begin(), ids.end());
    ids.erase(std::unique(ids.begin(), ids.end()), ids.end());
  }
  return std::nullopt;
}

std::optional<Error> missing_channel(store::Connection& c, const std::vector<int64_t>& ids) {
  for (int64_t id : ids)
    if (!store::alert_channels::find(c, id)) {
      Error e = Error::validation("channel_ids", "channel_ids names a channel that does not exist");
      e.details["channel_id"] = id;
      return e;
    }
  return std::nullopt;
}

}  // namespace

nlohmann::json alert_rule_view(const store::AlertRule& r) {
  return {IRON_JSON_FIELDS(r, id, name, event_types, channel_ids, is_enabled, created_by),
          {"created_at", util::to_rfc3339(util::from_unix_ms(r.created_at))},
          {"updated_at", util::to_rfc3339(util::from_unix_ms(r.updated_at))}};
}

Result<store::AlertRule> AlertRules::create(const Principal& caller, const AlertRuleInput& input,
                                            const RequestContext& ctx) {
  if (!caller.is_admin()) return rules_admin_only();
  AlertRuleInput in = input;
  if (!in.name) return Error::validation("name", "name is required", "MISSING_FIELD");
  if (!in.event_types) return Error::validation("event_types", "event_types is required", "MISSING_FIELD");
  if (!in.channel_ids) return Error::validation("channel_ids", "channel_ids is required", "MISSING_FIELD");
  if (auto e = check_rule_input(in)) return *e;
  return db_.write([&](store::Connection& c) -> Result<store::AlertRule> {
    if (auto e = missing_channel(c, *in.channel_ids)) return *e;
    store::AlertRule r;
    r.name = *in.name;
    r.event_types = *in.event_types;
    r.channel_ids = *in.channel_ids;
    r.is_enabled = in.is_enabled.value_or(true);
    r.created_by = caller.user_id;
    r.created_at = r.updated_at = util::now_unix_ms();
    r.id = store::alert_rules::insert(c, r);
    audit(c, ctx, "alert_rule.create", "alert_rule", std::to_string(r.id), nullptr, alert_rule_view(r));
    return r;
  });
}

Result<std::vector<store::AlertRule>> AlertRules::list(const Principal& caller) {
  if (!caller.is_admin()) return rules_admin_only();
  return db_.read([&](store::Connection& c) { return store::alert_rules::list(c); });
}

Result<store::AlertRule> AlertRules::get(const Principal& caller, int64_t id) {
  if (!caller.is_admin()) return rules_admin_only();
  return db_.read([&](store::Connection& c) -> Result<store::AlertRule> {
    auto r = store::alert_rules::find(c, id);
    if (!r) return rule_not_found();
    return *r;
  });
}

Result<store::AlertRule> AlertRules::update(const Principal& caller, int64_t id, const AlertRuleInput& input,
                                            const RequestContext& ctx) {
  if (!caller.is_admin()) return rules_admin_only();
  AlertRuleInput in = input;
  if (!in.name && !in.event_types && !in.channel_ids && !in.is_enabled)
    return Error::validation("body", "nothing to update: give name, event_types, channel_ids or is_enabled");
  if (auto e = check_rule_input(in)) return *e;
  return db_.write([&](store::Connection& c) -> Result<store::AlertRule> {
    auto r = store::alert_rules::find(c, id);
    if (!r) return rule_not_found();
    if (in.channel_ids)
      if (auto e = missing_channel(c, *in.channel_ids)) return *e;
    const auto before = alert_rule_view(*r);
    if (in.name) r->name = *in.name;
    if (in.event_types) r->event_types = *in.event_types;
    if (in.channel_ids) r->channel_ids = *in.channel_ids;
    if (in.is_enabled) r->is_enabled = *in.is_enabled;
    r->updated_at = util::now_unix_ms();
    store::alert_rules::update(c, *r);
    audit(c, ctx, "alert_rule.update", "alert_rule", std::to_string(id), before, alert_rule_view(*r));
    return *r;
  });
}

Status AlertRules::remove(const Principal& caller, int64_t id, const RequestContext& ctx) {
  if (!caller.is_admin()) return rules_admin_only();
  return db_.write([&](store::Connection& c) -> Status {
    auto r = store::alert_rules::find(c, id);
    if (!r) return rule_not_found();
    store::alert_rules::remove(c, id);
    audit(c, ctx, "alert_rule.delete", "alert_rule", std::to_string(id), alert_rule_view(*r), nullptr);
    return ok_status();
  });
}

}  // namespace iron::domain
