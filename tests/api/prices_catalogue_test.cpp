// The price catalogue over real HTTP (docs/prices.md): the seed on first start, which version
// prices an event (pattern precedence and effective_from boundaries), sanity bounds, import
// all-or-nothing and export round trip, and reported vs catalogue cost at ingestion.
#include "support/csv_records.h"
#include "prices_support.h"

namespace prices_test {
namespace {

class PriceCatalogue : public PricesSuite {};

TEST_F(PriceCatalogue, FirstStartLoadsTheSeedOnce) {
  auto r = panel().call("GET", "/api/v1/prices", admin());
  ASSERT_EQ(r.status, 200) << r.raw;
  std::set<std::string> providers;
  int64_t seeded = 0;
  for (const auto& p : r.body["prices"]) {
    if (p["source"] != "seed") continue;
    ++seeded;
    providers.insert(p["provider"].get<std::string>());
    EXPECT_EQ(p["current"], true) << p;
  }
  EXPECT_GT(seeded, 0);
  EXPECT_EQ(providers, (std::set<std::string>{"anthropic", "openai"}));
  auto audit = panel().call("GET", "/api/v1/audit?action=prices.seed&limit=10", admin());
  ASSERT_EQ(audit.status, 200) << audit.raw;
  ASSERT_EQ(audit.body["items"].size(), 1u);
  EXPECT_EQ(audit.body["items"][0]["after"]["added"], seeded);
}

TEST_F(PriceCatalogue, MostSpecificKeyInEffectAtTheEventTimeWins) {
  const std::string T0 = "2026-01-01T00:00:00Z", T1 = "2026-02-01T00:00:00Z";
  const int64_t t0 = ms_of(T0), t1 = ms_of(T1);
  // Input prices tell the versions apart: 1M input tokens cost exactly the input price.
  add_price(price("acme", "*", 1, 0, 0, T0));
  add_price(price("acme", "m*", 2, 0, 0, T0));
  add_price(price("acme", "model-x*", 3, 0, 0, T0));
  add_price(price("acme", "model-x-1", 4, 0, 0, T0));
  add_price(price("acme", "model-x*", 5, 0, 0, T1));
  add_price(price("acme", "model-x-9", 9, 0, 0, T1));  // exact, but only from T1
  add_price(price("acme", "cache-model", 2'000'000, 8'000'000, 500'000, T0));
  add_price(price("acme", "half", 2'500'000, 0, 0, T0));
  struct Case {
    std::string name, model;
    int64_t at_ms;
    int64_t input, output, cached;
    std::string want_source;
    int64_t want_cost;
  };
  const int64_t M = 1'000'000;
  const std::vector<Case> cases = {
      {"exact beats patterns", "model-x-1", t0, M, 0, 0, "catalogue", 4},
      {"longest pattern", "model-x-2", t0, M, 0, 0, "catalogue", 3},
      {"pattern matches its prefix itself", "model-x", t0, M, 0, 0, "catalogue", 3},
      {"shorter pattern", "mzz", t0, M, 0, 0, "catalogue", 2},
      {"provider fallback", "other", t0, M, 0, 0, "catalogue", 1},
      {"case-sensitive", "Model-x-1", t0, M, 0, 0, "catalogue", 1},
      {"1 ms before a new version", "model-x-2", t1 - 1, M, 0, 0, "catalogue", 3},
      {"effective_from itself is included", "model-x-2", t1, M, 0, 0, "catalogue", 5},
      {"exact key without a version yet", "model-x-9", t1 - 1, M, 0, 0, "catalogue", 3},
      {"exact key once in effect", "model-x-9", t1, M, 0, 0, "catalogue", 9},
      {"before every version", "model-x-1", t0 - 1, M, 0, 0, "unpriced", 0},
      {"cached input at the cached price", "cache-model", t0, M, M, 400'000, "catalogue", 9'400'000},
      {"half a microdollar rounds up", "half", t0, 1, 0, 0, "catalogue", 3},
      {"no tokens, priced", "model-x-1", t0, 0, 0, 0, "catalogue", 0},
  };
  const int64_t agent = panel().add_agent(admin_id(), 1'000'000, "precedence");
  json batch = json::array();
  for (size_t i = 0; i < cases.size(); ++i) {
    json e = event("p" + std::to_string(i), "acme", cases[i].model, cases[i].at_ms, cases[i].input, cases[i].output);
    if (cases[i].cached) e["cached_input_tokens"] = cases[i].cached;
    batch.push_back(e);
  }
  batch.push_back(event("other-provider", "acme2", "model-x-1", t0, M, 0));
  ingest(agent, batch);
  auto got = events_of(agent);
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].name);
    const json& e = got["p" + std::to_string(i)];
    EXPECT_EQ(e["cost_source"], cases[i].want_source) << e;
    EXPECT_EQ(e["cost_micros"], cases[i].want_cost) << e;
    if (cases[i].want_source == "catalogue") EXPECT_EQ(e["catalogue_cost_micros"], cases[i].want_cost);
    else EXPECT_TRUE(e["catalogue_cost_micros"].is_null());
  }
  EXPECT_EQ(got["other-provider"]["cost_source"], "unpriced");
}

TEST_F(PriceCatalogue, AbsurdOrMalformedPricesAre400NamingTheField) {
  const json ok = price("bounds", "b-model", 1, 1, 1, "2026-03-01T00:00:00Z");
  const auto with = [&](const std::string& field, const json& value) {
    json b = ok;
    b[field] = value;
    return b;
  };
  struct Case {
    std::string name;
    json body;
    std::string field;
  };
  const std::vector<Case> cases = {
      {"negative input", with("input_micros_per_mtok", -1), "input_micros_per_mtok"},
      {"output above the ceiling", with("output_micros_per_mtok", 1'000'000'001), "output_micros_per_mtok"},
      {"cached above the ceiling", with("cached_input_micros_per_mtok", int64_t{1} << 40), "cached_input_micros_per_mtok"},
      {"price as a float", with("input_micros_per_mtok", 2.5), "input_micros_per_mtok"},
      {"price as a string", with("output_micros_per_mtok", "3"), "output_micros_per_mtok"},
      {"missing price", [&] { json b = ok; b.erase("output_micros_per_mtok"); return b; }(), "output_micros_per_mtok"},
      {"star inside the model", with("model", "gpt*4"), "model"},
      {"two stars", with("model", "gpt**"), "model"},
      {"empty model", with("model", ""), "model"},
      {"upper-case provider", with("provider", "OpenAI"), "provider"},
      {"not a time", with("effective_from", "yesterday"), "effective_from"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto r = panel().call("POST", "/api/v1/prices", admin(), c.body);
    EXPECT_EQ(r.status, 400) << r.raw;
    EXPECT_EQ(r.field(), c.field) << r.raw;
  }
  // The ceiling itself is allowed; the same version twice is a conflict, never an edit.
  auto at_ceiling = panel().call("POST", "/api/v1/prices", admin(), with("output_micros_per_mtok", 1'000'000'000));
  EXPECT_EQ(at_ceiling.status, 201) << at_ceiling.raw;
  auto again = panel().call("POST", "/api/v1/prices", admin(), with("output_micros_per_mtok", 7));
  EXPECT_EQ(again.status, 409) << again.raw;
  EXPECT_EQ(again.code(), "PRICE_VERSION_EXISTS");
  // Only admins write prices; everyone signed in reads them.
  const Account viewer = panel().add_user("viewer", "pv");
  EXPECT_EQ(panel().call("POST", "/api/v1/prices", viewer.token, with("model", "v-model")).status, 403);
  EXPECT_EQ(panel().call("GET", "/api/v1/prices", viewer.token).status, 200);
}

TEST_F(PriceCatalogue, ImportIsAllOrNothingAndExportRoundTrips) {
  const json good1 = price("imp", "imp-a", 10, 20, 5, "2026-01-01T00:00:00Z");
  const json good2 = price("imp", "imp-b*", 11, 21, 6, "2026-01-01T00:00:00Z");
  json bad = price("imp", "imp-c", 12, -22, 7, "2026-01-01T00:00:00Z");
  auto r = panel().call("POST", "/api/v1/prices/import", admin(), {{"prices", {good1, good2, bad}}});
  EXPECT_EQ(r.status, 400) << r.raw;
  EXPECT_EQ(r.field(), "prices[2].output_micros_per_mtok");
  EXPECT_EQ(versions_of("imp"), 0u);

  r = panel().call("POST", "/api/v1/prices/import", admin(), {{"prices", {good1, good1}}});
  EXPECT_EQ(r.status, 400) << r.raw;
  EXPECT_EQ(r.field(), "prices[1]");

  add_price(price("imp", "imp-z", 1, 1, 1, "2026-01-01T00:00:00Z"));
  r = panel().call("POST", "/api/v1/prices/import", admin(),
                   {{"prices", {good1, good2, price("imp", "imp-z", 2, 1, 1, "2026-01-01T00:00:00Z")}}});
  EXPECT_EQ(r.status, 409) << r.raw;
  EXPECT_EQ(r.code(), "PRICE_VERSION_CONFLICT");
  EXPECT_EQ(r.field(), "prices[2]");
  EXPECT_EQ(versions_of("imp"), 1u);

  r = panel().call("POST", "/api/v1/prices/import", admin(), {{"format", "ironpanel-prices/1"}, {"prices", {good1, good2}}});
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body, (json{{"added", 2}, {"unchanged", 0}}));
  EXPECT_EQ(versions_of("imp"), 3u);

  // The export is a document the import takes back unchanged.
  auto exported = panel().call("GET", "/api/v1/prices/export", admin());
  ASSERT_EQ(exported.status, 200) << exported.raw;
  EXPECT_EQ(exported.body["format"], "ironpanel-prices/1");
  const size_t all = exported.body["prices"].size();
  bool has_good2 = false;
  for (const auto& p : exported.body["prices"]) has_good2 |= p == good2;
  EXPECT_TRUE(has_good2) << exported.raw;
  r = panel().call("POST", "/api/v1/prices/import", admin(), exported.body);
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["added"], 0);
  EXPECT_EQ(r.body["unchanged"], all);

  auto audit = panel().call("GET", "/api/v1/audit?action=prices.import&limit=10", admin());
  ASSERT_EQ(audit.status, 200);
  EXPECT_EQ(audit.body["items"].size(), 2u) << "only the two imports that committed";
  const Account user = panel().add_user("user", "pu");
  EXPECT_EQ(panel().call("POST", "/api/v1/prices/import", user.token, {{"prices", {good1}}}).status, 403);
  EXPECT_EQ(panel().call("GET", "/api/v1/prices/export", user.token).status, 403);
}

TEST_F(PriceCatalogue, ReportedCostIsKeptWithTheCatalogueCostBesideIt) {
  add_price(price("rep", "rep-model", 1'000'000, 2'000'000, 0, "2026-01-01T00:00:00Z"));
  const Account owner = panel().add_user("user", "rep");
  const int64_t agent = panel().add_agent(owner.id, 1'000'000, "reporter");
  const int64_t t = ms_of("2026-01-05T12:00:00Z");
  json batch = {event("reported", "rep", "rep-model", t, 1000, 1000, 5000),  // catalogue: 1000 + 2000
                event("computed", "rep", "rep-model", t + 1, 1000, 1000),
                event("unpriced", "rep", "no-price-model", t + 2, 10, 0),
                event("reported-unpriced", "rep", "no-price-model", t + 3, 10, 0, 77)};
  json failed = {{"event_id", "failed-empty"}, {"timestamp_ms", t + 4}, {"event_type", "llm_request_failed"},
                 {"provider", "rep"}, {"model", "no-price-model"}};
  batch.push_back(failed);
  ingest(agent, batch);
  auto got = events_of(agent);
  struct Want {
    std::string id, source;
    int64_t cost;
    json catalogue;
  };
  for (const auto& w : std::vector<Want>{{"reported", "reported", 5000, 3000},
                                         {"computed", "catalogue", 3000, 3000},
                                         {"unpriced", "unpriced", 0, nullptr},
                                         {"reported-unpriced", "reported", 77, nullptr},
                                         {"failed-empty", "none", 0, nullptr}}) {
    SCOPED_TRACE(w.id);
    EXPECT_EQ(got[w.id]["cost_source"], w.source);
    EXPECT_EQ(got[w.id]["cost_micros"], w.cost);
    EXPECT_EQ(got[w.id]["catalogue_cost_micros"], w.catalogue);
  }
  // The difference read: per agent and model, owner-scoped.
  auto d = panel().call("GET", "/api/v1/analytics/cost-differences?agent_id=" + std::to_string(agent), owner.token);
  ASSERT_EQ(d.status, 200) << d.raw;
  EXPECT_EQ(d.body["totals"]["compared_events"], 1);
  EXPECT_EQ(d.body["totals"]["reported_micros"], 5000);
  EXPECT_EQ(d.body["totals"]["catalogue_micros"], 3000);
  EXPECT_EQ(d.body["totals"]["difference_micros"], 2000);
  EXPECT_EQ(d.body["totals"]["unpriced_events"], 1);
  EXPECT_EQ(d.body["totals"]["unpriced_tokens"], 10);
  ASSERT_EQ(d.body["rows"].size(), 2u) << d.raw;
  // The same rows as CSV, money in dollars; the event log's CSV carries the cost source.
  auto d_csv = panel().call("GET", "/api/v1/analytics/cost-differences?format=csv&agent_id=" + std::to_string(agent),
                            owner.token);
  ASSERT_EQ(d_csv.status, 200) << d_csv.raw;
  const auto diff_rows = parse_csv(d_csv.raw);
  ASSERT_EQ(diff_rows.size(), 1u + d.body["rows"].size()) << d_csv.raw;
  ASSERT_EQ(diff_rows[0].size(), 10u);
  EXPECT_EQ(diff_rows[0][7], "difference_usd");
  int64_t compared = 0;
  for (size_t i = 1; i < diff_rows.size(); ++i) {
    const auto& json_row = d.body["rows"][i - 1];
    EXPECT_EQ(diff_rows[i][3], json_row["model"]);
    EXPECT_EQ(diff_rows[i][9], std::to_string(json_row["unpriced_tokens"].get<int64_t>()));
    compared += std::stoll(diff_rows[i][4]);
    if (json_row["compared_events"] == 1) {
      EXPECT_EQ(diff_rows[i][7], "0.002000");
    }
  }
  EXPECT_EQ(compared, 1);
  auto events_csv = panel().call("GET", "/api/v1/analytics/events/list?format=csv&agent_id=" + std::to_string(agent),
                                 owner.token);
  ASSERT_EQ(events_csv.status, 200) << events_csv.raw;
  const auto event_rows = parse_csv(events_csv.raw);
  ASSERT_EQ(event_rows.size(), 1u + got.size());
  ASSERT_EQ(event_rows[0].size(), 17u);
  EXPECT_EQ(event_rows[0][14], "cost_source");
  EXPECT_EQ(event_rows[0][15], "catalogue_cost_usd");
  EXPECT_EQ(event_rows[0][16], "model_allowed");  // docs/model-allow-lists.md
  for (size_t i = 1; i < event_rows.size(); ++i) {
    const json& e = got[event_rows[i][1]];
    SCOPED_TRACE(event_rows[i][1]);
    EXPECT_EQ(event_rows[i][14], e["cost_source"]);
    const json& catalogue = e["catalogue_cost_micros"];
    EXPECT_EQ(event_rows[i][15], catalogue.is_null() ? "" : "0.00" + std::to_string(catalogue.get<int64_t>() / 1000) + "000")
        << "µ$ 3000 is $0.003000";
  }
  EXPECT_EQ(event_rows[0][13], "cached_input_tokens");
  const Account stranger = panel().add_user("user", "strange");
  auto none = panel().call("GET", "/api/v1/analytics/cost-differences?agent_id=" + std::to_string(agent), stranger.token);
  ASSERT_EQ(none.status, 200);
  EXPECT_TRUE(none.body["rows"].empty());
}

}  // namespace
}  // namespace prices_test
