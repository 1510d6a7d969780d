#pragma once
// alert_channels, alert_rules (+ their event types and channels), alert_outbox and
// alert_deliveries (migration 010). A channel's destination and signing secret are only ever
// handled here as sealed bytes.
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite.h"

namespace iron::store {

// What channels and rules share: an admin names them and switches them on and off.
struct AlertSetting {
  int64_t id = 0;
  std::string name;
  bool is_enabled = true;
  std::string created_by;
  int64_t created_at = 0;
  int64_t updated_at = 0;
};

struct AlertChannel : AlertSetting {
  std::string kind;         // webhook | slack
  std::string url_display;  // scheme://host[:port], no path or query
  std::string sealed;       // raw bytes, tag included: the JSON {url, secret}
  std::string nonce;        // raw bytes
};

struct AlertRule : AlertSetting {
  std::vector<std::string> event_types;  // sorted
  std::vector<int64_t> channel_ids;      // sorted
};

struct AlertOutboxRow {
  int64_t id = 0;
  std::string delivery_id;
  std::string dedup_key;
  std::optional<int64_t> rule_id;
  int64_t channel_id = 0;
  std::string event_type;
  std::string payload;  // JSON
  std::string state = "pending";
  int64_t attempts = 0;
  int64_t next_attempt_at = 0;
  int64_t created_at = 0;
  std::optional<int64_t> finished_at;
};

struct AlertDelivery {
  int64_t id = 0;
  int64_t channel_id = 0;
  std::optional<int64_t> outbox_id;
  std::string delivery_id;
  std::string event_type;
  int64_t attempt = 0;
  std::string outcome;  // delivered | retrying | failed
  std::optional<int64_t> status_code;
  std::optional<std::string> error;
  int64_t duration_ms = 0;
  int64_t at = 0;
};

// A (rule, channel) pair an event is routed to.
struct AlertTarget {
  int64_t rule_id = 0;
  int64_t channel_id = 0;
};

namespace alert_channels {
int64_t insert(Connection& c, const AlertChannel& ch);  // ch.id ignored; returns the new id
// Replaces the sealed configuration (create seals after the insert, once the id is known).
void set_sealed(Connection& c, int64_t id, const std::string& sealed, const std::string& nonce);
std::optional<AlertChannel> find(Connection& c, int64_t id);
std::vector<AlertChannel> list(Connection& c);  // oldest first
// Writes name, url_display, is_enabled and updated_at.
void update(Connection& c, const AlertChannel& ch);
// Deletes the channel; its rule links, outbox rows and delivery log go with it.
void remove(Connection& c, int64_t id);
}  // namespace alert_channels

namespace alert_rules {
int64_t insert(Connection& c, const AlertRule& r);  // with its event types and channels
std::optional<AlertRule> find(Connection& c, int64_t id);
std::vector<AlertRule> list(Connection& c);  // oldest first
// Writes name, is_enabled, updated_at and replaces the event types and channels.
void update(Connection& c, const AlertRule& r);
void remove(Connection& c, int64_t id);
// The enabled rules naming `event_type`, each with each of its enabled channels.
std::vector<AlertTarget> targets_for(Connection& c, const std::string& event_type);
}  // namespace alert_rules

namespace alert_outbox {
// Inserts the row unless its dedup_key is already there; true when inserted.
bool insert_once(Connection& c, const AlertOutboxRow& row);
// Pending rows of enabled channels due at `now_ms`, oldest due first.
std::vector<AlertOutboxRow> due(Connection& c, int64_t now_ms, int64_t limit);
// Whether the row is still pending (it goes when its channel is deleted).
bool is_pending(Connection& c, int64_t id);
// Ends the row's delivery: state delivered | failed, after `attempts` attempts.
void finish(Connection& c, int64_t id, const std::string& state, int64_t attempts, int64_t now_ms);
void mark_retry(Connection& c, int64_t id, int64_t attempts, int64_t next_attempt_at);
int64_t count_pending(Connection& c, int64_t channel_id);
}  // namespace alert_outbox

namespace alert_deliveries {
void insert(Connection& c, const AlertDelivery& d);
// A channel's attempts, newest first, with id < before_id when given.
std::vector<AlertDelivery> list(Connection& c, int64_t channel_id, std::optional<int64_t> before_id, int64_t limit);
}  // namespace alert_deliveries

}  // namespace iron::store
