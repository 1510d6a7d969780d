// The edge's request-head parser: what it refuses (and with which status), what it hands the
// handlers (method, decoded path and query, lower-cased headers) and how it frames the body.
#include <gtest/gtest.h>

#include <string>

#include "server/request_head.h"

namespace iron::server {
namespace {

struct Parsed {
  api::Request req;
  RequestFraming framing;
  std::optional<Rejection> refused;
};

Parsed parse(const std::string& head) {
  Parsed p;
  p.refused = parse_request_head(head, p.req, p.framing);
  return p;
}

std::string get(const std::string& headers) { return "GET / HTTP/1.1\r\n" + headers + "\r\n"; }

TEST(RequestHead, RefusesMalformedHeads) {
  struct Case {
    const char* name;
    std::string head;
    int status;
  };
  const Case cases[] = {
      {"two spaces in the request line", "GET  / HTTP/1.1\r\n\r\n", 400},
      {"no version", "GET /\r\n\r\n", 400},
      {"a fourth part", "GET / HTTP/1.1 x\r\n\r\n", 400},
      {"HTTP/2.0", "GET / HTTP/2.0\r\n\r\n", 400},
      {"lower-case version", "GET / http/1.1\r\n\r\n", 400},
      {"method not a token", "G(T / HTTP/1.1\r\n\r\n", 400},
      {"control character in the target", "GET /a\x01 HTTP/1.1\r\n\r\n", 400},
      {"header without colon", get("Host localhost\r\n"), 400},
      {"space before the colon", get("Host : localhost\r\n"), 400},
      {"folded header line", get("X-A: 1\r\n  continued\r\n"), 400},
      {"empty header name", get(": v\r\n"), 400},
      {"control character in a value", get("X-A: a\x7f\r\n"), 400},
      {"header line over 8 KiB", get("X-A: " + std::string(8200, 'a') + "\r\n"), 400},
      {"two Content-Lengths", get("Content-Length: 1\r\nContent-Length: 1\r\n"), 400},
      {"Content-Length not a number", get("Content-Length: 1x\r\n"), 400},
      {"negative Content-Length", get("Content-Length: -1\r\n"), 400},
      {"empty Content-Length", get("Content-Length:\r\n"), 400},
      {"Transfer-Encoding gzip", get("Transfer-Encoding: gzip\r\n"), 400},
      {"Transfer-Encoding twice", get("Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n"), 400},
      {"Transfer-Encoding list", get("Transfer-Encoding: gzip, chunked\r\n"), 400},
      {"chunked with a length", get("Transfer-Encoding: chunked\r\nContent-Length: 5\r\n"), 400},
      {"target over 8 KiB", "GET /" + std::string(8192, 'a') + " HTTP/1.1\r\n\r\n", 414},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const Parsed p = parse(c.head);
    ASSERT_TRUE(p.refused.has_value());
    EXPECT_EQ(p.refused->status, c.status);
    EXPECT_FALSE(p.refused->code.empty());
  }
  std::string many;
  for (int i = 0; i <= 100; ++i) many += "X-" + std::to_string(i) + ": v\r\n";
  EXPECT_EQ(parse(get(many)).refused->status, 400) << "more than 100 headers";
}

TEST(RequestHead, ATooLongTargetIsRefusedWithTheHeadersParsed) {
  const Parsed p = parse("GET /" + std::string(9000, 'a') + " HTTP/1.1\r\nOrigin: https://app.example\r\n\r\n");
  ASSERT_TRUE(p.refused.has_value());
  EXPECT_EQ(p.refused->status, 414);
  EXPECT_EQ(p.req.header("origin").value_or(""), "https://app.example") << "the answer needs CORS";
}

TEST(RequestHead, ParsesMethodPathQueryAndHeaders) {
  struct Case {
    const char* name;
    std::string target;
    std::string path;
    std::vector<std::pair<std::string, std::string>> query;
  };
  const Case cases[] = {
      {"plain", "/api/v1/agents", "/api/v1/agents", {}},
      {"query in order", "/a?b=1&a=2&b=3", "/a", {{"b", "1"}, {"a", "2"}, {"b", "3"}}},
      {"percent-decoded path", "/caf%C3%A9/x%2Fy", "/caf\xc3\xa9/x/y", {}},
      {"plus stays in a path", "/a+b", "/a+b", {}},
      {"plus is a space in a query", "/s?q=a+b%2Bc", "/s", {{"q", "a b+c"}}},
      {"lone percent stays", "/100%?p=%zz&r=%4", "/100%", {{"p", "%zz"}, {"r", "%4"}}},
      {"escape at the very end", "/x?v=%41", "/x", {{"v", "A"}}},
      {"key without value", "/x?flag&=skipped&k=", "/x", {{"flag", ""}, {"k", ""}}},
      {"fragment dropped", "/x?a=1#frag", "/x", {{"a", "1"}}},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const Parsed p = parse("GET " + c.target + " HTTP/1.1\r\n\r\n");
    ASSERT_FALSE(p.refused.has_value()) << p.refused->message;
    EXPECT_EQ(p.req.method, "GET");
    EXPECT_EQ(p.req.path, c.path);
    EXPECT_EQ(p.req.query, c.query);
  }
  const Parsed p = parse("PURGE /x HTTP/1.1\r\nHOST: a\r\nX-Custom:\t v%41 \t\r\nAuthorization: Bearer t\r\n\r\n");
  ASSERT_FALSE(p.refused.has_value());
  EXPECT_EQ(p.req.method, "PURGE") << "any token is a method; the router answers 405 or 404";
  const std::vector<std::pair<std::string, std::string>> headers{
      {"host", "a"}, {"x-custom", "v%41"}, {"authorization", "Bearer t"}};
  EXPECT_EQ(p.req.headers, headers) << "names lower-cased, values trimmed and not decoded";
}

TEST(RequestHead, SettlesFraming) {
  struct Case {
    const char* name;
    std::string head;
    bool chunked;
    size_t length;
    bool close;
    bool expect_continue;
  };
  const Case cases[] = {
      {"no framing: no body", get(""), false, 0, false, false},
      {"a length", get("Content-Length: 42\r\n"), false, 42, false, false},
      {"a huge length saturates", get("Content-Length: 99999999999999999999999999\r\n"), false, SIZE_MAX, false, false},
      {"chunked, any case", get("Transfer-Encoding: Chunked\r\n"), true, 0, false, false},
      {"chunked with length 0 tolerated", get("Transfer-Encoding: chunked\r\nContent-Length: 0\r\n"), true, 0, false, false},
      {"Connection: close", get("Connection: close\r\n"), false, 0, true, false},
      {"close among tokens", get("Connection: Upgrade, CLOSE\r\n"), false, 0, true, false},
      {"HTTP/1.0 closes", "GET / HTTP/1.0\r\n\r\n", false, 0, true, false},
      {"HTTP/1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", false, 0, false, false},
      {"100-continue", get("Expect: 100-Continue\r\nContent-Length: 3\r\n"), false, 3, false, true},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const Parsed p = parse(c.head);
    ASSERT_FALSE(p.refused.has_value()) << p.refused->message;
    EXPECT_EQ(p.framing.chunked, c.chunked);
    EXPECT_EQ(p.framing.content_length, c.length);
    EXPECT_EQ(p.framing.close, c.close);
    EXPECT_EQ(p.framing.expect_continue, c.expect_continue);
  }
}

}  // namespace
}  // namespace iron::server
