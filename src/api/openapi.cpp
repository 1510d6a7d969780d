// Placeholder so the tree links while this resource family is being written.
#include "api/routes.h"

namespace iron::api {

void add_openapi_route(std::vector<Route>&) {}

}  // namespace iron::api
