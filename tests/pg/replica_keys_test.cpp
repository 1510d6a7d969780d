// Replicas must sign sessions with one JWT secret, or a session started on one is refused by
// the next. A replica that brings another secret than the serving replicas' is refused at
// start, naming the setting; once every replica has stopped, a new secret is allowed, with
// the same warning a single server gives (cli/server_key_check.h, store/pg/replica_wiring.h).
#include <string>

#include "pg_fixture.h"
#include "support/server_process.h"

namespace iron::test {
namespace {

class ReplicaKeys : public PgTest {
 protected:
  std::map<std::string, std::string> env_with(const std::string& jwt_secret) const {
    return {{"IRON_DATABASE_URL", dsn()},
            {"IRON_JWT_SECRET", jwt_secret},
            {"IRON_SECRETS_MASTER_KEY", "9a3e5c71d0b84f26e1c7a5d93b0f2e48c6d1a7b5e03f9c2d4a8b61e7f05c3d29"},
            {"IRON_IP_TOKEN_KEY", "2d7f9b1e4c0a8d63f5e2b9c7a1d04e8f3b6c5a29e7d1f0b84c3a6e2d9f5b7c10"}};
  }
  static bool warned_of_a_new_secret(const ServerProcess& s) {
    for (const auto& line : s.log_lines())
      if (line.value("msg", "").find("the JWT secret changed") != std::string::npos) return true;
    return false;
  }
  const std::string old_secret_ = "replica-keys-old-secret-7c1e9a3f5b2d8046ace1";
  const std::string new_secret_ = "replica-keys-new-secret-0b4d6f8a2c1e3957bdf2";
};

TEST_F(ReplicaKeys, ASecondReplicaWithAnotherJwtSecretIsRefusedUntilTheFirstStops) {
  auto first = std::make_unique<ServerProcess>(ServerProcess::Options{.env = env_with(old_secret_)});
  ASSERT_EQ(first->client()->Get("/health/ready")->status, 200);

  const std::vector<std::string> serve{"serve", "--data", make_temp_dir() + "/data", "--listen", "127.0.0.1:0"};
  const auto refused = run_binary(serve, env_with(new_secret_), "", 30);
  EXPECT_EQ(refused.exit_code, 2) << refused.err;
  EXPECT_NE(refused.err.find("IRON_JWT_SECRET is not the secret the replicas serving this database"),
            std::string::npos)
      << refused.err;
  EXPECT_EQ(refused.err.find(new_secret_), std::string::npos) << "the secret itself is never printed";

  {
    ServerProcess same({.env = env_with(old_secret_)});
    EXPECT_EQ(same.client()->Get("/health/ready")->status, 200) << "the same secret joins";
    EXPECT_FALSE(warned_of_a_new_secret(same));
  }
  ASSERT_EQ(first->stop(), 0);
  first.reset();

  ServerProcess renewed({.env = env_with(new_secret_)});
  EXPECT_EQ(renewed.client()->Get("/health/ready")->status, 200) << "no replica serves: the secret may change";
  EXPECT_TRUE(warned_of_a_new_secret(renewed));
}

}  // namespace
}  // namespace iron::test
