#pragma once
// Shared by the governance API tests: the real binary with a bootstrapped admin, HTTP calls,
// and TEST SETUP through the domain. Agents have no HTTP routes on this branch (written in
// parallel), and the users routes may be missing too, so users are inserted into the
// server's iron.db and agents are created by calling domain::BudgetLedger on that same file
// (SQLite serialises the test's and the server's writers). Every behaviour under test is
// exercised over HTTP.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "domain/budget_ledger.h"
#include "security/password.h"
#include "security/random.h"
#include "store/data_dir.h"
#include "store/database.h"
#include "store/user_repo.h"
#include "support/server_process.h"
#include "util/clock.h"

namespace governance_test {

using iron::test::ServerProcess;
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
  std::string access;  // access JWT
};

inline const std::string& user_password_hash() {
  static const std::string hash = [] {
    iron::security::init();
    return iron::security::hash_password(kUserPassword);
  }();
  return hash;
}

class Panel {
 public:
  Panel()
      : server_(ServerProcess::Options{.extra_args = {},
                                       .env = {{"IRON_ADMIN_EMAIL", kAdminEmail}, {"IRON_ADMIN_PASSWORD", kAdminPassword}},
                                       .data_dir = ""}) {
    admin.access = login(kAdminEmail, kAdminPassword);
    admin.id = call("GET", "/api/v1/me", admin.access).body.value("id", "");
  }

  // Test setup: the server's database file, opened by the test process.
  iron::store::Database& db() {
    if (!db_) db_ = std::make_unique<iron::store::Database>(iron::store::database_path(server_.data_dir()));
    return *db_;
  }
  iron::domain::BudgetLedger ledger() { return iron::domain::BudgetLedger(db(), {}); }

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
    auto r = server_.client()->send(req);
    Resp out;
    if (!r) return out;
    out.status = r->status;
    out.raw = r->body;
    out.body = iron::test::json_of(r);
    out.retry_after = r->get_header_value("Retry-After");
    return out;
  }
  // A request with a raw (possibly non-JSON) body.
  Resp call_raw(const std::string& method, const std::string& path, const std::string& bearer, const std::string& body) {
    httplib::Request req;
    req.method = method;
    req.path = path;
    req.headers.emplace("Authorization", "Bearer " + bearer);
    req.body = body;
    req.headers.emplace("Content-Type", "application/json");
    auto r = server_.client()->send(req);
    Resp out;
    if (!r) return out;
    out.status = r->status;
    out.raw = r->body;
    out.body = iron::test::json_of(r);
    return out;
  }

  std::string login(const std::string& email, const std::string& password) {
    auto r = call("POST", "/api/v1/auth/login", "", json{{"email", email}, {"password", password}});
    EXPECT_EQ(r.status, 200) << r.raw;
    return r.body.value("user_token", "");
  }

  // Test setup: inserts a user row and logs in over HTTP.
  User add_user(const std::string& role, const std::string& label) {
    iron::store::User row;
    row.id = "user_" + iron::security::uuid_v4();
    row.username = label;
    row.email = label + "@example.test";
    row.password_hash = user_password_hash();
    row.role = role;
    row.created_at = row.updated_at = iron::util::to_unix_ms(iron::util::now());
    db().write([&](iron::store::Connection& c) {
      iron::store::users::insert(c, row);
      return 0;
    });
    return {row.id, login(row.email, kUserPassword)};
  }

  // Test setup: an agent with its budget row, through the domain (no agent routes here).
  int64_t add_agent(const std::string& owner_id, int64_t micros, const std::string& name = "agent") {
    auto created = ledger().create_agent(name, owner_id, micros, iron::domain::RequestContext::system());
    EXPECT_TRUE(created.ok());
    return created.ok() ? created->agent.id : 0;
  }

  User admin;

 private:
  ServerProcess server_;
  std::unique_ptr<iron::store::Database> db_;
};

inline void expect_error(const Resp& r, int status, const std::string& code, const std::string& field = "") {
  EXPECT_EQ(r.status, status) << r.raw;
  EXPECT_EQ(r.body["error"]["code"], code) << r.raw;
  if (!field.empty()) {
    EXPECT_EQ(r.body["error"]["details"]["field"], field) << r.raw;
  }
}

}  // namespace governance_test
