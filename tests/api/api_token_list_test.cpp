// GET /api/v1/api-tokens narrowed by status and paged on the server, for the dashboard's
// token table (its requests stay bounded whatever the number of tokens).
#include <gtest/gtest.h>

#include <set>

#include "governance_support.h"

namespace {
using gov::expect_error;
using gov::Panel;
using nlohmann::json;
const std::string kTokens = "/api/v1/api-tokens";

int64_t create_token(Panel& p, const std::string& bearer, const std::string& name) {
  auto r = p.call("POST", kTokens, bearer, json{{"name", name}});
  EXPECT_EQ(r.status, 201) << r.raw;
  return r.body.value("id", int64_t{0});
}

std::set<int64_t> ids_of(const json& rows) {
  std::set<int64_t> out;
  for (const auto& r : rows) out.insert(r["id"].get<int64_t>());
  return out;
}

TEST(ApiTokenList, StatusNarrowsAndPagesAnswerOnePageWithItsTotal) {
  Panel p;
  const auto alice = p.add_user("user", "alice");
  const int64_t kept1 = create_token(p, alice.access, "one"), kept2 = create_token(p, alice.access, "two");
  const int64_t revoked = create_token(p, alice.access, "three");
  const int64_t rotated = create_token(p, alice.access, "four");
  ASSERT_EQ(p.call("DELETE", kTokens + "/" + std::to_string(revoked), alice.access).status, 200);
  auto fresh = p.call("POST", kTokens + "/" + std::to_string(rotated) + "/rotate", alice.access);
  ASSERT_EQ(fresh.status, 200) << fresh.raw;
  const int64_t replacement = fresh.body["id"].get<int64_t>();
  create_token(p, p.admin.access, "admin's");

  struct Case { std::string query; std::set<int64_t> ids; };
  const std::vector<Case> cases = {
      {"?status=active", {kept1, kept2, replacement}},
      {"?status=inactive", {revoked, rotated}},
      {"?status=expired", {}},
      {"", {kept1, kept2, revoked, rotated, replacement}},
  };
  for (const auto& c : cases) {
    auto r = p.call("GET", kTokens + c.query, alice.access);
    ASSERT_EQ(r.status, 200) << c.query << r.raw;
    ASSERT_TRUE(r.body.is_array()) << "without page/per_page: the predecessor's plain array";
    EXPECT_EQ(ids_of(r.body), c.ids) << c.query;
  }

  // Two pages of two active tokens: newest first, disjoint, with the filtered total.
  auto first = p.call("GET", kTokens + "?status=active&per_page=2", alice.access);
  auto second = p.call("GET", kTokens + "?status=active&per_page=2&page=2", alice.access);
  ASSERT_EQ(first.status, 200) << first.raw;
  EXPECT_EQ(first.body["pagination"]["total"], 3);
  EXPECT_EQ(first.body["pagination"]["total_pages"], 2);
  ASSERT_EQ(first.body["data"].size(), 2u);
  EXPECT_EQ(first.body["data"][0]["id"], replacement) << "newest first";
  ASSERT_EQ(second.body["data"].size(), 1u);
  EXPECT_EQ(second.body["data"][0]["id"], kept1);

  // Everyone's, paged, for an admin; the filter applies across owners.
  auto all = p.call("GET", kTokens + "?user_id=*&status=active&per_page=200", p.admin.access);
  ASSERT_EQ(all.status, 200) << all.raw;
  EXPECT_EQ(all.body["pagination"]["total"], 4);
}

TEST(ApiTokenList, BadListParametersAre400) {
  Panel p;
  for (const auto& [query, field] : std::vector<std::pair<std::string, std::string>>{
           {"?status=revoked", "status"}, {"?status=", "status"}, {"?page=0", "page"},
           {"?per_page=201", "per_page"}, {"?per_page=x", "per_page"}})
    expect_error(p.call("GET", kTokens + query, p.admin.access), 400, "VALIDATION_ERROR", field);
}

}  // namespace
