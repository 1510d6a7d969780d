// GET /api/v1/version: the predecessor's API-version document, which its
// dashboard and SDK read. Public, like /health, which already shows the same build facts.
// There is no build timestamp (builds are reproducible) and no deployment "environment"
// setting, so those two are null.
#include "api/endpoint.h"
#include "api/routes.h"
#include "util/build_info.h"

namespace iron::api {

using namespace openapi;

std::vector<Endpoint> version_endpoints() {
  std::vector<Endpoint> e;
  e.push_back({Op("GET", "/api/v1/version", "getApiVersion", "API versions and build (predecessor shape)")
                   .tagged("meta").auth(Auth::none)
                   .returns(200, object({{"current_version", one_of_strings({"v1"})},
                                         {"supported_versions", array_of(str())},
                                         {"deprecated_versions", array_of(str())},
                                         {"latest_endpoint", str()},
                                         {"build", object({{"version", str()},
                                                           {"commit", described(str(), "build SHA")},
                                                           {"timestamp", nullable(described(str(), "always null: builds are reproducible"))},
                                                           {"environment", nullable(described(str(), "always null"))}},
                                                          {"version", "commit", "timestamp", "environment"})}},
                                        {"current_version", "supported_versions", "deprecated_versions",
                                         "latest_endpoint", "build"})),
               [](const Call&) -> Reply {
                 return json_response(200, {{"current_version", "v1"},
                                            {"supported_versions", {"v1"}},
                                            {"deprecated_versions", nlohmann::json::array()},
                                            {"latest_endpoint", "/api/v1"},
                                            {"build",
                                             {{"version", util::build_version()},
                                              {"commit", util::build_sha()},
                                              {"timestamp", nullptr},
                                              {"environment", nullptr}}}});
               }});
  return e;
}

}  // namespace iron::api
