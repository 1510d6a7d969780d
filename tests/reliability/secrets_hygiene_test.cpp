// Secrets hygiene (docs/security.md, "Secrets hygiene"): a representative scenario handles
// every kind of secret the panel knows (passwords, wrong passwords, access and refresh
// tokens, API tokens before and after rotation, IC tokens before and after regeneration,
// provider keys and credentials in a base URL, the JWT, master and IP-token keys and the
// metrics token, given as a setting, as a _FILE setting and as a generated key file), with
// the log at debug level; then the server's log, every error body, every audit row and the
// database file are searched for each value: none may appear in the clear.
#include <gtest/gtest.h>

#include <vector>

#include "store/data_dir.h"
#include "support/files.h"
#include "support/panel.h"

using namespace iron::test;

namespace {

struct Secret {
  std::string what;
  std::string value;
};

// Every reply of the scenario passes through here; error bodies are kept for the scan.
class Recorder {
 public:
  explicit Recorder(const ServerProcess& s) : server_(s) {}
  Reply operator()(const Call& c) {
    Reply r = send(server_, c);
    if (r.status >= 400) errors.push_back(c.method + " " + c.path + " -> " + r.raw);
    return r;
  }
  Reply call(const std::string& method, const std::string& path, const std::string& token, const json& body = nullptr) {
    return (*this)({.method = method, .path = path, .token = token,
                    .body = body.is_null() ? std::nullopt : std::optional<std::string>(body.dump())});
  }
  std::vector<std::string> errors;

 private:
  const ServerProcess& server_;
};

}  // namespace

TEST(SecretsHygiene, NoSecretTheScenarioUsedAppearsInLogsErrorsAuditOrTheDatabase) {
  std::vector<Secret> secrets = {
      {"admin password", "Adm1n-pass-word-4f7c2e9a"},
      {"JWT secret (setting)", "jwt-setting-8d1e5b3f9a0c4e7d2b6f1a9c3e8d0b5f"},
      {"master key (_FILE)", "6b1f0e9d8c7a5b4e3d2c1f0a9b8e7d6c5f4a3b2e1d0c9f8a7b6e5d4c3b2a1f0e"},
      {"metrics token", "metrics-token-c4a8e2f6b0d9"},
      {"a wrong password", "Wrong-guess-password-7e3a"},
      {"a user's password", "User-first-password-2b8d"},
      {"a changed password", "User-second-password-9c1e"},
      {"a reset password", "Admin-reset-password-5f0a"},
      {"a provider key", "sk-proj-hygiene-0a1b2c3d4e5f6a7b8c9d"},
      {"a second provider key", "sk-ant-hygiene-9f8e7d6c5b4a3f2e1d0c"},
      {"base URL credentials", "urlpw-3e7c1a9f5b"},
  };
  const std::string dir = iron::test::make_temp_dir();
  const std::string master_file = dir + "/master-key-file";
  write_file(master_file, secrets[2].value);
  ServerProcess server(admin_options({"--log-level", "debug", "--metrics", "1"},
                                     {{"IRON_ADMIN_PASSWORD", secrets[0].value},
                                      {"IRON_JWT_SECRET", secrets[1].value},
                                      {"IRON_SECRETS_MASTER_KEY_FILE", master_file},
                                      {"IRON_METRICS_TOKEN", secrets[3].value}}));
  // The IP-token key is generated into the data dir: a key-file value.
  secrets.push_back({"generated ip_token.key", read_file(server.data_dir() + "/ip_token.key")});
  ASSERT_GE(secrets.back().value.size(), 32u);
  auto add = [&](const std::string& what, const std::string& value) {
    ASSERT_FALSE(value.empty()) << what;
    secrets.push_back({what, value});
  };
  Recorder rec(server);

  // Sessions: a failed and a good login, a refresh, a logout.
  EXPECT_EQ(rec.call("POST", "/api/v1/auth/login", "", {{"email", kAdminEmail}, {"password", secrets[4].value}}).status, 401);
  auto login = rec.call("POST", "/api/v1/auth/login", "", {{"email", kAdminEmail}, {"password", secrets[0].value}});
  ASSERT_EQ(login.status, 200) << login.raw;
  add("admin access token", login.body.value("user_token", ""));
  add("admin refresh token", login.body.value("refresh_token", ""));
  auto refreshed = rec.call("POST", "/api/v1/auth/refresh", "", {{"refresh_token", login.body.value("refresh_token", "")}});
  ASSERT_EQ(refreshed.status, 200) << refreshed.raw;
  add("refreshed access token", refreshed.body.value("user_token", ""));
  add("rotated refresh token", refreshed.body.value("refresh_token", ""));
  // The spent refresh token again (reuse), and as a bearer token.
  rec.call("POST", "/api/v1/auth/refresh", "", {{"refresh_token", login.body.value("refresh_token", "")}});
  rec.call("GET", "/api/v1/me", login.body.value("refresh_token", ""));
  // The reuse ended that session family: a new one for the rest of the scenario.
  login = rec.call("POST", "/api/v1/auth/login", "", {{"email", kAdminEmail}, {"password", secrets[0].value}});
  ASSERT_EQ(login.status, 200) << login.raw;
  const std::string admin = login.body.value("user_token", "");
  add("second admin access token", admin);
  add("second admin refresh token", login.body.value("refresh_token", ""));

  // Users and passwords.
  auto user = rec.call("POST", "/api/v1/users", admin,
                       {{"username", "hygiene"}, {"email", "hygiene@example.test"}, {"password", secrets[5].value}, {"role", "user"}});
  ASSERT_EQ(user.status, 201) << user.raw;
  const std::string user_id = user.body.value("id", "");
  auto user_login = rec.call("POST", "/api/v1/auth/login", "", {{"email", "hygiene@example.test"}, {"password", secrets[5].value}});
  ASSERT_EQ(user_login.status, 200) << user_login.raw;
  const std::string user_token = user_login.body.value("user_token", "");
  add("user access token", user_token);
  add("user refresh token", user_login.body.value("refresh_token", ""));
  EXPECT_GE(rec.call("PUT", "/api/v1/me/password", user_token, {{"current_password", secrets[4].value}, {"new_password", secrets[6].value}}).status, 400)
      << "a wrong current password is refused";
  EXPECT_EQ(rec.call("PUT", "/api/v1/me/password", user_token, {{"current_password", secrets[5].value}, {"new_password", secrets[6].value}}).status, 200);
  EXPECT_EQ(rec.call("POST", "/api/v1/users/" + user_id + "/reset-password", admin, {{"new_password", secrets[7].value}}).status, 200);
  rec.call("POST", "/api/v1/users", admin, {{"username", "weak"}, {"email", "weak@example.test"}, {"password", "short"}, {"role", "user"}});

  // API tokens: create, use, validate, rotate, use the old one.
  auto tok = rec.call("POST", "/api/v1/api-tokens", admin, {{"name", "hygiene"}, {"project_id", "proj-h"}, {"scope", "user"}});
  ASSERT_EQ(tok.status, 201) << tok.raw;
  const std::string api_token = tok.body.value("token", "");
  add("API token", api_token);
  rec.call("GET", "/api/v1/agents", api_token);
  rec.call("POST", "/api/v1/api-tokens/validate", "", {{"token", api_token}});
  auto rotated = rec.call("POST", "/api/v1/api-tokens/" + std::to_string(tok.body.value("id", 0)) + "/rotate", admin, json::object());
  ASSERT_LT(rotated.status, 300) << rotated.raw;
  add("rotated API token", rotated.body.value("token", ""));
  rec.call("GET", "/api/v1/agents", api_token);  // revoked by the rotation
  rec.call("POST", "/api/v1/api-tokens/validate", "", {{"token", api_token}});

  // Provider keys, a project assignment and the plaintext key fetch.
  auto key = rec.call("POST", "/api/v1/providers", admin,
                      {{"provider", "openai"}, {"api_key", secrets[8].value}, {"base_url", "https://bob:" + secrets[10].value + "@llm.example.test/v1"}});
  ASSERT_EQ(key.status, 201) << key.raw;
  const std::string key_id = std::to_string(key.body.value("id", 0));
  EXPECT_EQ(rec.call("POST", "/api/v1/providers", admin, {{"provider", "anthropic"}, {"api_key", secrets[9].value}}).status, 201);
  EXPECT_EQ(rec.call("PUT", "/api/v1/providers/" + key_id, admin, {{"description", "rotated"}, {"api_key", secrets[9].value}}).status, 400)
      << "a key is never replaced in place; the refusal must not echo it";
  rec.call("POST", "/api/v1/providers", admin, {{"provider", "openai"}, {"api_key", secrets[8].value}, {"base_url", "ftp://x:" + secrets[10].value + "@h"}});
  rec.call("POST", "/api/v1/projects/proj-h/provider", admin, {{"provider_key_id", key.body.value("id", 0)}});
  rec.call("GET", "/api/v1/keys", rotated.body.value("token", ""));

  // An agent runtime: IC token, regeneration, handshake, report, key fetch.
  auto agent = rec.call("POST", "/api/v1/agents", admin,
                        {{"name", "hygiene"}, {"provider_key_id", key.body.value("id", 0)}, {"initial_budget_microdollars", 1'000'000}});
  ASSERT_EQ(agent.status, 201) << agent.raw;
  const std::string agent_path = "/api/v1/agents/" + std::to_string(agent.body.value("id", 0));
  auto ic1 = rec.call("POST", agent_path + "/ic-token", admin, json::object());
  add("IC token", ic1.body.value("ic_token", ""));
  auto ic2 = rec.call("POST", agent_path + "/ic-token/regenerate", admin, json::object());
  ASSERT_LT(ic2.status, 300) << ic2.raw;
  const std::string ic = ic2.body.value("ic_token", "");
  add("regenerated IC token", ic);
  rec.call("POST", "/api/v1/budget/handshake", ic1.body.value("ic_token", ""), {{"provider", "openai"}});  // the old one
  auto hs = rec.call("POST", "/api/v1/budget/handshake", ic, {{"provider", "openai"}, {"requested_budget", 1000}});
  ASSERT_EQ(hs.status, 200) << hs.raw;
  add("IP token", hs.body.value("ip_token", ""));
  rec.call("POST", "/api/v1/budget/report", ic, {{"lease_id", hs.body["lease_id"]}, {"request_id", "r1"}, {"tokens", 1},
                                                 {"cost_microdollars", 5000}, {"model", "m"}, {"provider", "openai"}});
  rec.call("POST", "/api/v1/agents/provider-key", "", {{"ic_token", ic}});
  rec.call("POST", "/api/v1/analytics/events", "", {{"ic_token", ic}, {"event_id", 1}});
  rec.call("POST", "/api/v1/agents/provider-key", "", {{"ic_token", ic + "x"}});

  // Metrics with the right and a wrong token; a forged bearer token carrying a secret.
  rec.call("GET", "/metrics", secrets[3].value);
  rec.call("GET", "/metrics", secrets[3].value + "0");
  rec.call("GET", "/api/v1/me", secrets[1].value);
  rec.call("GET", "/api/v1/me", admin + "tampered");

  // The audit log as the API shows it, every page.
  std::string audit_text;
  for (std::string cursor;;) {
    auto page = rec.call("GET", "/api/v1/audit?limit=200" + (cursor.empty() ? "" : "&cursor=" + cursor), admin);
    ASSERT_EQ(page.status, 200) << page.raw;
    audit_text += page.raw;
    if (!page.body.contains("next_cursor") || page.body["next_cursor"].is_null()) break;
    cursor = page.body["next_cursor"].is_string() ? page.body["next_cursor"].get<std::string>() : page.body["next_cursor"].dump();
  }
  EXPECT_NE(audit_text.find("api_token"), std::string::npos) << "the audit log recorded the scenario";
  ASSERT_EQ(server.stop(), 0);  // the final checkpoint folds the WAL into iron.db

  std::string log_text = server.stderr_text();
  for (const auto& line : server.log_lines()) log_text += line.dump() + "\n";
  EXPECT_GT(log_text.size(), 1000u) << "the debug log was captured";
  std::string database = read_file(iron::store::database_path(server.data_dir()));
  database += read_file(iron::store::database_path(server.data_dir()) + "-wal");
  EXPECT_GT(rec.errors.size(), 10u);
  std::string errors;
  for (const auto& e : rec.errors) errors += e + "\n";

  for (const auto& s : secrets) {
    EXPECT_EQ(log_text.find(s.value), std::string::npos) << s.what << " appears in the server log";
    EXPECT_EQ(errors.find(s.value), std::string::npos) << s.what << " appears in an error body";
    EXPECT_EQ(audit_text.find(s.value), std::string::npos) << s.what << " appears in the audit log";
    EXPECT_EQ(database.find(s.value), std::string::npos) << s.what << " appears in the database file";
  }
}
