#include <gtest/gtest.h>

#include "server/client_ip.h"
#include "util/cidr.h"

using iron::server::ClientIpResolver;

namespace {
ClientIpResolver resolver(const std::string& cidrs) {
  std::string err;
  return ClientIpResolver(*iron::util::parse_cidr_list(cidrs, err));
}
}  // namespace

TEST(Cidr, ContainsIpv4AndIpv6) {
  std::string err;
  auto list = iron::util::parse_cidr_list("10.0.0.0/8, ::1/128, 192.168.1.7", err);
  ASSERT_TRUE(list);
  ASSERT_EQ(list->size(), 3u);
  EXPECT_TRUE((*list)[0].contains(*iron::util::parse_ip("10.200.3.4")));
  EXPECT_FALSE((*list)[0].contains(*iron::util::parse_ip("11.0.0.1")));
  EXPECT_TRUE((*list)[1].contains(*iron::util::parse_ip("::1")));
  EXPECT_FALSE((*list)[1].contains(*iron::util::parse_ip("::2")));
  EXPECT_TRUE((*list)[2].contains(*iron::util::parse_ip("192.168.1.7")));
  EXPECT_FALSE((*list)[2].contains(*iron::util::parse_ip("192.168.1.8")));
}

TEST(ClientIp, ConnectionGroupIsTheIpv4AddressOrTheIpv6Slash64) {
  struct Case {
    std::string peer, group;
  };
  const std::vector<Case> cases = {
      {"203.0.113.7", "203.0.113.7"},
      {"::ffff:203.0.113.7", "203.0.113.7"},  // IPv4 on a dual-stack listener
      {"2001:db8:1:2:aaaa:bbbb:cccc:dddd", "2001:db8:1:2::/64"},
      {"2001:db8:1:2::1", "2001:db8:1:2::/64"},  // same subscriber, same group
      {"2001:db8:1:3::1", "2001:db8:1:3::/64"},
      {"::1", "::/64"},
      {"not-an-address", "not-an-address"},
  };
  for (const auto& c : cases) EXPECT_EQ(iron::server::connection_group(c.peer), c.group) << c.peer;
}

struct ProxyCase {
  std::string trusted, peer;
  std::optional<std::string> xff, real_ip, proto;
  std::string want_ip;
  bool want_https;
};

TEST(ClientIp, TrustedProxyHeadersOnlyFromTrustedPeers) {
  const std::vector<ProxyCase> cases = {
      {"127.0.0.1/32", "127.0.0.1", "203.0.113.9", {}, "https", "203.0.113.9", true},
      {"127.0.0.1/32", "198.51.100.1", "203.0.113.9", {}, "https", "198.51.100.1", false},
      {"127.0.0.1/32", "127.0.0.1", {}, "203.0.113.7", {}, "203.0.113.7", false},
      {"127.0.0.1/32,10.0.0.0/8", "127.0.0.1", "203.0.113.9, 10.1.1.1", {}, {}, "203.0.113.9", false},
      {"127.0.0.1/32", "127.0.0.1", "203.0.113.9, 198.51.100.4", {}, {}, "198.51.100.4", false},
      {"127.0.0.1/32", "127.0.0.1", "garbage", {}, {}, "127.0.0.1", false},
      {"10.0.0.0/8", "127.0.0.1", "203.0.113.9", "203.0.113.7", "https", "127.0.0.1", false},
  };
  for (const auto& tc : cases) {
    SCOPED_TRACE(tc.peer + " xff=" + tc.xff.value_or("-"));
    const auto origin = resolver(tc.trusted).resolve(tc.peer, tc.xff, tc.real_ip, tc.proto);
    EXPECT_EQ(origin.ip, tc.want_ip);
    EXPECT_EQ(origin.https, tc.want_https);
  }
}
