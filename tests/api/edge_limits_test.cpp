// Request limits: body cap (--max-body-bytes, default 1 MiB) → 413 JSON; request target over
// 8 KiB → 414 JSON; oversized/too many headers and malformed requests → 4xx (always an answer), never a crash;
// the server answers /health afterwards.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include "support/api_client.h"

using namespace iron::test;

namespace {

// Sends raw bytes and returns the status of the first response line (0 = no response within
// `timeout_s`, or the server closed the connection without answering).
int raw_status(int port, const std::string& request, int timeout_s = 15) {
  const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  timeval tv{timeout_s, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  std::string wire;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    (void)!send(fd, request.data(), request.size(), MSG_NOSIGNAL);
    char buf[4096];
    ssize_t n;
    while (wire.find("\r\n") == std::string::npos && (n = recv(fd, buf, sizeof buf, 0)) > 0)
      wire.append(buf, static_cast<size_t>(n));
  }
  close(fd);
  return wire.rfind("HTTP/1.1 ", 0) == 0 ? std::atoi(wire.c_str() + 9) : 0;
}

class EdgeLimits : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    small_ = std::make_unique<ServerProcess>(ServerProcess::Options{.extra_args = {"--max-body-bytes", "2048"}});
    default_ = std::make_unique<ServerProcess>();
  }
  static void TearDownTestSuite() {
    small_.reset();
    default_.reset();
  }
  void SetUp() override { ASSERT_TRUE(small_ && default_) << "a server failed to start"; }
  void TearDown() override {
    for (const ServerProcess* s : {small_.get(), default_.get()}) {
      auto health = s->client()->Get("/health");
      ASSERT_TRUE(health) << "server no longer answers: " << s->stderr_text();
      EXPECT_EQ(health->status, 200);
      EXPECT_EQ(kill(s->pid(), 0), 0) << "server process is gone";
    }
  }
  static inline std::unique_ptr<ServerProcess> small_, default_;
};

TEST_F(EdgeLimits, BodiesOverTheConfiguredCapAre413Json) {
  struct Case {
    std::string path;
    size_t size;
    int status;
    std::string code;
  };
  const std::vector<Case> cases = {
      {"/api/v1/nope", 1, 404, "NOT_FOUND"},
      {"/api/v1/nope", 2048, 404, "NOT_FOUND"},  // at the cap: the route is reached
      {"/api/v1/nope", 2049, 413, "PAYLOAD_TOO_LARGE"},
      {"/api/v1/nope", 65536, 413, "PAYLOAD_TOO_LARGE"},
      {"/api/v1/auth/login", 4096, 413, "PAYLOAD_TOO_LARGE"},
      {"/about", 4096, 413, "PAYLOAD_TOO_LARGE"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.path + " with " + std::to_string(c.size) + " bytes");
    auto res = small_->client()->Post(c.path, {{"X-Request-Id", "limit-case"}}, std::string(c.size, '{'),
                                      "application/json");
    expect_json_error(res, c.status, c.code);
    if (res) {
      EXPECT_EQ(res->get_header_value("X-Request-Id"), "limit-case");
    }
  }
}

TEST_F(EdgeLimits, ChunkedBodiesOverTheCapAre413Json) {
  const std::string chunk(1024, 'x');
  auto res = small_->client()->Post(
      "/api/v1/nope",
      [&, sent = 0](size_t, httplib::DataSink& sink) mutable {
        if (sent++ < 8) return sink.write(chunk.data(), chunk.size());
        sink.done();
        return true;
      },
      "application/json");
  expect_json_error(res, 413, "PAYLOAD_TOO_LARGE");
}

TEST_F(EdgeLimits, TheDefaultCapIsOneMebibyte) {
  const size_t mib = 1024 * 1024;
  auto at_cap = default_->client()->Post("/api/v1/nope", std::string(mib, ' '), "application/json");
  expect_json_error(at_cap, 404, "NOT_FOUND");
  auto over = default_->client()->Post("/api/v1/nope", std::string(mib + 1, ' '), "application/json");
  expect_json_error(over, 413, "PAYLOAD_TOO_LARGE");
}

TEST_F(EdgeLimits, RequestTargetsOver8KiBAre414Json) {
  struct Case {
    std::string target;
    int status;
  };
  const std::vector<Case> cases = {
      {"/" + std::string(8191, 'a'), 200},  // 8192 bytes: the limit itself is fine (SPA fallback)
      {"/" + std::string(8192, 'a'), 414},
      {"/health?q=" + std::string(9000, 'q'), 414},
      {"/api/v1/agents/" + std::string(9000, '1'), 414},
      {"/" + std::string(20000, 'a'), 414},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE("target of " + std::to_string(c.target.size()) + " bytes");
    auto res = default_->client()->Get(c.target);
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->status, c.status);
    if (c.status == 414) expect_json_error(res, 414, "URI_TOO_LONG");
  }
}

TEST_F(EdgeLimits, HugeOrTooManyHeadersAndMalformedRequestsAre4xxNotACrash) {
  std::string many_headers;
  for (int i = 0; i < 150; ++i) many_headers += "X-H" + std::to_string(i) + ": v\r\n";
  struct Case {
    std::string name, request;
  };
  const std::string get = "GET /health HTTP/1.1\r\nHost: x\r\nConnection: close\r\n";
  const std::vector<Case> cases = {
      {"one 9 KiB header", get + "X-Big: " + std::string(9 * 1024, 'b') + "\r\n\r\n"},
      {"one 40 KiB header", get + "X-Big: " + std::string(40 * 1024, 'b') + "\r\n\r\n"},
      {"150 headers", get + many_headers + "\r\n"},
      {"request line of 40 KiB", "GET /" + std::string(40 * 1024, 'a') + " HTTP/1.1\r\nHost: x\r\n\r\n"},
      {"garbage request line", "GARBAGE\r\n\r\n"},
      {"header without colon", get + "NoColonHere\r\n\r\n"},
      {"Content-Length with Transfer-Encoding",
       "POST /api/v1/nope HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\nTransfer-Encoding: chunked\r\n"
       "Connection: close\r\n\r\n0\r\n\r\n"},
      {"negative Content-Length", "POST /api/v1/nope HTTP/1.1\r\nHost: x\r\nContent-Length: -1\r\n\r\n"},
      {"non-numeric Content-Length", "POST /api/v1/nope HTTP/1.1\r\nHost: x\r\nContent-Length: 12ab\r\n\r\n"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    const int status = raw_status(default_->port(), c.request);  // 0 = closed without an answer
    EXPECT_GE(status, 400);
    EXPECT_LT(status, 500);
  }
}

TEST_F(EdgeLimits, ADeclaredBodyOverTheCapIs413WithoutWaitingForTheBody) {
  // The Content-Length alone proves the body is too large: answer 413 at once instead of
  // holding a worker until the read timeout (the client here never sends the body).
  struct Case {
    const ServerProcess* server;
    std::string content_length;
  };
  for (const auto& c : std::vector<Case>{{small_.get(), "4096"}, {default_.get(), "99999999999999"}}) {
    SCOPED_TRACE("Content-Length: " + c.content_length);
    const std::string head = "POST /api/v1/nope HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                             "Content-Length: " + c.content_length + "\r\nConnection: close\r\n\r\n";
    EXPECT_EQ(raw_status(c.server->port(), head, 5), 413) << "0 = no answer within 5 s";
  }
}

TEST_F(EdgeLimits, HttplibErrorResponsesUseTheJsonEnvelope) {
  expect_json_error(default_->client()->Get("/health", {{"X-Big", std::string(9000, 'b')}}), 400, "BAD_REQUEST");
  httplib::Headers many;
  for (int i = 0; i < 150; ++i) many.emplace("X-H" + std::to_string(i), "v");
  expect_json_error(default_->client()->Get("/health", many), 400, "BAD_REQUEST");
}

}  // namespace
