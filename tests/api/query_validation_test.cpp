// Query parameters decoded from their field tables (src/api/query.h): a value at a bound is
// accepted, one past it or of the wrong shape is 400 in the envelope naming the parameter.
// One row per parameter family the other suites do not already cover this way (users, audit,
// limits, usage, leases, the event log's filters and cursor, project owners).
#include <string>
#include <vector>

#include "support/panel.h"
#include "support/scenario.h"

namespace iron::test {
namespace {

class QueryValidation : public PanelSuite {};

Scenario ok(std::string name, const std::string& principal, std::string path) {
  return {.name = std::move(name), .principal = principal, .path = std::move(path), .status = 200};
}
Scenario bad(std::string name, const std::string& principal, std::string path, std::string field,
             std::string code = "VALIDATION_ERROR") {
  return {.name = std::move(name), .principal = principal, .path = std::move(path), .status = 400,
          .code = std::move(code), .field = std::move(field)};
}

TEST_F(QueryValidation, UsersList) {
  const std::string base = "/api/v1/users";
  run_scenarios(server(), {
      ok("every filter at its bound", admin(), base + "?role=viewer&is_active=false&search=&page=1000000000&page_size=100"),
      bad("unknown role", admin(), base + "?role=owner", "role"),
      bad("is_active not a boolean", admin(), base + "?is_active=yes", "is_active"),
      bad("search of 256 characters", admin(), base + "?search=" + std::string(256, 's'), "search"),
      bad("search with a control character", admin(), base + "?search=a%01b", "search"),
      bad("page 0", admin(), base + "?page=0", "page"),
      bad("page past its bound", admin(), base + "?page=1000000001", "page"),
      bad("page_size 101", admin(), base + "?page_size=101", "page_size"),
      bad("page_size not a number", admin(), base + "?page_size=ten", "page_size"),
  });
}

TEST_F(QueryValidation, AuditLog) {
  const std::string base = "/api/v1/audit";
  run_scenarios(server(), {
      ok("filters at their bounds", admin(),
         base + "?entity_type=" + std::string(255, 'e') + "&from=2026-01-01T00:00:00Z&limit=200"),
      bad("empty actor_id", admin(), base + "?actor_id=", "actor_id"),
      bad("action of 256 characters", admin(), base + "?action=" + std::string(256, 'a'), "action"),
      bad("from not RFC 3339", admin(), base + "?from=yesterday", "from"),
      bad("to not RFC 3339", admin(), base + "?to=2026-13-01", "to"),
      bad("cursor not an id", admin(), base + "?cursor=abc", "cursor", "INVALID_CURSOR"),
      bad("cursor 0", admin(), base + "?cursor=0", "cursor", "INVALID_CURSOR"),
      bad("limit 0", admin(), base + "?limit=0", "limit"),
      bad("limit 201", admin(), base + "?limit=201", "limit"),
  });
}

TEST_F(QueryValidation, LimitsAndProjects) {
  run_scenarios(server(), {
      ok("limits of one user", admin(), "/api/v1/limits?user_id=" + admin_id()),
      bad("limits: empty user_id", admin(), "/api/v1/limits?user_id=", "user_id"),
      bad("limit usage: user_id of 256 characters", admin(), "/api/v1/limits/usage?user_id=" + std::string(256, 'u'),
          "user_id"),
      {.name = "unassign: empty owner_id", .principal = admin(), .method = "DELETE",
       .path = "/api/v1/projects/prod/provider?owner_id=", .status = 400, .code = "VALIDATION_ERROR", .field = "owner_id"},
  });
}

TEST_F(QueryValidation, UsageReads) {
  const std::string base = "/api/v1/usage/aggregate";
  run_scenarios(server(), {
      ok("a custom range, one agent, one provider", admin(),
         base + "?from=2026-01-01&to=2026-01-31&agent_id=1&provider=openai"),
      bad("unknown period", admin(), base + "?period=fortnight", "period"),
      bad("period with from", admin(), base + "?period=today&from=2026-01-01", "period"),
      bad("agent_id 0", admin(), base + "?agent_id=0", "agent_id"),
      bad("provider of 65 characters", admin(), base + "?provider=" + std::string(65, 'p'), "provider"),
  });
}

TEST_F(QueryValidation, AgentLeasesAndEventLog) {
  const int64_t agent = panel().add_agent(admin_id());
  const std::string leases = agent_path(agent, "/leases");
  run_scenarios(server(), {
      ok("leases: status and page at their bounds", admin(), leases + "?status=revoked&page=1&per_page=200"),
      bad("leases: unknown status", admin(), leases + "?status=open", "status"),
      bad("leases: per_page 201", admin(), leases + "?per_page=201", "per_page"),
      ok("events: filters at their bounds", admin(),
         "/api/v1/analytics/events?model=" + std::string(200, 'm') + "&type=llm_request_failed&limit=200"),
      bad("events: model of 201 characters", admin(), "/api/v1/analytics/events?model=" + std::string(201, 'm'), "model"),
      bad("events: unknown type", admin(), "/api/v1/analytics/events/list?type=llm_request_started", "type"),
      bad("events: cursor without a dot", admin(), "/api/v1/analytics/events?cursor=12", "cursor", "INVALID_CURSOR"),
      bad("events/list: per_page 0", admin(), "/api/v1/analytics/events/list?per_page=0", "per_page"),
  });
}

}  // namespace
}  // namespace iron::test
