#pragma once
// Every API route of the server, by resource family (one file each in api/): each family
// declares its endpoints (endpoint.h) and all_routes() binds them to the services.
#include <vector>

#include "api/endpoint.h"
#include "api/http_types.h"
#include "api/services.h"

namespace iron::api {

std::vector<Endpoint> health_endpoints();
std::vector<Endpoint> meta_endpoints();  // openapi.json, /metrics
std::vector<Endpoint> version_endpoints();
std::vector<Endpoint> event_stream_endpoints();
std::vector<Endpoint> auth_endpoints();
std::vector<Endpoint> audit_endpoints();
std::vector<Endpoint> system_endpoints();
std::vector<Endpoint> user_endpoints();
std::vector<Endpoint> agent_endpoints();
std::vector<Endpoint> agent_credential_endpoints();  // IC tokens and leases of an agent
std::vector<Endpoint> budget_endpoints();            // the lease protocol
std::vector<Endpoint> key_fetch_endpoints();         // GET /keys, POST /agents/provider-key
std::vector<Endpoint> budget_request_endpoints();
std::vector<Endpoint> limit_endpoints();

// Families still registered and documented apart (legacy: being moved to endpoints).
void add_api_token_routes(std::vector<Route>& routes, Services& s);
void add_provider_routes(std::vector<Route>& routes, Services& s);
void add_analytics_routes(std::vector<Route>& routes, Services& s);
void add_usage_routes(std::vector<Route>& routes, Services& s);    // the predecessor's /usage reads

// Every declared endpoint, in the document's order.
std::vector<Endpoint> all_endpoints();
std::vector<Route> all_routes(Services& s);

}  // namespace iron::api
