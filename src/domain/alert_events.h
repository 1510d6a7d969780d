#pragma once
// The events alerts are raised for, and raising one: raise_alert() runs inside the
// transaction of the change that caused the event and writes one alert_outbox row per
// (enabled rule naming the event type) × (enabled channel of that rule). The row commits or
// rolls back with the change, so an alert is never lost on a crash nor sent for a change that
// did not happen (docs/alerts.md). The delivery worker (alert_delivery.h) sends it later.
//
// Edge-triggered: each event carries a `key` naming what it is about (the limit, threshold
// and period of a threshold crossing; the request id of a budget request). The outbox keeps
// one row per (rule, channel, key), so the same crossing raised again in the same period —
// by a retry, a replay or a second path — is not sent twice.
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "store/sqlite.h"

namespace iron::domain {

// The event types a rule may select.
namespace alert_type {
inline constexpr const char* budget_threshold = "budget.threshold";      // a usage limit's alert threshold crossed
inline constexpr const char* budget_exhausted = "budget.exhausted";      // a usage limit or an agent budget used up
inline constexpr const char* budget_request_created = "budget_request.created";
inline constexpr const char* budget_request_decided = "budget_request.decided";
inline constexpr const char* provider_key_disabled = "provider_key.disabled";
inline constexpr const char* usage_zero_cost = "usage.zero_cost";        // an event with tokens > 0 and cost 0
inline constexpr const char* usage_model_not_allowed = "usage.model_not_allowed";  // outside the agent's allow-list
inline constexpr const char* user_locked_out = "user.locked_out";        // login throttling locked an account
inline constexpr const char* test = "test";                              // "send test" only; no rule selects it
}  // namespace alert_type

// Every type a rule may name, in the order the API documents them.
const std::vector<std::string>& alert_event_types();
bool is_alert_event_type(const std::string& type);

struct AlertEvent {
  std::string type;     // one of alert_type
  std::string key;      // what the event is about (see above); unique per edge
  std::string summary;  // one human sentence for chat and mail channels; no secrets
  nlohmann::json data;  // the event's facts, sent as `data`
};

// Writes the outbox rows for `event` on `c` (the caller's write transaction); returns how
// many were new (0 when no rule selects the type, or every row was raised before).
int raise_alert(store::Connection& c, const AlertEvent& event);

// The payload every channel is built from: {id, type, occurred_at, summary, data, rule_id}.
// `id` is the delivery id, the receivers' idempotency key (delivery is at least once).
nlohmann::json alert_payload(const std::string& delivery_id, const AlertEvent& event, int64_t rule_id,
                             int64_t occurred_at_ms);

}  // namespace iron::domain
