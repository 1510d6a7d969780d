#pragma once
// The HTTP edge: the EdgeServer configured for production (sized pool, short keep-alive,
// timeouts, body cap, connection limits), one dispatch path for every request (request id,
// client IP, base path, CORS, routing, static fallback), security headers, access log,
// metrics.
#include <atomic>
#include <functional>
#include <memory>
#include <string>
#include <vector>

#include "api/http_types.h"
#include "config/config.h"
#include "server/metrics.h"

namespace iron::server {

using StaticHandler = std::function<api::Response(const api::Request&)>;

class HttpServer {
 public:
  HttpServer(const config::Config& config, std::vector<api::Route> routes, StaticHandler static_site,
             std::function<std::pair<int64_t, int64_t>()> db_sizes);
  ~HttpServer();

  // Binds the listening socket; returns the bound port. Throws ListenError (naming the
  // address and the reason) when it cannot.
  int bind();
  // Serves until stop(); returns after in-flight requests have finished.
  void run();
  // Stops accepting (waiting for run() to have started, so an early SIGTERM is not lost);
  // idle keep-alive connections close after a short grace for a request already on its way,
  // clients stuck sending headers get 503, busy connections close after their response,
  // which says `Connection: close`.
  void stop();
  // Route templates registered (for the OpenAPI completeness test).
  std::vector<std::pair<std::string, std::string>> route_list() const;

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace iron::server
