// GET /api/v1/openapi.json: the contract (api/openapi_document.h), serialised once.
#include "api/openapi_document.h"
#include "api/routes.h"

namespace iron::api {

void add_openapi_route(std::vector<Route>& routes) {
  routes.push_back({"GET", "/api/v1/openapi.json", [](const Request&) {
                      static const std::string body = openapi_document().dump();
                      Response r;
                      r.body = body;
                      r.header("Cache-Control", "no-cache");
                      return r;
                    }});
}

}  // namespace iron::api
