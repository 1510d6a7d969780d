// The listening socket: a port already in use is a clear start-up error (exit 2, naming the
// address), never a second server sharing the port (SO_REUSEPORT would let the kernel split
// connections between two databases); and the accept backlog holds a burst of handshakes
// (cpp-httplib's default of 5 dropped them).
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <sys/socket.h>
#include <unistd.h>

#include <gtest/gtest.h>

#include "support/server_process.h"

using iron::test::run_binary;
using iron::test::ServerProcess;
using Clock = std::chrono::steady_clock;

namespace {

TEST(EdgeListener, ASecondServerOnAPortInUseExits2NamingTheAddress) {
  ServerProcess first;
  const std::string addr = "127.0.0.1:" + std::to_string(first.port());
  const auto second = run_binary({"serve", "--data", iron::test::make_temp_dir() + "/data", "--listen", addr}, {}, "", 10);
  EXPECT_EQ(second.exit_code, 2) << "137 = it started and had to be killed: " << second.err;
  EXPECT_NE(second.err.find(addr), std::string::npos) << second.err;
  EXPECT_NE(second.err.find("already in use"), std::string::npos) << second.err;
  auto health = first.client()->Get("/health/live");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

TEST(EdgeListener, TheBacklogHoldsABurstOfHandshakesUntilTheServerAccepts) {
  ServerProcess server;
  // Frozen, the server accepts nothing: only the kernel's backlog holds handshakes.
  ASSERT_EQ(kill(server.pid(), SIGSTOP), 0);
  constexpr int kBurst = 200;
  std::vector<int> fds;
  for (int i = 0; i < kBurst; ++i) {
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_port = htons(static_cast<uint16_t>(server.port()));
    inet_pton(AF_INET, "127.0.0.1", &addr.sin_addr);
    connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);  // EINPROGRESS
    fds.push_back(fd);
  }
  // The kernel completes loopback handshakes at once while the backlog has room; beyond
  // it, SYNs are dropped (and retried) for as long as the server stays frozen.
  size_t established = 0;
  const auto until = Clock::now() + std::chrono::seconds(3);
  std::vector<bool> up(kBurst, false);
  while (established < fds.size() && Clock::now() < until) {
    std::vector<pollfd> p;
    for (int fd : fds) p.push_back({fd, POLLOUT, 0});
    ::poll(p.data(), p.size(), 50);
    for (size_t i = 0; i < p.size(); ++i) {
      int err = 0;
      socklen_t len = sizeof err;
      if (!up[i] && (p[i].revents & POLLOUT) && getsockopt(fds[i], SOL_SOCKET, SO_ERROR, &err, &len) == 0 && err == 0) {
        up[i] = true;
        ++established;
      }
    }
  }
  ASSERT_EQ(kill(server.pid(), SIGCONT), 0);
  EXPECT_EQ(established, fds.size()) << "handshakes completed while the server was not accepting";
  // Once it runs again, every one of them is answered.
  size_t answered = 0;
  for (int fd : fds) {
    fcntl(fd, F_SETFL, 0);
    const std::string req = "GET /health/live HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n";
    if (send(fd, req.data(), req.size(), MSG_NOSIGNAL) != static_cast<ssize_t>(req.size())) continue;
    pollfd p{fd, POLLIN, 0};
    char buf[16] = {};
    if (::poll(&p, 1, 10000) > 0 && recv(fd, buf, 12, MSG_WAITALL) == 12 && std::string(buf, 12) == "HTTP/1.1 200")
      ++answered;
  }
  for (int fd : fds) close(fd);
  EXPECT_EQ(answered, fds.size());
}

}  // namespace
