// Alert delivery end to end (docs/alerts.md): events raised by real use cases over HTTP reach
// a real receiver started by the test, signed; retries back off and end as `failed`; every
// attempt is in the channel's delivery log; thresholds are edge-triggered; redirects are not
// followed; and alerts pending at a crash (kill -9) are delivered after the restart.
#include <gtest/gtest.h>

#include <csignal>
#include <string>
#include <vector>

#include "alerts_support.h"
#include "util/clock.h"

using namespace alerts_test;

namespace {

// A provider key of the admin, disabled over the API: one provider_key.disabled alert.
int64_t disable_a_key(AlertPanel& p) {
  const int64_t key = p.add_key(p.admin);
  const Reply r = p.call("PUT", "/api/v1/providers/" + std::to_string(key), p.admin.token, {{"is_enabled", false}});
  EXPECT_EQ(r.status, 200) << r.raw;
  return key;
}

// Alerts raised for the channel so far: those still pending plus those in the log. Read in
// this order, an alert is counted whether or not the worker sends it in between (its row
// leaves `pending` in the transaction that writes its log row).
size_t alerts_raised(AlertPanel& p, int64_t channel_id) {
  const int64_t pending = p.call("GET", channel_path(channel_id), p.admin.token).body["pending_deliveries"];
  size_t logged = 0;
  for (const auto& row : p.deliveries(channel_id))
    if (row["event_type"] != "test" && row["attempt"] == 1) ++logged;
  return static_cast<size_t>(pending) + logged;
}

}  // namespace

TEST(AlertDelivery, SendTestPostsASignedWebhookAndLogsIt) {
  AlertPanel p(loopback_env());
  Receiver receiver;
  const json ch = p.add_channel(receiver.url("/hook"));
  const Reply test = p.call("POST", channel_path(ch["id"], "/test"), p.admin.token);
  ASSERT_EQ(test.status, 200) << test.raw;
  EXPECT_EQ(test.body["delivered"], true);
  EXPECT_EQ(test.body["status_code"], 200);
  EXPECT_TRUE(test.body["error"].is_null());

  const auto got = receiver.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].path, "/hook");
  EXPECT_TRUE(signature_valid(got[0], ch["signing_secret"])) << "the receiver's check of docs/alerts.md";
  EXPECT_FALSE(signature_valid(got[0], "whsec_someone_else")) << "the check can fail";
  Received tampered = got[0];
  tampered.body += " ";
  EXPECT_FALSE(signature_valid(tampered, ch["signing_secret"])) << "a changed body fails the check";
  const json payload = json::parse(got[0].body);
  EXPECT_EQ(payload["type"], "test");
  EXPECT_EQ(payload["id"], test.body["delivery_id"]);
  EXPECT_EQ(got[0].headers.at("X-Ironpanel-Delivery"), payload["id"]);
  EXPECT_EQ(got[0].headers.at("X-Ironpanel-Event"), "test");
  EXPECT_TRUE(payload["occurred_at"].is_string());

  const json log = p.deliveries(ch["id"]);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["outcome"], "delivered");
  EXPECT_EQ(log[0]["status_code"], 200);
  EXPECT_EQ(log[0]["delivery_id"], payload["id"]);
}

TEST(AlertDelivery, ASlackChannelGetsTextAndBlocks) {
  AlertPanel p(loopback_env());
  Receiver receiver;
  const json ch = p.add_channel(receiver.url("/services/T/B/X"), "slack");
  EXPECT_FALSE(ch.contains("signing_secret")) << "slack channels are not signed";
  p.add_rule({"provider_key.disabled"}, ch["id"]);
  const int64_t key = disable_a_key(p);
  const auto got = receiver.wait_for(1);
  ASSERT_EQ(got.size(), 1u);
  const json body = json::parse(got[0].body);
  const std::string text = body.value("text", "");
  EXPECT_NE(text.find("provider_key.disabled"), std::string::npos) << text;
  EXPECT_NE(text.find("Provider key " + std::to_string(key)), std::string::npos) << text;
  ASSERT_TRUE(body["blocks"].is_array());
  EXPECT_EQ(body["blocks"][0]["type"], "section");
  EXPECT_EQ(got[0].headers.count("X-Ironpanel-Signature"), 0u);
}

TEST(AlertDelivery, EventsOfTheUseCasesReachTheRulesChannels) {
  AlertPanel p(loopback_env());
  Receiver receiver;
  const json ch = p.add_channel(receiver.url());
  Receiver unused;
  const json other = p.add_channel(unused.url());
  p.add_rule({"provider_key.disabled", "budget_request.created", "budget_request.decided"}, ch["id"]);
  p.add_rule({"user.locked_out"}, other["id"]);  // selects none of the events below

  const int64_t key = disable_a_key(p);
  const Account alice = p.add_user("user", "alice");
  const int64_t agent = p.add_agent(alice.id, 5'000'000);
  const Reply breq = p.call("POST", "/api/v1/budget/requests", alice.token,
                            {{"agent_id", agent}, {"requested_budget_usd", 12.5},
                             {"justification", "the nightly batch doubled in size this quarter"}});
  ASSERT_EQ(breq.status, 201) << breq.raw;
  const std::string breq_id = breq.body["request_id"];
  ASSERT_EQ(p.call("PATCH", "/api/v1/budget/requests/" + breq_id + "/approve", p.admin.token, json::object()).status,
            200);

  const auto got = receiver.wait_for(3);
  ASSERT_EQ(got.size(), 3u);
  std::map<std::string, json> by_type;
  for (const auto& r : got) {
    EXPECT_TRUE(signature_valid(r, ch["signing_secret"]));
    const json payload = json::parse(r.body);
    by_type[payload["type"]] = payload;
  }
  EXPECT_EQ(by_type["provider_key.disabled"]["data"]["provider_key_id"], key);
  EXPECT_EQ(by_type["budget_request.created"]["data"]["budget_request_id"], breq_id);
  EXPECT_EQ(by_type["budget_request.created"]["data"]["requested_budget_microdollars"], 12'500'000);
  EXPECT_EQ(by_type["budget_request.decided"]["data"]["status"], "approved");
  for (auto& [type, payload] : by_type) EXPECT_EQ(payload["rule_id"].is_number_integer(), true) << type;

  const json log = p.wait_for_deliveries(ch["id"], 3);
  EXPECT_EQ(log.size(), 3u);
  for (const auto& row : log) EXPECT_EQ(row["outcome"], "delivered");
  EXPECT_TRUE(unused.received().empty()) << "a rule gets only the types it names";
  EXPECT_TRUE(p.deliveries(other["id"]).empty()) << "a rule gets only the types it names";
}

TEST(AlertDelivery, FailedAttemptsAreRetriedWithTheSameIdThenGiveUp) {
  AlertPanel p(loopback_env({{"IRON_ALERT_RETRY_BASE_MS", "300"}}));  // 3 attempts; waits 300 ms, then 600 ms
  Receiver flaky({500, 503});    // then 200
  Receiver down({500, 500, 500, 500});
  const json ok = p.add_channel(flaky.url());
  const json bad = p.add_channel(down.url());
  const Reply rule = p.call("POST", "/api/v1/alert-rules", p.admin.token,
                            {{"name", "both"}, {"event_types", {"provider_key.disabled"}},
                             {"channel_ids", {ok["id"], bad["id"]}}});
  ASSERT_EQ(rule.status, 201) << rule.raw;
  disable_a_key(p);

  const json ok_log = p.wait_for_deliveries(ok["id"], 3);
  ASSERT_EQ(ok_log.size(), 3u) << ok_log.dump();
  // Newest first: attempts 3, 2, 1.
  EXPECT_EQ(ok_log[0]["outcome"], "delivered");
  EXPECT_EQ(ok_log[0]["attempt"], 3);
  EXPECT_EQ(ok_log[1]["outcome"], "retrying");
  EXPECT_EQ(ok_log[1]["status_code"], 503);
  EXPECT_EQ(ok_log[2]["outcome"], "retrying");
  EXPECT_EQ(ok_log[2]["status_code"], 500);
  EXPECT_EQ(ok_log[2]["error"], "the receiver answered HTTP 500");
  const auto sent = flaky.received();
  ASSERT_EQ(sent.size(), 3u);
  for (const auto& r : sent) EXPECT_EQ(r.body, sent[0].body) << "every attempt carries the same payload and id";

  const json bad_log = p.wait_for_deliveries(bad["id"], 3);
  ASSERT_EQ(bad_log.size(), 3u);
  EXPECT_EQ(bad_log[0]["outcome"], "failed");
  EXPECT_EQ(bad_log[0]["attempt"], 3);
  // The backoff doubles: the second attempt came at least 300 ms after the first, the third
  // at least 600 ms after the second.
  const auto at = [](const json& row) {
    return iron::util::to_unix_ms(*iron::util::parse_rfc3339(row["at"].get<std::string>()));
  };
  EXPECT_GE(at(bad_log[1]) - at(bad_log[2]), 300) << bad_log.dump();
  EXPECT_GE(at(bad_log[0]) - at(bad_log[1]), 600) << bad_log.dump();
  EXPECT_EQ(p.call("GET", channel_path(bad["id"]), p.admin.token).body["pending_deliveries"], 0);
  EXPECT_EQ(down.received().size(), 3u) << "no attempt after the last";
}

TEST(AlertDelivery, RedirectsAreNotFollowed) {
  AlertPanel p(loopback_env({{"IRON_ALERT_MAX_ATTEMPTS", "1"}}));
  Receiver receiver({302});
  const json ch = p.add_channel(receiver.url("/hook"));
  const Reply test = p.call("POST", channel_path(ch["id"], "/test"), p.admin.token);
  ASSERT_EQ(test.status, 200) << test.raw;
  EXPECT_EQ(test.body["delivered"], false);
  EXPECT_EQ(test.body["status_code"], 302);
  EXPECT_NE(test.body.value("error", "").find("redirect"), std::string::npos);
  const auto got = receiver.received();
  ASSERT_EQ(got.size(), 1u) << "the Location was not requested";
  EXPECT_EQ(got[0].path, "/hook");
}

// A threshold raises once per limit, threshold and period, even when it is crossed again
// (after the maximum was raised): the usage is reported on a lease the way a runtime does, the
// alert is delivered by the server's worker.
TEST(AlertDelivery, ThresholdsAreEdgeTriggeredOncePerPeriod) {
  AlertPanel p(loopback_env());
  Receiver receiver;
  const json ch = p.add_channel(receiver.url());
  p.add_rule({"budget.threshold", "budget.exhausted"}, ch["id"]);
  const Account alice = p.add_user("user", "alice");
  const Reply limit = p.call("POST", "/api/v1/limits", p.admin.token,
                             {{"user_id", alice.id}, {"max_tokens_per_day", 1000}, {"alert_thresholds", {50, 80}}});
  ASSERT_EQ(limit.status, 201) << limit.raw;

  const auto runner = p.add_leasing_agent(alice, 1'000'000);
  const std::string lease = p.open_lease(runner, 1'000);
  int reports = 0;
  const auto use = [&](int64_t tokens) {
    const Reply r = p.report_usage(runner, lease, "r" + std::to_string(++reports), tokens, 0);
    EXPECT_EQ(r.status, 200) << r.raw;
  };
  use(600);  // crosses 50 %
  use(100);  // 70 %: nothing new
  use(300);  // crosses 80 % and 100 %

  const auto got = receiver.wait_for(3);
  ASSERT_EQ(got.size(), 3u);
  std::vector<std::string> seen;
  for (const auto& r : got) {
    const json payload = json::parse(r.body);
    seen.push_back(payload["type"].get<std::string>() + ":" + payload["data"].value("threshold", json(0)).dump());
    EXPECT_EQ(payload["data"]["limit_id"], limit.body["id"]);
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::string>{"budget.exhausted:0", "budget.threshold:50", "budget.threshold:80"}));

  ASSERT_EQ(p.wait_for_deliveries(ch["id"], 3).size(), 3u);
  // The maximum raised to 4000 (the counter now at 25 %), then 50 % crossed again in the same
  // period: that edge was sent already, so nothing is raised.
  const Reply raised = p.call("PUT", "/api/v1/limits/" + std::to_string(limit.body["id"].get<int64_t>()),
                              p.admin.token, {{"max_tokens_per_day", 4000}});
  ASSERT_EQ(raised.status, 200) << raised.raw;
  use(1100);
  EXPECT_EQ(alerts_raised(p, ch["id"]), 3u);
}

TEST(AlertDelivery, ZeroCostUsageAndLockoutsRaiseOncePerEdge) {
  AlertPanel p(loopback_env());
  Receiver receiver;
  const json ch = p.add_channel(receiver.url());
  p.add_rule({"usage.zero_cost", "user.locked_out"}, ch["id"]);
  const int64_t agent = p.add_agent(p.admin.id, 1'000'000);
  const std::string ic = p.ic_token(agent);
  const auto event = [&](const std::string& id, const std::string& model, int64_t cost) {
    const int64_t now_ms = iron::util::now_unix_ms();
    return json{{"event_id", id},           {"timestamp_ms", now_ms}, {"event_type", "llm_request_completed"},
                {"model", model},           {"provider", "openai"},   {"input_tokens", 30},
                {"output_tokens", 40},      {"cost_micros", cost}};
  };
  // Two zero-cost events of one model on one day: one alert; a priced one: none; another
  // model through the batch route: a second alert.
  EXPECT_EQ(p.call("POST", "/api/v1/analytics/events", ic, event("e-1", "gpt-x", 0)).status, 202);
  EXPECT_EQ(p.call("POST", "/api/v1/analytics/events", ic, event("e-2", "gpt-x", 0)).status, 202);
  EXPECT_EQ(p.call("POST", "/api/v1/analytics/events", ic, event("e-3", "gpt-x", 120)).status, 202);
  const Reply batch = p.call("POST", "/api/v1/analytics/events/batch", ic, {{"events", {event("e-4", "gpt-y", 0)}}});
  ASSERT_LT(batch.status, 300) << batch.raw;

  // Five wrong passwords from one address start the backoff: one user.locked_out; the refused
  // attempts after it and failures for an unknown email raise nothing.
  const Account bob = p.add_user("user", "bob");
  for (int i = 0; i < 7; ++i) login_reply(p.server(), bob.email, "wrong-password-" + std::to_string(i));
  for (int i = 0; i < 2; ++i) login_reply(p.server(), "nobody@example.test", "wrong-password");

  const auto got = receiver.wait_for(3);
  ASSERT_EQ(got.size(), 3u);
  std::vector<std::string> seen;
  for (const auto& r : got) {
    const json payload = json::parse(r.body);
    const json& d = payload["data"];
    seen.push_back(payload["type"].get<std::string>() + ":" + d.value("model", d.value("user_id", "")));
  }
  std::sort(seen.begin(), seen.end());
  EXPECT_EQ(seen, (std::vector<std::string>{"usage.zero_cost:gpt-x", "usage.zero_cost:gpt-y", "user.locked_out:" + bob.id}));
  ASSERT_EQ(p.wait_for_deliveries(ch["id"], 3).size(), 3u);
  EXPECT_EQ(alerts_raised(p, ch["id"]), 3u);
}

// Nothing is lost on a crash: an alert whose first attempt failed is pending (its retry
// 1.5 s away) when the server is killed (-9); after a restart on the same data it is
// delivered, with the same id as before.
TEST(AlertDelivery, PendingAlertsSurviveAKill9) {
  Receiver receiver({503});  // the first attempt fails, the next succeeds
  const auto env = loopback_env({{"IRON_ALERT_RETRY_BASE_MS", "1500"}});
  std::string data_dir;
  int64_t channel = 0;
  std::string secret;
  {
    AlertPanel p(env);
    data_dir = p.server().data_dir();
    const json ch = p.add_channel(receiver.url());
    channel = ch["id"];
    secret = ch["signing_secret"];
    p.add_rule({"provider_key.disabled"}, channel);
    disable_a_key(p);
    ASSERT_EQ(p.wait_for_deliveries(channel, 1).size(), 1u);
    EXPECT_EQ(p.call("GET", channel_path(channel), p.admin.token).body["pending_deliveries"], 1);
    p.server().send_signal(SIGKILL);
    EXPECT_EQ(p.server().wait_exit(15), 128 + SIGKILL);
  }
  ASSERT_EQ(receiver.received().size(), 1u) << "only the failed attempt before the crash";
  AlertPanel restarted(env, data_dir);
  const auto got = receiver.wait_for(2);
  ASSERT_EQ(got.size(), 2u);
  EXPECT_TRUE(signature_valid(got[1], secret));
  EXPECT_EQ(json::parse(got[1].body)["type"], "provider_key.disabled");
  EXPECT_EQ(json::parse(got[1].body)["id"], json::parse(got[0].body)["id"]) << "the idempotency id is kept";
  const json log = restarted.wait_for_deliveries(channel, 2);
  ASSERT_EQ(log.size(), 2u);
  EXPECT_EQ(log[0]["outcome"], "delivered");
  EXPECT_EQ(log[0]["attempt"], 2);
}
