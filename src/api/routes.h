#pragma once
// Every API route of the server, by resource family (one file each in api/): each family
// declares its endpoints (endpoint.h); all_routes() binds them to the services and the
// OpenAPI document (openapi_document.h) is assembled from the same list.
#include <vector>

#include "api/endpoint.h"
#include "api/http_types.h"
#include "api/services.h"

namespace iron::api {

std::vector<Endpoint> health_endpoints();
std::vector<Endpoint> meta_endpoints();  // openapi.json, version, /metrics
std::vector<Endpoint> event_stream_endpoints();
std::vector<Endpoint> auth_endpoints();   // auth, the caller's own account, setup
std::vector<Endpoint> user_endpoints();
std::vector<Endpoint> api_token_endpoints();
std::vector<Endpoint> audit_endpoints();
std::vector<Endpoint> agent_endpoints();
std::vector<Endpoint> agent_credential_endpoints();  // IC tokens and leases of an agent
std::vector<Endpoint> budget_endpoints();            // the lease protocol
std::vector<Endpoint> provider_endpoints();          // provider keys, project assignment
std::vector<Endpoint> key_fetch_endpoints();         // GET /keys, POST /agents/provider-key
std::vector<Endpoint> budget_request_endpoints();
std::vector<Endpoint> limit_endpoints();
std::vector<Endpoint> analytics_endpoints();         // the period reads (analytics_params.h: the others)
std::vector<Endpoint> analytics_event_endpoints();   // the event log
std::vector<Endpoint> usage_endpoints();             // the predecessor's /usage reads
std::vector<Endpoint> system_endpoints();
std::vector<Endpoint> price_endpoints();             // the price catalogue, recalculation, cost differences
std::vector<Endpoint> alert_channel_endpoints();     // notification channels, test send, delivery log
std::vector<Endpoint> alert_rule_endpoints();

// Every declared endpoint, in the document's order.
std::vector<Endpoint> all_endpoints();
std::vector<Route> all_routes(Services& s);

}  // namespace iron::api
