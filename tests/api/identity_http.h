#pragma once
// Small HTTP helpers shared by the identity API tests: one call = method + path + optional
// bearer token + optional body, answered as status + parsed JSON + raw body.
#include <gtest/gtest.h>

#include <atomic>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "support/server_process.h"

namespace iron::test::identity {

using nlohmann::json;

struct Reply {
  int status = 0;
  json body;        // null when the body is not JSON
  std::string raw;  // the body as sent
  httplib::Headers headers;
  std::string code() const {
    return body.is_object() && body.contains("error") ? body["error"].value("code", "") : "";
  }
  std::string header(const std::string& name) const {  // "" when absent
    const auto it = headers.find(name);
    return it == headers.end() ? "" : it->second;
  }
  std::string field() const {
    if (!body.is_object() || !body.contains("error")) return "";
    const auto& d = body["error"]["details"];
    return d.is_object() ? d.value("field", "") : "";
  }
};

struct Call {
  std::string method = "GET";
  std::string path;
  std::string token;                         // empty = no Authorization header
  std::optional<std::string> body;           // raw body; nullopt = none
  std::string content_type = "application/json";
  httplib::Headers headers;                  // extra headers (X-Request-Id, User-Agent, ...)
};

inline Reply send(const ServerProcess& server, const Call& c) {
  httplib::Request req;
  req.method = c.method;
  req.path = c.path;
  req.headers = c.headers;
  if (!c.token.empty()) req.headers.emplace("Authorization", "Bearer " + c.token);
  if (c.body) {
    req.body = *c.body;
    if (!c.content_type.empty()) req.headers.emplace("Content-Type", c.content_type);
  }
  auto res = server.client()->send(req);
  Reply r;
  if (!res) {
    ADD_FAILURE() << c.method << " " << c.path << ": no response (" << httplib::to_string(res.error()) << ")";
    return r;
  }
  r.status = res->status;
  r.raw = res->body;
  r.headers = res->headers;
  auto j = json::parse(res->body, nullptr, false);
  r.body = j.is_discarded() ? json(nullptr) : j;
  return r;
}

inline Reply get(const ServerProcess& s, const std::string& path, const std::string& token = "") {
  return send(s, {.method = "GET", .path = path, .token = token});
}
inline Reply with_json(const ServerProcess& s, const std::string& method, const std::string& path,
                       const std::string& token, const json& body, httplib::Headers headers = {}) {
  return send(s, {.method = method, .path = path, .token = token, .body = body.dump(), .headers = std::move(headers)});
}
inline Reply post(const ServerProcess& s, const std::string& path, const std::string& token, const json& body) {
  return with_json(s, "POST", path, token, body);
}
inline Reply put(const ServerProcess& s, const std::string& path, const std::string& token, const json& body = json::object()) {
  return with_json(s, "PUT", path, token, body);
}
inline Reply del(const ServerProcess& s, const std::string& path, const std::string& token) {
  return send(s, {.method = "DELETE", .path = path, .token = token});
}

// A fresh suffix per call so tests sharing one server never collide on usernames/emails.
inline std::string unique(const std::string& prefix) {
  static std::atomic<int> n{0};
  return prefix + std::to_string(++n);
}

inline Reply login_reply(const ServerProcess& s, const std::string& email, const std::string& password,
                         httplib::Headers headers = {}) {
  return with_json(s, "POST", "/api/v1/auth/login", "", {{"email", email}, {"password", password}}, std::move(headers));
}

// The access token (user_token) of a successful login; empty (and a test failure) otherwise.
inline std::string login(const ServerProcess& s, const std::string& email, const std::string& password) {
  const Reply r = login_reply(s, email, password);
  EXPECT_EQ(r.status, 200) << "login " << email << ": " << r.raw;
  return r.status == 200 ? r.body.value("user_token", "") : "";
}

struct Account {
  std::string id;
  std::string username;
  std::string email;
  std::string password;
  std::string token;  // filled by login_as
};

// A programmatic login's two tokens (access JWT, refresh token in the body).
struct Session {
  std::string access;
  std::string refresh;
};

inline Session start_session(const ServerProcess& s, const Account& a) {
  const Reply r = login_reply(s, a.email, a.password);
  EXPECT_EQ(r.status, 200) << r.raw;
  return {r.body.value("user_token", ""), r.body.value("refresh_token", "")};
}

inline Reply refresh_with(const ServerProcess& s, const std::string& refresh_token) {
  return post(s, "/api/v1/auth/refresh", "", {{"refresh_token", refresh_token}});
}

// Creates a user through the API as `admin_token`; the account's id is empty on failure.
inline Account create_account(const ServerProcess& s, const std::string& admin_token, const std::string& role,
                              const std::string& prefix = "u") {
  Account a;
  a.username = unique(prefix + "_" + role + "_");
  a.email = a.username + "@example.test";
  a.password = "pw-" + a.username + "-long-enough";
  const Reply r = post(s, "/api/v1/users", admin_token,
                       {{"username", a.username}, {"email", a.email}, {"password", a.password}, {"role", role}});
  EXPECT_EQ(r.status, 201) << r.raw;
  if (r.status == 201) a.id = r.body.value("id", "");
  return a;
}

inline Account login_as(const ServerProcess& s, Account a) {
  a.token = login(s, a.email, a.password);
  return a;
}

}  // namespace iron::test::identity
