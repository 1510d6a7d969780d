#pragma once
// Adapts web::StaticSite (the dashboard's serving rules) to the edge's request/response.
#include <memory>

#include "server/http_server.h"
#include "web/static_site.h"

namespace iron::server {

StaticHandler make_static_handler(std::shared_ptr<const web::StaticSite> site);

}  // namespace iron::server
