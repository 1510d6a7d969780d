// Malformed request framing is answered at once, in the error envelope, and the connection
// is closed (what follows cannot be trusted to be a request): a Transfer-Encoding other than
// exactly "chunked", conflicting or non-numeric Content-Length, bare-LF line endings, and a
// request line longer than the URI limit (414). Never held until a timeout, never dropped
// without an answer.
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "support/raw_http.h"
#include "support/server_process.h"

using iron::test::RawConnection;
using iron::test::ServerProcess;

namespace {

constexpr auto kPrompt = std::chrono::seconds(5);  // the read timeout these used to wait out is 10 s

TEST(EdgeFraming, MalformedFramingIsAnsweredInTheEnvelopeAndTheConnectionClosed) {
  ServerProcess server;
  struct Case {
    std::string name, request;
    int status;
    std::string code;
  };
  std::string huge_head = "GET /health HTTP/1.1\r\n";
  for (int i = 0; i < 9; ++i) huge_head += "X-Filler: " + std::string(8000, 'f') + "\r\n";  // each under 8 KiB
  const std::string post = "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
  const std::vector<Case> cases = {
      {"Transfer-Encoding gzip", post + "Transfer-Encoding: gzip\r\n\r\n{}", 400, "BAD_REQUEST"},
      {"Transfer-Encoding identity", post + "Transfer-Encoding: identity\r\n\r\n{}", 400, "BAD_REQUEST"},
      {"Transfer-Encoding gzip, chunked", post + "Transfer-Encoding: gzip, chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 400,
       "BAD_REQUEST"},
      {"two Transfer-Encoding headers",
       post + "Transfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n", 400, "BAD_REQUEST"},
      {"Transfer-Encoding on a GET", "GET /health HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: compress\r\n\r\n", 400,
       "BAD_REQUEST"},
      {"two Content-Length headers", post + "Content-Length: 2\r\nContent-Length: 3\r\n\r\n{}", 400, "BAD_REQUEST"},
      {"Content-Length with a sign", post + "Content-Length: +2\r\n\r\n{}", 400, "BAD_REQUEST"},
      {"bare LF request line", "GET /health HTTP/1.1\nHost: x\n\n", 400, "BAD_REQUEST"},
      {"bare LF in the headers", "GET /health HTTP/1.1\r\nHost: x\nAccept: */*\r\n\r\n", 400, "BAD_REQUEST"},
      {"request line of 9 KiB", "GET /" + std::string(9 * 1024, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", 414,
       "URI_TOO_LONG"},
      {"request line of 40 KiB", "GET /" + std::string(40 * 1024, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n", 414,
       "URI_TOO_LONG"},
      {"request line of 40 KiB, no end", "GET /" + std::string(40 * 1024, 'a'), 414, "URI_TOO_LONG"},
      {"head over 64 KiB", huge_head, 431, "HEADERS_TOO_LARGE"},
      {"chunk size not hex", post + "Transfer-Encoding: chunked\r\n\r\nzz\r\n{}\r\n0\r\n\r\n", 400, "BAD_REQUEST"},
      {"chunk longer than its size", post + "Transfer-Encoding: chunked\r\n\r\n1\r\n{}\r\n0\r\n\r\n", 400,
       "BAD_REQUEST"},
      {"header line without a colon", "GET /health HTTP/1.1\r\nHost x\r\n\r\n", 400, "BAD_REQUEST"},
      {"HTTP/2.0 request line", "GET /health HTTP/2.0\r\nHost: x\r\n\r\n", 400, "BAD_REQUEST"},
      {"a method no route has", "PURGE /api/v1/agents HTTP/1.1\r\nHost: x\r\n\r\n", 405, "METHOD_NOT_ALLOWED"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    RawConnection conn(server.port());
    ASSERT_TRUE(conn.ok());
    ASSERT_TRUE(conn.send(c.request));
    const auto reply = conn.read_reply(kPrompt);
    ASSERT_EQ(reply.status, c.status) << "0 = no answer within 5 s: " << reply.head;
    EXPECT_EQ(reply.header("Content-Type"), "application/json");
    EXPECT_EQ(reply.header("Connection"), "close");
    const auto body = nlohmann::json::parse(reply.body, nullptr, false);
    ASSERT_TRUE(body.is_object() && body.contains("error")) << reply.body;
    EXPECT_EQ(body["error"].value("code", ""), c.code);
    EXPECT_TRUE(body["error"]["details"].is_object());
    EXPECT_TRUE(conn.closed_within(kPrompt)) << "the connection was left open after malformed framing";
  }
  auto health = server.client()->Get("/health/live");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST(EdgeFraming, ChunkedAndContentLengthBodiesStillWork) {
  ServerProcess server;
  const std::string head = "POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n";
  for (const std::string& framing : {std::string("Content-Length: 2\r\n\r\n{}"),
                                     std::string("Transfer-Encoding: chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n"),
                                     std::string("Transfer-Encoding: Chunked\r\n\r\n2\r\n{}\r\n0\r\n\r\n")}) {
    SCOPED_TRACE(framing);
    RawConnection conn(server.port());
    ASSERT_TRUE(conn.send(head + framing));
    const auto reply = conn.read_reply(kPrompt);
    EXPECT_EQ(reply.status, 400);  // the body was read: login itself says what is missing
    EXPECT_NE(reply.body.find("MISSING_FIELD"), std::string::npos) << reply.body;
  }
}

}  // namespace
