// Health endpoints. /health/live never touches the database (a wedged DB must not get the
// process restarted in a loop by a liveness probe); /health/ready is what load balancers and
// the container HEALTHCHECK ask: DB reachable, schema current, not draining.
#include "util/build_info.h"
#include "api/responses.h"
#include "api/routes.h"
#include "store/migrations.h"
#include "util/clock.h"

namespace iron::api {
namespace {

nlohmann::json health_body(Services& s, bool db_ok) {
  const auto uptime = std::chrono::duration_cast<std::chrono::seconds>(std::chrono::steady_clock::now() - s.started);
  return {{"status", db_ok ? "ok" : "degraded"},
          {"version", iron::util::build_version()},
          {"build_sha", iron::util::build_sha()},
          {"uptime_s", uptime.count()},
          {"checks", {{"database", db_ok ? "ok" : "error"}}}};
}

}  // namespace

void add_health_routes(std::vector<Route>& routes, Services& s) {
  routes.push_back({"GET", "/health", [&s](const Request&) {
                      const bool db_ok = s.db.ping();
                      return json_response(db_ok ? 200 : 503, health_body(s, db_ok));
                    }});
  routes.push_back({"GET", "/health/live", [](const Request&) { return json_response(200, {{"status", "ok"}}); }});
  routes.push_back({"GET", "/health/ready", [&s](const Request&) {
                      const bool draining = s.draining.load();
                      const bool db_ok = s.db.ping();
                      bool schema_ok = false;
                      if (db_ok) {
                        try {
                          schema_ok = s.db.schema_version() == store::latest_schema_version();
                        } catch (const std::exception&) {
                        }
                      }
                      const bool ready = !draining && db_ok && schema_ok;
                      Response r = json_response(ready ? 200 : 503,
                                                 {{"status", ready ? "ready" : "not_ready"},
                                                  {"checks",
                                                   {{"database", db_ok ? "ok" : "error"},
                                                    {"migrations", schema_ok ? "ok" : "pending"},
                                                    {"draining", draining}}}});
                      if (!ready) r.header("Retry-After", "1");
                      return r;
                    }});
  // The predecessor's health route; its clients expect status "healthy" and a unix timestamp.
  routes.push_back({"GET", "/api/health", [&s](const Request&) {
                      const bool db_ok = s.db.ping();
                      auto body = health_body(s, db_ok);
                      body["status"] = db_ok ? "healthy" : "unhealthy";
                      body["timestamp"] = util::to_unix_s(util::now());
                      return json_response(db_ok ? 200 : 503, body);
                    }});
}

}  // namespace iron::api
