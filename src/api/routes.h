#pragma once
// Every API route of the server, by resource family (one file each in api/).
#include <vector>

#include "api/http_types.h"
#include "api/services.h"

namespace iron::api {

void add_health_routes(std::vector<Route>& routes, Services& s);
void add_auth_routes(std::vector<Route>& routes, Services& s);
void add_user_routes(std::vector<Route>& routes, Services& s);
void add_api_token_routes(std::vector<Route>& routes, Services& s);
void add_audit_routes(std::vector<Route>& routes, Services& s);
void add_event_stream_routes(std::vector<Route>& routes, Services& s);
void add_agent_routes(std::vector<Route>& routes, Services& s);   // agents and their IC tokens
void add_budget_routes(std::vector<Route>& routes, Services& s);  // the lease protocol
void add_provider_routes(std::vector<Route>& routes, Services& s);
void add_key_fetch_routes(std::vector<Route>& routes, Services& s);  // GET /keys, POST /agents/provider-key
void add_budget_request_routes(std::vector<Route>& routes, Services& s);
void add_limit_routes(std::vector<Route>& routes, Services& s);
void add_analytics_routes(std::vector<Route>& routes, Services& s);
void add_usage_routes(std::vector<Route>& routes, Services& s);    // the predecessor's /usage reads
void add_version_routes(std::vector<Route>& routes, Services& s);  // GET /api/v1/version
void add_system_routes(std::vector<Route>& routes, Services& s);   // GET /api/v1/system, /system/backup
// The OpenAPI document of `routes` (GET /api/v1/openapi.json); registered last.
void add_openapi_route(std::vector<Route>& routes);

std::vector<Route> all_routes(Services& s);

}  // namespace iron::api
