#include "support/round_robin_proxy.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

#include <cerrno>
#include <stdexcept>
#include <string>

namespace iron::test {
namespace {

sockaddr_in loopback(int port) {
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_port = htons(static_cast<uint16_t>(port));
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  return a;
}

// Writes all of buf; false when the peer is gone.
bool write_all(int fd, const char* buf, ssize_t n) {
  while (n > 0) {
    const ssize_t w = send(fd, buf, static_cast<size_t>(n), MSG_NOSIGNAL);
    if (w < 0 && errno == EINTR) continue;
    if (w <= 0) return false;
    buf += w;
    n -= w;
  }
  return true;
}

}  // namespace

RoundRobinProxy::RoundRobinProxy(std::vector<int> backend_ports)
    : backends_(std::move(backend_ports)), handed_(backends_.size()) {
  if (backends_.empty()) throw std::invalid_argument("RoundRobinProxy needs at least one backend");
  if (pipe2(stop_pipe_, O_CLOEXEC) != 0) throw std::runtime_error("pipe2 failed");
  listen_fd_ = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  sockaddr_in a = loopback(0);
  socklen_t len = sizeof a;
  if (listen_fd_ < 0 || bind(listen_fd_, reinterpret_cast<sockaddr*>(&a), sizeof a) != 0 || listen(listen_fd_, 1024) != 0 ||
      getsockname(listen_fd_, reinterpret_cast<sockaddr*>(&a), &len) != 0)
    throw std::runtime_error("RoundRobinProxy cannot listen on loopback: errno " + std::to_string(errno));
  port_ = ntohs(a.sin_port);
  acceptor_ = std::thread([this] { accept_loop(); });
}

RoundRobinProxy::~RoundRobinProxy() {
  (void)!write(stop_pipe_[1], "x", 1);
  acceptor_.join();
  std::unique_lock lock(mutex_);
  idle_.wait(lock, [&] { return relays_ == 0; });
  lock.unlock();
  close(listen_fd_);
  close(stop_pipe_[0]);
  close(stop_pipe_[1]);
}

std::vector<int> RoundRobinProxy::connections_per_backend() const {
  std::vector<int> out;
  for (const auto& n : handed_) out.push_back(n.load());
  return out;
}

void RoundRobinProxy::accept_loop() {
  for (;;) {
    pollfd fds[2] = {{listen_fd_, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (poll(fds, 2, -1) < 0) {
      if (errno == EINTR) continue;
      return;
    }
    if (fds[1].revents) return;
    const int client = accept4(listen_fd_, nullptr, nullptr, SOCK_CLOEXEC);
    if (client < 0) continue;
    {
      std::lock_guard lock(mutex_);
      ++relays_;
    }
    std::thread([this, client] {
      relay(client);
      std::lock_guard lock(mutex_);
      if (--relays_ == 0) idle_.notify_all();
    }).detach();
  }
}

int RoundRobinProxy::connect_next() {
  const size_t first = next_.fetch_add(1) % backends_.size();
  for (size_t k = 0; k < backends_.size(); ++k) {
    const size_t i = (first + k) % backends_.size();
    const int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
    if (fd < 0) return -1;
    const sockaddr_in a = loopback(backends_[i]);
    if (connect(fd, reinterpret_cast<const sockaddr*>(&a), sizeof a) == 0) {
      ++handed_[i];
      return fd;
    }
    close(fd);  // refused: that replica is down, try the next
  }
  return -1;
}

void RoundRobinProxy::relay(int client) {
  const int server = connect_next();
  if (server < 0) {
    close(client);
    return;
  }
  // Each direction runs until its reader sees the end, which is passed on as a half-close;
  // an error on either side ends both.
  bool open[2] = {true, true};  // client → server, server → client
  const int from[2] = {client, server}, to[2] = {server, client};
  char buf[16384];
  while (open[0] || open[1]) {
    pollfd fds[3] = {{open[0] ? client : -1, POLLIN, 0}, {open[1] ? server : -1, POLLIN, 0}, {stop_pipe_[0], POLLIN, 0}};
    if (poll(fds, 3, -1) < 0) {
      if (errno == EINTR) continue;
      break;
    }
    if (fds[2].revents) break;
    bool failed = false;
    for (int d = 0; d < 2 && !failed; ++d) {
      if (!open[d] || !fds[d].revents) continue;
      const ssize_t n = recv(from[d], buf, sizeof buf, 0);
      if (n > 0) {
        failed = !write_all(to[d], buf, n);
      } else if (n == 0) {
        open[d] = false;
        shutdown(to[d], SHUT_WR);
      } else if (errno != EINTR) {
        failed = true;
      }
    }
    if (failed) break;
  }
  close(server);
  close(client);
}

}  // namespace iron::test
