#include "domain/audit.h"

#include "store/audit_repo.h"
#include "util/clock.h"

namespace iron::domain {

void audit(store::Connection& c, const RequestContext& ctx, const std::string& action, const std::string& entity_type,
           const std::string& entity_id, const nlohmann::json& before, const nlohmann::json& after) {
  store::AuditRow row;
  row.at = util::to_unix_ms(util::now());
  row.actor_id = ctx.actor_id;
  row.actor_type = ctx.actor_type;
  row.action = action;
  if (!entity_type.empty()) row.entity_type = entity_type;
  if (!entity_id.empty()) row.entity_id = entity_id;
  if (!before.is_null()) row.before_json = before.dump();
  if (!after.is_null()) row.after_json = after.dump();
  if (!ctx.request_id.empty()) row.request_id = ctx.request_id;
  if (!ctx.client_ip.empty()) row.client_ip = ctx.client_ip;
  if (!ctx.user_agent.empty()) row.user_agent = ctx.user_agent.substr(0, 512);
  store::audit::append(c, row);
}

}  // namespace iron::domain
