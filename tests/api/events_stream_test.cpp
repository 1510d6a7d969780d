// GET /api/v1/events/stream over a raw socket: authentication, SSE framing and heartbeats,
// the bound on concurrent streams (global and per user), a closed stream freeing its slot at
// once, and streams ending promptly on shutdown.
#include <arpa/inet.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <chrono>

#include "support/panel.h"

using namespace iron::test;

namespace {

// Opens the stream on a raw socket and returns the fd (reads time out after 10 s).
int open_stream(int port, const std::string& token) {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_port = htons(static_cast<uint16_t>(port));
  inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) return -1;
  timeval tv{10, 0};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  const std::string req = "GET /api/v1/events/stream HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + token + "\r\n\r\n";
  if (write(fd, req.data(), req.size()) != static_cast<ssize_t>(req.size())) return -1;
  return fd;
}

// Reads until `needle` appears (or EOF/timeout); returns everything read.
std::string read_until(int fd, const std::string& needle) {
  std::string out;
  char buf[1024];
  ssize_t n;
  while (out.find(needle) == std::string::npos && (n = read(fd, buf, sizeof buf)) > 0) out.append(buf, static_cast<size_t>(n));
  return out;
}

// A stream that the server has admitted (": connected" read), or -1 with a test failure.
int connected_stream(int port, const std::string& token) {
  const int fd = open_stream(port, token);
  if (fd < 0) {
    ADD_FAILURE() << "could not open the stream";
    return -1;
  }
  const std::string got = read_until(fd, ": connected");
  if (got.find(": connected") != std::string::npos) return fd;
  ADD_FAILURE() << "the stream was not admitted: " << got;
  close(fd);
  return -1;
}

// GET /api/v1/events/stream as `token` when the stream cannot be admitted: the refusal.
Reply refused_stream(const Panel& p, const std::string& token) {
  return p.call("GET", "/api/v1/events/stream", token);
}

}  // namespace

TEST(EventsStream, RequiresAuthentication) {
  Panel p(admin_options());
  EXPECT_EQ(p.call("GET", "/api/v1/events/stream").status, 401);
}

TEST(EventsStream, SendsEventStreamHeadersAndHeartbeats) {
  Panel p(admin_options({"--event-heartbeat", "1"}));
  const int fd = open_stream(p.server().port(), p.admin.token);
  ASSERT_GE(fd, 0);
  const std::string got = read_until(fd, ": heartbeat");
  EXPECT_NE(got.find("HTTP/1.1 200"), std::string::npos) << got;
  EXPECT_NE(got.find("Content-Type: text/event-stream"), std::string::npos) << got;
  EXPECT_NE(got.find("Cache-Control: no-store"), std::string::npos) << "authenticated: never cached";
  EXPECT_NE(got.find("X-Accel-Buffering: no"), std::string::npos);
  EXPECT_NE(got.find(": connected"), std::string::npos);
  EXPECT_NE(got.find(": heartbeat"), std::string::npos) << "no heartbeat within the read timeout";
  close(fd);
}

TEST(EventsStream, ConcurrentStreamsAreBoundedWith503AndRetryAfter) {
  Panel p(admin_options({"--max-event-streams", "1"}));
  const int first = connected_stream(p.server().port(), p.admin.token);
  ASSERT_GE(first, 0);
  const Reply second = refused_stream(p, p.admin.token);
  expect_error(second, 503, "TOO_MANY_STREAMS");
  EXPECT_FALSE(second.header("Retry-After").empty());
  // Other requests are still served while the stream holds its worker.
  EXPECT_EQ(p.call("GET", "/health").status, 200);
  close(first);
}

// Issue 14: a client that disconnected held its slot until the next heartbeat (15 s by
// default) tried to write to it, so a dashboard reloaded a few times locked its user out.
TEST(EventsStream, AClosedStreamFreesItsSlotAtOnce) {
  // One stream in all, and a heartbeat far longer than the test: only noticing the closed
  // connection itself can free the slot in time.
  Panel p(admin_options({"--max-event-streams", "1", "--event-heartbeat", "300"}));
  const std::string& token = p.admin.token;
  const int first = connected_stream(p.server().port(), token);
  ASSERT_GE(first, 0);
  ASSERT_EQ(refused_stream(p, token).status, 503) << "the only slot is taken";

  close(first);
  const auto closed_at = std::chrono::steady_clock::now();
  const auto deadline = closed_at + std::chrono::seconds(3);
  std::string got;
  int attempts = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    const int fd = open_stream(p.server().port(), token);
    ASSERT_GE(fd, 0);
    ++attempts;
    got = read_until(fd, "\r\n\r\n");
    if (got.rfind("HTTP/1.1 200", 0) == 0) {
      if (got.find(": connected") == std::string::npos) got += read_until(fd, ": connected");
      EXPECT_NE(got.find(": connected"), std::string::npos) << got;
      close(fd);
      break;
    }
    close(fd);
    ASSERT_EQ(got.rfind("HTTP/1.1 503", 0), 0u) << "while the slot is held: 503 TOO_MANY_STREAMS, got " << got;
    // Paces the retries (a tight loop opened 20,000 connections in 3 s); the deadline above,
    // not this pause, decides the outcome.
    poll(nullptr, 0, 10);
  }
  ASSERT_EQ(got.rfind("HTTP/1.1 200", 0), 0u) << "no stream admitted within 3 s of closing the other (" << attempts
                                               << " attempts); last answer: " << got;
  RecordProperty("ms_until_slot_free", static_cast<int>(std::chrono::duration_cast<std::chrono::milliseconds>(
                                                             std::chrono::steady_clock::now() - closed_at)
                                                             .count()));
}

// Issue 9 item 20: one viewer used to be able to hold all 32 streams, and the admin's got 503.
TEST(EventsStream, OneUserHoldsAtMostAnEighthOfTheStreams) {
  Panel p(admin_options());  // the default: 32 streams, 4 per user
  const Account viewer = p.add_user("viewer", "streamer");
  ASSERT_FALSE(viewer.token.empty());
  std::vector<int> held;
  for (int i = 0; i < 4; ++i) {
    SCOPED_TRACE("stream " + std::to_string(i + 1));
    const int fd = connected_stream(p.server().port(), viewer.token);
    ASSERT_GE(fd, 0);
    held.push_back(fd);
  }
  const Reply over = refused_stream(p, viewer.token);
  expect_error(over, 429, "TOO_MANY_STREAMS_FOR_USER");
  EXPECT_FALSE(over.header("Retry-After").empty());
  // The admin still gets a stream.
  const int admin_stream = connected_stream(p.server().port(), p.admin.token);
  EXPECT_GE(admin_stream, 0);
  if (admin_stream >= 0) close(admin_stream);
  for (int fd : held) close(fd);
}

TEST(EventsStream, StreamsEndPromptlyOnShutdown) {
  Panel p(admin_options());  // default 15 s heartbeat: shutdown must not wait for it
  const int fd = connected_stream(p.server().port(), p.admin.token);
  ASSERT_GE(fd, 0);
  const auto t0 = std::chrono::steady_clock::now();
  p.server().send_signal(SIGTERM);
  EXPECT_EQ(p.server().wait_exit(8), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  char buf[256];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
  }
  EXPECT_EQ(n, 0) << "the server must close the stream";
  close(fd);
}
