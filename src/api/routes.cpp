#include "api/routes.h"

#include "api/analytics_params.h"

namespace iron::api {

std::vector<Endpoint> all_endpoints() {
  std::vector<Endpoint> out;
  for (auto family : {health_endpoints, meta_endpoints, auth_endpoints, user_endpoints, api_token_endpoints,
                      audit_endpoints, event_stream_endpoints, agent_endpoints, agent_credential_endpoints,
                      budget_endpoints, provider_endpoints, key_fetch_endpoints, budget_request_endpoints,
                      limit_endpoints, analytics_ingest_endpoints, analytics_event_endpoints, analytics_endpoints,
                      analytics_trend_endpoints, usage_endpoints, version_endpoints, system_endpoints})
    for (auto& e : family()) out.push_back(std::move(e));
  return out;
}

std::vector<Route> all_routes(Services& s) {
  std::vector<Route> routes;
  for (auto& e : all_endpoints()) {
    if (!e.action) continue;  // served by the edge
    std::string method = e.doc.method, pattern = e.doc.pattern;
    routes.push_back({std::move(method), std::move(pattern), bind(s, std::move(e))});
  }
  return routes;
}

}  // namespace iron::api
