#include "domain/alert_events.h"

#include <algorithm>

#include "security/random.h"
#include "store/alert_repo.h"
#include "util/clock.h"
#include "util/json_fields.h"

namespace iron::domain {

const std::vector<std::string>& alert_event_types() {
  static const std::vector<std::string> types = {
      alert_type::budget_threshold,      alert_type::budget_exhausted,      alert_type::budget_request_created,
      alert_type::budget_request_decided, alert_type::provider_key_disabled, alert_type::usage_zero_cost,
      alert_type::user_locked_out,       alert_type::usage_model_not_allowed};
  return types;
}

bool is_alert_event_type(const std::string& type) {
  const auto& all = alert_event_types();
  return std::find(all.begin(), all.end(), type) != all.end();
}

nlohmann::json alert_payload(const std::string& delivery_id, const AlertEvent& event, int64_t rule_id,
                             int64_t occurred_at_ms) {
  return {IRON_JSON_FIELDS(event, type, summary, data),
          {"id", delivery_id},
          {"occurred_at", util::to_rfc3339(util::from_unix_ms(occurred_at_ms))},
          {"rule_id", rule_id ? nlohmann::json(rule_id) : nlohmann::json(nullptr)}};
}

int raise_alert(store::Connection& c, const AlertEvent& event) {
  const auto targets = store::alert_rules::targets_for(c, event.type);
  if (targets.empty()) return 0;
  const int64_t now = util::now_unix_ms();
  int written = 0;
  for (const auto& t : targets) {
    store::AlertOutboxRow row;
    row.delivery_id = "dlv_" + security::uuid_v4();
    row.dedup_key = "rule:" + std::to_string(t.rule_id) + ":channel:" + std::to_string(t.channel_id) + ":" +
                    event.type + ":" + event.key;
    row.rule_id = t.rule_id;
    row.channel_id = t.channel_id;
    row.event_type = event.type;
    row.payload = alert_payload(row.delivery_id, event, t.rule_id, now).dump();
    row.next_attempt_at = now;
    row.created_at = now;
    if (store::alert_outbox::insert_once(c, row)) ++written;
  }
  return written;
}

}  // namespace iron::domain
