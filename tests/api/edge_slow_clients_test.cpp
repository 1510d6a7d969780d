// Slow clients cannot take the server down (thread per connection, 16 base workers):
//  - the request line and headers must arrive within 10 s of their first byte, however
//    steadily they trickle in (the read timeout alone restarts with every byte): 408;
//  - one client address holds at most IRON_THREADS connections (16) — more get 503 at once;
//  - a body that stops arriving is 408, not a 404 after the read timeout;
//  - meanwhile every other client is served.
#include <poll.h>

#include <gtest/gtest.h>

#include <map>

#include <nlohmann/json.hpp>

#include "support/raw_http.h"
#include "support/server_process.h"

using iron::test::RawConnection;
using iron::test::RawReply;
using iron::test::ServerProcess;
using Clock = std::chrono::steady_clock;
using std::chrono::milliseconds;
using std::chrono::seconds;

namespace {

std::string error_code(const RawReply& r) {
  const auto j = nlohmann::json::parse(r.body, nullptr, false);
  return j.is_object() && j.contains("error") ? j["error"].value("code", "") : "";
}

TEST(EdgeSlowClients, HeaderDribblersGet408Or503AndNeverStarveOtherClients) {
  ServerProcess server;
  // 100 connections from one address (127.0.0.2 is not a trusted proxy), each sending its
  // head one byte per tick: more than the whole worker pool (16 x 4 + 32 stream threads).
  std::vector<std::unique_ptr<RawConnection>> dribblers;
  for (int i = 0; i < 100; ++i) {
    dribblers.push_back(std::make_unique<RawConnection>(server.port(), "127.0.0.2"));
    ASSERT_TRUE(dribblers.back()->ok()) << i;
    ASSERT_TRUE(dribblers.back()->send("GET /health HTTP/1.1\r\nHost: x\r\n"));
  }
  const std::string trickle = std::string(4000, 'a');
  std::vector<RawReply> answers(dribblers.size());
  std::vector<bool> done(dribblers.size(), false);
  size_t sent = 0;
  auto tick = [&](milliseconds wait) {  // one byte to every dribbler still open; collect answers
    std::vector<pollfd> fds;
    for (size_t i = 0; i < dribblers.size(); ++i) fds.push_back({done[i] ? -1 : dribblers[i]->fd(), POLLIN, 0});
    ::poll(fds.data(), fds.size(), static_cast<int>(wait.count()));
    for (size_t i = 0; i < dribblers.size(); ++i) {
      if (done[i]) continue;
      if (fds[i].revents) {
        answers[i] = dribblers[i]->read_reply(milliseconds(200));
        done[i] = true;
        continue;
      }
      const std::string byte = sent == 0 ? "X-Slow: " : trickle.substr(sent % trickle.size(), 1);
      done[i] = !dribblers[i]->send(byte);
    }
    ++sent;
  };
  tick(milliseconds(300));
  tick(milliseconds(300));

  // Another client is answered promptly while the dribblers are at it.
  const auto t0 = Clock::now();
  auto c = server.client();
  c->set_read_timeout(6);
  auto res = c->Get("/health/live");
  ASSERT_TRUE(res) << "a normal request got no answer while 100 connections dribbled headers";
  EXPECT_EQ(res->status, 200);
  EXPECT_LT(Clock::now() - t0, seconds(5)) << "the head deadline these guard against is 10 s";

  // Every dribbler is answered within the 10 s head deadline (plus slack for a loaded
  // machine): 503 at once beyond the per-address cap, 408 at the deadline.
  const auto until = Clock::now() + seconds(20);
  while (Clock::now() < until && std::find(done.begin(), done.end(), false) != done.end()) tick(milliseconds(500));
  size_t timed_out = 0, refused = 0;
  std::map<int, int> statuses;
  for (const auto& a : answers) ++statuses[a.status];
  std::string seen;
  for (const auto& [status, n] : statuses) seen += " " + std::to_string(n) + "x" + std::to_string(status);
  SCOPED_TRACE("answers (0 = closed without one):" + seen);
  for (size_t i = 0; i < answers.size(); ++i) {
    EXPECT_TRUE(done[i]) << "dribbler " << i << " still held after 20 s";
    if (answers[i].status == 408 && error_code(answers[i]) == "REQUEST_TIMEOUT") ++timed_out;
    if (answers[i].status == 503 && error_code(answers[i]) == "TOO_MANY_CONNECTIONS") ++refused;
  }
  EXPECT_EQ(timed_out, 16u) << "one address holds at most --threads connections, each ended by the head deadline";
  EXPECT_EQ(refused, 84u);
}

TEST(EdgeSlowClients, OneAddressHoldsAtMostThreadsConnectionsProxiesExempt) {
  ServerProcess server({.extra_args = {"--threads", "4"}});
  auto open_held = [&](const std::string& from, size_t n) {
    std::vector<std::unique_ptr<RawConnection>> held;
    for (size_t i = 0; i < n; ++i) {
      held.push_back(std::make_unique<RawConnection>(server.port(), from));
      EXPECT_TRUE(held.back()->send("GET /health HTTP/1.1\r\n"));  // an unfinished head
    }
    return held;
  };
  auto held = open_held("127.0.0.3", 5);
  // Exactly one of the five (whichever a worker reached last) is refused, at once.
  std::vector<pollfd> fds;
  for (const auto& conn : held) fds.push_back({conn->fd(), POLLIN, 0});
  ASSERT_GT(::poll(fds.data(), fds.size(), 3000), 0) << "no connection over the cap was refused within 3 s";
  size_t refused = 0;
  for (size_t i = 0; i < held.size(); ++i) {
    if (!fds[i].revents) continue;
    const auto r = held[i]->read_reply(milliseconds(500));
    EXPECT_EQ(r.status, 503);
    EXPECT_EQ(error_code(r), "TOO_MANY_CONNECTIONS");
    EXPECT_EQ(r.header("Retry-After"), "1");
    ++refused;
  }
  EXPECT_EQ(refused, 1u);
  // Another address, and 127.0.0.1 (a trusted proxy by default), are not affected.
  auto others = open_held("127.0.0.4", 4);
  auto proxied = open_held("127.0.0.1", 8);
  for (auto* group : {&others, &proxied})
    for (auto& conn : *group) {
      EXPECT_TRUE(conn->send("Host: x\r\n\r\n"));
      EXPECT_EQ(conn->read_reply(milliseconds(3000)).status, 200);
    }
  // Closing the held connections frees the address's slots.
  held.clear();
  bool served = false;
  const auto until = Clock::now() + seconds(5);
  while (!served && Clock::now() < until) {
    RawConnection again(server.port(), "127.0.0.3");
    again.send("GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n");
    served = again.read_reply(milliseconds(1000)).status == 200;
  }
  EXPECT_TRUE(served);
}

TEST(EdgeSlowClients, ABodyThatStopsArrivingIs408) {
  ServerProcess server;
  RawConnection conn(server.port());
  ASSERT_TRUE(conn.send("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                        "Content-Length: 100\r\n\r\n{"));
  const auto reply = conn.read_reply(seconds(20));  // 10 s without a byte of the body
  EXPECT_EQ(reply.status, 408) << reply.head;
  EXPECT_EQ(error_code(reply), "REQUEST_TIMEOUT");
  EXPECT_TRUE(conn.closed_within(seconds(3)));
}

}  // namespace
