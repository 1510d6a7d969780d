#include "api/routes.h"

namespace iron::api {

std::vector<Route> all_routes(Services& s) {
  std::vector<Route> routes;
  add_health_routes(routes, s);
  add_auth_routes(routes, s);
  add_user_routes(routes, s);
  add_api_token_routes(routes, s);
  add_audit_routes(routes, s);
  add_event_stream_routes(routes, s);
  add_agent_routes(routes, s);
  add_budget_routes(routes, s);
  add_provider_routes(routes, s);
  add_key_fetch_routes(routes, s);
  add_budget_request_routes(routes, s);
  add_limit_routes(routes, s);
  add_analytics_routes(routes, s);
  add_usage_routes(routes, s);
  add_version_routes(routes, s);
  add_system_routes(routes, s);
  add_openapi_route(routes);
  return routes;
}

}  // namespace iron::api
