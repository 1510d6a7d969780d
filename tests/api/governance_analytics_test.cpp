// Usage analytics over real HTTP against the real binary: every read route requires auth and
// is owner-scoped, bad period / page / per_page / filters are 400 envelopes (never 500), and
// ingestion by IC token.
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "analytics_support.h"
#include "support/raw_http.h"

using nlohmann::json;
using namespace analytics_test;

TEST(GovernanceAnalytics, EveryReadRouteRequiresAuthentication) {
  Panel p;
  for (const auto& route : kReadRoutes) {
    expect_error(p.get(route, ""), 401, "AUTH_MISSING_TOKEN");
    expect_error(p.get(route, "not-a-token"), 401, "AUTH_INVALID_TOKEN");
    EXPECT_EQ(p.get(route, p.admin_token).status, 200) << route;
  }
}

TEST(GovernanceAnalytics, UsersSeeOnlyTheirAgentsAdminSeesAll) {
  Panel p;
  const Seeded s = seed(p);
  auto total = [&](const std::string& token) { return p.get("/spending/total", token).body["total_spend_microdollars"]; };
  EXPECT_EQ(total(s.alice), 1500);
  EXPECT_EQ(total(s.bob), 70'000);
  EXPECT_EQ(total(p.admin_token), 71'500);
  auto t = p.get("/spending/total", s.alice).body;
  EXPECT_DOUBLE_EQ(t["total_spend"].get<double>(), 0.0015);
  EXPECT_EQ(t["currency"], "USD");
  EXPECT_EQ(t["period"], "all-time");

  auto by_agent = p.get("/spending/by-agent", s.alice).body;
  ASSERT_EQ(by_agent["data"].size(), 1u) << by_agent;
  EXPECT_EQ(by_agent["data"][0]["agent_id"], s.alice_agent);
  EXPECT_EQ(by_agent["data"][0]["budget_microdollars"], 10'000);
  EXPECT_DOUBLE_EQ(by_agent["data"][0]["percent_used"].get<double>(), 15.0);
  EXPECT_EQ(by_agent["pagination"], (json{{"page", 1}, {"per_page", 50}, {"total", 1}, {"total_pages", 1}}));
  EXPECT_EQ(p.get("/spending/by-agent", p.admin_token).body["summary"]["total_agents"], 2);

  EXPECT_EQ(p.get("/spending/by-provider", s.alice).body["data"][0]["spending_microdollars"], 1500);
  auto avg = p.get("/spending/avg-per-request", s.alice).body;
  EXPECT_EQ(avg["total_requests"], 2);
  EXPECT_EQ(avg["average_cost_per_request_microdollars"], 750);
  EXPECT_EQ(avg["min_cost_per_request_microdollars"], 500);
  EXPECT_EQ(avg["max_cost_per_request_microdollars"], 1000);

  auto requests = p.get("/usage/requests", s.alice).body;
  EXPECT_EQ(requests["total_requests"], 3);
  EXPECT_EQ(requests["successful_requests"], 2);
  EXPECT_EQ(requests["failed_requests"], 1);
  auto tokens = p.get("/usage/tokens/by-agent", s.alice).body;
  ASSERT_EQ(tokens["data"].size(), 1u);
  EXPECT_EQ(tokens["summary"]["total_tokens"], 45);
  EXPECT_EQ(p.get("/usage/models", s.bob).body["summary"]["total_spend_microdollars"], 70'000);

  auto events = p.get("/events/list", s.alice).body;
  ASSERT_EQ(events["data"].size(), 3u) << events;
  EXPECT_EQ(events["pagination"]["per_page"], 10);
  for (const auto& e : events["data"]) EXPECT_EQ(e["agent_id"], s.alice_agent);
  EXPECT_EQ(p.get("/events/list", p.admin_token).body["pagination"]["total"], 4);
  // Filtering on another user's agent shows nothing of it.
  EXPECT_EQ(p.get("/spending/total?agent_id=" + std::to_string(s.bob_agent), s.alice).body["total_spend_microdollars"], 0);
  EXPECT_EQ(p.get("/events/list?agent_id=" + std::to_string(s.bob_agent), s.alice).body["data"].size(), 0u);

  auto budget = p.get("/budget/status", s.alice).body;
  ASSERT_EQ(budget["data"].size(), 1u);
  EXPECT_EQ(budget["summary"]["total_agents"], 1);
  EXPECT_EQ(p.get("/budget/status", p.admin_token).body["summary"]["total_agents"], 2);
}

TEST(GovernanceAnalytics, BudgetStatusCarriesMicrosAndUsdAndRisk) {
  Panel p;
  const Seeded s = seed(p);
  auto r = p.get("/budget/status?agent_id=" + std::to_string(s.alice_agent), p.admin_token);
  ASSERT_EQ(r.status, 200) << r.raw;
  const json& row = r.body["data"][0];
  EXPECT_EQ(row["budget"], 10'000);
  EXPECT_EQ(row["budget_microdollars"], 10'000);
  EXPECT_DOUBLE_EQ(row["budget_usd"].get<double>(), 0.01);
  EXPECT_EQ(row["spent"], 0) << "the ledger's spend: analytics events are reports, not lease spend";
  EXPECT_EQ(row["remaining"], 10'000);
  EXPECT_EQ(row["risk_level"], "low");
  EXPECT_EQ(row["status"], "active");
  EXPECT_EQ(p.get("/budget/status?threshold=50", p.admin_token).body["summary"]["total_agents"], 0);
}

TEST(GovernanceAnalytics, BadQueryValuesAre400NeverA500) {
  Panel p;
  seed(p);
  struct Case { std::string query; std::string field; };
  const std::vector<Case> cases = {
      {"period=last-week", "period"}, {"period=", "period"},       {"page=0", "page"},   // page_zero_is_400
      {"per_page=0", "per_page"},    /* per_page_zero_is_400 */     {"per_page=201", "per_page"},
      {"page=-1", "page"},           {"page=abc", "page"},          {"per_page=1e3", "per_page"},
      {"page=99999999999999999999", "page"}, {"agent_id=0", "agent_id"}, {"agent_id=x", "agent_id"},
      {"provider=", "provider"},     {"provider=open%00ai", "provider"}, {"provider=%07", "provider"},
      {"from=2026-02-29", "from"},   {"to=yesterday", "to"},        {"period=today&to=2026-01-01", "period"}};
  for (const auto& route : {std::string("/events/list"), std::string("/spending/by-agent"),
                            std::string("/usage/tokens/by-agent"), std::string("/usage/models")})
    for (const auto& c : cases) expect_error(p.get(route + "?" + c.query, p.admin_token), 400, "VALIDATION_ERROR", c.field);
  for (const auto& route : {"/spending/total", "/spending/by-provider", "/spending/avg-per-request", "/usage/requests"})
    expect_error(p.get(std::string(route) + "?period=forever", p.admin_token), 400, "VALIDATION_ERROR", "period");
  expect_error(p.get("/budget/status?per_page=0", p.admin_token), 400, "VALIDATION_ERROR", "per_page");
  expect_error(p.get("/budget/status?page=0", p.admin_token), 400, "VALIDATION_ERROR", "page");
  expect_error(p.get("/budget/status?threshold=-1", p.admin_token), 400, "VALIDATION_ERROR", "threshold");
  expect_error(p.get("/budget/status?status=sleeping", p.admin_token), 400, "VALIDATION_ERROR", "status");
  // A page past the end is an empty page, not an error.
  auto far = p.get("/spending/by-agent?page=1000000000&per_page=200", p.admin_token);
  ASSERT_EQ(far.status, 200) << far.raw;
  EXPECT_TRUE(far.body["data"].empty());
  for (const char* period : {"today", "yesterday", "last7-days", "last30-days", "this-month", "last-month", "all-time"})
    EXPECT_EQ(p.get(std::string("/usage/requests?period=") + period, p.admin_token).body["period"], period);
}

// ---- ingestion with the agent's IC token ----


TEST(GovernanceAnalytics, IngestionIsIdempotentPerAgentAndEvent) {
  Panel p;
  const std::string alice = p.add_user("user", "alice");
  const int64_t agent = p.add_agent(p.user_id_of(alice), 1'000'000);
  const std::string ic = p.ic_token(agent);

  json body = event_json("e-1", 1234);
  body["ic_token"] = ic;
  auto first = p.call("POST", kBase + "/events", "", body);
  EXPECT_EQ(first.status, 202) << first.raw;
  EXPECT_EQ(first.body, (json{{"event_id", "e-1"}, {"status", "accepted"}}));
  auto replay = p.call("POST", kBase + "/events", ic, event_json("e-1", 99));  // Bearer form
  EXPECT_EQ(replay.status, 200) << replay.raw;
  EXPECT_EQ(replay.body["status"], "duplicate");
  EXPECT_EQ(p.get("/spending/total", alice).body["total_spend_microdollars"], 1234);

  // The one agent-token guard (api/guard.h): the same code as the lease routes and the key fetch.
  expect_error(p.call("POST", kBase + "/events", "", event_json("e-2", 1)), 401, "IC_TOKEN_MISSING");
  EXPECT_EQ(p.call("POST", kBase + "/events", "bogus-token", event_json("e-2", 1)).status, 401);
  json bad = event_json("e-3", 1);
  bad.erase("input_tokens");
  expect_error(p.call("POST", kBase + "/events", ic, bad), 400, "VALIDATION_ERROR", "input_tokens");
  bad = event_json("e-4", 1);
  bad["provider"] = "Not A Provider";
  expect_error(p.call("POST", kBase + "/events", ic, bad), 400, "VALIDATION_ERROR", "provider");
}

// The token is checked in the event's own write; whatever the event, a bad token is answered
// 401 first, and nothing a refused request sends is stored.
TEST(GovernanceAnalytics, ABadTokenIsAnsweredBeforeABadEventAndNeitherStoresAnything) {
  Panel p;
  const std::string alice = p.add_user("user", "alice");
  const int64_t agent = p.add_agent(p.user_id_of(alice), 1'000'000);
  const std::string ic = p.ic_token(agent);
  const std::string wrong_secret = "ic_" + std::to_string(agent) + "_" + std::string(48, 'x');
  json missing_field = event_json("m", 5);
  missing_field.erase("input_tokens");
  json bad_provider = event_json("p", 5);
  bad_provider["provider"] = "Not A Provider";
  struct Case {
    const char* name;
    std::string token;
    json event;
    int status;
    const char* code;
  };
  const std::vector<Case> cases = {
      {"not an IC token, good event", "bogus-token", event_json("a", 5), 401, "IC_TOKEN_MISSING"},
      {"wrong secret, good event", wrong_secret, event_json("b", 5), 401, "INVALID_IC_TOKEN"},
      {"wrong secret, undecodable event", wrong_secret, missing_field, 401, "INVALID_IC_TOKEN"},
      {"wrong secret, invalid event", wrong_secret, bad_provider, 401, "INVALID_IC_TOKEN"},
      {"good token, undecodable event", ic, missing_field, 400, "VALIDATION_ERROR"},
      {"good token, invalid event", ic, bad_provider, 400, "VALIDATION_ERROR"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    expect_error(p.call("POST", kBase + "/events", c.token, c.event), c.status, c.code);
  }
  EXPECT_EQ(p.get("/spending/total", alice).body["total_spend_microdollars"], 0);
  EXPECT_EQ(p.get("/events/list", alice).body["pagination"]["total"], 0);
  EXPECT_EQ(p.call("POST", kBase + "/events", ic, event_json("a", 5)).status, 202);
  EXPECT_EQ(p.get("/spending/total", alice).body["total_spend_microdollars"], 5);
}

namespace {
std::string ingest_request(const std::string& ic, const json& event) {
  const std::string body = event.dump();
  return "POST /api/v1/analytics/events HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + ic +
         "\r\nContent-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n\r\n" + body;
}
}  // namespace

// A single event is answered once its write is durable, without holding a thread meanwhile
// (api::later, store::Database::write_async): the answer then comes from the thread that
// committed it, which goes on serving that connection. Connections that each send a burst of
// events at once (the next request already there when an answer is written), many at a time,
// get every answer in order, each with its own status, and every event is stored once.
TEST(GovernanceAnalytics, SingleEventsInConcurrentBurstsAreEachAnsweredInOrderAndStoredOnce) {
  Panel p;
  const std::string alice = p.add_user("user", "alice");
  const int64_t agent = p.add_agent(p.user_id_of(alice), 1'000'000);
  const std::string ic = p.ic_token(agent);
  constexpr int kClients = 12, kBurst = 30;

  // Every second event of a burst repeats the one before it: a duplicate, answered 200.
  const auto id_of = [](int client, int i) { return "c" + std::to_string(client) + "-" + std::to_string(i / 2); };
  std::atomic<int> as_expected{0};
  std::vector<std::string> failures(kClients);
  std::vector<std::thread> clients;
  for (int t = 0; t < kClients; ++t)
    clients.emplace_back([&, t] {
      std::string burst;
      for (int i = 0; i < kBurst; ++i) burst += ingest_request(ic, event_json(id_of(t, i), 1));
      iron::test::RawConnection conn(p.server().port());
      if (!conn.send(burst)) return;
      for (int i = 0; i < kBurst; ++i) {
        const auto r = conn.read_reply(std::chrono::seconds(10));
        const json answer = json::parse(r.body, nullptr, false);
        const bool expected = r.status == (i % 2 ? 200 : 202) && answer.is_object() &&
                              answer["event_id"] == id_of(t, i) && answer["status"] == (i % 2 ? "duplicate" : "accepted");
        if (!expected) {
          failures[t] = "request " + std::to_string(i) + ": " + r.head + r.body;
          return;
        }
        ++as_expected;
      }
    });
  for (auto& c : clients) c.join();
  for (const auto& f : failures) EXPECT_EQ(f, "");
  EXPECT_EQ(as_expected.load(), kClients * kBurst);
  const int64_t stored = kClients * kBurst / 2;
  EXPECT_EQ(p.get("/events/list", alice).body["pagination"]["total"], stored);
  EXPECT_EQ(p.get("/spending/total", alice).body["total_spend_microdollars"], stored);
}

TEST(GovernanceAnalytics, BatchReportsEachEvent) {
  Panel p;
  const std::string alice = p.add_user("user", "alice");
  const int64_t agent = p.add_agent(p.user_id_of(alice), 1'000'000);
  const std::string ic = p.ic_token(agent);

  json events = json::array({event_json("b-1", 10), json{{"event_id", "b-2"}, {"timestamp_ms", "soon"}},
                             event_json("b-1", 10), event_json("b-3", 5), 42});
  auto r = p.call("POST", kBase + "/events/batch", "", json{{"ic_token", ic}, {"events", events}});
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["accepted"], 2);
  EXPECT_EQ(r.body["duplicates"], 1);
  EXPECT_EQ(r.body["rejected"], 2);
  const std::vector<std::string> expected = {"accepted", "rejected", "duplicate", "accepted", "rejected"};
  ASSERT_EQ(r.body["results"].size(), expected.size());
  for (size_t i = 0; i < expected.size(); ++i) EXPECT_EQ(r.body["results"][i]["status"], expected[i]) << i;
  EXPECT_EQ(r.body["results"][1]["error"]["details"]["field"], "timestamp_ms");
  EXPECT_EQ(p.get("/spending/total", alice).body["total_spend_microdollars"], 15);

  json too_many = json::array();
  for (int i = 0; i < 1001; ++i) too_many.push_back(event_json("x" + std::to_string(i), 1));
  expect_error(p.call("POST", kBase + "/events/batch", ic, json{{"events", too_many}}), 400, "VALIDATION_ERROR", "events");
}

// Issue 9 item 21: a NUL (or another control character) in event_id was a 500, and one such
// event made the whole batch a 500, dropping its valid events.
TEST(GovernanceAnalytics, ControlCharactersAre400AndABatchAnswersPerEvent) {
  Panel p;
  const std::string alice = p.add_user("user", "alice");
  const int64_t agent = p.add_agent(p.user_id_of(alice), 1'000'000);
  const std::string ic = p.ic_token(agent);

  struct Case { std::string field; std::string value; };
  const std::vector<Case> cases = {{"event_id", std::string("e\0x", 3)}, {"event_id", "e\x01"},
                                   {"event_id", "\x7f"},                 {"model", std::string("gpt\0", 4)},
                                   {"error_message", "bell\x07"},         {"provider_id", "\xc2\x85"}};
  for (const auto& c : cases) {
    json body = event_json("single", 1);
    body[c.field] = c.value;
    expect_error(p.call("POST", kBase + "/events", ic, body), 400, "VALIDATION_ERROR", c.field);
  }
  json events = json::array({event_json("ok-1", 7), event_json(std::string("bad\0", 4), 1), event_json("ok-2", 8)});
  auto r = p.call("POST", kBase + "/events/batch", ic, json{{"events", events}});
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["accepted"], 2);
  EXPECT_EQ(r.body["rejected"], 1);
  EXPECT_EQ(r.body["results"][1]["status"], "rejected");
  EXPECT_EQ(r.body["results"][1]["error"]["details"]["field"], "event_id");
  EXPECT_EQ(p.get("/spending/total", alice).body["total_spend_microdollars"], 15);
  // Tab, newline and carriage return are text, not hazards.
  json multiline = event_json("ml", 0);
  multiline["event_type"] = "llm_request_failed";
  multiline["error_message"] = "line one\nline two\tend\r";
  EXPECT_EQ(p.call("POST", kBase + "/events", ic, multiline).status, 202);
  // The rule holds for every route: one place decodes strings.
  expect_error(p.call("POST", "/api/v1/agents", p.admin_token,
                      json{{"name", std::string("a\0b", 3)}, {"initial_budget_microdollars", 1}}),
               400, "VALIDATION_ERROR", "name");
}
