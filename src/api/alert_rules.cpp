// /api/v1/alert-rules: which event types go to which notification channels (docs/alerts.md),
// admins only. The rules live in domain/alert_rules.
#include "api/array_field.h"
#include "api/body.h"
#include "api/collection.h"
#include "api/endpoint.h"
#include "api/routes.h"
#include "domain/alert_events.h"
#include "domain/alert_rules.h"

namespace iron::api {
namespace {

using namespace openapi;

json event_types_schema() {
  json s = array_of(one_of_strings(domain::alert_event_types()));
  s["minItems"] = 1;
  return described(s, "the event types this rule sends (docs/alerts.md, \"Events\")");
}

json channel_ids_schema() {
  json s = array_of(integer_range(1, INT64_MAX, "alert channel id"));
  s["minItems"] = 1;
  return described(s, "the channels it sends them to");
}

using Input = domain::AlertRuleInput;

BodyFields<Input> rule_body(bool create) {
  BodyFields<Input> b;
  b.text("name", &Input::name, domain::kAlertNameMax)
      // The lists are checked here for shape; which names and channels exist is the domain's.
      .custom("event_types", create, event_types_schema(),
              array_reader("event_types", &Input::event_types, "an array of event type names", 50,
                           [](const json& t) { return t.is_string(); }))
      .custom("channel_ids", create, channel_ids_schema(),
              array_reader("channel_ids", &Input::channel_ids, "an array of positive channel ids", 100,
                           [](const json& id) { return id.is_number_integer() && id.get<int64_t>() >= 1; }))
      .boolean("is_enabled", &Input::is_enabled)
      .describe("a disabled rule raises nothing (default true)");
  if (!create) b.at_least_one();
  return b;
}
const auto kNewRule = rule_body(true);
const auto kRulePatch = rule_body(false);

Reply create_rule(const Call& c, const Input& in) {
  return reply(c.s.alert_rules.create(c.who(), in, c.context()), 201, domain::alert_rule_view);
}

Reply update_rule(const Call& c, const Input& in) {
  return reply(c.s.alert_rules.update(c.who(), c.id(), in, c.context()), 200, domain::alert_rule_view);
}

const auto rules = collection(
    {.tag = "alerts", .access = Auth::admin, .id_schema = integer_range(1, INT64_MAX, "alert rule id")},
    {.path = "/api/v1/alert-rules", .schema = "AlertRule", .one = "an alert rule", .all = "the alert rules",
     .row = "rule"},
    [](Services& s) -> domain::AlertRules& { return s.alert_rules; },
    domain::alert_rule_view);

}  // namespace

std::vector<Endpoint> alert_rule_endpoints() {
  return rules.endpoints(
      {rules.create_op().errors(400, {"VALIDATION_ERROR", "MISSING_FIELD"}), with_body(kNewRule, create_rule)},
      {rules.update_op().errors(400, {"VALIDATION_ERROR"}), with_body(kRulePatch, update_rule)});
}

namespace openapi {

json alert_rule_schema() {
  return object({{"id", integer("alert rule id")},
                 {"name", str(1, 200)},
                 {"event_types", array_of(one_of_strings(domain::alert_event_types()))},
                 {"channel_ids", array_of(integer("alert channel id"))},
                 {"is_enabled", boolean()},
                 {"created_by", user_id_schema()},
                 {"created_at", rfc3339("creation time")},
                 {"updated_at", rfc3339("last change")}},
                {"id", "name", "event_types", "channel_ids", "is_enabled", "created_by", "created_at", "updated_at"});
}

}  // namespace openapi
}  // namespace iron::api
