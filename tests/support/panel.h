#pragma once
// The API tests' fixtures over the real binary: a server with the bootstrapped admin
// (IRON_ADMIN_EMAIL / IRON_ADMIN_PASSWORD), sign-in, and users of each role, agents, IC
// tokens and provider keys, all made through the API itself so that every row a test
// starts from is one the product could have written.
#include <gtest/gtest.h>

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "support/api_client.h"

namespace iron::test {

inline constexpr const char* kAdminEmail = "root@example.test";
inline constexpr const char* kAdminPassword = "root-password-for-tests";
// IRON_IP_TOKEN_KEY of a default Panel, so that tests can open the IP tokens the handshake
// seals: 32 bytes of 0xaa as hex.
inline const std::string kIpTokenKey(64, 'a');

// Options for a server whose admin is kAdminEmail; `env` adds to (or overrides) that.
ServerProcess::Options admin_options(std::vector<std::string> args = {}, std::map<std::string, std::string> env = {});

Reply login_reply(const ServerProcess& s, const std::string& email, const std::string& password,
                  httplib::Headers headers = {});
// The access token (user_token) of a successful login; empty (and a test failure) otherwise.
std::string login(const ServerProcess& s, const std::string& email, const std::string& password);

struct Account {
  std::string id;
  std::string username;
  std::string email;
  std::string password;
  std::string token;  // access token; empty until signed in
};

// A programmatic login's two tokens (access JWT, refresh token in the body).
struct Session {
  std::string access;
  std::string refresh;
};
Session start_session(const ServerProcess& s, const Account& a);
Reply refresh_with(const ServerProcess& s, const std::string& refresh_token);

// Creates a user through POST /users as `admin_token`; the account's id is empty on failure.
Account create_account(const ServerProcess& s, const std::string& admin_token, const std::string& role,
                       const std::string& prefix = "u");
Account login_as(const ServerProcess& s, Account a);

// One running server with its signed-in admin, and the fixtures tests build on.
class Panel {
 public:
  Panel() : Panel(admin_options({}, {{"IRON_IP_TOKEN_KEY", kIpTokenKey}})) {}
  explicit Panel(ServerProcess::Options options);

  ServerProcess& server() { return server_; }
  const ServerProcess& server() const { return server_; }

  Reply call(const std::string& method, const std::string& path, const std::string& bearer = "",
             const json& body = nullptr) const {
    return iron::test::call(server_, method, path, bearer, body);
  }
  // A request with a raw (possibly malformed) body.
  Reply call_raw(const std::string& method, const std::string& path, const std::string& bearer, const std::string& body,
                 const std::string& content_type = "application/json") const {
    return send(server_, {.method = method, .path = path, .token = bearer, .body = body, .content_type = content_type});
  }
  std::string login(const std::string& email, const std::string& password) const {
    return iron::test::login(server_, email, password);
  }

  // A signed-in user of `role`, created by the admin; `label` starts the username.
  Account add_user(const std::string& role, const std::string& label = "u");
  // An agent of `owner_id` with `micros` allocated, created by the admin.
  int64_t add_agent(const std::string& owner_id, int64_t micros = 1'000'000, const std::string& name = "agent");
  // POST /agents as the admin with `body`; the created agent.
  json create_agent(const json& body);
  // A provider key owned by `owner`, created with the owner's token; its id.
  int64_t add_key(const Account& owner, const std::string& provider = "openai",
                  const std::string& secret = "sk-test-0123456789abcdef");
  // A fresh IC token for the agent, issued by `bearer` (the admin when empty).
  std::string ic_token(int64_t agent_id, const std::string& bearer = "");
  // GET /agents/:id's budget, checking allocated = spent + reserved + remaining.
  json budget(int64_t agent_id);

  // An agent that can open leases the way a runtime does: `owner`'s openai key assigned to it
  // and an IC token issued by the owner.
  struct LeasingAgent {
    int64_t id = 0;
    std::string ic;
  };
  LeasingAgent add_leasing_agent(const Account& owner, int64_t micros);
  // POST /budget/handshake as the agent: a lease of `micros`; its id ("" and a test failure
  // when refused).
  std::string open_lease(const LeasingAgent& agent, int64_t micros);
  // POST /budget/report as the agent: `tokens` and `cost` used on the lease under `request_id`.
  Reply report_usage(const LeasingAgent& agent, const std::string& lease, const std::string& request_id, int64_t tokens,
                     int64_t cost);

  Account admin;

 private:
  ServerProcess server_;
};

inline std::string agent_path(int64_t id, const std::string& suffix = "") {
  return "/api/v1/agents/" + std::to_string(id) + suffix;
}

// One Panel shared by every test of a suite (a server start costs more than most tests):
// derive the suite's fixture from this. Tests sharing it make their own users (add_user).
class PanelSuite : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { panel_ = new Panel(); }
  static void TearDownTestSuite() {
    delete panel_;
    panel_ = nullptr;
  }
  void SetUp() override {
    ASSERT_NE(panel_, nullptr);
    ASSERT_FALSE(panel_->admin.token.empty()) << "the bootstrap admin could not sign in";
  }
  static Panel& panel() { return *panel_; }
  static const ServerProcess& server() { return panel_->server(); }
  static const std::string& admin() { return panel_->admin.token; }
  static const std::string& admin_id() { return panel_->admin.id; }

 private:
  static inline Panel* panel_ = nullptr;
};

}  // namespace iron::test
