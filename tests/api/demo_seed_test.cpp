// `ironpanel demo-seed`: an empty data dir becomes a panel worth clicking through — users who
// can log in with the printed password, funded agents, usage in analytics that matches the
// budgets — and a second run refuses to pile more on.
#include <gtest/gtest.h>

#include <regex>

#include "support/server_process.h"

using iron::test::json_of;
using iron::test::run_binary;
using iron::test::ServerProcess;

TEST(DemoSeed, FillsAnEmptyDataDirOnceWithDataAUserCanSee) {
  const std::string dir = iron::test::make_temp_dir() + "/data";
  const auto seeded = run_binary({"demo-seed", "--data", dir});
  ASSERT_EQ(seeded.exit_code, 0) << seeded.err;
  std::smatch m;
  ASSERT_TRUE(std::regex_search(seeded.out, m, std::regex("shown once\\): ([A-Za-z0-9]{16})"))) << seeded.out;
  const std::string password = m[1];

  const auto again = run_binary({"demo-seed", "--data", dir});
  EXPECT_EQ(again.exit_code, 1);
  EXPECT_NE(again.err.find("already has agents"), std::string::npos) << again.err;

  ServerProcess server({.extra_args = {}, .env = {}, .data_dir = dir});
  auto c = server.client();
  auto login = c->Post("/api/v1/auth/login", nlohmann::json{{"email", "alice@demo.example"}, {"password", password}}.dump(),
                       "application/json");
  ASSERT_TRUE(login);
  ASSERT_EQ(login->status, 200) << login->body;
  const httplib::Headers auth = {{"Authorization", "Bearer " + json_of(login)["user_token"].get<std::string>()}};

  auto agents = c->Get("/api/v1/agents", auth);
  ASSERT_TRUE(agents);
  const auto list = json_of(agents);
  ASSERT_TRUE(list.is_array()) << agents->body;
  EXPECT_EQ(list.size(), 2u) << "alice owns two of the three demo agents";
  int64_t spent = 0;
  for (const auto& a : list) {
    const auto& b = a["budget"];
    EXPECT_EQ(b["allocated"], b["spent"].get<int64_t>() + b["reserved"].get<int64_t>() + b["remaining"].get<int64_t>());
    spent += b["spent"].get<int64_t>();
  }
  EXPECT_GT(spent, 0);

  auto total = c->Get("/api/v1/analytics/spending/total?period=all-time", auth);
  ASSERT_TRUE(total);
  ASSERT_EQ(total->status, 200) << total->body;
  EXPECT_NE(total->body.find("\"total_spend_microdollars\":" + std::to_string(spent)), std::string::npos)
      << "analytics and budgets agree: " << total->body << " vs spent " << spent;
}
