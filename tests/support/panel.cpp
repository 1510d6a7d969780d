#include "support/panel.h"

namespace iron::test {

ServerProcess::Options admin_options(std::vector<std::string> args, std::map<std::string, std::string> env) {
  std::map<std::string, std::string> all = {{"IRON_ADMIN_EMAIL", kAdminEmail}, {"IRON_ADMIN_PASSWORD", kAdminPassword}};
  for (auto& [k, v] : env) all[k] = v;
  return {.extra_args = std::move(args), .env = std::move(all)};
}

Reply login_reply(const ServerProcess& s, const std::string& email, const std::string& password,
                  httplib::Headers headers) {
  return call(s, "POST", "/api/v1/auth/login", "", {{"email", email}, {"password", password}}, std::move(headers));
}

std::string login(const ServerProcess& s, const std::string& email, const std::string& password) {
  const Reply r = login_reply(s, email, password);
  EXPECT_EQ(r.status, 200) << "login " << email << ": " << r.raw;
  return r.status == 200 ? r.body.value("user_token", "") : "";
}

Session start_session(const ServerProcess& s, const Account& a) {
  const Reply r = login_reply(s, a.email, a.password);
  EXPECT_EQ(r.status, 200) << r.raw;
  return {r.body.value("user_token", ""), r.body.value("refresh_token", "")};
}

Reply refresh_with(const ServerProcess& s, const std::string& refresh_token) {
  return post(s, "/api/v1/auth/refresh", "", {{"refresh_token", refresh_token}});
}

Account create_account(const ServerProcess& s, const std::string& admin_token, const std::string& role,
                       const std::string& prefix) {
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

Account login_as(const ServerProcess& s, Account a) {
  a.token = login(s, a.email, a.password);
  return a;
}

Panel::Panel(ServerProcess::Options options) : server_(options) {
  admin.email = options.env.count("IRON_ADMIN_EMAIL") ? options.env.at("IRON_ADMIN_EMAIL") : kAdminEmail;
  admin.password = options.env.count("IRON_ADMIN_PASSWORD") ? options.env.at("IRON_ADMIN_PASSWORD") : kAdminPassword;
  admin.token = login(admin.email, admin.password);
  const Reply me = call("GET", "/api/v1/me", admin.token);
  admin.id = me.body.value("id", "");
  admin.username = me.body.value("username", "");
}

Account Panel::add_user(const std::string& role, const std::string& label) {
  return login_as(server_, create_account(server_, admin.token, role, label));
}

int64_t Panel::add_agent(const std::string& owner_id, int64_t micros, const std::string& name) {
  return create_agent({{"name", name}, {"initial_budget_microdollars", micros}, {"owner_id", owner_id}})
      .value("id", int64_t{0});
}

json Panel::create_agent(const json& body) {
  const Reply r = call("POST", "/api/v1/agents", admin.token, body);
  EXPECT_EQ(r.status, 201) << r.raw;
  return r.body;
}

int64_t Panel::add_key(const Account& owner, const std::string& provider, const std::string& secret) {
  const Reply r = call("POST", "/api/v1/providers", owner.token, {{"provider", provider}, {"api_key", secret}});
  EXPECT_EQ(r.status, 201) << r.raw;
  return r.body.value("id", int64_t{0});
}

std::string Panel::ic_token(int64_t agent_id, const std::string& bearer) {
  const Reply r = call("POST", agent_path(agent_id, "/ic-token"), bearer.empty() ? admin.token : bearer);
  EXPECT_EQ(r.status, 201) << r.raw;
  return r.body.value("ic_token", "");
}

json Panel::budget(int64_t agent_id) {
  const Reply r = call("GET", agent_path(agent_id), admin.token);
  EXPECT_EQ(r.status, 200) << r.raw;
  const json b = r.body["budget"];
  EXPECT_EQ(b.value("allocated", -1), b.value("spent", 0) + b.value("reserved", 0) + b.value("remaining", 0))
      << b.dump();
  return b;
}

Panel::LeasingAgent Panel::add_leasing_agent(const Account& owner, int64_t micros) {
  const int64_t key = add_key(owner);
  LeasingAgent a;
  a.id = create_agent({{"name", "runner"}, {"initial_budget_microdollars", micros}, {"owner_id", owner.id},
                       {"provider_key_id", key}})
             .value("id", int64_t{0});
  a.ic = ic_token(a.id, owner.token);
  return a;
}

std::string Panel::open_lease(const LeasingAgent& agent, int64_t micros) {
  const Reply r = call("POST", "/api/v1/budget/handshake", "",
                       {{"ic_token", agent.ic}, {"provider", "openai"}, {"requested_budget", micros}});
  EXPECT_EQ(r.status, 200) << r.raw;
  return r.body.value("lease_id", "");
}

Reply Panel::report_usage(const LeasingAgent& agent, const std::string& lease, const std::string& request_id,
                          int64_t tokens, int64_t cost) {
  return call("POST", "/api/v1/budget/report", "",
              {{"ic_token", agent.ic}, {"lease_id", lease}, {"request_id", request_id}, {"tokens", tokens},
               {"cost_microdollars", cost}, {"model", "gpt-4o"}, {"provider", "openai"}});
}

}  // namespace iron::test
