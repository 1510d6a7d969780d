// Connections stay in the worker pool's epoll set, edge-triggered, from accept to close, and
// their memory is kept for the next connection (server/edge_server.h). What that must never
// cost: bytes left unread because no further event comes for them (pipelined requests past
// one read buffer), and a late event reaching a connection closed or reused since (many
// connections opened, served and closed at once, some closed before their answer; the
// sanitizer run of these tests sees any read of freed memory).
#include <gtest/gtest.h>

#include <atomic>
#include <thread>

#include "support/panel.h"
#include "support/raw_http.h"

using iron::test::RawConnection;
namespace id = iron::test;

namespace {

constexpr auto kPrompt = std::chrono::seconds(10);
const std::string kGet = "GET /health/live HTTP/1.1\r\nHost: x\r\n\r\n";

class EdgeConnectionReuse : public id::PanelSuite {};

// 100 requests in one write, six times what one 16 KiB read takes, are all answered in
// order on the one connection. Each is 1 KiB, so a read that fills the buffer ends exactly
// where a request ends: the bytes still unread must be read without waiting for an event.
TEST_F(EdgeConnectionReuse, PipelinedRequestsPastOneReadBufferAreAllAnswered) {
  const std::string start = "GET /health/live HTTP/1.1\r\nHost: x\r\nX-Pad: ", end = "\r\n\r\n";
  const std::string request = start + std::string(1024 - start.size() - end.size(), 'p') + end;
  ASSERT_EQ(request.size(), 1024u);
  std::string burst;
  for (int i = 0; i < 100; ++i) burst += request;
  RawConnection conn(server().port());
  ASSERT_TRUE(conn.ok());
  ASSERT_TRUE(conn.send(burst));
  for (int i = 0; i < 100; ++i) {
    const auto reply = conn.read_reply(kPrompt);
    ASSERT_EQ(reply.status, 200) << "request " << i + 1 << " of 100 was not answered";
  }
}

// Eight threads open, serve and close connections as fast as they can; half of the
// connections go away before reading their answer. Meanwhile keep-alive clients are answered
// every time, and afterwards the server still serves.
TEST_F(EdgeConnectionReuse, ConnectionsOpenedAndClosedAtOnceNeverDisturbOthers) {
  std::atomic<int> unanswered{0}, keep_alive_failures{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < 8; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 150; ++i) {
        RawConnection c(server().port());
        if (!c.send(kGet)) {
          ++unanswered;
          continue;
        }
        if ((t + i) % 2 == 0 && c.read_reply(kPrompt).status != 200) ++unanswered;
      }
    });
  }
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      RawConnection c(server().port());
      for (int i = 0; i < 90; ++i) {
        if (!c.send(kGet) || c.read_reply(kPrompt).status != 200) {
          ++keep_alive_failures;
          return;
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  EXPECT_EQ(unanswered.load(), 0);
  EXPECT_EQ(keep_alive_failures.load(), 0);
  RawConnection after(server().port());
  ASSERT_TRUE(after.send(kGet));
  EXPECT_EQ(after.read_reply(kPrompt).status, 200);
}

}  // namespace
