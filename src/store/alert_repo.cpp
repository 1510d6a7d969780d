#include "store/alert_repo.h"

namespace iron::store {
namespace {

constexpr const char* kChannelColumns =
    "id, name, kind, url_display, sealed, nonce, is_enabled, created_by, created_at, updated_at";
constexpr const char* kRuleColumns = "id, name, is_enabled, created_by, created_at, updated_at";

AlertChannel read_alert_channel(Statement& s) {
  AlertChannel ch;
  ch.id = s.int64(0);
  ch.name = s.text(1);
  ch.kind = s.text(2);
  ch.url_display = s.text(3);
  ch.sealed = s.text(4);  // BLOB: the stored bytes unchanged
  ch.nonce = s.text(5);
  ch.is_enabled = s.int64(6) != 0;
  ch.created_by = s.text(7);
  ch.created_at = s.int64(8);
  ch.updated_at = s.int64(9);
  return ch;
}

// The rule row alone; its event types and channels are read by with_links.
AlertRule read_alert_rule(Statement& s) {
  AlertRule r;
  r.id = s.int64(0);
  r.name = s.text(1);
  r.is_enabled = s.int64(2) != 0;
  r.created_by = s.text(3);
  r.created_at = s.int64(4);
  r.updated_at = s.int64(5);
  return r;
}

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
    c.prepare("INSERT OR IGNORE INTO alert_rule_events(rule_id, event_type) VALUES(?, ?)").bind(1, r.id).bind(2, t).run();
  for (int64_t ch : r.channel_ids)
    c.prepare("INSERT OR IGNORE INTO alert_rule_channels(rule_id, channel_id) VALUES(?, ?)").bind(1, r.id).bind(2, ch).run();
}

AlertOutboxRow read_outbox_row(Statement& s) {
  AlertOutboxRow o;
  o.id = s.int64(0);
  o.delivery_id = s.text(1);
  o.dedup_key = s.text(2);
  o.rule_id = s.opt_int64(3);
  o.channel_id = s.int64(4);
  o.event_type = s.text(5);
  o.payload = s.text(6);
  o.state = s.text(7);
  o.attempts = s.int64(8);
  o.next_attempt_at = s.int64(9);
  o.created_at = s.int64(10);
  o.finished_at = s.opt_int64(11);
  return o;
}

}  // namespace

namespace alert_channels {

int64_t insert(Connection& c, const AlertChannel& ch) {
  auto& s = c.prepare(
      "INSERT INTO alert_channels(name, kind, url_display, sealed, nonce, is_enabled, created_by, created_at, "
      "updated_at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, ch.name).bind(2, ch.kind).bind(3, ch.url_display).bind_blob(4, ch.sealed).bind_blob(5, ch.nonce);
  s.bind(6, ch.is_enabled).bind(7, ch.created_by).bind(8, ch.created_at).bind(9, ch.updated_at);
  s.run();
  return c.last_insert_rowid();
}

void set_sealed(Connection& c, int64_t id, const std::string& sealed, const std::string& nonce) {
  c.prepare("UPDATE alert_channels SET sealed = ?, nonce = ? WHERE id = ?")
      .bind_blob(1, sealed).bind_blob(2, nonce).bind(3, id).run();
}

std::optional<AlertChannel> find(Connection& c, int64_t id) {
  auto& s = c.prepare(std::string("SELECT ") + kChannelColumns + " FROM alert_channels WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  return read_alert_channel(s);
}

std::vector<AlertChannel> list(Connection& c) {
  auto& s = c.prepare(std::string("SELECT ") + kChannelColumns + " FROM alert_channels ORDER BY id");
  std::vector<AlertChannel> out;
  while (s.step()) out.push_back(read_alert_channel(s));
  return out;
}

void update(Connection& c, const AlertChannel& ch) {
  auto& s = c.prepare("UPDATE alert_channels SET name = ?, url_display = ?, is_enabled = ?, updated_at = ? WHERE id = ?");
  s.bind(1, ch.name).bind(2, ch.url_display).bind(3, ch.is_enabled).bind(4, ch.updated_at).bind(5, ch.id).run();
}

void remove(Connection& c, int64_t id) { c.prepare("DELETE FROM alert_channels WHERE id = ?").bind(1, id).run(); }

}  // namespace alert_channels

namespace alert_rules {

int64_t insert(Connection& c, const AlertRule& r) {
  auto& s = c.prepare(
      "INSERT INTO alert_rules(name, is_enabled, created_by, created_at, updated_at) VALUES(?, ?, ?, ?, ?)");
  s.bind(1, r.name).bind(2, r.is_enabled).bind(3, r.created_by).bind(4, r.created_at).bind(5, r.updated_at).run();
  AlertRule stored = r;
  stored.id = c.last_insert_rowid();
  write_links(c, stored);
  return stored.id;
}

std::optional<AlertRule> find(Connection& c, int64_t id) {
  auto& s = c.prepare(std::string("SELECT ") + kRuleColumns + " FROM alert_rules WHERE id = ?");
  s.bind(1, id);
  if (!s.step()) return std::nullopt;
  auto r = read_alert_rule(s);
  s.reset();
  return with_links(c, std::move(r));
}

std::vector<AlertRule> list(Connection& c) {
  auto& s = c.prepare(std::string("SELECT ") + kRuleColumns + " FROM alert_rules ORDER BY id");
  std::vector<AlertRule> rows;
  while (s.step()) rows.push_back(read_alert_rule(s));
  for (auto& r : rows) r = with_links(c, std::move(r));
  return rows;
}

void update(Connection& c, const AlertRule& r) {
  c.prepare("UPDATE alert_rules SET name = ?, is_enabled = ?, updated_at = ? WHERE id = ?")
      .bind(1, r.name).bind(2, r.is_enabled).bind(3, r.updated_at).bind(4, r.id).run();
  write_links(c, r);
}

void remove(Connection& c, int64_t id) { c.prepare("DELETE FROM alert_rules WHERE id = ?").bind(1, id).run(); }

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
  auto& s = c.prepare(
      "SELECT o.id, o.delivery_id, o.dedup_key, o.rule_id, o.channel_id, o.event_type, o.payload, o.state, "
      "o.attempts, o.next_attempt_at, o.created_at, o.finished_at FROM alert_outbox o "
      "JOIN alert_channels ch ON ch.id = o.channel_id AND ch.is_enabled = 1 "
      "WHERE o.state = 'pending' AND o.next_attempt_at <= ? ORDER BY o.next_attempt_at, o.id LIMIT ?");
  s.bind(1, now_ms).bind(2, limit);
  std::vector<AlertOutboxRow> out;
  while (s.step()) out.push_back(read_outbox_row(s));
  return out;
}

bool is_pending(Connection& c, int64_t id) {
  auto& s = c.prepare("SELECT 1 FROM alert_outbox WHERE id = ? AND state = 'pending'");
  s.bind(1, id);
  return s.step();
}

void mark_delivered(Connection& c, int64_t id, int64_t attempts, int64_t now_ms) {
  c.prepare("UPDATE alert_outbox SET state = 'delivered', attempts = ?, finished_at = ? WHERE id = ?")
      .bind(1, attempts).bind(2, now_ms).bind(3, id).run();
}

void mark_retry(Connection& c, int64_t id, int64_t attempts, int64_t next_attempt_at) {
  c.prepare("UPDATE alert_outbox SET attempts = ?, next_attempt_at = ? WHERE id = ?")
      .bind(1, attempts).bind(2, next_attempt_at).bind(3, id).run();
}

void mark_failed(Connection& c, int64_t id, int64_t attempts, int64_t now_ms) {
  c.prepare("UPDATE alert_outbox SET state = 'failed', attempts = ?, finished_at = ? WHERE id = ?")
      .bind(1, attempts).bind(2, now_ms).bind(3, id).run();
}

int64_t count_pending(Connection& c, int64_t channel_id) {
  auto& s = c.prepare("SELECT count(*) FROM alert_outbox WHERE channel_id = ? AND state = 'pending'");
  s.bind(1, channel_id).step();
  return s.int64(0);
}

}  // namespace alert_outbox

namespace alert_deliveries {

void insert(Connection& c, const AlertDelivery& d) {
  auto& s = c.prepare(
      "INSERT INTO alert_deliveries(channel_id, outbox_id, delivery_id, event_type, attempt, outcome, status_code, "
      "error, duration_ms, at) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, d.channel_id).bind(2, d.outbox_id).bind(3, d.delivery_id).bind(4, d.event_type).bind(5, d.attempt);
  s.bind(6, d.outcome).bind(7, d.status_code).bind(8, d.error).bind(9, d.duration_ms).bind(10, d.at).run();
}

std::vector<AlertDelivery> list(Connection& c, int64_t channel_id, std::optional<int64_t> before_id, int64_t limit) {
  auto& s = c.prepare(
      "SELECT id, channel_id, outbox_id, delivery_id, event_type, attempt, outcome, status_code, error, duration_ms, at "
      "FROM alert_deliveries WHERE channel_id = ?1 AND (?2 IS NULL OR id < ?2) ORDER BY id DESC LIMIT ?3");
  s.bind(1, channel_id).bind(2, before_id).bind(3, limit);
  std::vector<AlertDelivery> out;
  while (s.step()) {
    AlertDelivery d;
    d.id = s.int64(0);
    d.channel_id = s.int64(1);
    d.outbox_id = s.opt_int64(2);
    d.delivery_id = s.text(3);
    d.event_type = s.text(4);
    d.attempt = s.int64(5);
    d.outcome = s.text(6);
    d.status_code = s.opt_int64(7);
    d.error = s.opt_text(8);
    d.duration_ms = s.int64(9);
    d.at = s.int64(10);
    out.push_back(std::move(d));
  }
  return out;
}

}  // namespace alert_deliveries
}  // namespace iron::store
