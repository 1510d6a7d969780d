#pragma once
// The API tests' one client over the real binary: a call is method + path + optional bearer
// token + optional body, the answer one Reply (status, parsed JSON, raw body, headers) that
// also reads the error envelope. Every API test talks to the server through this.
#include <gtest/gtest.h>

#include <optional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/server_process.h"

namespace iron::test {

using nlohmann::json;

struct Reply {
  int status = 0;   // 0: no response at all (a test failure has been recorded)
  json body;        // null when the body is not JSON
  std::string raw;  // the body as sent
  httplib::Headers headers;

  std::string header(const std::string& name) const;  // "" when absent
  std::string code() const;                           // error.code, "" when not an error
  std::string field() const;                          // error.details.field, "" when absent
};

struct Call {
  std::string method = "GET";
  std::string path;
  std::string token;                // empty = no Authorization header
  std::optional<std::string> body;  // raw body; nullopt = none
  std::string content_type = "application/json";
  httplib::Headers headers;         // extra headers (X-Request-Id, X-Forwarded-For, ...)
  // false: no response is an outcome the test counts (a server killed mid-request), not a failure.
  bool answer_required = true;
};

Reply send(const ServerProcess& server, const Call& call);
// The same, to whatever listens on a loopback port: a proxy in front of several servers
// (tests/support/round_robin_proxy.h).
Reply send(int port, const Call& call);
// The Reply of an answer received with the server's own httplib client; status 0 when none came.
Reply reply_of(const httplib::Result& res);

// A JSON call; a null `body` sends no body.
Reply call(const ServerProcess& server, const std::string& method, const std::string& path,
           const std::string& token = "", const json& body = nullptr, httplib::Headers headers = {});
Reply call(int port, const std::string& method, const std::string& path, const std::string& token = "",
           const json& body = nullptr, httplib::Headers headers = {});
inline Reply get(const ServerProcess& s, const std::string& path, const std::string& token = "") {
  return call(s, "GET", path, token);
}
inline Reply post(const ServerProcess& s, const std::string& path, const std::string& token, const json& body) {
  return call(s, "POST", path, token, body);
}
inline Reply put(const ServerProcess& s, const std::string& path, const std::string& token,
                 const json& body = json::object()) {
  return call(s, "PUT", path, token, body);
}
inline Reply del(const ServerProcess& s, const std::string& path, const std::string& token) {
  return call(s, "DELETE", path, token);
}

// The answer is the error envelope {"error":{"code","message","details"}} with this status and
// code, and (when given) details.field.
void expect_error(const Reply& r, int status, const std::string& code, const std::string& field = "");
// The same for an answer of the server's own httplib client, which must also be labelled
// application/json with a non-empty message (what a browser or proxy sees at the edge).
void expect_json_error(const httplib::Result& res, int status, const std::string& code);

// A query string a GET must refuse, and the parameter its 400 names in details.field.
struct BadQuery {
  std::string query;  // "name=value&..." without the "?"
  std::string field;
};
// GET `path`?query as `token` is a 400 error envelope naming the field, for every case.
void expect_bad_queries(const ServerProcess& server, const std::string& path, const std::string& token,
                        const std::vector<BadQuery>& cases);

// A fresh suffix per call so tests sharing one server never collide on names and emails.
std::string unique(const std::string& prefix);

}  // namespace iron::test
