// GET /agents reads the whole list in three queries (agents, their budget rows, the keys'
// owners) instead of a budget and a key query per agent (issue 13). Each listed agent must
// still carry its own books and its key's owner — a delegated key included — exactly as the
// single-agent read shows them, for an admin and for an owner who sees only their own.
#include "governance_support.h"

using gov::json;

TEST(StoreAgentList, EachListedAgentCarriesItsOwnBudgetAndKeyOwner) {
  gov::Panel p;
  const auto alice = p.add_user("user", "alice");
  const int64_t alices_key = p.add_key(alice, "openai", "sk-alice-0123456789abcdef");
  const int64_t admins_key = p.add_key(p.admin, "openai", "sk-admin-0123456789abcdef");
  const std::vector<json> agents = {
      {{"name", "own-key"}, {"initial_budget_microdollars", 1'000}, {"owner_id", alice.id}, {"provider_key_id", alices_key}},
      {{"name", "delegated"}, {"initial_budget_microdollars", 2'000}, {"owner_id", alice.id}, {"provider_key_id", admins_key}},
      {{"name", "no-key"}, {"initial_budget_microdollars", 3'000}, {"owner_id", alice.id}},
      {{"name", "admins"}, {"initial_budget_microdollars", 4'000}, {"provider_key_id", admins_key}},
  };
  for (const auto& a : agents) p.create_agent(a);
  // Books that differ per agent: move one agent's allocation.
  const int64_t first = p.call("GET", "/api/v1/agents", p.admin.token).body[0].value("id", int64_t{0});
  ASSERT_EQ(p.call("PUT", gov::agent_path(first, "/budget"), p.admin.token, json{{"total_allocated_microdollars", 7'777}}).status, 200);

  const struct {
    std::string who, token;
    size_t expected;
  } callers[] = {{"admin", p.admin.token, agents.size()}, {"alice", alice.token, agents.size() - 1}};
  for (const auto& c : callers) {
    const auto list = p.call("GET", "/api/v1/agents", c.token);
    ASSERT_EQ(list.status, 200) << c.who << list.raw;
    ASSERT_EQ(list.body.size(), c.expected) << c.who << list.raw;
    for (const auto& item : list.body) {
      const int64_t id = item.value("id", int64_t{0});
      const auto one = p.call("GET", gov::agent_path(id), c.token);
      ASSERT_EQ(one.status, 200) << one.raw;
      EXPECT_EQ(item["budget"], one.body["budget"]) << c.who << " agent " << id;
      EXPECT_EQ(item["provider_key_owner_id"], one.body["provider_key_owner_id"]) << c.who << " agent " << id;
      EXPECT_EQ(item["owner_id"], one.body["owner_id"]) << c.who << " agent " << id;
    }
  }
}
