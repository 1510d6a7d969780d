#include "server/http_server.h"

#include <httplib.h>
#include <sodium.h>

#include <algorithm>
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

// What dispatch learned about a request, for the access log written later on the same
// worker thread (httplib calls the logger after dispatch, from the same thread). Requests
// httplib rejects before dispatch (413, malformed) leave `owner` pointing elsewhere.
struct RequestTrace {
  const httplib::Request* owner = nullptr;
  std::string route;
  std::string client_ip;
};
thread_local RequestTrace t_trace;

std::optional<std::string> header_of(const httplib::Request& req, const char* name) {
  if (!req.has_header(name)) return std::nullopt;
  return req.get_header_value(name);
}

// httplib's set_header appends; these keep one header per name.
void replace_header(httplib::Response& res, const std::string& name, const std::string& value) {
  res.headers.erase(name);
  res.set_header(name, value);
}

// Adds a header; a second Vary is merged into the first (one Vary line, comma-separated).
void add_header(httplib::Response& res, const std::string& name, const std::string& value) {
  if (name == "Vary" && res.has_header("Vary")) {
    const std::string merged = res.get_header_value("Vary") + ", " + value;
    replace_header(res, "Vary", merged);
    return;
  }
  res.set_header(name, value);
}

// Requests served on one keep-alive connection before it is closed (and a fresh one opened).
constexpr size_t kMaxRequestsPerConnection = 1000;
// Worker threads beyond the connection limit, for the 503 answers to connections past it.
constexpr size_t kRefusalWorkers = 64;

// The methods the ".*" handlers below take; others get httplib's own answer.
bool known_method(const std::string& m) {
  return m == "GET" || m == "HEAD" || m == "POST" || m == "PUT" || m == "PATCH" || m == "DELETE" || m == "OPTIONS";
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
        http(edge_settings()) {
    for (auto& r : routes) router.add(std::move(r));
    if (c.metrics) add_metrics_route();
    configure();
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
    // httplib answers a URI over its 8 KiB limit with 414 itself once the head is read (with
    // the CORS and security headers of any response), but drops a line longer than its 32 KiB
    // line buffer without a word: the edge answers those, before that point.
    s.limits.max_request_line = CPPHTTPLIB_MAX_LINE_LENGTH - 1;
    s.limits.max_head_bytes = 64 * 1024;
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

  void configure() {
    // Only for the Keep-Alive response header: EdgeServer enforces both, and the read and
    // write timeouts (StreamLimits).
    http.set_keep_alive_timeout(config.keep_alive_timeout_s);
    http.set_keep_alive_max_count(kMaxRequestsPerConnection);
    http.set_payload_max_length(static_cast<size_t>(config.max_body_bytes));

    auto handler = [this](const httplib::Request& req, httplib::Response& res) { dispatch(req, res); };
    http.Get(".*", handler);
    http.Post(".*", handler);
    http.Put(".*", handler);
    http.Patch(".*", handler);
    http.Delete(".*", handler);
    http.Options(".*", handler);

    // Errors httplib produces itself (413 body too large, 400 malformed, 414) get the
    // JSON envelope too.
    http.set_error_handler([](const httplib::Request&, httplib::Response& res) {
      if (const Rejection* r = EdgeServer::current_rejection()) {  // 408, 400 framing, ...
        res.status = r->status;
        res.set_content(error_envelope(r->code, r->message), "application/json");
        return httplib::Server::HandlerResponse::Handled;
      }
      if (!res.body.empty() || res.is_chunked_content_provider_) return httplib::Server::HandlerResponse::Unhandled;
      std::string code = "BAD_REQUEST", message = "the request could not be parsed";
      if (res.status == 413) code = "PAYLOAD_TOO_LARGE", message = "the request body is larger than allowed";
      else if (res.status == 414) code = "URI_TOO_LONG", message = "the request URI is too long";
      else if (res.status == 431) code = "HEADERS_TOO_LARGE", message = "the request headers are too large";
      else if (res.status == 416) code = "RANGE_NOT_SATISFIABLE", message = "the requested range is invalid";
      else if (res.status >= 500) code = "INTERNAL", message = "internal error";
      else if (res.status != 400) return httplib::Server::HandlerResponse::Unhandled;
      res.set_content(error_envelope(code, message), "application/json");
      return httplib::Server::HandlerResponse::Handled;
    });
    http.set_exception_handler([](const httplib::Request&, httplib::Response& res, std::exception_ptr) {
      res.status = 500;
      res.set_content(R"({"error":{"code":"INTERNAL","message":"internal error","details":{}}})", "application/json");
    });
    // Requests the edge refused while reading them (bad framing) are answered here, before
    // any body is read. A declared body over the cap is refused before httplib starts
    // reading it, so a client cannot hold a worker by announcing a huge body and sending nothing.
    //
    // A request without a body is dispatched right here: httplib would otherwise match the
    // path against the ".*" handlers above with std::regex (a tenth of /health/live's cost,
    // docs/benchmarks.md). Requests with a body go on to httplib, which reads it first.
    http.set_pre_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (const Rejection* r = EdgeServer::current_rejection()) {
        res.status = r->status;
        return httplib::Server::HandlerResponse::Handled;  // the error handler writes the envelope
      }
      const size_t length = req.get_header_value_u64("Content-Length");
      if (length > static_cast<size_t>(config.max_body_bytes)) {
        res.status = 413;
        return httplib::Server::HandlerResponse::Handled;  // the error handler writes the envelope
      }
      if (length > 0 || req.has_header("Transfer-Encoding") || !known_method(req.method))
        return httplib::Server::HandlerResponse::Unhandled;
      dispatch(req, res);
      return httplib::Server::HandlerResponse::Handled;
    });
    // Runs for every response, including errors httplib raises before dispatch (400, 413,
    // 414): request id, CORS, and no Content-Length on 204/304. The security headers
    // (always_headers) are added by the edge's header writer.
    http.set_post_routing_handler([this](const httplib::Request& req, httplib::Response& res) {
      if (!res.has_header("X-Request-Id")) {
        const auto incoming = req.get_header_value("X-Request-Id");
        res.set_header("X-Request-Id", valid_request_id(incoming) ? incoming : new_request_id());
      }
      if (cors.enabled() && req.method != "OPTIONS" && !res.has_header("Access-Control-Allow-Origin")) {
        for (const auto& [k, v] : cors.response_headers(req.get_header_value("Origin"))) add_header(res, k, v);
      }
      if (res.status == 204 || res.status == 304) res.headers.erase("Content-Length");
      // Here rather than in httplib's logger, which it calls for every response under one
      // mutex for the whole server: at 128 connections that mutex took 0.2 futex calls per
      // request (gdb on the futex address: httplib's write_response_core). Still before
      // the response is written, so the line is out before the client has its answer.
      access_log(req, res);
    });
  }

  void access_log(const httplib::Request& req, const httplib::Response& res) {
    const double seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - req.start_time_).count();
    const bool traced = t_trace.owner == &req;
    const std::string_view route = traced ? std::string_view(t_trace.route) : "unmatched";
    const std::string_view client_ip = traced ? std::string_view(t_trace.client_ip) : std::string_view(req.remote_addr);
    t_trace.owner = nullptr;
    metrics.observe(req.method, route, res.status, seconds);
    if (!log::enabled(log::Level::info)) return;
    const size_t bytes = res.body.empty() ? res.content_length_ : res.body.size();
    const auto id = res.headers.find("X-Request-Id");
    log::write_fields(log::Level::info, "request",
                      {{"request_id", id == res.headers.end() ? std::string_view() : std::string_view(id->second)},
                       {"method", req.method},
                       {"path", req.path},
                       {"route", route},
                       {"status", int64_t{res.status}},
                       {"duration_ms", std::round(seconds * 100000.0) / 100.0},
                       {"bytes", static_cast<int64_t>(bytes)},
                       {"client_ip", client_ip}});
  }

  api::Request to_api_request(const httplib::Request& req, const std::string& path, const ClientOrigin& origin,
                              const std::string& request_id) const {
    api::Request out;
    out.method = req.method;
    out.path = path;
    out.body = req.body;
    out.client_ip = origin.ip;
    out.https = origin.https;
    out.request_id = request_id;
    out.base_path = config.base_path;
    out.headers.reserve(req.headers.size());
    for (const auto& [k, v] : req.headers) {
      std::string lower = k;
      std::transform(lower.begin(), lower.end(), lower.begin(), ::tolower);
      out.headers.emplace_back(std::move(lower), v);
    }
    for (const auto& [k, v] : req.params) out.query.emplace_back(k, v);
    return out;
  }

  // Strips the base path. Returns false (and fills `res`) when the request is outside it.
  bool strip_base(const httplib::Request& req, std::string& path, api::Response& res) const {
    const std::string& base = config.base_path;
    if (base == "/") {
      path = req.path;
      return true;
    }
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
    path = req.path.substr(bare.size());
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

  void dispatch(const httplib::Request& req, httplib::Response& res) {
    metrics.request_started();
    const std::string incoming_id = req.get_header_value("X-Request-Id");
    const std::string request_id = valid_request_id(incoming_id) ? incoming_id : new_request_id();
    const ClientOrigin origin =
        ip_resolver.resolve(req.remote_addr, header_of(req, "X-Forwarded-For"), header_of(req, "X-Real-IP"),
                            header_of(req, "X-Forwarded-Proto"));
    t_trace = {&req, "outside_base", origin.ip};

    api::Response out;
    std::string path;
    if (strip_base(req, path, out)) {
      api::Request areq = to_api_request(req, path, origin, request_id);
      out = route(areq, req.get_header_value("Origin"), t_trace.route);
      add_api_cache_control(path, out);
    }
    write(out, request_id, res);
    metrics.request_finished();
  }

  static void write(api::Response& out, const std::string& request_id, httplib::Response& res) {
    res.status = out.status;
    for (auto& [k, v] : out.headers) add_header(res, k, v);
    // Valid by construction (valid_request_id or new_request_id): no set_header validation.
    res.headers.emplace("X-Request-Id", request_id);
    if (out.stream) {
      auto provider = std::move(out.stream);
      res.set_chunked_content_provider(out.content_type, [provider](size_t, httplib::DataSink& sink) {
        provider([&sink](std::string_view chunk) {
          // An empty chunk only asks whether the client is still there (api/http_types.h).
          return sink.is_writable() && (chunk.empty() || sink.write(chunk.data(), chunk.size()));
        });
        sink.done();
        return true;
      });
      return;
    }
    if (out.status == 204 || out.status == 304) return;  // no body, no Content-Type
    if (!out.content_type.empty()) res.set_content(std::move(out.body), out.content_type);
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
