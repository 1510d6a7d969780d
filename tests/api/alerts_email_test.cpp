// Email alerts end to end (docs/alerts.md, "Email"): the real binary hands alerts to a real
// SMTP server started by the test (tests/support/smtp_receiver.py, Debian's python3-aiosmtpd)
// — the message arrives with its headers and body, STARTTLS and implicit TLS are verified
// against a CA the test makes, AUTH succeeds or fails without the password showing anywhere,
// a 4xx is retried until delivered, a 5xx is recorded as permanent, nothing an admin types can
// add a header, and without a relay an email channel is a 409.
#include <gtest/gtest.h>

#include <fstream>
#include <regex>
#include <string>
#include <vector>

#include "alerts_support.h"
#include "smtp_receiver.h"

using namespace alerts_test;

namespace {

constexpr const char* kFrom = "alerts@ironpanel.test";

// The panel's settings for a relay on the receiver's port (loopback: private destinations allowed).
std::map<std::string, std::string> relay_env(const SmtpReceiver& r, const std::string& tls,
                                             std::map<std::string, std::string> extra = {}) {
  auto env = loopback_env({{"IRON_SMTP_HOST", "127.0.0.1"},
                           {"IRON_SMTP_PORT", std::to_string(r.port())},
                           {"IRON_SMTP_TLS", tls},
                           {"IRON_SMTP_FROM", kFrom}});
  for (auto& [k, v] : extra) env[k] = v;
  return env;
}

Reply create_email_channel(AlertPanel& p, const json& recipients, const json& subject_prefix = nullptr) {
  json body = {{"name", "mail"}, {"kind", "email"}, {"recipients", recipients}};
  if (!subject_prefix.is_null()) body["subject_prefix"] = subject_prefix;
  return p.call("POST", "/api/v1/alert-channels", p.admin.token, body);
}

int64_t email_channel(AlertPanel& p, const json& recipients = {"ops@example.com"}) {
  const Reply r = create_email_channel(p, recipients);
  EXPECT_EQ(r.status, 201) << r.raw;
  return r.body.value("id", int64_t{0});
}

#define REQUIRE_RECEIVER(r)                                                            \
  do {                                                                                 \
    if ((r).missing_aiosmtpd()) GTEST_SKIP() << "python3-aiosmtpd is not installed";   \
    ASSERT_TRUE((r).ready()) << "the SMTP receiver did not start: " << (r).why();      \
  } while (0)

}  // namespace

TEST(AlertEmail, ARealAlertArrivesWithItsHeadersAndBody) {
  SmtpReceiver receiver;
  REQUIRE_RECEIVER(receiver);
  AlertPanel p(relay_env(receiver, "none"));
  const Reply created = create_email_channel(p, {"ops@example.com", "oncall@example.org"}, "[prod]");
  ASSERT_EQ(created.status, 201) << created.raw;
  EXPECT_EQ(created.body["kind"], "email");
  EXPECT_EQ(created.body["recipients"], json({"ops@example.com", "oncall@example.org"}));
  EXPECT_EQ(created.body["url_origin"], "mailto:ops@example.com,oncall@example.org");
  EXPECT_FALSE(created.body.contains("signing_secret"));
  const int64_t ch = created.body["id"];
  p.add_rule({"provider_key.disabled"}, ch);

  const int64_t key = p.add_key(p.admin);
  ASSERT_EQ(p.call("PUT", "/api/v1/providers/" + std::to_string(key), p.admin.token, {{"is_enabled", false}}).status, 200);

  const auto got = receiver.wait_for(1);
  ASSERT_EQ(got.size(), 1u) << receiver.why();
  EXPECT_EQ(got[0]["mail_from"], kFrom);
  EXPECT_EQ(got[0]["rcpt_tos"], json({"ops@example.com", "oncall@example.org"}));
  EXPECT_EQ(got[0]["tls"], false);
  const std::string data = got[0]["data"];
  EXPECT_EQ(mail_header(data, "From"), kFrom);
  EXPECT_EQ(mail_header(data, "To"), "ops@example.com, oncall@example.org");
  EXPECT_EQ(mail_header(data, "Subject").rfind("[prod] provider_key.disabled: ", 0), 0u) << data;
  EXPECT_TRUE(std::regex_match(mail_header(data, "Date"),
                               std::regex(R"([A-Z][a-z]{2}, \d{2} [A-Z][a-z]{2} \d{4} \d{2}:\d{2}:\d{2} \+0000)")))
      << mail_header(data, "Date");
  const json log = p.wait_for_deliveries(ch, 1);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["outcome"], "delivered");
  EXPECT_EQ(log[0]["status_code"], 250);
  const std::string delivery_id = log[0]["delivery_id"];
  EXPECT_EQ(mail_header(data, "Message-ID"), "<" + delivery_id + "@ironpanel.test>");
  EXPECT_EQ(mail_header(data, "X-Ironpanel-Delivery"), delivery_id);
  EXPECT_EQ(mail_header(data, "X-Ironpanel-Event"), "provider_key.disabled");
  EXPECT_EQ(mail_header(data, "MIME-Version"), "1.0");
  EXPECT_EQ(mail_header(data, "Content-Type"), "text/plain; charset=utf-8");
  EXPECT_EQ(mail_header(data, "Auto-Submitted"), "auto-generated");
  const std::string body = mail_body(data);
  EXPECT_NE(body.find("Event:        provider_key.disabled\r\n"), std::string::npos) << body;
  EXPECT_NE(body.find("Delivery id:  " + delivery_id + "\r\n"), std::string::npos) << body;
  EXPECT_NE(body.find("\"provider_key_id\": " + std::to_string(key)), std::string::npos) << body;

  // The list shows the channel with its recipients.
  const Reply list = p.call("GET", "/api/v1/alert-channels", p.admin.token);
  ASSERT_EQ(list.status, 200);
  ASSERT_EQ(list.body.size(), 1u);
  EXPECT_EQ(list.body[0]["recipients"], created.body["recipients"]);
  EXPECT_EQ(list.body[0]["subject_prefix"], "[prod]");
}

TEST(AlertEmail, StartTlsAndImplicitTlsAreVerifiedAgainstTheConfiguredCa) {
  const auto tls = self_signed();
  if (!tls) GTEST_SKIP() << "openssl (the command) is not installed";
  const std::string password_file = make_temp_dir() + "/smtp_password";
  std::ofstream(password_file) << "s3cret-relay-pw\n";
  const std::map<std::string, std::string> auth = {{"IRON_SMTP_USERNAME", "ironpanel"},
                                                   {"IRON_SMTP_PASSWORD_FILE", password_file},
                                                   {"IRON_ALERT_CA_FILE", tls->cert}};
  {
    SmtpReceiver receiver({"--starttls", tls->cert, tls->key, "--auth", "ironpanel:s3cret-relay-pw"});
    REQUIRE_RECEIVER(receiver);
    AlertPanel p(relay_env(receiver, "starttls", auth));
    const json ok = p.send_test(email_channel(p));
    EXPECT_EQ(ok["delivered"], true) << ok.dump();
    EXPECT_EQ(ok["status_code"], 250);
    const auto got = receiver.received();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0]["tls"], true) << "the message went after STARTTLS";
    EXPECT_EQ(got[0]["login"], "ironpanel") << "AUTH happened";
    EXPECT_EQ(mail_header(got[0]["data"], "X-Ironpanel-Event"), "test");

    // The same relay, a panel that does not trust its certificate: nothing is sent.
    AlertPanel wary(relay_env(receiver, "starttls", {{"IRON_SMTP_USERNAME", "ironpanel"},
                                                     {"IRON_SMTP_PASSWORD_FILE", password_file}}));
    const json refused = wary.send_test(email_channel(wary));
    EXPECT_EQ(refused["delivered"], false);
    EXPECT_NE(refused.value("error", "").find("certificate verify failed"), std::string::npos) << refused.dump();
    EXPECT_EQ(receiver.received().size(), 1u);
  }
  {
    SmtpReceiver receiver({"--implicit-tls", tls->cert, tls->key, "--auth", "ironpanel:s3cret-relay-pw"});
    REQUIRE_RECEIVER(receiver);
    AlertPanel p(relay_env(receiver, "tls", auth));
    const json ok = p.send_test(email_channel(p));
    EXPECT_EQ(ok["delivered"], true) << ok.dump();
    const auto got = receiver.received();
    ASSERT_EQ(got.size(), 1u);
    EXPECT_EQ(got[0]["tls"], true);
    EXPECT_EQ(got[0]["login"], "ironpanel");
  }
}

TEST(AlertEmail, StartTlsMeansStartTls) {
  SmtpReceiver receiver;  // offers no STARTTLS
  REQUIRE_RECEIVER(receiver);
  AlertPanel p(relay_env(receiver, "starttls"));
  const json r = p.send_test(email_channel(p));
  EXPECT_EQ(r["delivered"], false);
  EXPECT_NE(r.value("error", "").find("does not offer STARTTLS"), std::string::npos) << r.dump();
  EXPECT_TRUE(receiver.received().empty()) << "never downgraded to plaintext";
}

TEST(AlertEmail, AFailedAuthIsPermanentAndThePasswordShowsNowhere) {
  const std::string password = "wrong-pw-7f3a9c";
  SmtpReceiver receiver({"--auth", "ironpanel:right-pw"});
  REQUIRE_RECEIVER(receiver);
  AlertPanel p(relay_env(receiver, "none", {{"IRON_SMTP_USERNAME", "ironpanel"},
                                            {"IRON_SMTP_PASSWORD", password},
                                            {"IRON_SMTP_ALLOW_PLAINTEXT_AUTH", "1"}}));
  const int64_t ch = email_channel(p);
  const json r = p.send_test(ch);
  EXPECT_EQ(r["delivered"], false);
  EXPECT_EQ(r["status_code"], 535);
  const std::string error = r.value("error", "");
  EXPECT_EQ(error.rfind("permanent SMTP failure at AUTH: 535", 0), 0u) << r.dump();
  EXPECT_TRUE(receiver.received().empty());

  const json log = p.deliveries(ch);
  ASSERT_EQ(log.size(), 1u);
  EXPECT_EQ(log[0]["status_code"], 535);
  const Reply audit = p.call("GET", "/api/v1/audit", p.admin.token);
  ASSERT_EQ(audit.status, 200);
  std::string everything = r.dump() + log.dump() + audit.raw + p.server().stderr_text();
  for (const auto& line : p.server().log_lines()) everything += line.dump();
  EXPECT_EQ(everything.find(password), std::string::npos) << "the SMTP password leaked";
  EXPECT_NE(everything.find("\"IRON_SMTP_PASSWORD\""), std::string::npos) << "the search covers the config log";
}

TEST(AlertEmail, ATransientRefusalIsRetriedUntilDelivered) {
  SmtpReceiver receiver({"--fail-data", "1"});
  REQUIRE_RECEIVER(receiver);
  AlertPanel p(relay_env(receiver, "none"));
  const int64_t ch = email_channel(p);
  p.add_rule({"provider_key.disabled"}, ch);
  const int64_t key = p.add_key(p.admin);
  ASSERT_EQ(p.call("PUT", "/api/v1/providers/" + std::to_string(key), p.admin.token, {{"is_enabled", false}}).status, 200);

  const json log = p.wait_for_deliveries(ch, 2);  // newest first
  ASSERT_EQ(log.size(), 2u) << log.dump();
  EXPECT_EQ(log[1]["outcome"], "retrying");
  EXPECT_EQ(log[1]["status_code"], 451);
  EXPECT_EQ(log[1]["error"], "transient SMTP failure at the message: 451 4.3.0 try again later");
  EXPECT_EQ(log[0]["outcome"], "delivered");
  EXPECT_EQ(log[0]["attempt"], 2);
  EXPECT_EQ(log[0]["delivery_id"], log[1]["delivery_id"]);
  const auto got = receiver.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(mail_header(got[0]["data"], "X-Ironpanel-Delivery"), log[0]["delivery_id"]);
}

TEST(AlertEmail, APermanentRefusalIsRecordedAsPermanent) {
  SmtpReceiver receiver({"--reject-rcpt", "gone@example.com"});
  REQUIRE_RECEIVER(receiver);
  AlertPanel p(relay_env(receiver, "none"));
  const json r = p.send_test(email_channel(p, {"ops@example.com", "gone@example.com"}));
  EXPECT_EQ(r["delivered"], false);
  EXPECT_EQ(r["status_code"], 550);
  EXPECT_EQ(r["error"], "permanent SMTP failure at RCPT TO: 550 5.1.1 no such user");
  EXPECT_TRUE(receiver.received().empty()) << "no DATA after a refused recipient";
}

TEST(AlertEmail, NothingAnAdminTypesCanAddAHeader) {
  SmtpReceiver receiver;
  REQUIRE_RECEIVER(receiver);
  AlertPanel p(relay_env(receiver, "none"));
  const std::vector<json> too_many = [] {
    std::vector<json> v;
    for (int i = 0; i < 21; ++i) v.push_back("r" + std::to_string(i) + "@example.com");
    return v;
  }();
  struct Case {
    const char* what;
    json recipients;
    json subject_prefix;
    const char* field;
  };
  const std::vector<Case> cases = {
      {"CRLF and a Bcc in an address", {"ops@example.com\r\nBcc: eve@evil.test"}, nullptr, "recipients"},
      {"LF in an address", {"ops@example.com\nBcc: eve@evil.test"}, nullptr, "recipients"},
      {"a display name", {"Ops <ops@example.com>"}, nullptr, "recipients"},
      {"two addresses in one", {"ops@example.com,eve@evil.test"}, nullptr, "recipients"},
      {"a space", {"ops @example.com"}, nullptr, "recipients"},
      {"a quoted local part", {"\"ops\"@example.com"}, nullptr, "recipients"},
      {"an SMTP parameter", {"ops@example.com> NOTIFY=NEVER"}, nullptr, "recipients"},
      {"no domain", {"ops@"}, nullptr, "recipients"},
      {"none", json::array(), nullptr, "recipients"},
      {"the same address twice", {"ops@example.com", "OPS@example.com"}, nullptr, "recipients"},
      {"too many", too_many, nullptr, "recipients"},
      {"not strings", {1, 2}, nullptr, "recipients"},
      {"CRLF in the prefix", {"ops@example.com"}, "[x]\r\nBcc: eve@evil.test", "subject_prefix"},
      {"LF in the prefix", {"ops@example.com"}, "[x]\nBcc: eve@evil.test", "subject_prefix"},
      {"a tab in the prefix", {"ops@example.com"}, "[x]\t", "subject_prefix"},
      {"a prefix too long", {"ops@example.com"}, std::string(101, 'x'), "subject_prefix"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.what);
    expect_error(create_email_channel(p, c.recipients, c.subject_prefix), 400, "VALIDATION_ERROR", c.field);
  }
  expect_error(p.call("POST", "/api/v1/alert-channels", p.admin.token,
                      {{"name", "mail"}, {"kind", "email"}, {"url", "http://example.com/"}, {"recipients", {"a@b.co"}}}),
               400, "VALIDATION_ERROR", "url");

  // The same checks guard an update, and the fields belong to their kind.
  const int64_t ch = email_channel(p);
  expect_error(p.call("PUT", channel_path(ch), p.admin.token, {{"recipients", {"a@b.co\r\nBcc: eve@evil.test"}}}), 400,
               "VALIDATION_ERROR", "recipients");
  expect_error(p.call("PUT", channel_path(ch), p.admin.token, {{"subject_prefix", "x\r\nBcc: eve@evil.test"}}), 400,
               "VALIDATION_ERROR", "subject_prefix");
  expect_error(p.call("PUT", channel_path(ch), p.admin.token, {{"url", "http://example.com/"}}), 400,
               "VALIDATION_ERROR", "url");
  const Reply changed = p.call("PUT", channel_path(ch), p.admin.token,
                               {{"recipients", {"new@example.com"}}, {"subject_prefix", "[staging]"}});
  ASSERT_EQ(changed.status, 200) << changed.raw;
  EXPECT_EQ(changed.body["recipients"], json({"new@example.com"}));
  EXPECT_EQ(changed.body["url_origin"], "mailto:new@example.com");
  EXPECT_EQ(changed.body["subject_prefix"], "[staging]");
  Receiver hook;
  const json webhook = p.add_channel(hook.url());
  expect_error(p.call("PUT", channel_path(webhook["id"]), p.admin.token, {{"recipients", {"a@b.co"}}}), 400,
               "VALIDATION_ERROR", "recipients");
  expect_error(p.call("POST", "/api/v1/alert-channels", p.admin.token, {{"name", "w"}, {"kind", "webhook"}}), 400,
               "MISSING_FIELD", "url");
  expect_error(p.call("POST", "/api/v1/alert-channels", p.admin.token, {{"name", "m"}, {"kind", "email"}}), 400,
               "MISSING_FIELD", "recipients");
  expect_error(p.call("POST", "/api/v1/alert-channels", p.admin.token,
                      {{"name", "w"}, {"kind", "webhook"}, {"url", hook.url()}, {"recipients", {"a@b.co"}}}),
               400, "VALIDATION_ERROR", "recipients");

  const json sent = p.send_test(ch);
  EXPECT_EQ(sent["delivered"], true) << sent.dump();
  const auto got = receiver.received();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0]["rcpt_tos"], json({"new@example.com"}));
  EXPECT_EQ(mail_header(got[0]["data"], "Subject").rfind("[staging] test: ", 0), 0u);
  EXPECT_EQ(mail_header(got[0]["data"], "Bcc"), "");
}

TEST(AlertEmail, WithoutARelayAnEmailChannelIsAConflict) {
  AlertPanel p(loopback_env());
  expect_error(create_email_channel(p, {"ops@example.com"}), 409, "SMTP_NOT_CONFIGURED");
  EXPECT_TRUE(p.call("GET", "/api/v1/alert-channels", p.admin.token).body.empty());
}

TEST(AlertEmail, ALoopbackRelayIsRefusedUnlessPrivateDestinationsAreAllowed) {
  SmtpReceiver receiver;
  REQUIRE_RECEIVER(receiver);
  auto env = relay_env(receiver, "none");
  env.erase("IRON_ALERT_ALLOW_PRIVATE_DESTINATIONS");
  AlertPanel p(env);
  const json r = p.send_test(email_channel(p));
  EXPECT_EQ(r["delivered"], false);
  EXPECT_NE(r.value("error", "").find("IRON_ALERT_ALLOW_PRIVATE_DESTINATIONS"), std::string::npos) << r.dump();
  EXPECT_TRUE(receiver.received().empty());
}
