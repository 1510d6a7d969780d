#include "store/alert_repo.h"

#include "store/table.h"

namespace iron::store {
namespace {

// sealed and nonce are BLOBs: the stored bytes, unchanged.
const Table<AlertChannel> kChannels =
    Table<AlertChannel>("alert_channels")
        .key_assigned_on_insert() IRON_COLUMNS(AlertChannel, id, name, kind, url_display)
        IRON_BLOBS(AlertChannel, sealed, nonce) IRON_COLUMNS(AlertChannel, is_enabled, created_by, created_at, updated_at);

// The rule row alone; its event types and channels are read by with_links.
const Table<AlertRule> kRules = Table<AlertRule>("alert_rules").key_assigned_on_insert() IRON_COLUMNS(
    AlertRule, id, name, is_enabled, created_by, created_at, updated_at);

const Table<AlertOutboxRow> kOutbox = Table<AlertOutboxRow>("alert_outbox").key_assigned_on_insert()
    IRON_COLUMNS(AlertOutboxRow, id, delivery_id, dedup_key, rule_id, channel_id, event_type, payload, state, attempts,
                 next_attempt_at, created_at, finished_at);

const Table<AlertDelivery> kDeliveries = Table<AlertDelivery>("alert_deliveries").key_assigned_on_insert()
    IRON_COLUMNS(AlertDelivery, id, channel_id, outbox_id, delivery_id, event_type, attempt, outcome, status_code,
                 error, duration_ms, at);

AlertRule with_links(Connection& c, AlertRule r) {
  auto& types = c.prepare("SELECT event_type FROM alert_rule_events WHERE rule_id = ? ORDER BY event_type");
  types.bind(1, r.id);
  while (types.step()) r.event_types.push_back(types.text(0));
  auto& channels = c.prepare("SELECT channel_id FROM alert_rule_channels WHERE rule_id = ? ORDER BY channel_id");
  channels.bind(1, r.id);
  while (channels.step()) r.channel_ids.push_back(channels.int64(0));
  return r;
}

void write_links(Connection& c, const AlertRule& r) {
  c.prepare("DELETE FROM alert_rule_events WHERE rule_id = ?").bind(1, r.id).run();
  c.prepare("DELETE FROM alert_rule_channels WHERE rule_id = ?").bind(1, r.id).run();
  for (const auto& t : r.event_types)
    c.prepare("INSERT INTO alert_rule_events(rule_id, event_type) VALUES(?, ?) ON CONFLICT DO NOTHING").bind(1, r.id).bind(2, t).run();
  for (int64_t ch : r.channel_ids)
    c.prepare("INSERT INTO alert_rule_channels(rule_id, channel_id) VALUES(?, ?) ON CONFLICT DO NOTHING").bind(1, r.id).bind(2, ch).run();
}

}  // namespace

namespace alert_channels {

int64_t insert(Connection& c, const AlertChannel& ch) { return kChannels.insert(c, ch); }

void set_sealed(Connection& c, int64_t id, const std::string& sealed, const std::string& nonce) {
  c.prepare("UPDATE alert_channels SET sealed = ?, nonce = ? WHERE id = ?")
      .bind_blob(1, sealed).bind_blob(2, nonce).bind(3, id).run();
}

std::optional<AlertChannel> find(Connection& c, int64_t id) { return kChannels.find(c, id); }

std::vector<AlertChannel> list(Connection& c) { return kChannels.all(c.prepare(kChannels.select() + " ORDER BY id")); }

void update(Connection& c, const AlertChannel& ch) {
  auto& s = c.prepare("UPDATE alert_channels SET name = ?, url_display = ?, is_enabled = ?, updated_at = ? WHERE id = ?");
  s.bind(1, ch.name).bind(2, ch.url_display).bind(3, ch.is_enabled).bind(4, ch.updated_at).bind(5, ch.id).run();
}

void remove(Connection& c, int64_t id) { kChannels.remove(c, id); }

}  // namespace alert_channels

namespace alert_rules {

int64_t insert(Connection& c, const AlertRule& r) {
  AlertRule stored = r;
  stored.id = kRules.insert(c, r);
  write_links(c, stored);
  return stored.id;
}

std::optional<AlertRule> find(Connection& c, int64_t id) {
  auto r = kRules.find(c, id);
  if (!r) return std::nullopt;
  return with_links(c, std::move(*r));
}

std::vector<AlertRule> list(Connection& c) {
  auto rows = kRules.all(c.prepare(kRules.select() + " ORDER BY id"));
  for (auto& r : rows) r = with_links(c, std::move(r));
  return rows;
}

void update(Connection& c, const AlertRule& r) {
  c.prepare("UPDATE alert_rules SET name = ?, is_enabled = ?, updated_at = ? WHERE id = ?")
      .bind(1, r.name).bind(2, r.is_enabled).bind(3, r.updated_at).bind(4, r.id).run();
  write_links(c, r);
}

void remove(Connection& c, int64_t id) { kRules.remove(c, id); }

std::vector<AlertTarget> targets_for(Connection& c, const std::string& event_type) {
  auto& s = c.prepare(
      "SELECT r.id, rc.channel_id FROM alert_rule_events e "
      "JOIN alert_rules r ON r.id = e.rule_id AND r.is_enabled = 1 "
      "JOIN alert_rule_channels rc ON rc.rule_id = r.id "
      "JOIN alert_channels ch ON ch.id = rc.channel_id AND ch.is_enabled = 1 "
      "WHERE e.event_type = ? ORDER BY r.id, rc.channel_id");
  s.bind(1, event_type);
  std::vector<AlertTarget> out;
  while (s.step()) out.push_back({s.int64(0), s.int64(1)});
  return out;
}

}  // namespace alert_rules

namespace alert_outbox {

bool insert_once(Connection& c, const AlertOutboxRow& o) {
  auto& s = c.prepare(
      "INSERT INTO alert_outbox(delivery_id, dedup_key, rule_id, channel_id, event_type, payload, state, attempts, "
      "next_attempt_at, created_at) VALUES(?, ?, ?, ?, ?, ?, 'pending', 0, ?, ?) ON CONFLICT(dedup_key) DO NOTHING");
  s.bind(1, o.delivery_id).bind(2, o.dedup_key).bind(3, o.rule_id).bind(4, o.channel_id).bind(5, o.event_type);
  s.bind(6, o.payload).bind(7, o.next_attempt_at).bind(8, o.created_at).run();
  return c.changes() > 0;
}

std::vector<AlertOutboxRow> due(Connection& c, int64_t now_ms, int64_t limit) {
  // A disabled channel's rows wait (they are sent once it is enabled again).
  auto& s = c.prepare(kOutbox.select() +
                      " WHERE state = 'pending' AND next_attempt_at <= ? "
                      "AND channel_id IN (SELECT id FROM alert_channels WHERE is_enabled = 1) "
                      "ORDER BY next_attempt_at, id LIMIT ?");
  s.bind(1, now_ms).bind(2, limit);
  return kOutbox.all(s);
}

bool is_pending(Connection& c, int64_t id) {
  auto& s = c.prepare("SELECT 1 FROM alert_outbox WHERE id = ? AND state = 'pending'");
  s.bind(1, id);
  return s.step();
}

void finish(Connection& c, int64_t id, const std::string& state, int64_t attempts, int64_t now_ms) {
  c.prepare("UPDATE alert_outbox SET state = ?, attempts = ?, finished_at = ? WHERE id = ?")
      .bind(1, state).bind(2, attempts).bind(3, now_ms).bind(4, id).run();
}

void mark_retry(Connection& c, int64_t id, int64_t attempts, int64_t next_attempt_at) {
  c.prepare("UPDATE alert_outbox SET attempts = ?, next_attempt_at = ? WHERE id = ?")
      .bind(1, attempts).bind(2, next_attempt_at).bind(3, id).run();
}

int64_t count_pending(Connection& c, int64_t channel_id) {
  auto& s = c.prepare("SELECT count(*) FROM alert_outbox WHERE channel_id = ? AND state = 'pending'");
  s.bind(1, channel_id).step();
  return s.int64(0);
}

}  // namespace alert_outbox

namespace alert_deliveries {

void insert(Connection& c, const AlertDelivery& d) { kDeliveries.insert(c, d); }

std::vector<AlertDelivery> list(Connection& c, int64_t channel_id, std::optional<int64_t> before_id, int64_t limit) {
  auto& s = c.prepare(kDeliveries.select() +
                      " WHERE channel_id = ?1 AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3");
  s.bind(1, channel_id).bind(2, before_id).bind(3, limit);
  return kDeliveries.all(s);
}

}  // namespace alert_deliveries
}  // namespace iron::store
