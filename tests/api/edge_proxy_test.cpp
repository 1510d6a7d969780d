// Behind a reverse proxy: X-Forwarded-For / X-Real-IP are believed only from trusted peers
// (IRON_TRUSTED_PROXIES, default loopback), the chain resolves to the rightmost untrusted hop,
// and the resolved address is what the access log records. X-Request-Id is echoed or generated.
// Each test owns its server and stops it before reading the log, so every line is flushed.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>

#include "support/server_process.h"

using iron::test::ServerProcess;

namespace {

struct Case {
  std::string name;
  httplib::Headers headers;
  std::string client_ip;  // what the access log must record
};

// Sends each case with its own X-Request-Id, stops the server, returns request_id → client_ip.
std::map<std::string, std::string> run_cases(ServerProcess& server, const std::vector<Case>& cases) {
  for (size_t i = 0; i < cases.size(); ++i) {
    httplib::Headers h = cases[i].headers;
    h.emplace("X-Request-Id", "proxy-case-" + std::to_string(i));
    auto res = server.client()->Get("/health", h);
    EXPECT_TRUE(res) << cases[i].name;
    if (res) {
      EXPECT_EQ(res->status, 200) << cases[i].name;
    }
  }
  EXPECT_EQ(server.stop(), 0);
  std::map<std::string, std::string> seen;
  for (const auto& line : server.log_lines())
    if (line.value("msg", "") == "request") seen[line.value("request_id", "")] = line.value("client_ip", "");
  return seen;
}

void expect_client_ips(ServerProcess& server, const std::vector<Case>& cases) {
  const auto seen = run_cases(server, cases);
  for (size_t i = 0; i < cases.size(); ++i) {
    SCOPED_TRACE(cases[i].name);
    const auto it = seen.find("proxy-case-" + std::to_string(i));
    ASSERT_NE(it, seen.end()) << "no access log line for this request";
    EXPECT_EQ(it->second, cases[i].client_ip);
  }
}

TEST(EdgeProxy, LoopbackIsTrustedByDefaultSoForwardedHeadersAreBelieved) {
  ServerProcess server;
  expect_client_ips(server, {
      {"no forwarding headers", {}, "127.0.0.1"},
      {"single XFF", {{"X-Forwarded-For", "203.0.113.9"}}, "203.0.113.9"},
      {"XFF with spaces around hops", {{"X-Forwarded-For", "198.51.100.7 ,\t 203.0.113.9"}}, "203.0.113.9"},
      {"XFF IPv6", {{"X-Forwarded-For", "2001:db8::1"}}, "2001:db8::1"},
      {"chain: rightmost untrusted wins", {{"X-Forwarded-For", "198.51.100.7, 203.0.113.9"}}, "203.0.113.9"},
      {"chain: trusted hops are skipped", {{"X-Forwarded-For", "198.51.100.7, 203.0.113.9, 127.0.0.1, ::1"}},
       "203.0.113.9"},
      {"chain: 10/8 is not trusted by default", {{"X-Forwarded-For", "203.0.113.9, 10.0.0.5"}}, "10.0.0.5"},
      {"chain: spoofed left part is ignored", {{"X-Forwarded-For", "1.2.3.4,203.0.113.9"}}, "203.0.113.9"},
      {"garbage nearest hop: believe nothing", {{"X-Forwarded-For", "203.0.113.9, not-an-ip"}}, "127.0.0.1"},
      {"garbage far hop: stop before it", {{"X-Forwarded-For", "not-an-ip, 203.0.113.9"}}, "203.0.113.9"},
      {"X-Real-IP alone", {{"X-Real-IP", "198.51.100.20"}}, "198.51.100.20"},
      {"X-Real-IP garbage", {{"X-Real-IP", "<script>"}}, "127.0.0.1"},
      {"XFF wins over X-Real-IP", {{"X-Forwarded-For", "203.0.113.9"}, {"X-Real-IP", "198.51.100.20"}},
       "203.0.113.9"},
  });
}

TEST(EdgeProxy, AnUntrustedPeersForwardedHeadersAreIgnored) {
  ServerProcess server(ServerProcess::Options{.extra_args = {"--trusted-proxies", "10.0.0.0/8"}});
  expect_client_ips(server, {
      {"no forwarding headers", {}, "127.0.0.1"},
      {"XFF", {{"X-Forwarded-For", "203.0.113.9"}}, "127.0.0.1"},
      {"XFF chain", {{"X-Forwarded-For", "203.0.113.9, 10.0.0.5"}}, "127.0.0.1"},
      {"X-Real-IP", {{"X-Real-IP", "198.51.100.20"}}, "127.0.0.1"},
      {"both", {{"X-Forwarded-For", "203.0.113.9"}, {"X-Real-IP", "198.51.100.20"}}, "127.0.0.1"},
  });
}

TEST(EdgeProxy, ExtraTrustedRangesAreWalkedThroughViaTheEnvironment) {
  ServerProcess server(
      ServerProcess::Options{.env = {{"IRON_TRUSTED_PROXIES", "127.0.0.1/32, 10.0.0.0/8, fd00::/8"}}});
  expect_client_ips(server, {
      {"through one internal hop", {{"X-Forwarded-For", "203.0.113.9, 10.0.0.5"}}, "203.0.113.9"},
      {"through IPv6 ULA hops", {{"X-Forwarded-For", "203.0.113.9, fd00::7, 10.1.2.3"}}, "203.0.113.9"},
      {"client inside 10/8 behind itself", {{"X-Forwarded-For", "192.0.2.1, 10.0.0.9"}}, "192.0.2.1"},
  });
}

TEST(EdgeProxy, RequestIdIsEchoedWhenValidAndGeneratedOtherwise) {
  ServerProcess server;
  const auto send = [&](const std::optional<std::string>& id) {
    httplib::Headers h;
    if (id) h.emplace("X-Request-Id", *id);
    auto res = server.client()->Get("/health", h);
    EXPECT_TRUE(res);
    return res ? res->get_header_value("X-Request-Id") : std::string();
  };
  for (const std::string id : {"abc", "trace-01HZY3Q8_9.a:b", "0123456789abcdef0123456789abcdef"}) {
    SCOPED_TRACE(id);
    EXPECT_EQ(send(id), id);
  }
  std::vector<std::string> generated;
  const std::vector<std::optional<std::string>> invalid = {
      std::nullopt, "", "has space", "<script>alert(1)</script>", "a\"b", std::string(129, 'a'), "ü-unicode"};
  for (const auto& id : invalid) {
    SCOPED_TRACE(id.value_or("<absent>"));
    const std::string got = send(id);
    EXPECT_FALSE(got.empty());
    EXPECT_NE(got, id.value_or(""));
    EXPECT_LE(got.size(), 128u);
    EXPECT_TRUE(std::all_of(got.begin(), got.end(), [](char c) {
      return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':';
    })) << got;
    generated.push_back(got);
  }
  std::sort(generated.begin(), generated.end());
  EXPECT_EQ(std::unique(generated.begin(), generated.end()), generated.end()) << "generated ids must differ";
  // The access log records the same id the client received.
  ASSERT_EQ(server.stop(), 0);
  const auto lines = server.log_lines();
  for (const auto& id : generated) {
    SCOPED_TRACE(id);
    EXPECT_TRUE(std::any_of(lines.begin(), lines.end(), [&](const nlohmann::json& l) {
      return l.value("msg", "") == "request" && l.value("request_id", "") == id;
    }));
  }
}

}  // namespace
