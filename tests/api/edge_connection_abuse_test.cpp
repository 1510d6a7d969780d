// Connection abuse (issue 14, item 5): hundreds of slow-header clients, thousands of idle
// connections and floods past the connection limit. Whatever the abuse, a normal client is
// served within a bounded time, every refusal is a clean answer (503 in the envelope with
// Retry-After, 408 for heads that never finish) or a clean close of a connection that never
// asked anything, and the server serves normally again once the abuse stops. Oversized
// heads are refused as soon as they pass the limit, not buffered to the end.
#include <poll.h>
#include <sys/resource.h>

#include <gtest/gtest.h>

#include <filesystem>
#include <map>

#include "edge_clients.h"
#include "support/raw_http.h"
#include "support/server_process.h"

using namespace edge;

namespace {

const std::string kGet = "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n";

// This test process needs a descriptor per connection it opens.
bool enough_descriptors(size_t n) {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) != 0) return false;
  if (lim.rlim_cur < n + 64 && lim.rlim_max >= n + 64) {
    lim.rlim_cur = n + 64;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
  return getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur >= n + 64;
}

// One request from a fresh connection; how long until its answer, and the answer.
std::pair<RawReply, milliseconds> timed_request(int port, const std::string& from = "127.0.0.1") {
  const auto t0 = Clock::now();
  RawConnection c(port, from);
  c.send(kGet);
  auto reply = c.read_reply(seconds(10));
  return {reply, std::chrono::duration_cast<milliseconds>(Clock::now() - t0)};
}

// Fresh requests until one is answered 200, each 503 retried (as its Retry-After asks, but
// at once): how long until served, or nothing when not served `within`.
std::optional<milliseconds> served_within(int port, seconds within) {
  const auto t0 = Clock::now();
  while (Clock::now() - t0 < within) {
    const auto [reply, took] = timed_request(port);
    if (reply.status == 200) return std::chrono::duration_cast<milliseconds>(Clock::now() - t0);
    EXPECT_EQ(reply.status, 503) << reply.head;
    EXPECT_EQ(error_code(reply), "TOO_MANY_CONNECTIONS");
  }
  return std::nullopt;
}

// `n` keep-alive clients, each answered 200 on its first request (a 503 while the server
// is still closing the abusers' connections is retried on a new connection, for up to 5 s),
// then each answered 200 again on the same connection.
void expect_n_clients_served(int port, size_t n) {
  std::vector<std::unique_ptr<RawConnection>> clients;
  const auto until = Clock::now() + seconds(5);
  while (clients.size() < n && Clock::now() < until) {
    auto c = std::make_unique<RawConnection>(port);
    if (!c->send(kGet)) continue;
    const RawReply r = c->read_reply(seconds(5));
    if (r.status == 200) clients.push_back(std::move(c));
    else EXPECT_EQ(r.status, 503) << r.head;
  }
  ASSERT_EQ(clients.size(), n) << "the server did not serve its whole connection limit again";
  for (auto& c : clients) {
    ASSERT_TRUE(c->send(kGet));
    EXPECT_EQ(c->read_reply(seconds(5)).status, 200);
  }
}

// Waits up to `within` until `need` of the connections are readable (an answer or a close).
void wait_readable(const std::vector<std::unique_ptr<RawConnection>>& conns, size_t need, milliseconds within) {
  const auto until = Clock::now() + within;
  for (;;) {
    std::vector<pollfd> fds;
    for (const auto& c : conns) fds.push_back({c->fd(), POLLIN, 0});
    const int ready = ::poll(fds.data(), fds.size(), 100);
    if (ready >= static_cast<int>(need) || Clock::now() >= until) return;
  }
}

// `n` connections at once, each sending a request: what each was answered (503 counts only
// as a clean refusal: the envelope, Retry-After and Connection: close; 0 is a close without
// an answer), reading each answer as it comes and closing its connection, as a client would;
// and how many were left unanswered after `within`.
std::pair<std::map<int, size_t>, size_t> flood(int port, size_t n, seconds within) {
  std::vector<std::unique_ptr<RawConnection>> conns;
  for (size_t i = 0; i < n; ++i) {
    conns.push_back(std::make_unique<RawConnection>(port));
    conns.back()->send(kGet);
  }
  const auto t0 = Clock::now();
  std::map<int, size_t> answers;
  size_t left = conns.size();
  while (left > 0 && Clock::now() - t0 < within) {
    std::vector<pollfd> fds;
    for (auto& c : conns) fds.push_back({c ? c->fd() : -1, POLLIN, 0});
    ::poll(fds.data(), fds.size(), 100);
    for (size_t i = 0; i < conns.size(); ++i) {
      if (!conns[i] || !fds[i].revents) continue;
      const RawReply r = conns[i]->read_reply(milliseconds(500));
      const bool clean_refusal = r.status == 503 && error_code(r) == "TOO_MANY_CONNECTIONS" &&
                                 r.header("Retry-After") == "1" && r.header("Connection") == "close";
      ++answers[clean_refusal || r.status != 503 ? r.status : -503];
      conns[i].reset();
      --left;
    }
  }
  return {answers, left};
}

TEST(EdgeConnectionAbuse, HundredsOfSlowHeaderClientsNeverDelayANormalClient) {
  // 300 slow heads from 300 addresses, a byte every second, against a limit of 360: more
  // than three quarters of the connections are taken, so heads get 2 s instead of 10 s
  // until the 408s have brought the open connections back under three quarters (270).
  ASSERT_TRUE(enough_descriptors(400)) << "this test needs 400 descriptors";
  ServerProcess server({.extra_args = {"--max-connections", "360"}});
  Dribblers dribblers(server.port(), 300, [](size_t i) {
    return "127.0." + std::to_string(2 + i / 250) + "." + std::to_string(i % 250 + 1);
  });
  dribblers.tick(milliseconds(200));
  for (int i = 0; i < 5; ++i) {
    const auto [reply, took] = timed_request(server.port());
    EXPECT_EQ(reply.status, 200) << reply.head;
    EXPECT_LT(took, milliseconds(1000)) << "a normal client waited behind the slow heads";
  }
  dribblers.tick_for(milliseconds(4000), milliseconds(1000));
  SCOPED_TRACE("answers:" + dribblers.summary());
  const size_t timed_out = dribblers.count(408, "REQUEST_TIMEOUT");
  EXPECT_GE(timed_out, 30u) << "under pressure, slow heads get a clean 408 after 2 s, not 10 s";
  EXPECT_EQ(dribblers.count(0, "") + timed_out, 300u) << "every answer to a slow head is a 408";
}

TEST(EdgeConnectionAbuse, ThousandsOfIdleConnectionsGiveWayToClientsThatAskSomething) {
  // 2,000 connections that never send a byte, against a limit of 64 and a keep-alive
  // timeout of 60 s: each new connection at the limit displaces the one that has waited
  // longest for a request (once that is 250 ms), so idle connections never lock anyone out.
  constexpr size_t kIdle = 2000;
  ASSERT_TRUE(enough_descriptors(kIdle + 16)) << "this test needs " << kIdle + 16 << " descriptors";
  ServerProcess server({.extra_args = {"--max-connections", "64", "--keep-alive-timeout", "60"}});
  std::vector<std::unique_ptr<RawConnection>> idle;
  for (size_t i = 0; i < kIdle; ++i) {
    idle.push_back(std::make_unique<RawConnection>(server.port()));
    ASSERT_TRUE(idle.back()->ok()) << "connection " << i;
  }
  // A normal client (retrying a 503 at once) is served within a bounded time: once the
  // connections queued behind the burst are through, and a held one has waited 250 ms.
  for (int i = 0; i < 5; ++i) {
    const auto served = served_within(server.port(), seconds(8));
    ASSERT_TRUE(served) << "a normal client was never served";
    EXPECT_LT(*served, seconds(i == 0 ? 4 : 1)) << "a normal client waited behind idle connections";
  }
  // The displaced ones were closed cleanly: an end of stream, no bytes, no reset (or, for
  // those that arrived while every held one had waited less than 250 ms, a 503); at most
  // the limit's worth are still open.
  wait_readable(idle, kIdle - 64, milliseconds(10'000));
  size_t closed = 0;
  for (auto& c : idle) {
    if (!c->closed_within(milliseconds(10))) continue;
    ++closed;
    const RawReply r = c->read_reply(milliseconds(10));
    EXPECT_TRUE(r.status == 0 || (r.status == 503 && error_code(r) == "TOO_MANY_CONNECTIONS")) << r.head;
  }
  EXPECT_GE(closed, kIdle - 64);
  // Once they are gone, the whole limit serves: 64 keep-alive clients at once.
  idle.clear();
  expect_n_clients_served(server.port(), 64);
}

TEST(EdgeConnectionAbuse, AFloodPastTheLimitIsRefused503AtOnceAndTheServerRecovers) {
  // Every one of the 32 connections is busy (a head arriving slowly), so nothing can give
  // way: each of 300 more connections is answered 503 at once, none is left waiting. When
  // the slow heads hit their deadline (2 s: the connections are under pressure), a normal
  // client retrying its 503 is served.
  ASSERT_TRUE(enough_descriptors(400)) << "this test needs 400 descriptors";
  ServerProcess server({.extra_args = {"--max-connections", "32"}});
  Dribblers busy(server.port(), 32, [](size_t) { return "127.0.0.1"; });  // a trusted proxy: no per-address cap
  busy.tick(milliseconds(200));
  const auto t0 = Clock::now();
  auto [answers, left] = flood(server.port(), 300, seconds(5));
  const auto took = Clock::now() - t0;
  EXPECT_EQ(left, 0u) << "a connection past the limit was left waiting";
  // Refusals come at once; only a connection the 2 s head deadline made room for in the
  // meantime may be served instead.
  EXPECT_EQ(answers[503] + answers[200], 300u) << "each is a clean 503 (or served): " << answers.size() << " kinds";
  EXPECT_GE(answers[503], 250u);
  EXPECT_LT(took, seconds(3)) << "refusals must not wait for the busy connections";
  const auto served = served_within(server.port(), seconds(6));
  ASSERT_TRUE(served) << "a normal client was never served after the flood";
  EXPECT_LT(*served, seconds(4)) << "the 2 s head deadline should have made room";
  busy.tick(milliseconds(0));
  SCOPED_TRACE("busy:" + busy.summary());
  EXPECT_GE(busy.count(408, "REQUEST_TIMEOUT"), 1u);
  EXPECT_EQ(busy.count(0, "") + busy.count(408, "REQUEST_TIMEOUT"), 32u) << "a slow head is answered 408 or not yet";
  // The abuse stops: the whole limit serves again.
  busy = Dribblers(server.port(), 0, [](size_t) { return ""; });
  expect_n_clients_served(server.port(), 32);
}

TEST(EdgeConnectionAbuse, FloodsFasterThanTheRefusalWorkersAreEachAnswered503) {
  // A limit of 2 with both connections busy: floods of 500 connections arrive faster than
  // the 64 refusal workers answer, so most wait in the listen backlog for a worker. Each is
  // answered 503 (or served, once a busy one gives way), never closed without a word.
  ASSERT_TRUE(enough_descriptors(700)) << "this test needs 700 descriptors";
  ServerProcess server({.extra_args = {"--threads", "2", "--max-connections", "2"}});
  for (int round = 0; round < 3; ++round) {
    Dribblers busy(server.port(), 2, [](size_t) { return "127.0.0.1"; });
    busy.tick(milliseconds(100));
    auto [answers, left] = flood(server.port(), 500, seconds(5));
    EXPECT_EQ(left, 0u) << "a connection past the limit was left waiting";
    EXPECT_EQ(answers[503] + answers[200], 500u)
        << "round " << round << ": closed without an answer: " << answers[0] << ", unclean 503s: " << answers[-503];
  }
  // Served again once the last flood's connections are closed (until then a 503 is right).
  EXPECT_TRUE(served_within(server.port(), seconds(5))) << "the server did not serve again after the floods";
}

size_t thread_count(pid_t pid) {
  size_t n = 0;
  for ([[maybe_unused]] const auto& t : std::filesystem::directory_iterator("/proc/" + std::to_string(pid) + "/task")) ++n;
  return n;
}

TEST(EdgeConnectionAbuse, NewConnectionsAreAcceptedAfterABurstsWorkersLeave) {
  // A request that waits (here for its body) hands its worker's place among those waiting
  // for events to another thread; such threads leave after 5 idle seconds. Held keep-alive
  // connections and a burst of waiting requests must leave enough threads waiting that a new
  // connection is served at once, not when a held connection ends (60 s here).
  ServerProcess server({.extra_args = {"--threads", "2", "--keep-alive-timeout", "60"}});
  std::vector<std::unique_ptr<RawConnection>> held;
  for (int i = 0; i < 12; ++i) {
    held.push_back(std::make_unique<RawConnection>(server.port()));
    ASSERT_TRUE(held.back()->send(kGet));
    ASSERT_EQ(held.back()->read_reply(seconds(5)).status, 200);
  }
  {  // the burst: 40 requests at once whose bodies come late, answered, then closed
    const size_t before = thread_count(server.pid());
    std::vector<std::unique_ptr<RawConnection>> burst;
    for (int i = 0; i < 40; ++i) burst.push_back(std::make_unique<RawConnection>(server.port()));
    for (auto& c : burst)
      ASSERT_TRUE(c->send("POST /api/v1/auth/login HTTP/1.1\r\nHost: x\r\nContent-Type: application/json\r\n"
                          "Content-Length: 2\r\n\r\n"));
    const auto until = Clock::now() + seconds(5);
    while (thread_count(server.pid()) < before + 30 && Clock::now() < until) ::poll(nullptr, 0, 20);
    ASSERT_GE(thread_count(server.pid()), before + 30) << "the waiting requests did not each get a thread";
    for (auto& c : burst) ASSERT_TRUE(c->send("{}"));
    for (auto& c : burst) ASSERT_GT(c->read_reply(seconds(5)).status, 0);
  }
  const size_t peak = thread_count(server.pid());
  const auto until = Clock::now() + seconds(15);
  while (thread_count(server.pid()) + 20 > peak && Clock::now() < until) ::poll(nullptr, 0, 50);
  ASSERT_LE(thread_count(server.pid()) + 20, peak) << "the burst's idle workers never left";
  const auto [reply, took] = timed_request(server.port());
  EXPECT_EQ(reply.status, 200) << reply.head;
  EXPECT_LT(took, seconds(2));
  for (auto& c : held) {  // and the held connections still serve
    ASSERT_TRUE(c->send(kGet));
    EXPECT_EQ(c->read_reply(seconds(5)).status, 200);
  }
}

TEST(EdgeConnectionAbuse, AnEndlessHeadIsRefusedAsSoonAsItPassesTheLimit) {
  // 1 KiB headers streamed without end: the server answers 431 once 64 KiB have come,
  // while the client is still sending, instead of buffering until the head deadline.
  ServerProcess server;
  RawConnection c(server.port());
  ASSERT_TRUE(c.send("GET /health/live HTTP/1.1\r\nHost: x\r\n"));
  const std::string header = "X-Pad: " + std::string(1016, 'p') + "\r\n";
  const auto t0 = Clock::now();
  for (int i = 0; i < 100 && c.send(header); ++i) {
  }
  const RawReply reply = c.read_reply(seconds(5));
  EXPECT_EQ(reply.status, 431) << reply.head;
  EXPECT_EQ(error_code(reply), "HEADERS_TOO_LARGE");
  // Well before the 10 s head deadline: refused at the limit, not when time ran out.
  EXPECT_LT(Clock::now() - t0, seconds(3));
  EXPECT_EQ(timed_request(server.port()).first.status, 200);
}

}  // namespace
