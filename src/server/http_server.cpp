#include "server/http_server.h"

#include <sodium.h>

#include <algorithm>
#include <cmath>
#include <thread>

#include "api/responses.h"
#include "server/client_ip.h"
#include "server/cors.h"
#include "server/edge_server.h"
#include "server/listener.h"
#include "server/request_id.h"
#include "server/router.h"
#include "server/security_headers.h"
#include "util/log.h"

namespace iron::server {
namespace {

bool has_header(const api::Response& res, std::string_view name) {
  return std::any_of(res.headers.begin(), res.headers.end(), [&](const auto& h) { return h.first == name; });
}

// Adds a header; a second Vary is merged into the first (one Vary line, comma-separated).
void add_header(api::Response& res, const std::string& name, const std::string& value) {
  if (name == "Vary") {
    for (auto& [k, v] : res.headers)
      if (k == "Vary") {
        v += ", " + value;
        return;
      }
  }
  res.header(name, value);
}

// Requests served on one keep-alive connection before it is closed (and a fresh one opened).
constexpr size_t kMaxRequestsPerConnection = 1000;
// Worker threads beyond the connection limit, for the 503 answers to connections past it.
constexpr size_t kRefusalWorkers = 64;

// The method as a metrics label: any token is routed (and answered 405 or 404), but only
// the methods served get a series of their own, so requests cannot grow the metrics.
std::string_view method_label(const std::string& method) {
  for (const char* m : {"GET", "HEAD", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"})
    if (method == m) return method;
  return "OTHER";
}

bool is_api_like(const std::string& path) {
  return path == "/api" || path.rfind("/api/", 0) == 0 || path == "/health" || path.rfind("/health/", 0) == 0 ||
         path == "/metrics";
}

}  // namespace

struct HttpServer::Impl {
  const config::Config& config;
  Router router;
  StaticHandler static_site;
  std::function<std::pair<int64_t, int64_t>()> db_sizes;
  ClientIpResolver ip_resolver;
  CorsPolicy cors;
  Metrics metrics;
  std::vector<std::pair<std::string, std::string>> always_headers;
  size_t connection_limit;  // IRON_MAX_CONNECTIONS, or less when descriptors run short
  EdgeServer http;

  Impl(const config::Config& c, std::vector<api::Route> routes, StaticHandler site,
       std::function<std::pair<int64_t, int64_t>()> sizes)
      : config(c),
        static_site(std::move(site)),
        db_sizes(std::move(sizes)),
        ip_resolver([&] {
          std::string err;
          return *util::parse_cidr_list(c.trusted_proxies, err);  // validated by config::validate
        }()),
        cors(c.cors_origins),
        always_headers(security_headers(c.hsts)),
        connection_limit(fit_connection_limit(static_cast<size_t>(c.max_connections))),
        http(edge_settings(), [this](Exchange& ex) { return handle(ex); }) {
    for (auto& r : routes) router.add(std::move(r));
    if (c.metrics) add_metrics_route();
  }

  // One worker per open connection, up to the connection limit, plus a few for answering
  // connections past it with 503.
  size_t max_workers() const { return connection_limit + kRefusalWorkers; }

  // Every connection is a descriptor, and so is every connection being refused,
  // the database and its WAL: past the open-file limit accept() fails and new clients
  // stall unanswered, so the limit is raised to fit, or the connection limit lowered to it.
  static size_t fit_connection_limit(size_t wanted) {
    const size_t reserve = kRefusalWorkers + 64;  // refusals, files
    const size_t fds = raise_open_files_limit(wanted + reserve);
    if (fds >= wanted + reserve) return wanted;
    const size_t fitted = fds > reserve + 16 ? fds - reserve : 16;
    log::warn("connection limit lowered to fit the open-file limit",
              {{"max_connections", wanted}, {"open_files", fds}, {"connection_limit", fitted}});
    return fitted;
  }

  // Limits on slow and greedy clients (docs/deploy.md, "Connections and slow clients").
  EdgeSettings edge_settings() const {
    EdgeSettings s;
    // A target over kMaxTargetBytes is answered 414 once the head is read, with the CORS
    // headers; a request line so long it is surely not a browser's is refused as it arrives.
    s.limits.max_request_line = 32 * 1024 - 1;
    s.limits.max_head_bytes = 64 * 1024;
    s.max_body_bytes = static_cast<size_t>(config.max_body_bytes);
    s.keep_alive = std::chrono::seconds(config.keep_alive_timeout_s);
    s.keep_alive_max_requests = kMaxRequestsPerConnection;
    // One address may hold as many connections as there are base workers: browsers open
    // about six, so a handful of people behind one NAT fit, while one slow or greedy client
    // can no longer occupy the whole pool. Proxies are exempt: they carry everyone.
    s.max_connections_per_address = static_cast<size_t>(config.threads);
    s.uncapped = [this](const std::string& ip) { return ip_resolver.is_trusted_proxy(ip); };
    s.max_connections = connection_limit;
    // Heads get 2 s instead of 10 s once three quarters of the connection limit are open:
    // slow heads from many addresses then churn out quickly.
    s.pressure_connections = s.max_connections * 3 / 4;
    s.headers = always_headers;
    return s;
  }

  void add_metrics_route() {
    router.add({"GET", "/metrics", [this](const api::Request& req) {
                  if (!config.metrics_token.empty()) {
                    const std::string expected = "Bearer " + config.metrics_token;
                    const std::string got = req.header("authorization").value_or("");
                    if (got.size() != expected.size() || sodium_memcmp(got.data(), expected.data(), got.size()) != 0)
                      return api::error_response(
                          Error::unauthenticated("AUTH_MISSING_TOKEN", "metrics require the metrics bearer token"));
                  }
                  const auto [db, wal] = db_sizes();
                  api::Response r;
                  r.content_type = "text/plain; version=0.0.4; charset=utf-8";
                  r.body = metrics.render(db, wal);
                  return r;
                }});
  }

  // Metrics and the access log line, written before the response so the line is out before
  // the client has its answer.
  void access_log(const Exchange& ex, const api::Response& res, std::string_view route) {
    const api::Request& req = ex.request;
    const double seconds = std::chrono::duration<double>(std::chrono::steady_clock::now() - ex.started).count();
    metrics.observe(method_label(req.method), route, res.status, seconds);
    if (!log::enabled(log::Level::info)) return;
    log::write_fields(log::Level::info, "request",
                      {{"request_id", req.request_id},
                       {"method", req.method},
                       {"path", req.path},
                       {"route", route},
                       {"status", int64_t{res.status}},
                       {"duration_ms", std::round(seconds * 100000.0) / 100.0},
                       {"bytes", static_cast<int64_t>(res.body.size())},
                       {"client_ip", req.client_ip}});
  }

  // Strips the base path from req.path. Returns false (and fills `res`) when the request is
  // outside it.
  bool strip_base(api::Request& req, api::Response& res) const {
    const std::string& base = config.base_path;
    if (base == "/") return true;
    const std::string bare = base.substr(0, base.size() - 1);  // "/panel"
    if (req.path == bare) {
      res = api::Response{};
      res.status = 308;
      res.content_type.clear();
      res.header("Location", base);
      return false;
    }
    if (req.path.rfind(base, 0) != 0) {
      res = api::error_response({ErrorKind::not_found, "NOT_FOUND", "nothing is served outside " + base, {}, 0});
      return false;
    }
    req.path.erase(0, bare.size());
    return true;
  }

  api::Response route(api::Request& areq, const std::string& origin_header, std::string& route_label) {
    // CORS preflight
    if (areq.method == "OPTIONS") {
      route_label = "preflight";
      api::Response r;
      r.status = 204;
      r.content_type.clear();
      if (cors.enabled() && areq.header("access-control-request-method")) {
        if (auto h = cors.preflight_headers(origin_header)) r.headers = *h;
        return r;
      }
      auto m = router.match("GET", areq.path);
      std::vector<std::string> allowed = m.route ? std::vector<std::string>{"GET"} : m.allowed_methods;
      if (m.route) {
        for (const char* verb : {"POST", "PUT", "PATCH", "DELETE"})
          if (router.match(verb, areq.path).route) allowed.push_back(verb);
      }
      if (allowed.empty() && is_api_like(areq.path))
        return api::error_response(Error::not_found("route"), areq.request_id);
      if (allowed.empty()) allowed = {"GET"};  // static paths
      std::string allow = "OPTIONS";
      for (const auto& a : allowed) allow += ", " + a + (a == "GET" ? ", HEAD" : "");
      r.header("Allow", allow);
      return r;
    }
    auto match = router.match(areq.method, areq.path);
    if (match.route) {
      route_label = match.route->pattern;
      areq.route = match.route->pattern;
      areq.path_params = std::move(match.params);
      try {
        return match.route->handler(areq);
      } catch (const std::exception& e) {
        log::error("unhandled error", {{"request_id", areq.request_id}, {"route", route_label}, {"error", e.what()}});
        return api::error_response(Error::internal(), areq.request_id);
      }
    }
    if (!match.allowed_methods.empty()) {
      route_label = "method_not_allowed";
      std::string allow;
      for (const auto& a : match.allowed_methods) allow += (allow.empty() ? "" : ", ") + a + (a == "GET" ? ", HEAD" : "");
      auto r = api::error_response({ErrorKind::method_not_allowed, "METHOD_NOT_ALLOWED",
                                    areq.method + " is not allowed here", {{"allow", allow}}, 0});
      r.header("Allow", allow);
      return r;
    }
    if (is_api_like(areq.path)) {
      route_label = "unmatched";
      return api::error_response({ErrorKind::not_found, "NOT_FOUND", "no such endpoint: " + areq.path, {}, 0});
    }
    route_label = "static";
    return static_site(areq);
  }

  // Every request the edge has read, including those it refused: request id, client IP,
  // base path, routing, CORS, access log.
  api::Response handle(Exchange& ex) {
    metrics.request_started();
    api::Request& req = ex.request;
    const auto incoming_id = req.header("x-request-id");
    req.request_id = incoming_id && valid_request_id(*incoming_id) ? *incoming_id : new_request_id();
    const ClientOrigin origin = ip_resolver.resolve(ex.peer_ip, req.header("x-forwarded-for"),
                                                    req.header("x-real-ip"), req.header("x-forwarded-proto"));
    req.client_ip = origin.ip;
    req.https = origin.https;
    req.base_path = config.base_path;
    const std::string origin_header = req.header("origin").value_or("");

    api::Response out;
    Answered how{origin_header, "outside_base", false};
    if (ex.refused) {
      how.route_label = "unmatched";
      out.status = ex.refused->status;
      out.body = error_envelope(ex.refused->code, ex.refused->message);
    } else if (strip_base(req, out)) {
      how.routed = true;
      out = route(req, origin_header, how.route_label);
    }
    if (!out.later) return finish(ex, std::move(out), how);
    // Answered later (a write waiting for its group commit): the same finish then, on the
    // thread that completes it; the edge keeps `ex` until it has.
    api::Response deferred;
    deferred.later = [this, &ex, how = std::move(how), start = std::move(out.later)](const api::Finish& done) {
      start([this, &ex, how, done](api::Response r) { done(finish(ex, std::move(r), how)); });
    };
    return deferred;
  }

  struct Answered {
    std::string origin_header;
    std::string route_label;
    bool routed;  // inside the base path, not refused by the edge
  };

  // What every answer gets: caching rules, the request id, CORS, the access log and metrics.
  api::Response finish(const Exchange& ex, api::Response out, const Answered& how) {
    const api::Request& req = ex.request;
    const std::string& origin_header = how.origin_header;
    if (how.routed) add_api_cache_control(req.path, out);
    // Valid by construction (valid_request_id or new_request_id).
    out.header("X-Request-Id", req.request_id);
    if (cors.enabled() && req.method != "OPTIONS" && !has_header(out, "Access-Control-Allow-Origin")) {
      for (const auto& [k, v] : cors.response_headers(origin_header)) add_header(out, k, v);
    }
    access_log(ex, out, how.route_label);
    metrics.request_finished();
    return out;
  }
};

HttpServer::HttpServer(const config::Config& config, std::vector<api::Route> routes, StaticHandler static_site,
                       std::function<std::pair<int64_t, int64_t>()> db_sizes)
    : impl_(std::make_unique<Impl>(config, std::move(routes), std::move(static_site), std::move(db_sizes))) {}

HttpServer::~HttpServer() = default;

int HttpServer::bind() {
  const BoundSocket socket = open_listener(impl_->config.listen_host, impl_->config.listen_port);
  impl_->http.adopt(socket);
  return socket.port;
}

// As many threads wait for events as there are cores (nginx's `worker_processes auto`), at most
// --threads: more sleeping waiters meant one of them was woken for nearly every request (0.93
// context switches per request with 16, 0.03 with 2; docs/benchmarks.md, "Sixth pass").
void HttpServer::run() {
  const size_t cores = std::max(2u, std::thread::hardware_concurrency());
  impl_->http.run(std::min(static_cast<size_t>(impl_->config.threads), cores), impl_->max_workers());
}

void HttpServer::stop() { impl_->http.drain(); }

std::vector<std::pair<std::string, std::string>> HttpServer::route_list() const {
  std::vector<std::pair<std::string, std::string>> out;
  for (const auto& r : impl_->router.routes()) out.emplace_back(r.method, r.pattern);
  return out;
}

}  // namespace iron::server
