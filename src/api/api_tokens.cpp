// Placeholder so the tree links while this resource family is being written.
#include "api/routes.h"

namespace iron::api {

void add_api_token_routes(std::vector<Route>&, Services&) {}

}  // namespace iron::api
