// The pure parts of alert delivery: URL parsing, the internal-address ranges the SSRF guard
// refuses, the host allow-list, the retry backoff and the webhook signature (docs/alerts.md).
// The network side is tested against real receivers in tests/api/alerts_*_test.cpp.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "domain/alert_channels.h"
#include "domain/alert_delivery.h"
#include "outbound/destination.h"
#include "util/cidr.h"

using iron::outbound::parse_url;

TEST(AlertOutbound, UrlsAreParsedStrictly) {
  struct Row {
    std::string url;
    std::string host;
    int port;
    std::string target;
    std::string origin;
  };
  for (const Row& r : std::vector<Row>{
           {"http://Example.COM/a?b=c#frag", "example.com", 80, "/a?b=c", "http://example.com"},
           {"https://hooks.slack.com/services/T/B/X", "hooks.slack.com", 443, "/services/T/B/X",
            "https://hooks.slack.com"},
           {"http://127.0.0.1:8080", "127.0.0.1", 8080, "/", "http://127.0.0.1:8080"},
           {"http://[::1]:9/x", "::1", 9, "/x", "http://[::1]:9"},
           {"https://h.example:443?q", "h.example", 443, "/?q", "https://h.example"},
       }) {
    SCOPED_TRACE(r.url);
    auto u = parse_url(r.url);
    ASSERT_TRUE(u) << u.error().message;
    EXPECT_EQ(u->host, r.host);
    EXPECT_EQ(u->port, r.port);
    EXPECT_EQ(u->target, r.target);
    EXPECT_EQ(u->origin(), r.origin);
  }
  for (const std::string& bad : std::vector<std::string>{"", "ftp://x/", "http://", "http://u:p@host/", "http://host:0/", "http://host:65536/",
                                "http://host:/", "http://ho st/", "http://[::1/", "http://[nothex]/", "http://h_o/",
                                "javascript:alert(1)", "http://host:8a/"}) {
    SCOPED_TRACE(bad);
    const auto u = parse_url(bad);
    ASSERT_FALSE(u);
    EXPECT_EQ(u.error().details.value("field", ""), "url");
    EXPECT_EQ(u.error().message.find(bad.empty() ? "\x01" : bad), std::string::npos) << "the URL is never echoed";
  }
}

TEST(AlertOutbound, InternalAddressesAreRecognised) {
  const auto internal = [](const std::string& ip) { return iron::outbound::is_internal_address(*iron::util::parse_ip(ip)); };
  for (const char* ip : {"127.0.0.1", "127.255.0.9", "10.0.0.1", "172.16.0.1", "172.31.255.255", "192.168.1.1",
                               "169.254.169.254", "100.64.0.1", "0.0.0.0", "224.0.0.1", "255.255.255.255", "::1", "::",
                               "fe80::1", "fd00::1", "ff02::1", "::ffff:127.0.0.1", "::ffff:10.0.0.1",
                               "64:ff9b::7f00:1", "198.18.0.1"})
    EXPECT_TRUE(internal(ip)) << ip;
  for (const char* ip : {"8.8.8.8", "1.1.1.1", "172.32.0.1", "192.169.0.1", "100.128.0.1", "2606:4700::1111",
                               "::ffff:8.8.8.8", "64:ff9b::808:808"})
    EXPECT_FALSE(internal(ip)) << ip;
}

TEST(AlertOutbound, TheAllowListAndLiteralAddressesAreCheckedWithoutALookup) {
  iron::outbound::Policy policy;
  policy.allowed_hosts = iron::outbound::parse_host_list(" Hooks.Example.com, *.chat.example ,,");
  EXPECT_EQ(policy.allowed_hosts, (std::vector<std::string>{"hooks.example.com", "*.chat.example"}));
  const auto refusal = [&](const std::string& url) {
    const auto e = iron::outbound::check_without_lookup(*parse_url(url), policy);
    return e ? e->details.value("reason", "?") : std::string();
  };
  EXPECT_EQ(refusal("http://hooks.example.com/x"), "");
  EXPECT_EQ(refusal("http://a.chat.example/x"), "");
  EXPECT_EQ(refusal("http://chat.example/x"), "host_not_allowed");
  EXPECT_EQ(refusal("http://evilhooks.example.com/x"), "host_not_allowed");
  policy.allowed_hosts.clear();
  EXPECT_EQ(refusal("http://10.0.0.1/"), "internal_address");
  EXPECT_EQ(refusal("http://example.org/"), "");
  policy.allow_private = true;
  EXPECT_EQ(refusal("http://10.0.0.1/"), "");
}

TEST(AlertOutbound, RetriesBackOffExponentiallyUpToTheCap) {
  iron::domain::AlertSettings s;
  s.retry_base_ms = 1000;
  s.retry_max_ms = 10'000;
  const std::vector<int64_t> want = {1000, 2000, 4000, 8000, 10'000, 10'000};
  for (size_t i = 0; i < want.size(); ++i)
    EXPECT_EQ(iron::domain::AlertDelivery::backoff_ms(s, static_cast<int64_t>(i) + 1), want[i]) << i + 1;
  EXPECT_EQ(iron::domain::AlertDelivery::backoff_ms(s, 1000), 10'000) << "no overflow";
}

TEST(AlertOutbound, TheWebhookSignatureIsHmacSha256OfTimestampDotBody) {
  // Computed independently: printf '%s' '1700000000.{"a":1}' | openssl dgst -sha256 -hmac whsec_test
  EXPECT_EQ(iron::domain::webhook_signature("whsec_test", 1700000000, "{\"a\":1}"),
            "sha256=38877139021993b830af32feea6e18a8da83eb2f6e49ee50bd9e4cf4ca4d3789");
}
