#include "store/audit_repo.h"

#include "store/table.h"

namespace iron::store::audit {

namespace {
const Table<AuditRow> kAuditLog = Table<AuditRow>("audit_log").key_assigned_on_insert() IRON_COLUMNS(
    AuditRow, id, at, actor_id, actor_type, action, entity_type, entity_id, before_json, after_json,
    request_id, client_ip, user_agent);
}  // namespace

void append(Connection& c, const AuditRow& r) { kAuditLog.insert(c, r); }

std::vector<AuditRow> list(Connection& c, const AuditFilter& f) {
  auto& s = c.prepare(kAuditLog.select() +
                      " WHERE (?1 IS NULL OR actor_id = ?1) AND (?2 IS NULL OR entity_type = ?2) "
                      "AND (?3 IS NULL OR entity_id = ?3) AND (?4 IS NULL OR action = ?4) AND (?5 IS NULL OR at >= ?5) "
                      "AND (?6 IS NULL OR at < ?6) AND (?7 IS NULL OR id < ?7) ORDER BY id DESC LIMIT ?8");
  s.bind(1, f.actor_id).bind(2, f.entity_type).bind(3, f.entity_id).bind(4, f.action).bind(5, f.from_ms);
  s.bind(6, f.to_ms).bind(7, f.before_id).bind(8, f.limit);
  return kAuditLog.all(s);
}

int64_t prune_before(Connection& c, int64_t cutoff_ms) {
  // The row with the largest id stays, however old: audit_log's id has no AUTOINCREMENT
  // (migration 019), so a new row takes max(id) + 1, and an id is never handed out twice
  // only while that row exists.
  auto& s = c.prepare("DELETE FROM audit_log WHERE at < ? AND id < (SELECT max(id) FROM audit_log)");
  s.bind(1, cutoff_ms).run();
  return c.changes();
}

}  // namespace iron::store::audit
