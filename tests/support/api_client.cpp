#include "support/api_client.h"

#include <atomic>

namespace iron::test {

std::string Reply::header(const std::string& name) const {
  const auto it = headers.find(name);
  return it == headers.end() ? "" : it->second;
}

std::string Reply::code() const {
  return body.is_object() && body.contains("error") && body["error"].is_object() ? body["error"].value("code", "") : "";
}

std::string Reply::field() const {
  if (!body.is_object() || !body.contains("error") || !body["error"].is_object()) return "";
  const auto& details = body["error"]["details"];
  return details.is_object() ? details.value("field", "") : "";
}

Reply send(const ServerProcess& server, const Call& c) { return send(server.port(), c); }

Reply send(int port, const Call& c) {
  httplib::Request req;
  req.method = c.method;
  req.path = c.path;
  req.headers = c.headers;
  if (!c.token.empty()) req.headers.emplace("Authorization", "Bearer " + c.token);
  if (c.body) {
    req.body = *c.body;
    if (!c.content_type.empty()) req.headers.emplace("Content-Type", c.content_type);
  }
  // A client of its own: `port` may be a proxy's, not a ServerProcess's (same timeouts as
  // ServerProcess::client()).
  httplib::Client client("127.0.0.1", port);
  client.set_connection_timeout(5);
  client.set_read_timeout(20);
  auto res = client.send(req);
  if (!res) {
    if (!c.answer_required) return {};
    ADD_FAILURE() << c.method << " " << c.path << ": no response (" << httplib::to_string(res.error()) << ")";
    return {};
  }
  return reply_of(res);
}

Reply reply_of(const httplib::Result& res) {
  Reply r;
  if (!res) return r;
  r.status = res->status;
  r.raw = res->body;
  r.headers = res->headers;
  auto parsed = json::parse(res->body, nullptr, false);
  r.body = parsed.is_discarded() ? json(nullptr) : parsed;
  return r;
}

Reply call(const ServerProcess& server, const std::string& method, const std::string& path, const std::string& token,
           const json& body, httplib::Headers headers) {
  return call(server.port(), method, path, token, body, std::move(headers));
}

Reply call(int port, const std::string& method, const std::string& path, const std::string& token, const json& body,
           httplib::Headers headers) {
  Call c{.method = method, .path = path, .token = token, .headers = std::move(headers)};
  if (!body.is_null()) c.body = body.dump();
  return send(port, c);
}

void expect_error(const Reply& r, int status, const std::string& code, const std::string& field) {
  EXPECT_EQ(r.status, status) << r.raw;
  const bool envelope = r.body.is_object() && r.body.contains("error") && r.body["error"].is_object();
  ASSERT_TRUE(envelope) << "not the error envelope: " << r.raw;
  const json& error = r.body["error"];
  EXPECT_EQ(error.value("code", ""), code) << r.raw;
  EXPECT_TRUE(error.contains("message") && error["message"].is_string()) << r.raw;
  EXPECT_TRUE(error.contains("details") && error["details"].is_object()) << r.raw;
  if (!field.empty()) EXPECT_EQ(r.field(), field) << r.raw;
}

void expect_json_error(const httplib::Result& res, int status, const std::string& code) {
  ASSERT_TRUE(res) << "no response: " << httplib::to_string(res.error());
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json") << res->body;
  const Reply r = reply_of(res);
  expect_error(r, status, code);
  EXPECT_FALSE(r.body["error"].value("message", "").empty()) << r.raw;
}

void expect_bad_queries(const ServerProcess& server, const std::string& path, const std::string& token,
                        const std::vector<BadQuery>& cases) {
  for (const auto& c : cases) {
    SCOPED_TRACE(c.query);
    const Reply r = get(server, path + "?" + c.query, token);
    EXPECT_EQ(r.status, 400) << r.raw;
    EXPECT_EQ(r.field(), c.field) << r.raw;
  }
}

std::string unique(const std::string& prefix) {
  static std::atomic<int> n{0};
  return prefix + std::to_string(++n);
}

}  // namespace iron::test
