// Alert channels and rules over real HTTP against the real binary (docs/alerts.md): CRUD
// with audit rows, the webhook secret shown once and never again (responses, audit, log),
// input validation, admin-only access, and the SSRF rules on channel destinations.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "alerts_support.h"
#include "support/scenario.h"

using namespace alerts_test;

namespace {

const std::string kChannels = "/api/v1/alert-channels";
const std::string kRules = "/api/v1/alert-rules";

}  // namespace

TEST(AlertChannels, AWebhookSecretIsShownOnceAndTheUrlNever) {
  AlertPanel p(loopback_env());
  const std::string url = "http://127.0.0.1:9/hooks/T0KEN-IN-THE-PATH?sig=query-secret";
  const json created = p.add_channel(url);
  const std::string secret = created.value("signing_secret", "");
  ASSERT_EQ(secret.rfind("whsec_", 0), 0u) << created.dump();
  EXPECT_GE(secret.size(), 40u);
  EXPECT_EQ(created["url_origin"], "http://127.0.0.1:9");
  EXPECT_EQ(created["kind"], "webhook");
  EXPECT_EQ(created["pending_deliveries"], 0);
  const int64_t id = created["id"];

  const Reply got = p.call("GET", channel_path(id), p.admin.token);
  ASSERT_EQ(got.status, 200) << got.raw;
  const Reply listed = p.call("GET", kChannels, p.admin.token);
  ASSERT_EQ(listed.status, 200) << listed.raw;
  ASSERT_EQ(listed.body.size(), 1u);
  EXPECT_EQ(listed.body[0], got.body);
  const Reply renamed = p.call("PUT", channel_path(id), p.admin.token, {{"name", "renamed"}});
  ASSERT_EQ(renamed.status, 200) << renamed.raw;
  const Reply audit = p.call("GET", "/api/v1/audit?entity_type=alert_channel", p.admin.token);
  ASSERT_EQ(audit.status, 200) << audit.raw;
  ASSERT_EQ(audit.body["items"].size(), 2u) << "create and update, each audited";
  EXPECT_EQ(audit.body["items"][1]["action"], "alert_channel.create");

  std::string server_log;
  for (const auto& l : p.server().log_lines()) server_log += l.dump();
  for (const Reply* r : {&got, &listed, &renamed, &audit}) {
    EXPECT_FALSE(r->body.dump().find("signing_secret") != std::string::npos) << r->raw;
    for (const std::string& needle : {secret, std::string("T0KEN-IN-THE-PATH"), std::string("query-secret")})
      EXPECT_EQ(r->raw.find(needle), std::string::npos) << needle << " leaked: " << r->raw;
  }
  for (const std::string& needle : {secret, std::string("T0KEN-IN-THE-PATH"), std::string("query-secret")})
    EXPECT_EQ(server_log.find(needle), std::string::npos) << needle << " in the server log";

  // A new URL keeps the secret (no second reveal) and changes the origin shown.
  const Reply moved = p.call("PUT", channel_path(id), p.admin.token, {{"url", "http://127.0.0.2:8/x"}});
  ASSERT_EQ(moved.status, 200) << moved.raw;
  EXPECT_EQ(moved.body["url_origin"], "http://127.0.0.2:8");
  EXPECT_FALSE(moved.body.contains("signing_secret"));

  EXPECT_EQ(p.call("DELETE", channel_path(id), p.admin.token).status, 204);
  expect_error(p.call("GET", channel_path(id), p.admin.token), 404, "NOT_FOUND");
  const Reply after = p.call("GET", "/api/v1/audit?entity_type=alert_channel", p.admin.token);
  EXPECT_EQ(after.body["items"][0]["action"], "alert_channel.delete");
}

TEST(AlertChannels, RulesRouteKnownEventTypesToExistingChannels) {
  AlertPanel p(loopback_env());
  const int64_t ch = p.add_channel("http://127.0.0.1:9/a")["id"];
  const int64_t slack = p.add_channel("http://127.0.0.1:9/b", "slack")["id"];
  const Reply created = p.call("POST", kRules, p.admin.token,
                               {{"name", "money"},
                                {"event_types", {"budget.threshold", "budget.exhausted", "budget.threshold"}},
                                {"channel_ids", {slack, ch}}});
  ASSERT_EQ(created.status, 201) << created.raw;
  EXPECT_EQ(created.body["event_types"], json({"budget.exhausted", "budget.threshold"})) << "sorted, unique";
  EXPECT_EQ(created.body["channel_ids"], json({ch, slack}));
  EXPECT_EQ(created.body["is_enabled"], true);
  const int64_t id = created.body["id"];
  const std::string path = kRules + "/" + std::to_string(id);

  const Reply updated = p.call("PUT", path, p.admin.token, {{"is_enabled", false}, {"channel_ids", {ch}}});
  ASSERT_EQ(updated.status, 200) << updated.raw;
  EXPECT_EQ(updated.body["channel_ids"], json({ch}));
  EXPECT_EQ(updated.body["event_types"], created.body["event_types"]) << "absent fields stay";
  EXPECT_EQ(p.call("GET", path, p.admin.token).body, updated.body);

  // Deleting a channel unlinks it from its rules.
  ASSERT_EQ(p.call("DELETE", channel_path(ch), p.admin.token).status, 204);
  EXPECT_EQ(p.call("GET", path, p.admin.token).body["channel_ids"], json::array());
  EXPECT_EQ(p.call("DELETE", path, p.admin.token).status, 204);
  expect_error(p.call("GET", path, p.admin.token), 404, "NOT_FOUND");
  const Reply audit = p.call("GET", "/api/v1/audit?entity_type=alert_rule", p.admin.token);
  ASSERT_EQ(audit.body["items"].size(), 3u) << audit.raw;
}

TEST(AlertChannels, BadInputIsAClear400AndOnlyAdminsGetIn) {
  AlertPanel p(loopback_env());
  const Account user = p.add_user("user");
  const Account viewer = p.add_user("viewer");
  const int64_t ch = p.add_channel("http://127.0.0.1:9/a")["id"];
  const std::string admin = p.admin.token;
  const json ok_channel = {{"name", "n"}, {"kind", "webhook"}, {"url", "http://127.0.0.1:9/"}};
  const auto with = [&](const std::string& key, const json& value) {
    json b = ok_channel;
    b[key] = value;
    return b;
  };
  std::vector<Scenario> rows = {
      {"unknown kind", admin, "POST", kChannels, with("kind", "pager"), {}, "application/json", 400,
       "VALIDATION_ERROR", "kind"},
      {"no url", admin, "POST", kChannels, {{"name", "n"}, {"kind", "slack"}}, {}, "application/json", 400,
       "MISSING_FIELD", "url"},
      {"not http", admin, "POST", kChannels, with("url", "ftp://example.com/x"), {}, "application/json", 400,
       "VALIDATION_ERROR", "url"},
      {"credentials in the url", admin, "POST", kChannels, with("url", "http://u:p@example.com/"), {},
       "application/json", 400, "VALIDATION_ERROR", "url"},
      {"bad port", admin, "POST", kChannels, with("url", "http://example.com:99999/"), {}, "application/json", 400,
       "VALIDATION_ERROR", "url"},
      {"spaces in the url", admin, "POST", kChannels, with("url", "http://exa mple.com/"), {}, "application/json",
       400, "VALIDATION_ERROR", "url"},
      {"empty name", admin, "POST", kChannels, with("name", ""), {}, "application/json", 400, "VALIDATION_ERROR",
       "name"},
      {"name too long", admin, "POST", kChannels, with("name", std::string(201, 'n')), {}, "application/json", 400,
       "VALIDATION_ERROR", "name"},
      {"kind is fixed", admin, "PUT", channel_path(ch), {{"kind", "slack"}}, {}, "application/json", 400,
       "VALIDATION_ERROR", "kind"},
      {"empty update", admin, "PUT", channel_path(ch), json::object(), {}, "application/json", 400},
      {"unknown channel", admin, "GET", channel_path(999999), nullptr, {}, "application/json", 404, "NOT_FOUND"},
      {"rule: unknown event type", admin, "POST", kRules,
       {{"name", "r"}, {"event_types", {"budget.nope"}}, {"channel_ids", {ch}}}, {}, "application/json", 400,
       "VALIDATION_ERROR", "event_types"},
      {"rule: no event types", admin, "POST", kRules, {{"name", "r"}, {"event_types", json::array()}, {"channel_ids", {ch}}},
       {}, "application/json", 400, "VALIDATION_ERROR", "event_types"},
      {"rule: the test type is for send-test only", admin, "POST", kRules,
       {{"name", "r"}, {"event_types", {"test"}}, {"channel_ids", {ch}}}, {}, "application/json", 400,
       "VALIDATION_ERROR", "event_types"},
      {"rule: channel does not exist", admin, "POST", kRules,
       {{"name", "r"}, {"event_types", {"user.locked_out"}}, {"channel_ids", {999999}}}, {}, "application/json", 400,
       "VALIDATION_ERROR", "channel_ids"},
      {"rule: channel ids not integers", admin, "POST", kRules,
       {{"name", "r"}, {"event_types", {"user.locked_out"}}, {"channel_ids", {"1"}}}, {}, "application/json", 400,
       "VALIDATION_ERROR", "channel_ids"},
      {"deliveries: bad limit", admin, "GET", channel_path(ch, "/deliveries?limit=0"), nullptr, {},
       "application/json", 400, "VALIDATION_ERROR", "limit"},
      {"a user", user.token, "GET", kChannels, nullptr, {}, "application/json", 403},
      {"a user creating", user.token, "POST", kChannels, ok_channel, {}, "application/json", 403},
      {"a viewer", viewer.token, "GET", kRules, nullptr, {}, "application/json", 403},
      {"a user sending a test", user.token, "POST", channel_path(ch, "/test"), nullptr, {}, "application/json", 403},
      {"nobody", "", "GET", kChannels, nullptr, {}, "application/json", 401},
  };
  run_scenarios(p.server(), rows);
  EXPECT_EQ(p.call("GET", kChannels, admin).body.size(), 1u) << "no refused call created a channel";
}

// SSRF (docs/alerts.md, "Outbound safety"): by default a channel may not point at loopback,
// private, link-local or other internal addresses — refused when saved if the host is a
// literal address, and at send time on the resolved address when it is a name.
TEST(AlertChannels, InternalDestinationsAreRefusedByDefault) {
  AlertPanel p({});
  Receiver receiver;
  for (const std::string& url : {"http://127.0.0.1:" + std::to_string(receiver.port()) + "/hook",
                                std::string("http://10.1.2.3/"), std::string("http://169.254.169.254/latest/meta-data"),
                                std::string("http://192.168.0.10:8080/"), std::string("http://[::1]:8080/"),
                                std::string("http://[::ffff:127.0.0.1]/"), std::string("http://0.0.0.0/"),
                                std::string("http://100.64.0.1/"), std::string("http://[fe80::1]/")}) {
    SCOPED_TRACE(url);
    const Reply r = p.call("POST", kChannels, p.admin.token, {{"name", "n"}, {"kind", "webhook"}, {"url", url}});
    expect_error(r, 400, "DESTINATION_REFUSED", "url");
    EXPECT_EQ(r.body["error"]["details"].value("reason", ""), "internal_address");
  }
  // A name is judged by what it resolves to, when the alert is sent.
  const json named = p.add_channel("http://localhost:" + std::to_string(receiver.port()) + "/hook");
  const Reply test = p.call("POST", channel_path(named["id"], "/test"), p.admin.token);
  ASSERT_EQ(test.status, 200) << test.raw;
  EXPECT_EQ(test.body["delivered"], false);
  EXPECT_TRUE(test.body["status_code"].is_null());
  EXPECT_NE(test.body.value("error", "").find("loopback"), std::string::npos) << test.raw;
  EXPECT_TRUE(receiver.received().empty()) << "nothing reached the loopback receiver";
  const json log = p.deliveries(named["id"]);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["outcome"], "failed");
  EXPECT_EQ(log[0]["event_type"], "test");
}

TEST(AlertChannels, TheHostAllowListIsEnforced) {
  AlertPanel p(loopback_env({{"IRON_ALERT_ALLOWED_HOSTS", "hooks.example.com, *.chat.example"}}));
  for (const char* url : {"http://127.0.0.1:9/", "http://example.com/", "http://chat.example/"}) {
    SCOPED_TRACE(url);
    const Reply r = p.call("POST", kChannels, p.admin.token, {{"name", "n"}, {"kind", "slack"}, {"url", url}});
    expect_error(r, 400, "DESTINATION_REFUSED", "url");
    EXPECT_EQ(r.body["error"]["details"].value("reason", ""), "host_not_allowed");
  }
  for (const char* url : {"http://hooks.example.com/x", "http://team.chat.example/y"}) {
    SCOPED_TRACE(url);
    EXPECT_EQ(p.call("POST", kChannels, p.admin.token, {{"name", "n"}, {"kind", "slack"}, {"url", url}}).status, 201);
  }
}
