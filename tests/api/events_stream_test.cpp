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

}  // namespace

TEST(EventsStream, RequiresAuthentication) {
  ServerProcess server(admin_options({}));
  auto r = server.client()->Get("/api/v1/events/stream");
  ASSERT_TRUE(r);
  EXPECT_EQ(r->status, 401);
}

TEST(EventsStream, SendsEventStreamHeadersAndHeartbeats) {
  ServerProcess server(admin_options({"--event-heartbeat", "1"}));
  const int fd = open_stream(server.port(), login(server, kAdminEmail, kAdminPassword));
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
  ServerProcess server(admin_options({"--max-event-streams", "1"}));
  const std::string token = login(server, kAdminEmail, kAdminPassword);
  const int first = open_stream(server.port(), token);
  ASSERT_GE(first, 0);
  ASSERT_NE(read_until(first, ": connected").find(": connected"), std::string::npos);
  auto second = server.client()->Get("/api/v1/events/stream", {{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(second);
  EXPECT_EQ(second->status, 503);
  EXPECT_EQ(json_of(second)["error"]["code"], "TOO_MANY_STREAMS");
  EXPECT_FALSE(second->get_header_value("Retry-After").empty());
  // Other requests are still served while the stream holds its worker.
  auto health = server.client()->Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  close(first);
}

// Issue 14: a client that disconnected held its slot until the next heartbeat (15 s by
// default) tried to write to it, so a dashboard reloaded a few times locked its user out.
TEST(EventsStream, AClosedStreamFreesItsSlotAtOnce) {
  // One stream in all, and a heartbeat far longer than the test: only noticing the closed
  // connection itself can free the slot in time.
  ServerProcess server(admin_options({"--max-event-streams", "1", "--event-heartbeat", "300"}));
  const std::string token = login(server, kAdminEmail, kAdminPassword);
  const int first = open_stream(server.port(), token);
  ASSERT_GE(first, 0);
  ASSERT_NE(read_until(first, ": connected").find(": connected"), std::string::npos);
  auto refused = server.client()->Get("/api/v1/events/stream", {{"Authorization", "Bearer " + token}});
  ASSERT_TRUE(refused);
  ASSERT_EQ(refused->status, 503) << "the only slot is taken";

  close(first);
  const auto closed_at = std::chrono::steady_clock::now();
  const auto deadline = closed_at + std::chrono::seconds(3);
  std::string got;
  int attempts = 0;
  while (std::chrono::steady_clock::now() < deadline) {
    const int fd = open_stream(server.port(), token);
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
  ServerProcess server(admin_options({}));  // the default: 32 streams, 4 per user
  const std::string admin = login(server, kAdminEmail, kAdminPassword);
  const auto viewer = iron::test::login_as(
      server, iron::test::create_account(server, admin, "viewer", "streamer"));
  ASSERT_FALSE(viewer.token.empty());
  std::vector<int> held;
  for (int i = 0; i < 4; ++i) {
    const int fd = open_stream(server.port(), viewer.token);
    ASSERT_GE(fd, 0);
    ASSERT_NE(read_until(fd, ": connected").find(": connected"), std::string::npos) << "stream " << i + 1;
    held.push_back(fd);
  }
  auto over = server.client()->Get("/api/v1/events/stream", {{"Authorization", "Bearer " + viewer.token}});
  ASSERT_TRUE(over);
  EXPECT_EQ(over->status, 429);
  EXPECT_EQ(json_of(over)["error"]["code"], "TOO_MANY_STREAMS_FOR_USER");
  EXPECT_FALSE(over->get_header_value("Retry-After").empty());
  // The admin still gets a stream.
  const int admin_stream = open_stream(server.port(), admin);
  ASSERT_GE(admin_stream, 0);
  const std::string got = read_until(admin_stream, ": connected");
  EXPECT_NE(got.find("HTTP/1.1 200"), std::string::npos) << got;
  close(admin_stream);
  for (int fd : held) close(fd);
}

TEST(EventsStream, StreamsEndPromptlyOnShutdown) {
  ServerProcess server(admin_options({}));  // default 15 s heartbeat: shutdown must not wait for it
  const int fd = open_stream(server.port(), login(server, kAdminEmail, kAdminPassword));
  ASSERT_GE(fd, 0);
  ASSERT_NE(read_until(fd, ": connected").find(": connected"), std::string::npos);
  const auto t0 = std::chrono::steady_clock::now();
  server.send_signal(SIGTERM);
  EXPECT_EQ(server.wait_exit(8), 0);
  EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(3));
  char buf[256];
  ssize_t n;
  while ((n = read(fd, buf, sizeof buf)) > 0) {
  }
  EXPECT_EQ(n, 0) << "the server must close the stream";
  close(fd);
}
