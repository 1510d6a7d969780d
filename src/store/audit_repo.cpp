#include "store/audit_repo.h"

namespace iron::store::audit {

void append(Connection& c, const AuditRow& r) {
  auto& s = c.prepare(
      "INSERT INTO audit_log(at, actor_id, actor_type, action, entity_type, entity_id, before_json, after_json, "
      "request_id, client_ip, user_agent) VALUES(?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)");
  s.bind(1, r.at).bind(2, r.actor_id).bind(3, r.actor_type).bind(4, r.action).bind(5, r.entity_type);
  s.bind(6, r.entity_id).bind(7, r.before_json).bind(8, r.after_json).bind(9, r.request_id).bind(10, r.client_ip);
  s.bind(11, r.user_agent);
  s.run();
}

std::vector<AuditRow> list(Connection& c, const AuditFilter& f) {
  auto& s = c.prepare(
      "SELECT id, at, actor_id, actor_type, action, entity_type, entity_id, before_json, after_json, request_id, "
      "client_ip, user_agent FROM audit_log WHERE (?1 IS NULL OR actor_id = ?1) AND (?2 IS NULL OR entity_type = ?2) "
      "AND (?3 IS NULL OR entity_id = ?3) AND (?4 IS NULL OR action = ?4) AND (?5 IS NULL OR at >= ?5) "
      "AND (?6 IS NULL OR at < ?6) AND (?7 IS NULL OR id < ?7) ORDER BY id DESC LIMIT ?8");
  s.bind(1, f.actor_id).bind(2, f.entity_type).bind(3, f.entity_id).bind(4, f.action).bind(5, f.from_ms);
  s.bind(6, f.to_ms).bind(7, f.before_id).bind(8, f.limit);
  std::vector<AuditRow> out;
  while (s.step()) {
    AuditRow r;
    r.id = s.int64(0);
    r.at = s.int64(1);
    r.actor_id = s.opt_text(2);
    r.actor_type = s.text(3);
    r.action = s.text(4);
    r.entity_type = s.opt_text(5);
    r.entity_id = s.opt_text(6);
    r.before_json = s.opt_text(7);
    r.after_json = s.opt_text(8);
    r.request_id = s.opt_text(9);
    r.client_ip = s.opt_text(10);
    r.user_agent = s.opt_text(11);
    out.push_back(std::move(r));
  }
  return out;
}

int64_t prune_before(Connection& c, int64_t cutoff_ms) {
  auto& s = c.prepare("DELETE FROM audit_log WHERE at < ?");
  s.bind(1, cutoff_ms).run();
  return c.changes();
}

}  // namespace iron::store::audit
