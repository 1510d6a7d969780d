#include "server/lingering_closer.h"

#include <poll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

namespace iron::server {
namespace {

// Beyond this many lingering connections, a closing one is closed at once.
constexpr size_t kMaxLingering = 8192;

// Reads and drops what the client sent; true when it has closed its side (or failed).
bool drained_to_end(int fd) {
  char scratch[4096];
  for (;;) {
    const ssize_t n = ::recv(fd, scratch, sizeof scratch, MSG_DONTWAIT);
    if (n > 0) continue;
    return n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR);
  }
}

}  // namespace

LingeringCloser::LingeringCloser() : wake_fd_(::eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK)) {
  thread_ = std::thread([this] { run(); });
}

LingeringCloser::~LingeringCloser() {
  {
    std::lock_guard lock(mutex_);
    stopping_ = true;
  }
  const uint64_t one = 1;
  [[maybe_unused]] const auto n = ::write(wake_fd_, &one, sizeof one);
  thread_.join();
  ::close(wake_fd_);
}

void LingeringCloser::close(int fd, std::chrono::milliseconds linger) {
  ::shutdown(fd, SHUT_WR);
  {
    std::lock_guard lock(mutex_);
    if (!stopping_) {
      incoming_.push_back({fd, Clock::now() + linger});
      const uint64_t one = 1;
      [[maybe_unused]] const auto n = ::write(wake_fd_, &one, sizeof one);
      return;
    }
  }
  ::close(fd);
}

void LingeringCloser::run() {
  std::vector<Entry> lingering;
  std::vector<pollfd> fds;
  for (;;) {
    {
      std::lock_guard lock(mutex_);
      for (const auto& e : incoming_) {
        if (lingering.size() < kMaxLingering) lingering.push_back(e);
        else ::close(e.fd);
      }
      incoming_.clear();
      if (stopping_) break;
    }
    const auto now = Clock::now();
    auto next = now + std::chrono::seconds(60);
    fds.assign(1, pollfd{wake_fd_, POLLIN, 0});
    for (const auto& e : lingering) {
      fds.push_back({e.fd, POLLIN, 0});
      next = std::min(next, e.until);
    }
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next - now).count();
    if (::poll(fds.data(), fds.size(), static_cast<int>(std::max<decltype(wait)>(wait, 0) + 1)) < 0 && errno != EINTR)
      continue;
    if (fds[0].revents) {
      uint64_t count;
      [[maybe_unused]] const auto n = ::read(wake_fd_, &count, sizeof count);
    }
    const auto after = Clock::now();
    size_t kept = 0;
    for (size_t i = 0; i < lingering.size(); ++i) {
      const Entry e = lingering[i];
      const bool done = (fds[i + 1].revents && drained_to_end(e.fd)) || after >= e.until;
      if (done) ::close(e.fd);
      else lingering[kept++] = e;
    }
    lingering.resize(kept);
  }
  for (const auto& e : lingering) ::close(e.fd);
}

}  // namespace iron::server
