#include "api/routes.h"

namespace iron::api {

std::vector<Route> all_routes(Services& s) {
  std::vector<Route> routes;
  add_health_routes(routes, s);
  add_auth_routes(routes, s);
  return routes;
}

}  // namespace iron::api
