#pragma once
// The HTTP shapes api/ handlers see: plain structs filled by the edge (server/), so no
// resource handler depends on the HTTP library.
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace iron::api {

struct Request {
  std::string method;
  std::string path;                                     // relative to the base path, starts with '/'
  std::string route;                                    // the matched template, e.g. /api/v1/users/:id
  std::map<std::string, std::string> path_params;
  std::vector<std::pair<std::string, std::string>> query;
  std::vector<std::pair<std::string, std::string>> headers;  // names lower-cased
  std::string body;
  std::string client_ip;                                // resolved through trusted proxies
  std::string request_id;
  bool https = false;                                   // per X-Forwarded-Proto from a trusted proxy
  std::string base_path = "/";

  std::optional<std::string> header(std::string_view lower_name) const;
  std::optional<std::string> query_param(std::string_view name) const;
  const std::string& param(const std::string& name) const { return path_params.at(name); }
  std::string user_agent() const { return header("user-agent").value_or(""); }
};

// A body written incrementally (Server-Sent Events). `write` returns false once the client
// is gone; the provider returns when the stream should end. `write("")` sends nothing and
// only asks whether the client is still connected, so a provider that waits a long time
// between writes can notice a closed connection without waiting for its next write.
using StreamProvider = std::function<void(const std::function<bool(std::string_view)>& write)>;

struct Response;
// A response that is ready later: start(finish) begins the work and returns at once, and
// finish(response) is called exactly once, on whichever thread completed the work — maybe
// before start returns. The request stays alive until then (server/edge_server.h).
using Finish = std::function<void(Response)>;
using Deferred = std::function<void(const Finish& finish)>;

struct Response {
  int status = 200;
  std::string content_type = "application/json";
  std::string body;
  std::vector<std::pair<std::string, std::string>> headers;
  StreamProvider stream;  // when set, body is ignored and the response is chunked
  Deferred later;         // when set, everything else is ignored: the response comes through it

  Response& header(std::string name, std::string value) {
    headers.emplace_back(std::move(name), std::move(value));
    return *this;
  }
};

using Handler = std::function<Response(const Request&)>;

struct Route {
  std::string method;   // GET, POST, PUT, PATCH, DELETE
  std::string pattern;  // /api/v1/users/:id
  Handler handler;
};

}  // namespace iron::api
