// GET /agents is answered from a cache while nothing changed (api/agent_list_cache.h): every
// kind of write that changes the list is seen by the very next read, for each view (an admin
// sees all, an owner their own) and each query shape. That a cached answer's clock-dependent
// fields are exact is checked in tests/unit/agent_list_cache_test.cpp.
#include "governance_support.h"

#include <functional>

using gov::json;

namespace {

json agent_in(const json& list, int64_t id) {
  for (const auto& a : list)
    if (a.value("id", int64_t{0}) == id) return a;
  return nullptr;
}

// The list without projected_exhaustion_at, which moves with the clock (to the second) once an
// agent has spent: two reads may straddle its turn-over, cached or not.
json timeless(json list) {
  json& rows = list.is_array() ? list : list["data"];
  for (auto& a : rows) a.erase("projected_exhaustion_at");
  return list;
}

}  // namespace

TEST(AgentListCache, EveryWriteIsSeenByTheNextList) {
  gov::Panel p;
  const auto alice = p.add_user("user", "alice");
  const int64_t key = p.add_key(p.admin);
  const int64_t id = p.create_agent({{"name", "cached"}, {"provider_key_id", key}, {"initial_budget_microdollars", 5'000'000}})
                         .value("id", int64_t{0});
  const std::string ic = p.ic_token(id);
  const auto hs = p.call("POST", "/api/v1/budget/handshake", ic, json{{"provider", "openai"}, {"requested_budget", 100'000}});
  ASSERT_EQ(hs.status, 200) << hs.raw;
  const std::string lease = hs.body["lease_id"];
  int64_t alices = 0;

  const struct {
    std::string what;
    std::function<void()> write;
    std::function<void(const json& admin_list, const json& alice_list)> expect;
  } steps[] = {
      {"a budget report", [&] {
         ASSERT_EQ(p.call("POST", "/api/v1/budget/report", ic,
                          json{{"lease_id", lease}, {"request_id", "r1"}, {"tokens", 5}, {"cost_microdollars", 1'234},
                               {"model", "m"}, {"provider", "openai"}}).status, 200);
       },
       [&](const json& all, const json&) { EXPECT_EQ(agent_in(all, id)["budget"]["spent"], 1'234); }},
      {"a new allocation", [&] {
         ASSERT_EQ(p.call("PUT", gov::agent_path(id, "/budget"), p.admin.token,
                          json{{"total_allocated_microdollars", 7'000'000}}).status, 200);
       },
       [&](const json& all, const json&) { EXPECT_EQ(agent_in(all, id)["budget"]["allocated"], 7'000'000); }},
      {"a rename", [&] {
         ASSERT_EQ(p.call("PUT", gov::agent_path(id), p.admin.token, json{{"name", "renamed"}}).status, 200);
       },
       [&](const json& all, const json&) { EXPECT_EQ(agent_in(all, id)["name"], "renamed"); }},
      {"an agent of alice's", [&] { alices = p.add_agent(alice.id, 1'000, "alices"); },
       [&](const json& all, const json& hers) {
         EXPECT_EQ(all.size(), 2u);
         ASSERT_EQ(hers.size(), 1u) << "alice sees her own agent only";
         EXPECT_EQ(hers[0]["id"], alices);
       }},
      {"a deletion", [&] { ASSERT_EQ(p.call("DELETE", gov::agent_path(alices), p.admin.token).status, 204); },
       [&](const json& all, const json& hers) {
         EXPECT_EQ(all.size(), 1u);
         EXPECT_TRUE(hers.empty());
       }},
  };
  const auto list = [&](const std::string& token, const std::string& query = "") {
    const auto r = p.call("GET", "/api/v1/agents" + query, token);
    EXPECT_EQ(r.status, 200) << r.raw;
    return r;
  };
  for (const auto& step : steps) {
    // Twice each, so the second answer can come from the cache: the same bytes.
    for (const auto& token : {p.admin.token, alice.token})
      EXPECT_EQ(timeless(list(token).body), timeless(list(token).body)) << step.what;
    EXPECT_EQ(timeless(list(p.admin.token, "?per_page=1").body), timeless(list(p.admin.token, "?per_page=1").body))
        << step.what;
    step.write();
    const auto all = list(p.admin.token), hers = list(alice.token);
    step.expect(all.body, hers.body);
    const auto page = list(p.admin.token, "?per_page=1");
    EXPECT_EQ(page.body["pagination"]["total"], all.body.size()) << step.what << ": the paged view moved too";
    EXPECT_EQ(timeless(page.body)["data"][0], timeless(all.body)[0]) << step.what;
  }
}
