// Server secrets: generated once into the data dir (0600) and reused across restarts;
// configured values via env or *_FILE; weak or malformed values refused at start.
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <filesystem>
#include <fstream>

#include "support/panel.h"

using namespace iron::test;

TEST(IdentitySecrets, GeneratedKeysAre0600AndSessionsSurviveARestart) {
  std::string token, dir;
  {
    Panel first(admin_options());
    dir = first.server().data_dir();
    token = first.admin.token;
    ASSERT_EQ(first.server().stop(), 0);
  }
  for (const char* name : {"jwt.key", "master.key"}) {
    struct stat st {};
    ASSERT_EQ(stat((dir + "/" + name).c_str(), &st), 0) << name;
    EXPECT_EQ(st.st_mode & 0777, 0600) << name;
  }
  ServerProcess second({.extra_args = {}, .env = {}, .data_dir = dir});
  EXPECT_EQ(get(second, "/api/v1/me", token).status, 200) << "a restart must not log everyone out";
}

TEST(IdentitySecrets, ConfiguredJwtSecretFromAFileSignsTokens) {
  const std::string dir = iron::test::make_temp_dir();
  { std::ofstream(dir + "/jwt") << "0123456789abcdef0123456789abcdef-strong-enough\n"; }
  Panel p(admin_options({}, {{"IRON_JWT_SECRET_FILE", dir + "/jwt"}}));
  EXPECT_FALSE(std::filesystem::exists(p.server().data_dir() + "/jwt.key")) << "a configured key is not replaced";
  EXPECT_FALSE(p.admin.token.empty()) << "the admin signs in with tokens the configured key signs";
}

TEST(IdentitySecrets, WeakOrMalformedSecretsAreRefusedAtStart) {
  const std::vector<std::pair<std::string, std::string>> cases = {
      {"IRON_JWT_SECRET", "dev-secret-change-in-production"},
      {"IRON_JWT_SECRET", "short"},
      {"IRON_JWT_SECRET", std::string(40, 'a')},
      {"IRON_SECRETS_MASTER_KEY", std::string(64, '0')},
      {"IRON_SECRETS_MASTER_KEY", "not-32-bytes"},
  };
  for (const auto& [name, value] : cases) {
    SCOPED_TRACE(name + "=" + value);
    const std::string dir = iron::test::make_temp_dir() + "/data";
    const auto r = run_binary({"serve", "--data", dir, "--listen", "127.0.0.1:0"}, {{name, value}});
    EXPECT_NE(r.exit_code, 0);
    EXPECT_NE(r.err.find(name), std::string::npos) << r.err;
    EXPECT_EQ(r.err.find(value.size() > 8 ? value : "\x01"), std::string::npos) << "the secret itself must not be echoed";
  }
}
