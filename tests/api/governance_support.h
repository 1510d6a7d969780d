#pragma once
// Shared setup for the governance API tests: one real server with a bootstrapped admin,
// JSON calls over HTTP, and non-admin users inserted straight into iron.db (TEST SETUP ONLY:
// the users routes are written in parallel; every behaviour under test goes over HTTP).
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <regex>
#include <string>

#include "domain/budget_ledger.h"
#include "security/password.h"
#include "security/random.h"
#include "store/data_dir.h"
#include "store/database.h"
#include "store/sqlite.h"
#include "store/user_repo.h"
#include "support/server_process.h"
#include "util/clock.h"

namespace gov {

using nlohmann::json;

inline constexpr const char* kAdminEmail = "root@example.test";
inline constexpr const char* kAdminPassword = "admin-password-0123";
inline constexpr const char* kUserPassword = "user-password-0123";

struct Resp {
  int status = 0;
  json body;
  std::string raw;
  std::string retry_after;
};

struct User {
  std::string id;
  std::string access;
};

inline const std::string kIpKey(64, 'a');  // IRON_IP_TOKEN_KEY for the tests: 32 bytes of 0xaa

class Panel {
 public:
  Panel()
      : server_(iron::test::ServerProcess::Options{
            .extra_args = {},
            .env = {{"IRON_ADMIN_EMAIL", kAdminEmail},
                    {"IRON_ADMIN_PASSWORD", kAdminPassword},
                    {"IRON_IP_TOKEN_KEY", kIpKey}},
            .data_dir = ""}) {
    admin.access = login(kAdminEmail, kAdminPassword);
    admin.id = call("GET", "/api/v1/me", admin.access).body.value("id", "");
  }

  Resp call(const std::string& method, const std::string& path, const std::string& bearer = "",
            const json& body = nullptr) {  // null = no body
    httplib::Request req;
    req.method = method;
    req.path = path;
    if (!bearer.empty()) req.headers.emplace("Authorization", "Bearer " + bearer);
    if (!body.is_null()) {
      req.body = body.dump();
      req.headers.emplace("Content-Type", "application/json");
    }
    return send(req);
  }

  // A request with a raw (possibly non-JSON) body.
  Resp call_raw(const std::string& method, const std::string& path, const std::string& bearer, const std::string& body) {
    httplib::Request req;
    req.method = method;
    req.path = path;
    req.headers.emplace("Authorization", "Bearer " + bearer);
    req.body = body;
    req.headers.emplace("Content-Type", "application/json");
    return send(req);
  }

  // Test setup: the server's database file, opened by the test process (SQLite serialises
  // the writers), for domain calls that have no route or to inspect state.
  iron::store::Database& db() {
    if (!db_) db_ = std::make_unique<iron::store::Database>(iron::store::database_path(server_.data_dir()));
    return *db_;
  }
  iron::domain::BudgetLedger ledger() { return iron::domain::BudgetLedger(db(), {}); }

  // Test setup: an agent with its budget row straight through the domain.
  int64_t add_agent(const std::string& owner_id, int64_t micros, const std::string& name = "agent") {
    auto created = ledger().create_agent(name, owner_id, micros, iron::domain::RequestContext::system());
    EXPECT_TRUE(created.ok());
    return created.ok() ? created->agent.id : 0;
  }

  std::string login(const std::string& email, const std::string& password) {
    auto r = call("POST", "/api/v1/auth/login", "", json{{"email", email}, {"password", password}});
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body.value("user_token", "");
  }

  User add_user(const std::string& role, const std::string& label) {
    static const std::string hash = [] {
      iron::security::init();
      return iron::security::hash_password(kUserPassword);
    }();
    iron::store::User row;
    row.id = "user_" + iron::security::uuid_v4();
    row.username = label;
    row.email = label + "@example.test";
    row.password_hash = hash;
    row.role = role;
    row.created_at = row.updated_at = iron::util::to_unix_ms(iron::util::now());
    {
      iron::store::Connection c(iron::store::database_path(server_.data_dir()), false);
      iron::store::apply_connection_pragmas(c);
      iron::store::users::insert(c, row);
    }
    return {row.id, login(row.email, kUserPassword)};
  }

  // A provider key owned by `owner` (created over HTTP with the owner's token).
  int64_t add_key(const User& owner, const std::string& provider = "openai", const std::string& secret = "sk-test-0123456789abcdef") {
    auto r = call("POST", "/api/v1/providers", owner.access, json{{"provider", provider}, {"api_key", secret}});
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body.value("id", int64_t{0});
  }

  json create_agent(const json& body) {
    auto r = call("POST", "/api/v1/agents", admin.access, body);
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body;
  }

  std::string ic_token(int64_t agent_id, const std::string& bearer = "") {
    auto r = call("POST", "/api/v1/agents/" + std::to_string(agent_id) + "/ic-token", bearer.empty() ? admin.access : bearer);
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body.value("ic_token", "");
  }

  // GET /agents/:id budget, asserting allocated = spent + reserved + remaining.
  json budget(int64_t agent_id) {
    auto r = call("GET", "/api/v1/agents/" + std::to_string(agent_id), admin.access);
    EXPECT_EQ(r.status, 200) << r.raw;
    const json b = r.body["budget"];
    EXPECT_EQ(b.value("allocated", -1),
              b.value("spent", 0) + b.value("reserved", 0) + b.value("remaining", 0)) << b.dump();
    return b;
  }

  iron::test::ServerProcess& server() { return server_; }
  User admin;

 private:
  Resp send(httplib::Request& req) {
    auto r = server_.client()->send(req);
    Resp out;
    if (!r) return out;
    out.status = r->status;
    out.raw = r->body;
    out.body = iron::test::json_of(r);
    out.retry_after = r->get_header_value("Retry-After");
    return out;
  }

  iron::test::ServerProcess server_;
  std::unique_ptr<iron::store::Database> db_;
};

inline std::string agent_path(int64_t id, const std::string& suffix = "") {
  return "/api/v1/agents/" + std::to_string(id) + suffix;
}

inline void expect_error(const Resp& r, int status, const std::string& code, const std::string& field = "") {
  EXPECT_EQ(r.status, status) << r.raw;
  EXPECT_EQ(r.body["error"]["code"], code) << r.raw;
  if (!field.empty()) {
    EXPECT_EQ(r.body["error"]["details"]["field"], field) << r.raw;
  }
}

}  // namespace gov
