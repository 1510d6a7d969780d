// Slow clients cannot take the server down (thread per connection, 16 base workers):
//  - the request line and headers must arrive within 10 s of their first byte, however
//    steadily they trickle in (the read timeout alone restarts with every byte): 408;
//    within 2 s while three quarters of IRON_MAX_CONNECTIONS are open (slow heads from
//    many addresses: edge_connection_abuse_test.cpp);
//  - one client address holds at most IRON_THREADS connections (16) — more get 503 at once;
//  - a body that stops arriving is 408, not a 404 after the read timeout;
//  - meanwhile every other client is served.
#include <poll.h>

#include <gtest/gtest.h>

#include <algorithm>
#include <functional>
#include <map>

#include <nlohmann/json.hpp>

#include "edge_clients.h"
#include "support/raw_http.h"
#include "support/server_process.h"

using namespace edge;

namespace {

// A request from 127.0.0.1 while the dribblers are at it, answered within `within`.
void expect_served_within(const ServerProcess& server, seconds within) {
  const auto t0 = Clock::now();
  auto c = server.client();
  c->set_read_timeout(within.count() + 1);
  auto res = c->Get("/health/live");
  ASSERT_TRUE(res) << "a normal request got no answer while slow heads were arriving";
  EXPECT_EQ(res->status, 200);
  EXPECT_LT(Clock::now() - t0, within);
}

TEST(EdgeSlowClients, HeaderDribblersGet408Or503AndNeverStarveOtherClients) {
  ServerProcess server;
  // 100 connections from one address (127.0.0.2 is not a trusted proxy): far more than its
  // share (IRON_THREADS, 16).
  Dribblers dribblers(server.port(), 100, [](size_t) { return "127.0.0.2"; });
  dribblers.tick(milliseconds(300));
  dribblers.tick(milliseconds(300));
  expect_served_within(server, seconds(5));  // the head deadline is 10 s
  // Every dribbler is answered: 503 at once beyond the per-address cap, 408 at the 10 s
  // head deadline however steadily its bytes arrive (20 s: slack for a loaded machine).
  dribblers.finish(seconds(20));
  SCOPED_TRACE("answers:" + dribblers.summary());
  EXPECT_EQ(dribblers.count(408, "REQUEST_TIMEOUT"), 16u) << "one address holds at most --threads connections";
  EXPECT_EQ(dribblers.count(503, "TOO_MANY_CONNECTIONS"), 84u);
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
