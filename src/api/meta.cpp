// The "meta" family: GET /api/v1/openapi.json, the contract (api/openapi_document.h) serialised
// once; GET /api/v1/version, the predecessor's API-version document, which its dashboard and SDK
// read; and the entry of GET /metrics, which the edge serves itself (server/metrics.h).
#include "api/openapi_document.h"
#include "api/routes.h"
#include "util/build_info.h"

namespace iron::api {

using namespace openapi;

namespace {

const Resource meta_op{.tag = "meta", .access = Auth::none};

// Public, like /health, which already shows the same build facts. There is no build timestamp
// (builds are reproducible) and no deployment "environment" setting, so those two are null.
json version_schema() {
  return object({{"current_version", one_of_strings({"v1"})},
                 {"supported_versions", array_of(str())},
                 {"deprecated_versions", array_of(str())},
                 {"latest_endpoint", str()},
                 {"build", object({{"version", str()},
                                   {"commit", described(str(), "build SHA")},
                                   {"timestamp", nullable(described(str(), "always null: builds are reproducible"))},
                                   {"environment", nullable(described(str(), "always null"))}},
                                  {"version", "commit", "timestamp", "environment"})}},
                {"current_version", "supported_versions", "deprecated_versions", "latest_endpoint", "build"});
}

Reply version(const Call&) {
  return json_response(200, {{"current_version", "v1"},
                             {"supported_versions", {"v1"}},
                             {"deprecated_versions", json::array()},
                             {"latest_endpoint", "/api/v1"},
                             {"build",
                              {{"version", util::build_version()},
                               {"commit", util::build_sha()},
                               {"timestamp", nullptr},
                               {"environment", nullptr}}}});
}

}  // namespace

std::vector<Endpoint> meta_endpoints() {
  std::vector<Endpoint> e;
  e.push_back({meta_op("GET", "/api/v1/openapi.json", "getOpenApi", "This OpenAPI 3.1 document")
                   .returns(200, described({{"type", "object"}}, "an OpenAPI 3.1 document"), "The API contract"),
               [](const Call&) -> Reply {
                 static const std::string body = openapi_document().dump();
                 Response r;
                 r.body = body;
                 r.header("Cache-Control", "no-cache");
                 return r;
               }});
  e.push_back({meta_op("GET", "/api/v1/version", "getApiVersion", "API versions and build (predecessor shape)")
                   .returns(200, version_schema()),
               version});
  e.push_back({meta_op("GET", "/metrics", "getMetrics", "Prometheus metrics")
                   .secured_by(json::array({json::object(), {{"metricsToken", json::array()}}}))
                   .returns_text("text/plain; version=0.0.4; charset=utf-8", "Metrics in the Prometheus text format")
                   .errors(401, {"AUTH_MISSING_TOKEN"}),
               nullptr});
  return e;
}

}  // namespace iron::api
