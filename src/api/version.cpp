// GET /api/v1/version: the predecessor's API-version document, which its
// dashboard and SDK read. Public, like /health, which already shows the same build facts.
// There is no build timestamp (builds are reproducible) and no deployment "environment"
// setting, so those two are null.
#include "api/responses.h"
#include "api/routes.h"
#include "util/build_info.h"

namespace iron::api {

void add_version_routes(std::vector<Route>& routes, Services&) {
  routes.push_back({"GET", "/api/v1/version", [](const Request&) {
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
}

}  // namespace iron::api
