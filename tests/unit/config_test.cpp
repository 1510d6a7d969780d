#include <gtest/gtest.h>
#include <stdlib.h>

#include <CLI/CLI.hpp>
#include <filesystem>
#include <fstream>

#include "config/config.h"
#include "config/options.h"

using iron::config::Config;
using iron::config::Source;

namespace {

// Sets environment variables for one test and removes them again.
class ScopedEnv {
 public:
  explicit ScopedEnv(const std::map<std::string, std::string>& env) : env_(env) {
    for (const auto& [k, v] : env_) setenv(k.c_str(), v.c_str(), 1);
  }
  ~ScopedEnv() {
    for (const auto& [k, v] : env_) unsetenv(k.c_str());
  }

 private:
  std::map<std::string, std::string> env_;
};

// Parses argv + env with the functions `ironpanel serve` uses (flags on the root command and
// on `serve`, then the precedence rule); returns the error or validate()'s message, or "".
std::string parse(const std::vector<std::string>& args, const std::map<std::string, std::string>& env, Config& c,
                  iron::config::Resolution* resolution = nullptr, bool validate = true) {
  ScopedEnv scoped(env);
  CLI::App app;
  iron::config::FlagValues flags;
  iron::config::add_flags(app, flags, iron::config::scope_serve);
  auto* serve = app.add_subcommand("serve");
  iron::config::add_flags(*serve, flags, iron::config::scope_serve);
  std::vector<const char*> argv{"ironpanel"};
  for (const auto& a : args) argv.push_back(a.c_str());
  iron::config::Resolution local;
  auto& res = resolution ? *resolution : local;
  try {
    app.parse(static_cast<int>(argv.size()), argv.data());
    if (auto e = iron::config::resolve(flags, c, iron::config::scope_serve, res)) return *e;
    if (validate)
      if (auto v = iron::config::validate(c)) return *v;
  } catch (const CLI::ParseError& e) {
    return std::string("parse: ") + e.what();
  }
  return "";
}

std::string temp_file(const std::string& name, const std::string& content) {
  const auto path = std::filesystem::temp_directory_path() / ("ironpanel-config-test-" + name);
  std::ofstream(path) << content;
  return path.string();
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

// Every option of the table, by the one rule: flag > NAME > NAME_FILE > (legacy) > default,
// with the flag written before or after `serve`. Values are checked as resolve() stores
// them, before validation (another test), so any text fits a string option.
TEST(Config, EveryOptionFollowsFlagThenEnvThenFileThenDefault) {
  for (const auto& o : iron::config::options()) {
    SCOPED_TRACE(o.env);
    const bool boolean = std::holds_alternative<bool Config::*>(o.field);
    const bool text = std::holds_alternative<std::string Config::*>(o.field);
    // Each source gives a different value; `shown` is how the setting reads back.
    const std::string from_flag = boolean ? "1" : text ? "/from-flag" : "41";
    const std::string from_env = boolean ? "true" : text ? "/from-env" : "42";
    const std::string from_file = boolean ? "off" : text ? "/from-file" : "43";
    const auto shown = [&](const std::string& v) { return !boolean ? v : v == "off" ? "0" : "1"; };
    if (!(o.scopes & iron::config::scope_serve)) continue;  // healthcheck's --url: FoundationCli tests it
    const std::string file = temp_file(o.env, from_file + "\n");
    const std::string env = o.env, env_file = env + "_FILE";

    struct Case {
      std::vector<std::string> args;
      std::map<std::string, std::string> env;
      std::string want;
      Source source;
    };
    std::vector<Case> cases = {
        {{}, {{env, from_env}, {env_file, file}}, from_env, Source::env},
        {{}, {{env_file, file}}, from_file, Source::file},
    };
    if (o.flag) {
      cases.push_back({{o.flag, from_flag}, {{env, from_env}, {env_file, file}}, from_flag, Source::flag});
      cases.push_back({{"serve", o.flag, from_flag}, {{env, from_env}, {env_file, file}}, from_flag, Source::flag});
    }
    for (const auto& tc : cases) {
      Config c;
      iron::config::Resolution res;
      EXPECT_EQ(parse(tc.args, tc.env, c, &res, false), "");
      const std::string want = o.secret ? "(set)" : shown(tc.want);
      EXPECT_EQ(iron::config::shown_value(c, o), want) << (tc.args.empty() ? "" : tc.args.front()) << " "
                                                      << iron::config::to_string(tc.source);
      EXPECT_EQ(res.sources[env], tc.source);
    }
    Config untouched;
    iron::config::Resolution res;
    EXPECT_EQ(parse({}, {}, untouched, &res, false), "");
    EXPECT_EQ(iron::config::shown_value(untouched, o), iron::config::shown_value(Config{}, o));
    EXPECT_EQ(res.sources[env], Source::default_value);
    std::filesystem::remove(file);
  }
}

TEST(Config, ABadNumberOrSwitchNamesTheSetting) {
  Config a;
  EXPECT_NE(parse({"--threads", "many"}, {}, a).find("IRON_THREADS/--threads"), std::string::npos);
  Config b;
  EXPECT_NE(parse({}, {{"IRON_HSTS", "maybe"}}, b).find("IRON_HSTS"), std::string::npos);
  Config c;
  EXPECT_NE(parse({}, {{"IRON_MAX_BODY_BYTES", "12kb"}}, c).find("IRON_MAX_BODY_BYTES"), std::string::npos);
}

TEST(Config, TheConnectionLimitIsAtLeastTheThreadsAndAtMost65536) {
  for (const auto& [threads, max, ok] : std::vector<std::tuple<std::string, std::string, bool>>{
           {"16", "16", true}, {"16", "65536", true}, {"16", "15", false}, {"32", "16", false}, {"16", "65537", false}}) {
    Config c;
    c.data_dir = std::filesystem::temp_directory_path().string();
    const std::string err = parse({"--threads", threads, "--max-connections", max}, {}, c);
    EXPECT_EQ(err.empty(), ok) << threads << " " << max << ": " << err;
    if (!ok) {
      EXPECT_NE(err.find("IRON_MAX_CONNECTIONS"), std::string::npos) << err;
    }
  }
}

// Under systemd the unit's --listen and an IRON_LISTEN line in the env file used to fight
// silently; now the flag wins, and says so when the two disagree.
TEST(Config, AFlagOverridingADifferentVariableIsWarned) {
  Config a;
  iron::config::Resolution differ;
  EXPECT_EQ(parse({"--listen", "127.0.0.1:8080"}, {{"IRON_LISTEN", "0.0.0.0:8080"}}, a, &differ), "");
  EXPECT_EQ(a.listen, "127.0.0.1:8080");
  ASSERT_EQ(differ.warnings.size(), 1u);
  EXPECT_EQ(differ.warnings[0], "--listen overrides IRON_LISTEN from the environment");
  Config b;
  iron::config::Resolution same;
  EXPECT_EQ(parse({"--listen", "0.0.0.0:8080"}, {{"IRON_LISTEN", "0.0.0.0:8080"}}, b, &same), "");
  EXPECT_TRUE(same.warnings.empty());
}

TEST(Config, BothNameAndNameFileSetIsWarnedAndTheVariableWins) {
  const std::string file = temp_file("jwt-both", "from-the-file-0123456789abcdefghijklmnop\n");
  Config c;
  iron::config::Resolution res;
  EXPECT_EQ(parse({}, {{"IRON_JWT_SECRET", "from-the-env-0123456789abcdefghijklmnop"}, {"IRON_JWT_SECRET_FILE", file}},
                  c, &res),
            "");
  EXPECT_EQ(c.jwt_secret, "from-the-env-0123456789abcdefghijklmnop");
  ASSERT_EQ(res.warnings.size(), 1u);
  EXPECT_NE(res.warnings[0].find("IRON_JWT_SECRET_FILE is ignored"), std::string::npos) << res.warnings[0];
  EXPECT_EQ(res.warnings[0].find("from-the"), std::string::npos) << "a warning never carries a secret";
  std::filesystem::remove(file);
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
      {{"--max-db-mb", "-1"}, {}, "IRON_MAX_DB_MB"},
      {{"--max-db-mb", "99999999"}, {}, "IRON_MAX_DB_MB"},
      {{"--trusted-proxies", "0.0.0.0/0"}, {}, "IRON_TRUSTED_PROXIES"},
      {{"--trusted-proxies", "::/0"}, {}, "IRON_TRUSTED_PROXIES"},
      {{"--trusted-proxies", "10.0.0.0/8, 128.0.0.0/1"}, {}, "IRON_TRUSTED_PROXIES"},
      {{"--trusted-proxies", "::ffff:0:0/96"}, {}, "IRON_TRUSTED_PROXIES"},
      {{"--trusted-proxies", "::/8"}, {}, "IRON_TRUSTED_PROXIES"},
      {{"--trusted-proxies", "2000::/3"}, {}, "IRON_TRUSTED_PROXIES"},
      {{}, {{"IRON_JWT_SECRET_FILE", "/nonexistent/secret"}}, "IRON_JWT_SECRET_FILE"},
      {{"--assets-dir", "/proc/version"}, {}, "IRON_ASSETS_DIR"},
      // A name the file system refuses (ENAMETOOLONG) is a message too, not an exception.
      {{"--assets-dir", "/tmp/" + std::string(300, 'a')}, {}, "IRON_ASSETS_DIR"},
      {{"--smtp-tls", "ssl"}, {}, "IRON_SMTP_TLS"},
      {{"--smtp-port", "70000"}, {}, "IRON_SMTP_PORT"},
      {{"--smtp-host", "smtp.example.com:25", "--smtp-from", "a@example.com"}, {}, "IRON_SMTP_HOST"},
      {{"--smtp-host", "smtp.example.com"}, {}, "IRON_SMTP_FROM"},
      {{"--smtp-host", "smtp.example.com", "--smtp-from", "Alerts <a@example.com>"}, {}, "IRON_SMTP_FROM"},
      {{"--smtp-host", "smtp.example.com", "--smtp-from", "a@example.com", "--smtp-username", "u"}, {},
       "IRON_SMTP_PASSWORD"},
      // Credentials in clear need the operator's explicit opt-in.
      {{"--smtp-host", "smtp.example.com", "--smtp-from", "a@example.com", "--smtp-tls", "none", "--smtp-username", "u"},
       {{"IRON_SMTP_PASSWORD", "p"}}, "IRON_SMTP_ALLOW_PLAINTEXT_AUTH"},
  };
  for (const auto& tc : cases) {
    Config c;
    const std::string msg = parse(tc.args, tc.env, c);
    SCOPED_TRACE(msg);
    EXPECT_NE(msg.find(tc.names), std::string::npos) << "expected a message naming " << tc.names;
  }
}

TEST(Config, TheSmtpPortFollowsTheTlsModeAndPlaintextAuthNeedsAnOptIn) {
  for (const auto& [tls, port] : std::vector<std::pair<std::string, int>>{{"starttls", 587}, {"tls", 465}, {"none", 25}}) {
    Config c;
    EXPECT_EQ(parse({"--smtp-tls", tls}, {}, c), "");
    EXPECT_EQ(c.smtp_port, port) << tls;
  }
  Config explicit_port;
  EXPECT_EQ(parse({"--smtp-port", "2525"}, {}, explicit_port), "");
  EXPECT_EQ(explicit_port.smtp_port, 2525);
  Config opted_in;
  EXPECT_EQ(parse({"--smtp-host", "127.0.0.1", "--smtp-from", "alerts@example.com", "--smtp-tls", "none",
                   "--smtp-username", "u", "--smtp-allow-plaintext-auth", "1"},
                  {{"IRON_SMTP_PASSWORD", "p"}}, opted_in),
            "");
}

TEST(Config, ProxyNetworksUpToAnIPv4Slash8OrAnIPv6Slash7AreAccepted) {
  for (const char* list : {"10.0.0.0/8", "172.16.0.0/12, 192.168.0.0/16", "fc00::/7", "127.0.0.1/32,::1/128",
                           "203.0.113.7", "::ffff:10.0.0.0/104"}) {
    Config c;
    EXPECT_EQ(parse({"--trusted-proxies", list}, {}, c), "") << list;
  }
}

TEST(Config, SecretsComeFromEnvOrFileWithTrailingNewlineStripped) {
  const std::string path = temp_file("secret", "from-a-file-0123456789abcdef\n");
  Config c;
  EXPECT_EQ(parse({}, {{"IRON_JWT_SECRET_FILE", path}, {"IRON_METRICS_TOKEN", "tok"}}, c), "");
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
