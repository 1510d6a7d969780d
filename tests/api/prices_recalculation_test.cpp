// Recalculating history after a price change (docs/prices.md): the dry run answers exactly
// what apply then does, reported costs are never overwritten, unpriced events get priced once
// a price covers them, and after apply the rollup reads (spending by agent / model, totals)
// equal a sum over the events list.
#include "prices_support.h"

namespace prices_test {
namespace {

class PriceRecalculation : public PricesSuite {
 protected:
  // Completed-event spend of an agent, summed over the events list.
  static int64_t events_spend(int64_t agent) {
    int64_t sum = 0;
    for (const auto& [id, e] : events_of(agent))
      if (e["event_type"] == "llm_request_completed") sum += e["cost_micros"].get<int64_t>();
    return sum;
  }
};

const std::string kDay1 = "2026-04-01T10:00:00Z", kDay2 = "2026-04-02T10:00:00Z";

TEST_F(PriceRecalculation, DryRunEqualsApplyAndRollupsFollowTheEvents) {
  add_price(price("recalc", "r-model*", 1'000'000, 1'000'000, 0, "2026-01-01T00:00:00Z"));
  const int64_t a = panel().add_agent(admin_id(), 1'000'000, "recalc-a");
  const int64_t b = panel().add_agent(admin_id(), 1'000'000, "recalc-b");
  const int64_t d1 = ms_of(kDay1), d2 = ms_of(kDay2);
  // a: two catalogue events (1000 + 2000 µ$ at 1 µ$/token), one reported, one unpriced, one
  // outside the window; b: one catalogue event.
  ingest(a, {event("a1", "recalc", "r-model-1", d1, 500, 500), event("a2", "recalc", "r-model-2", d2, 1000, 1000),
             event("a3", "recalc", "r-model-1", d1 + 1, 100, 100, 999),
             event("a4", "recalc", "new-model", d2 + 1, 300, 0),
             event("a5", "recalc", "r-model-1", ms_of("2026-05-01T00:00:00Z"), 100, 0)});
  ingest(b, json::array({event("b1", "recalc", "r-model-1", d1, 4000, 0)}));
  ASSERT_EQ(events_spend(a), 1000 + 2000 + 999 + 0 + 100);

  // The price doubles from April 1 (midnight), and new-model gets a price.
  add_price(price("recalc", "r-model*", 2'000'000, 2'000'000, 0, "2026-04-01T00:00:00Z"));
  add_price(price("recalc", "new-model", 5'000'000, 0, 0, "2026-04-01T00:00:00Z"));
  const json window = {{"from", "2026-04-01T00:00:00Z"}, {"to", "2026-04-03T00:00:00Z"}};

  auto dry = panel().call("POST", "/api/v1/prices/recalculate", admin(), window);
  ASSERT_EQ(dry.status, 200) << dry.raw;
  EXPECT_EQ(dry.body["applied"], false);
  EXPECT_EQ(dry.body["events_examined"], 5);  // a1..a4, b1
  EXPECT_EQ(dry.body["events_changed"], 5);   // a3 only for its catalogue cost beside the reported one
  EXPECT_EQ(dry.body["unpriced_before"], 1);
  EXPECT_EQ(dry.body["unpriced_after"], 0);
  EXPECT_EQ(dry.body["before_micros"], 1000 + 2000 + 0 + 4000);
  EXPECT_EQ(dry.body["after_micros"], 2000 + 4000 + 1500 + 8000);
  ASSERT_EQ(dry.body["agents"].size(), 2u) << dry.raw;
  EXPECT_EQ(dry.body["agents"][0]["agent_id"], a);
  EXPECT_EQ(dry.body["agents"][0]["delta_micros"], (2000 + 4000 + 1500) - 3000);
  EXPECT_EQ(dry.body["agents"][1]["agent_id"], b);
  EXPECT_EQ(dry.body["agents"][1]["delta_micros"], 4000);
  // A dry run changes nothing.
  EXPECT_EQ(events_of(a)["a1"]["cost_micros"], 1000);

  json apply = window;
  apply["apply"] = true;
  auto applied = panel().call("POST", "/api/v1/prices/recalculate", admin(), apply);
  ASSERT_EQ(applied.status, 200) << applied.raw;
  json expected = dry.body;
  expected["applied"] = true;
  EXPECT_EQ(applied.body, expected);

  auto ev = events_of(a);
  EXPECT_EQ(ev["a1"]["cost_micros"], 2000);
  EXPECT_EQ(ev["a2"]["cost_micros"], 4000);
  EXPECT_EQ(ev["a3"]["cost_micros"], 999) << "a reported cost is never overwritten";
  EXPECT_EQ(ev["a3"]["cost_source"], "reported");
  EXPECT_EQ(ev["a3"]["catalogue_cost_micros"], 400);
  EXPECT_EQ(ev["a4"]["cost_source"], "catalogue");
  EXPECT_EQ(ev["a4"]["cost_micros"], 1500);
  EXPECT_EQ(ev["a5"]["cost_micros"], 100) << "outside the window: keeps its ingestion-time cost";

  // The rollup reads agree with a sum over the events list.
  auto by_agent = panel().call("GET", "/api/v1/analytics/spending/by-agent?per_page=200", admin());
  ASSERT_EQ(by_agent.status, 200) << by_agent.raw;
  std::map<int64_t, int64_t> rollup;
  for (const auto& row : by_agent.body["data"]) rollup[row["agent_id"].get<int64_t>()] = row["spending_microdollars"];
  EXPECT_EQ(rollup[a], events_spend(a));
  EXPECT_EQ(rollup[b], events_spend(b));
  auto models = panel().call("GET", "/api/v1/analytics/usage/models?per_page=200&provider=recalc", admin());
  ASSERT_EQ(models.status, 200) << models.raw;
  int64_t model_sum = 0;
  for (const auto& row : models.body["data"]) model_sum += row["spending_microdollars"].get<int64_t>();
  EXPECT_EQ(model_sum, events_spend(a) + events_spend(b));

  // Audited with the before / after totals; a second run has nothing left to change.
  auto audit = panel().call("GET", "/api/v1/audit?action=prices.recalculate&limit=10", admin());
  ASSERT_EQ(audit.status, 200);
  ASSERT_EQ(audit.body["items"].size(), 1u);
  EXPECT_EQ(audit.body["items"][0]["before"]["total_micros"], dry.body["before_micros"]);
  EXPECT_EQ(audit.body["items"][0]["after"]["total_micros"], dry.body["after_micros"]);
  auto again = panel().call("POST", "/api/v1/prices/recalculate", admin(), apply);
  ASSERT_EQ(again.status, 200);
  EXPECT_EQ(again.body["events_changed"], 0);
  EXPECT_EQ(again.body["delta_micros"], 0);
}

TEST_F(PriceRecalculation, WindowAndAccessAreChecked) {
  auto reversed = panel().call("POST", "/api/v1/prices/recalculate", admin(),
                               {{"from", "2026-04-02T00:00:00Z"}, {"to", "2026-04-01T00:00:00Z"}});
  EXPECT_EQ(reversed.status, 400);
  EXPECT_EQ(reversed.field(), "to");
  auto missing = panel().call("POST", "/api/v1/prices/recalculate", admin(), {{"from", "2026-04-02T00:00:00Z"}});
  EXPECT_EQ(missing.status, 400);
  EXPECT_EQ(missing.field(), "to");
  auto bad = panel().call("POST", "/api/v1/prices/recalculate", admin(), {{"from", "soon"}, {"to", "later"}});
  EXPECT_EQ(bad.status, 400);
  EXPECT_EQ(bad.field(), "from");
  const Account user = panel().add_user("user", "rc");
  EXPECT_EQ(panel().call("POST", "/api/v1/prices/recalculate", user.token,
                         {{"from", "2026-04-01T00:00:00Z"}, {"to", "2026-04-02T00:00:00Z"}})
                .status,
            403);
}

}  // namespace
}  // namespace prices_test
