// GET /api/v1/providers paged on the server for the dashboard's key table; without paging
// parameters it stays the predecessor's plain array.
#include <gtest/gtest.h>

#include "governance_support.h"

namespace {
using gov::expect_error;
using gov::Panel;
using nlohmann::json;

TEST(ProviderKeyList, PagesOldestFirstWithTheTotalOfWhatTheCallerMaySee) {
  Panel p;
  const auto alice = p.add_user("user", "alice");
  std::vector<int64_t> mine;
  for (int i = 0; i < 3; ++i) mine.push_back(p.add_key(alice, "openai", "sk-alice-key-" + std::to_string(i) + "-abcdefgh"));
  const int64_t admins = p.add_key(p.admin, "anthropic", "sk-admin-key-abcdefgh");

  auto plain = p.call("GET", "/api/v1/providers", alice.access);
  ASSERT_EQ(plain.status, 200) << plain.raw;
  ASSERT_TRUE(plain.body.is_array());
  EXPECT_EQ(plain.body.size(), 3u);

  auto first = p.call("GET", "/api/v1/providers?per_page=2", alice.access);
  auto second = p.call("GET", "/api/v1/providers?per_page=2&page=2", alice.access);
  ASSERT_EQ(first.status, 200) << first.raw;
  EXPECT_EQ(first.body["pagination"]["total"], 3);
  EXPECT_EQ(first.body["pagination"]["total_pages"], 2);
  ASSERT_EQ(first.body["data"].size(), 2u);
  EXPECT_EQ(first.body["data"][0]["id"], mine[0]);
  EXPECT_EQ(first.body["data"][1]["id"], mine[1]);
  ASSERT_EQ(second.body["data"].size(), 1u);
  EXPECT_EQ(second.body["data"][0]["id"], mine[2]);
  EXPECT_FALSE(second.body.dump().find("sk-alice-key-2") != std::string::npos) << "masked in pages too";

  auto everyone = p.call("GET", "/api/v1/providers?all=true&page=2&per_page=3", p.admin.access);
  ASSERT_EQ(everyone.status, 200) << everyone.raw;
  EXPECT_EQ(everyone.body["pagination"]["total"], 4);
  ASSERT_EQ(everyone.body["data"].size(), 1u);
  EXPECT_EQ(everyone.body["data"][0]["id"], admins);
  expect_error(p.call("GET", "/api/v1/providers?all=true&per_page=2", alice.access), 403, "INSUFFICIENT_PERMISSIONS");
}

TEST(ProviderKeyList, BadPagingIs400) {
  Panel p;
  for (const auto& [query, field] : std::vector<std::pair<std::string, std::string>>{
           {"?page=0", "page"}, {"?per_page=0", "per_page"}, {"?per_page=201", "per_page"}, {"?page=x", "page"}})
    expect_error(p.call("GET", "/api/v1/providers" + query, p.admin.access), 400, "VALIDATION_ERROR", field);
}

}  // namespace
