// GET /api/v1/openapi.json: the contract (api/openapi_document.h), serialised once; and the
// entry of GET /metrics, which the edge serves itself (server/metrics.h).
#include "api/openapi_document.h"
#include "api/routes.h"

namespace iron::api {

using namespace openapi;

std::vector<Endpoint> meta_endpoints() {
  std::vector<Endpoint> e;
  e.push_back({Op("GET", "/api/v1/openapi.json", "getOpenApi", "This OpenAPI 3.1 document")
                   .tagged("meta").auth(Auth::none)
                   .returns(200, described({{"type", "object"}}, "an OpenAPI 3.1 document"), "The API contract"),
               [](const Call&) -> Reply {
                 static const std::string body = openapi_document().dump();
                 Response r;
                 r.body = body;
                 r.header("Cache-Control", "no-cache");
                 return r;
               }});
  e.push_back({Op("GET", "/metrics", "getMetrics", "Prometheus metrics")
                   .tagged("meta")
                   .secured_by(json::array({json::object(), {{"metricsToken", json::array()}}}))
                   .returns_text("text/plain; version=0.0.4; charset=utf-8", "Metrics in the Prometheus text format")
                   .errors(401, {"AUTH_MISSING_TOKEN"}),
               nullptr});
  return e;
}

}  // namespace iron::api
