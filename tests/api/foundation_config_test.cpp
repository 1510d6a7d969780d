// The real binary's configuration: one precedence rule for every setting (flag > IRON_* >
// IRON_*_FILE > default, with or without the `serve` subcommand), observed in the server's
// "configuration" log line and in what it actually does; careless settings refused.
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "config/options.h"
#include "support/server_process.h"

using iron::test::run_binary;
using iron::test::ServerProcess;
namespace fs = std::filesystem;

namespace {

// One serve setting with two valid values: `other` goes to the environment while `wanted` is
// given by the flag (or alone by the environment or a file). `other` must differ.
struct Row {
  std::string env;
  std::string other;
  std::string wanted;
};

std::vector<Row> rows(const std::string& dir) {
  fs::create_directories(dir + "/assets-env");
  fs::create_directories(dir + "/assets-flag");
  for (const char* ca : {"/ca-env.pem", "/ca-flag.pem"}) std::ofstream(dir + ca) << "not read until an alert is sent\n";
  return {
      {"IRON_DATA_DIR", dir + "/data-env", dir + "/data-flag"},
      {"IRON_LISTEN", "127.0.0.2:0", "127.0.0.1:0"},
      {"IRON_BASE_PATH", "/env/", "/flag/"},
      {"IRON_ASSETS_DIR", dir + "/assets-env", dir + "/assets-flag"},
      {"IRON_LOG_FORMAT", "text", "json"},
      {"IRON_LOG_LEVEL", "error", "info"},
      {"IRON_SHUTDOWN_TIMEOUT", "9", "7"},
      {"IRON_THREADS", "3", "4"},
      {"IRON_MAX_CONNECTIONS", "300", "200"},
      {"IRON_KEEPALIVE_TIMEOUT", "3", "4"},
      {"IRON_MAX_BODY_BYTES", "2048", "4096"},
      {"IRON_MAX_DB_MB", "100", "200"},
      {"IRON_CORS_ORIGINS", "https://env.example", "https://flag.example"},
      {"IRON_TRUSTED_PROXIES", "10.0.0.0/8", "192.168.0.0/16"},
      {"IRON_HSTS", "0", "1"},
      {"IRON_METRICS", "0", "1"},
      {"IRON_DEPLOYMENT_MODE", "development", "production"},
      {"IRON_AUDIT_RETENTION_DAYS", "30", "40"},
      {"IRON_EVENT_RETENTION_DAYS", "30", "40"},
      {"IRON_LEASE_TTL", "60", "120"},
      {"IRON_MAX_EVENT_STREAMS", "5", "6"},
      {"IRON_EVENT_HEARTBEAT", "5", "6"},
      {"IRON_ALERT_ALLOW_PRIVATE_DESTINATIONS", "1", "0"},
      {"IRON_ALERT_ALLOWED_HOSTS", "hooks.env.example", "hooks.flag.example"},
      {"IRON_ALERT_TIMEOUT_MS", "2000", "3000"},
      {"IRON_ALERT_MAX_ATTEMPTS", "3", "4"},
      {"IRON_ALERT_RETRY_BASE_MS", "500", "600"},
      {"IRON_ALERT_CA_FILE", dir + "/ca-env.pem", dir + "/ca-flag.pem"},
      {"IRON_SMTP_HOST", "smtp-env.example", "smtp-flag.example"},
      {"IRON_SMTP_PORT", "2525", "2526"},
      {"IRON_SMTP_TLS", "tls", "starttls"},
      {"IRON_SMTP_USERNAME", "user-env", "user-flag"},
      {"IRON_SMTP_FROM", "env@example.com", "flag@example.com"},
      {"IRON_SMTP_ALLOW_PLAINTEXT_AUTH", "1", "0"},
  };
}

const char* flag_of(const std::string& env) {
  for (const auto& o : iron::config::options())
    if (o.env == env) return o.flag;
  return nullptr;
}

nlohmann::json configuration_line(const ServerProcess& s) {
  for (const auto& l : s.log_lines())
    if (l.value("msg", "") == "configuration") return l["settings"];
  return nullptr;
}

nlohmann::json listening_line(const ServerProcess& s) {
  for (const auto& l : s.log_lines())
    if (l.value("msg", "") == "listening") return l;
  return nullptr;
}

// Starts the binary with `args` alone and `env`; checks every row's effective value and source.
void expect_every_row(const std::vector<std::string>& args, const std::map<std::string, std::string>& env,
                      const std::vector<Row>& table, const std::string& source) {
  // IRON_SMTP_USERNAME needs its password, a secret without a flag (and so without a row).
  auto with_password = env;
  with_password["IRON_SMTP_PASSWORD"] = "relay-password-for-tests";
  ServerProcess server({.extra_args = args, .env = with_password, .data_dir = table[0].wanted, .bare = true});
  const auto settings = configuration_line(server);
  ASSERT_TRUE(settings.is_object()) << "no configuration log line";
  for (const auto& row : table) {
    SCOPED_TRACE(row.env + " from " + source);
    ASSERT_TRUE(settings.contains(row.env));
    EXPECT_EQ(settings[row.env].value("value", ""), row.wanted);
    EXPECT_EQ(settings[row.env].value("from", ""), source);
  }
  // And it acts on them, not only reports them.
  const auto listening = listening_line(server);
  EXPECT_EQ(listening.value("addr", "").rfind("127.0.0.1:", 0), 0u) << listening.dump();
  EXPECT_EQ(listening.value("base_path", ""), "/flag/");
  EXPECT_TRUE(fs::exists(table[0].wanted + "/iron.db"));
  EXPECT_FALSE(fs::exists(table[0].other + "/iron.db"));
}

}  // namespace

TEST(FoundationConfig, TheTableCoversEveryServeFlag) {
  const auto table = rows(iron::test::make_temp_dir());
  for (const auto& o : iron::config::options()) {
    // A secret's value is logged as "(set)", so the table cannot compare it; the one secret
    // with a flag, the database URL, is what the API suite's PostgreSQL run passes.
    if (!o.flag || o.secret || !(o.scopes & iron::config::scope_serve)) continue;
    const bool listed = std::any_of(table.begin(), table.end(), [&](const Row& r) { return r.env == o.env; });
    EXPECT_TRUE(listed) << o.env << " needs a row in this test";
  }
}

TEST(FoundationConfig, AFlagBeatsItsEnvironmentTwinWithOrWithoutServe) {
  if (iron::test::on_postgres()) GTEST_SKIP() << "about the iron.db file itself; PostgreSQL keeps the data elsewhere";
  for (const bool with_serve : {true, false}) {
    SCOPED_TRACE(with_serve ? "ironpanel serve --flag" : "ironpanel --flag");
    const auto table = rows(iron::test::make_temp_dir());
    std::vector<std::string> args;
    if (with_serve) args.push_back("serve");
    std::map<std::string, std::string> env;
    for (const auto& row : table) {
      args.insert(args.end(), {flag_of(row.env), row.wanted});
      env[row.env] = row.other;
    }
    expect_every_row(args, env, table, "flag");
  }
}

TEST(FoundationConfig, TheEnvironmentBeatsNameFileWhichBeatsTheDefault) {
  if (iron::test::on_postgres()) GTEST_SKIP() << "about the iron.db file itself; PostgreSQL keeps the data elsewhere";
  const std::string dir = iron::test::make_temp_dir();
  const auto table = rows(dir);
  std::map<std::string, std::string> env_only, file_only;
  for (const auto& row : table) {
    const std::string file = dir + "/" + row.env + ".value";
    std::ofstream(file) << row.wanted << "\n";
    env_only[row.env] = row.wanted;
    env_only[row.env + "_FILE"] = dir + "/nonexistent";  // would fail the start if it were read
    file_only[row.env + "_FILE"] = file;
  }
  expect_every_row({"serve"}, env_only, table, "env");
  fs::remove_all(table[0].wanted);
  expect_every_row({}, file_only, table, "file");
}

TEST(FoundationConfig, TrustingEveryAddressAsAProxyIsRefusedAtStart) {
  for (const std::string list : {"0.0.0.0/0", "::/0", "127.0.0.1/32, 0.0.0.0/1"}) {
    SCOPED_TRACE(list);
    const std::string dir = iron::test::make_temp_dir();
    // --assets-dir is checked after the proxies: a binary that let the list through fails
    // there (exit 2, naming IRON_ASSETS_DIR) instead of starting a server this test would wait on.
    const auto r = run_binary({"--data", dir + "/data", "--listen", "127.0.0.1:0", "--assets-dir", dir + "/missing",
                               "--trusted-proxies", list});
    EXPECT_EQ(r.exit_code, 2);
    EXPECT_NE(r.err.find("IRON_TRUSTED_PROXIES"), std::string::npos) << r.err;
    EXPECT_NE(r.err.find("every address"), std::string::npos) << r.err;
  }
}

TEST(FoundationConfig, AJwtSecretRepeatingAShortPatternIsRefusedLikeAShortOne) {
  for (const std::string secret : {"abababababababababababababababababababab", "0123456789abcdef0123456789abcdef",
                                   "passwordpasswordpasswordpassword", "abababababababababababababababababXY"}) {
    SCOPED_TRACE(secret);
    try {
      ServerProcess server({.extra_args = {}, .env = {{"IRON_JWT_SECRET", secret}}});
      ADD_FAILURE() << "the server started with a patterned JWT secret";
    } catch (const std::runtime_error& e) {
      const std::string why = e.what();
      EXPECT_NE(why.find("IRON_JWT_SECRET is too weak"), std::string::npos) << why;
      EXPECT_EQ(why.find(secret), std::string::npos) << "the secret itself must not be echoed";
    }
  }
}
