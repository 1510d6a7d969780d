// The pure parts of email alerts (docs/alerts.md, "Email"): which addresses are accepted, the
// RFC 5322 message with no way to inject a header, SMTP's dot-stuffing, and the message an
// alert becomes. The conversation with a relay is tested against a real SMTP server in
// tests/api/alerts_email_test.cpp.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "domain/alert_email.h"
#include "outbound/mail_message.h"
#include "util/mail_address.h"

using iron::outbound::MailMessage;
using iron::outbound::render_message;

namespace {

// The header block of a rendered message (up to the blank line), CRLFs kept.
std::string headers_of(const std::string& msg) { return msg.substr(0, msg.find("\r\n\r\n") + 2); }

MailMessage sample() {
  MailMessage m;
  m.from = "alerts@example.com";
  m.to = {"ops@example.com", "oncall@example.org"};
  m.subject = "[ironpanel] test: hello";
  m.body = "line one\nline two\n";
  m.date_ms = 1764493964000;  // 2025-11-30T09:12:44Z
  m.message_id = "dlv_1@example.com";
  return m;
}

}  // namespace

TEST(MailMessage, OnlyPlainAddressesAreAccepted) {
  for (const char* ok : {"ops@example.com", "first.last+tag@sub.example.org", "o'brien@example.ie", "a@localhost",
                         "x_y-z@a-b.example"})
    EXPECT_TRUE(iron::util::is_mail_address(ok)) << ok;
  for (const char* bad : {"", "ops", "@example.com", "ops@", "ops@@example.com", ".ops@example.com", "ops.@example.com",
                          "o..ps@example.com", "ops@example..com", "ops@-example.com", "ops@example.com.",
                          "ops @example.com", "Ops <ops@example.com>", "\"ops\"@example.com", "ops@example.com\r\n",
                          "ops@example.com\nBcc: eve@evil.test", "a,b@example.com", "ops@[127.0.0.1]", "öps@example.com"})
    EXPECT_FALSE(iron::util::is_mail_address(bad)) << bad;
  EXPECT_FALSE(iron::util::is_mail_address(std::string(65, 'a') + "@example.com")) << "local part over 64";
  EXPECT_FALSE(iron::util::is_mail_address("a@" + std::string(250, 'b') + ".com")) << "over 254 in all";
}

TEST(MailMessage, TheMessageHasItsHeadersAndCrlfLines) {
  const std::string msg = render_message(sample());
  const std::string h = headers_of(msg);
  EXPECT_NE(h.find("Date: Sun, 30 Nov 2025 09:12:44 +0000\r\n"), std::string::npos) << h;
  EXPECT_NE(h.find("From: alerts@example.com\r\n"), std::string::npos);
  EXPECT_NE(h.find("To: ops@example.com,\r\n oncall@example.org\r\n"), std::string::npos) << h;
  EXPECT_NE(h.find("Subject: [ironpanel] test: hello\r\n"), std::string::npos);
  EXPECT_NE(h.find("Message-ID: <dlv_1@example.com>\r\n"), std::string::npos);
  EXPECT_NE(h.find("MIME-Version: 1.0\r\nContent-Type: text/plain; charset=utf-8\r\n"), std::string::npos);
  EXPECT_NE(h.find("Content-Transfer-Encoding: 7bit\r\n"), std::string::npos);
  EXPECT_EQ(msg.substr(msg.find("\r\n\r\n") + 4), "line one\r\nline two\r\n");
  for (size_t i = 0; i < msg.size(); ++i)
    if (msg[i] == '\n') {
      ASSERT_TRUE(i > 0 && msg[i - 1] == '\r') << "a bare LF at " << i;
    }
}

TEST(MailMessage, NothingUnsafeReachesAHeader) {
  MailMessage m = sample();
  m.subject = "hi\r\nBcc: eve@evil.test";
  m.to = {"ops@example.com\r\nBcc: eve@evil.test", "ok@example.com"};
  m.extra_headers = {{"X-Evil", "a\r\nBcc: eve@evil.test"}, {"Bad: name", "v"}, {"X-Fine", "v"}};
  const std::string h = headers_of(render_message(m));
  EXPECT_EQ(h.find("Bcc"), std::string::npos) << h;
  EXPECT_EQ(h.find("X-Evil"), std::string::npos);
  EXPECT_NE(h.find("To: ok@example.com\r\n"), std::string::npos) << h;
  EXPECT_NE(h.find("X-Fine: v\r\n"), std::string::npos);
  EXPECT_FALSE(iron::outbound::is_header_safe("a\rb"));
  EXPECT_FALSE(iron::outbound::is_header_safe("a\tb"));
  EXPECT_TRUE(iron::outbound::is_header_safe("[prod] ünïcode"));
}

TEST(MailMessage, NonAsciiIsEncoded) {
  MailMessage m = sample();
  m.subject = "Budget € " + std::string(60, 'x') + " ✓";
  m.body = "Grüße\n";
  const std::string msg = render_message(m);
  const std::string h = headers_of(msg);
  const size_t at = h.find("Subject: =?UTF-8?B?");
  ASSERT_NE(at, std::string::npos) << h;
  const std::string subject = h.substr(at, h.find("\r\nMessage-ID") - at);
  EXPECT_NE(subject.find("?=\r\n =?UTF-8?B?"), std::string::npos) << "folded into several words: " << subject;
  for (size_t start = 0; start < subject.size();) {  // RFC 2047: each encoded word at most 75 characters
    const size_t end = std::min(subject.find("\r\n", start), subject.size());
    const std::string line = subject.substr(start, end - start);
    const size_t word = line.find("=?");
    EXPECT_LE(line.size() - word, 75u) << line;
    start = end + 2;
  }
  EXPECT_NE(h.find("Content-Transfer-Encoding: base64\r\n"), std::string::npos);
  EXPECT_EQ(msg.substr(msg.find("\r\n\r\n") + 4), iron::outbound::base64("Grüße\r\n") + "\r\n");
}

TEST(MailMessage, DotStuffingKeepsALoneDotFromEndingTheData) {
  using iron::outbound::dot_stuff;
  EXPECT_EQ(dot_stuff("a\r\n.\r\nb\r\n"), "a\r\n..\r\nb\r\n.\r\n");
  EXPECT_EQ(dot_stuff(".leading\r\n..two\r\n"), "..leading\r\n...two\r\n.\r\n");
  EXPECT_EQ(dot_stuff("no final line break"), "no final line break\r\n.\r\n");
  EXPECT_EQ(dot_stuff("mid.dle\r\n"), "mid.dle\r\n.\r\n");
  MailMessage m = sample();
  m.body = "before\n.\nafter\n";
  const std::string stuffed = dot_stuff(render_message(m));
  EXPECT_NE(stuffed.find("\r\nbefore\r\n..\r\nafter\r\n.\r\n"), std::string::npos) << stuffed;
  EXPECT_EQ(stuffed.find("\r\n.\r\n"), stuffed.size() - 5) << "the terminator appears once, at the end";
}

TEST(AlertEmailMessage, AnAlertBecomesAMessage) {
  const nlohmann::json payload = {{"id", "dlv_abc"},
                                  {"type", "budget.threshold"},
                                  {"occurred_at", "2026-11-30T09:12:44Z"},
                                  {"summary", "Limit 4 passed 80%\r\nBcc: eve@evil.test"},
                                  {"data", {{"limit_id", 4}}},
                                  {"rule_id", 2}};
  const iron::domain::EmailTarget target{{"ops@example.com"}, "[prod]"};
  const MailMessage m = iron::domain::alert_email(payload, "alerts@panel.example", target, 1);
  EXPECT_EQ(m.subject, "[prod] budget.threshold: Limit 4 passed 80%  Bcc: eve@evil.test") << "one line";
  EXPECT_EQ(m.message_id, "dlv_abc@panel.example");
  EXPECT_EQ(m.to, target.recipients);
  EXPECT_NE(m.body.find("Rule:         2\n"), std::string::npos) << m.body;
  EXPECT_NE(m.body.find("\"limit_id\": 4"), std::string::npos) << m.body;
  const iron::domain::EmailTarget plain{{"ops@example.com"}, ""};
  EXPECT_EQ(iron::domain::alert_email(payload, "a@b.example", plain, 1).subject.rfind("[ironpanel] budget.threshold", 0), 0u);
  EXPECT_EQ(iron::domain::email_display({{"a@example.com", "b@example.com"}, ""}), "mailto:a@example.com,b@example.com");
}
