// Health endpoints. /health/live never touches the database (a wedged DB must not get the
// process restarted in a loop by a liveness probe); /health/ready is what load balancers and
// the container HEALTHCHECK ask: DB reachable, schema current, not draining. A full disk is
// reported (checks.storage) but keeps the server ready: reads still work, and taking the only
// instance out of rotation would not free any space.
#include "api/endpoint.h"
#include "api/routes.h"
#include "domain/health.h"
#include "util/build_info.h"
#include "util/clock.h"

namespace iron::api {
namespace {

using namespace openapi;

json health_body(Services& s, bool db_ok) {
  const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - s.started);
  return {{"status", db_ok ? "ok" : "degraded"},
          {"version", iron::util::build_version()},
          {"build_sha", iron::util::build_sha()},
          {"uptime_s", uptime.count()},
          {"checks", {{"database", db_ok ? "ok" : "error"}}}};
}

Reply readiness(const Call& c) {
  const bool draining = c.s.draining.load();
  const auto db = domain::database_health(c.s.db);
  const bool ready = !draining && db.reachable && db.schema_current;
  Response r = json_response(ready ? 200 : 503, {{"status", ready ? "ready" : "not_ready"},
                                                 {"checks",
                                                  {{"database", db.reachable ? "ok" : "error"},
                                                   {"migrations", db.schema_current ? "ok" : "pending"},
                                                   {"draining", draining},
                                                   {"storage", db.storage_full ? "full" : "ok"}}}});
  if (!ready) r.header("Retry-After", "1");
  return r;
}

json plain(const std::string& description, const std::string& schema_name) {
  return {{"description", description}, {"content", {{"application/json", {{"schema", ref(schema_name)}}}}}};
}

Op health_op(std::string pattern, std::string id, std::string summary) {
  return Op("GET", std::move(pattern), std::move(id), std::move(summary)).tagged("health").auth(Auth::none);
}

}  // namespace

std::vector<Endpoint> health_endpoints() {
  std::vector<Endpoint> e;
  e.push_back({health_op("/health", "getHealth", "Health summary (database check, version, uptime)")
                   .returns(200, ref("Health"), "Healthy")
                   .plain_response(503, plain("The database is unreachable", "Health")),
               [](const Call& c) -> Reply {
                 const bool db_ok = domain::database_reachable(c.s.db);
                 return json_response(db_ok ? 200 : 503, health_body(c.s, db_ok));
               }});
  e.push_back({health_op("/health/live", "getLiveness", "Liveness probe (never touches the database)")
                   .returns(200, ref("Liveness"), "The process is alive"),
               [](const Call&) -> Reply {
                 Response r;  // written out rather than built as a json tree: probes call it often
                 r.body = R"({"status":"ok"})";
                 return r;
               }});
  e.push_back({health_op("/health/ready", "getReadiness", "Readiness probe: database reachable, schema current, not draining")
                   .returns(200, ref("Readiness"), "Ready for traffic")
                   .plain_response(503, {{"description", "Not ready (draining, database down or migrations pending)"},
                                         {"headers", {{"Retry-After", {{"$ref", "#/components/headers/RetryAfter"}}}}},
                                         {"content", {{"application/json", {{"schema", ref("Readiness")}}}}}}),
               readiness});
  // The predecessor's health route; its clients expect status "healthy" and a unix timestamp.
  e.push_back({health_op("/api/health", "getLegacyHealth", "Health in the predecessor's shape")
                   .returns(200, ref("LegacyHealth"), "Healthy")
                   .plain_response(503, plain("The database is unreachable", "LegacyHealth")),
               [](const Call& c) -> Reply {
                 const bool db_ok = domain::database_reachable(c.s.db);
                 auto body = health_body(c.s, db_ok);
                 body["status"] = db_ok ? "healthy" : "unhealthy";
                 body["timestamp"] = util::to_unix_s(util::now());
                 return json_response(db_ok ? 200 : 503, body);
               }});
  return e;
}

}  // namespace iron::api
