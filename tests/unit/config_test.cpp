#include <gtest/gtest.h>
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>

#include "config/config.h"

using iron::config::Config;

namespace {

// Parses argv + env the way `ironpanel serve` does; returns validate()'s message or "".
std::string parse(const std::vector<std::string>& args, const std::map<std::string, std::string>& env, Config& c) {
  for (const auto& [k, v] : env) setenv(k.c_str(), v.c_str(), 1);
  CLI::App app;
  iron::config::add_serve_options(app, c);
  std::vector<const char*> argv{"ironpanel"};
  for (const auto& a : args) argv.push_back(a.c_str());
  std::string result;
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
    if (auto e = iron::config::resolve_secrets(c)) result = *e;
    else if (auto v = iron::config::validate(c)) result = *v;
  } catch (const CLI::ParseError& e) {
    result = std::string("parse: ") + e.what();
  }
  for (const auto& [k, v] : env) unsetenv(k.c_str());
  return result;
}

}  // namespace

TEST(Config, DefaultsAreTheDocumentedOnes) {
  Config c;
  EXPECT_EQ(parse({}, {}, c), "");
  EXPECT_EQ(c.data_dir, "./data");
  EXPECT_EQ(c.listen_host, "127.0.0.1");
  EXPECT_EQ(c.listen_port, 8080);
  EXPECT_EQ(c.base_path, "/");
  EXPECT_EQ(c.shutdown_timeout_s, 8);
  EXPECT_EQ(c.max_body_bytes, 1 << 20);
  EXPECT_EQ(c.mode, iron::config::DeploymentMode::production);
}

TEST(Config, FlagsBeatEnvironmentWhichBeatsDefaults) {
  Config a;
  EXPECT_EQ(parse({}, {{"IRON_LISTEN", "127.0.0.1:9001"}}, a), "");
  EXPECT_EQ(a.listen_port, 9001);
  Config b;
  EXPECT_EQ(parse({"--listen", "127.0.0.1:9002"}, {{"IRON_LISTEN", "127.0.0.1:9001"}}, b), "");
  EXPECT_EQ(b.listen_port, 9002);
}

TEST(Config, BasePathIsNormalised) {
  Config c;
  EXPECT_EQ(parse({"--base-path", "/panel"}, {}, c), "");
  EXPECT_EQ(c.base_path, "/panel/");
}

struct BadCase {
  std::vector<std::string> args;
  std::map<std::string, std::string> env;
  std::string names;  // the setting the message must name
};

TEST(Config, BadValuesAreRefusedWithAMessageNamingTheSetting) {
  const std::vector<BadCase> cases = {
      {{"--listen", "127.0.0.1:99999"}, {}, "IRON_LISTEN"},
      {{"--listen", "localhost:8080"}, {}, "IRON_LISTEN"},
      {{"--listen", "8080"}, {}, "IRON_LISTEN"},
      {{}, {{"IRON_LISTEN", "127.0.0.1:http"}}, "IRON_LISTEN"},
      {{"--data", "/nonexistent-parent-dir/x/data"}, {}, "IRON_DATA_DIR"},
      {{"--data", "/proc/version"}, {}, "IRON_DATA_DIR"},
      {{"--base-path", "panel"}, {}, "IRON_BASE_PATH"},
      {{"--base-path", "/a/../b"}, {}, "IRON_BASE_PATH"},
      {{"--log-format", "xml"}, {}, "IRON_LOG_FORMAT"},
      {{"--log-level", "loud"}, {}, "IRON_LOG_LEVEL"},
      {{"--shutdown-timeout", "0"}, {}, "IRON_SHUTDOWN_TIMEOUT"},
      {{"--trusted-proxies", "10.0.0.0/99"}, {}, "IRON_TRUSTED_PROXIES"},
      {{"--trusted-proxies", "not-an-ip"}, {}, "IRON_TRUSTED_PROXIES"},
      {{"--deployment-mode", "staging"}, {}, "IRON_DEPLOYMENT_MODE"},
      {{"--max-body-bytes", "10"}, {}, "IRON_MAX_BODY_BYTES"},
      {{}, {{"IRON_JWT_SECRET", "x"}, {"IRON_JWT_SECRET_FILE", "/etc/hostname"}}, "IRON_JWT_SECRET"},
      {{}, {{"IRON_JWT_SECRET_FILE", "/nonexistent/secret"}}, "IRON_JWT_SECRET_FILE"},
  };
  for (const auto& tc : cases) {
    Config c;
    const std::string msg = parse(tc.args, tc.env, c);
    SCOPED_TRACE(msg);
    EXPECT_NE(msg.find(tc.names), std::string::npos) << "expected a message naming " << tc.names;
  }
}

TEST(Config, SecretsComeFromEnvOrFileWithTrailingNewlineStripped) {
  const auto path = std::filesystem::temp_directory_path() / "ironpanel-config-test-secret";
  std::ofstream(path) << "from-a-file-0123456789abcdef\n";
  Config c;
  EXPECT_EQ(parse({}, {{"IRON_JWT_SECRET_FILE", path.string()}, {"IRON_METRICS_TOKEN", "tok"}}, c), "");
  EXPECT_EQ(c.jwt_secret, "from-a-file-0123456789abcdef");
  EXPECT_EQ(c.metrics_token, "tok");
  std::filesystem::remove(path);
}

TEST(Config, PredecessorAllowedOriginsIsReadWhenTheNewVariableIsUnset) {
  Config a;
  EXPECT_EQ(parse({}, {{"ALLOWED_ORIGINS", "https://old.example"}}, a), "");
  EXPECT_EQ(a.cors_origins, "https://old.example");
  Config b;
  EXPECT_EQ(parse({}, {{"ALLOWED_ORIGINS", "https://old.example"}, {"IRON_CORS_ORIGINS", "https://new.example"}}, b), "");
  EXPECT_EQ(b.cors_origins, "https://new.example");
}
