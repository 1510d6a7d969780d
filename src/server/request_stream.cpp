#include "server/request_stream.h"

#include "server/worker_pool.h"

#include <netdb.h>
#include <poll.h>
#include <sys/socket.h>

#include <algorithm>
#include <cerrno>
#include <cstdint>
#include <cstring>

namespace iron::server {
namespace {

constexpr size_t kBufferBytes = 16 * 1024;

int poll_ms(Millis m) { return static_cast<int>(std::clamp<Millis::rep>(m.count(), 0, 1 << 30)); }

// poll() on the socket and, when `wake_fd` >= 0, on the drain signal. Returns the socket's
// readiness; `woken` says whether the drain signal fired.
bool poll_socket(int fd, short events, int wake_fd, Millis timeout, bool& woken) {
  pollfd fds[2] = {{fd, events, 0}, {wake_fd, POLLIN, 0}};
  woken = false;
  for (;;) {
    const int rc = ::poll(fds, wake_fd >= 0 ? 2 : 1, poll_ms(timeout));
    if (rc < 0 && errno == EINTR) continue;
    if (rc <= 0) return false;
    woken = wake_fd >= 0 && (fds[1].revents & POLLIN);
    return fds[0].revents != 0;  // readable, writable, hung up or failed: the next call says which
  }
}

}  // namespace

std::string peer_ip(int fd) {
  sockaddr_storage addr{};
  socklen_t len = sizeof addr;
  if (getpeername(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) return {};
  if (addr.ss_family != AF_INET && addr.ss_family != AF_INET6) return {};
  char host[NI_MAXHOST] = {};
  if (getnameinfo(reinterpret_cast<sockaddr*>(&addr), len, host, sizeof host, nullptr, 0, NI_NUMERICHOST) != 0) return {};
  return host;
}

RequestStream::RequestStream(int fd, int wake_fd, StreamLimits limits, const std::atomic<bool>* pressure)
    : fd_(fd), wake_fd_(wake_fd), limits_(limits), pressure_(pressure), buf_(kBufferBytes) {}

void RequestStream::begin_request() {
  phase_ = Phase::head;
  head_started_ = last_byte_ = Clock::now();
  head_bytes_ = line_bytes_ = lines_ = 0;
  prev_ = 0;
}

void RequestStream::reject(Rejection r) {
  if (!rejection_) rejection_ = std::move(r);
}

// Checks the head as it arrives: buf_[from, from + n) are new head bytes. Returns how many
// of them belong to the head; stops early at its end or at a byte that gets the request
// rejected.
size_t RequestStream::scan_head(size_t from, size_t n) {
  const char* p = buf_.data() + from;
  for (size_t i = 0; i < n;) {
    // The run of bytes up to the next LF, checked against the limits at once: the first byte
    // past the request line's limit is answered 414, the first past the head's 431.
    const auto* lf = static_cast<const char*>(std::memchr(p + i, '\n', n - i));
    const size_t end = lf ? static_cast<size_t>(lf - p) : n;
    const auto room = [](size_t used, size_t limit) { return used < limit ? limit - used : 0; };
    const size_t line_room = lines_ == 0 ? room(line_bytes_, limits_.max_request_line) : SIZE_MAX;
    const size_t head_room = room(head_bytes_, limits_.max_head_bytes);
    if (const size_t fits = std::min(line_room, head_room); fits < end - i) {
      if (line_room <= head_room) reject({414, "URI_TOO_LONG", "the request URI is too long"});
      else reject({431, "HEADERS_TOO_LARGE", "the request headers are too large"});
      return i + fits;
    }
    head_bytes_ += end - i;
    line_bytes_ += end - i;
    if (end > i) prev_ = p[end - 1];
    if (end == n) break;
    ++head_bytes_;  // the LF
    ++line_bytes_;
    if (prev_ != '\r') {
      reject({400, "BAD_REQUEST", "lines of the request head must end with CRLF, not a bare LF"});
      return end;
    }
    prev_ = '\n';
    if (line_bytes_ == 2 && lines_ > 0) {  // the empty line: the head is complete
      phase_ = Phase::body;
      body_deadline_ = Clock::now() + limits_.body_deadline;
      return end + 1;
    }
    ++lines_;
    line_bytes_ = 0;
    i = end + 1;
  }
  return n;
}

// The head deadline in force now: the short one while the server is under pressure.
RequestStream::Clock::time_point RequestStream::deadline() const {
  if (phase_ == Phase::body) return body_deadline_;
  const bool pressed = pressure_ && pressure_->load(std::memory_order_relaxed);
  return head_started_ + (pressed ? limits_.head_deadline_under_pressure : limits_.head_deadline);
}

// Reads what has arrived into the buffer after what is unconsumed, waiting (within the
// deadlines) when nothing has. False when the client closed or was refused.
bool RequestStream::fill() {
  if (off_ == len_) {
    off_ = len_ = 0;
  } else if (len_ == buf_.size()) {  // full: move the unconsumed bytes to the front, or grow
    if (off_ > 0) {
      std::memmove(buf_.data(), buf_.data() + off_, len_ - off_);
      len_ -= off_;
      off_ = 0;
    } else {
      buf_.resize(buf_.size() * 2);  // a head over the initial size (scan_head caps heads)
    }
  }
  for (;;) {
    const auto now = Clock::now();
    const auto until = deadline();
    if (now >= until) {
      reject({408, "REQUEST_TIMEOUT",
              phase_ == Phase::head ? "the request headers did not arrive in time"
                                    : "the request body did not arrive in time"});
      return false;
    }
    if (now >= last_byte_ + limits_.io_idle) {
      reject({408, "REQUEST_TIMEOUT", "the client stopped sending the request"});
      return false;
    }
    // The bytes are usually here already (the worker pool saw them arrive): take them
    // without a poll first, one system call per request fewer (docs/benchmarks.md).
    const size_t room = buf_.size() - len_;
    const ssize_t n = ::recv(fd_, buf_.data() + len_, room, MSG_DONTWAIT);
    if (n > 0) {
      len_ += static_cast<size_t>(n);
      drained_ = static_cast<size_t>(n) < room;
      last_byte_ = Clock::now();
      return true;
    }
    if (n == 0 || (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR)) return false;
    drained_ = errno != EINTR;
    // Wake for whichever limit comes first; a head reader also re-checks the pressure
    // regularly, so a silent half-sent head cannot outlast the short deadline.
    auto wait = std::min(until, last_byte_ + limits_.io_idle) - now;
    if (phase_ == Phase::head) wait = std::min<Clock::duration>(wait, limits_.head_deadline_under_pressure);
    // Only a reader waiting for a head gives way to a shutdown: a body being received
    // belongs to a request in flight, which the drain lets finish.
    WorkerPool::before_blocking();
    bool woken = false;
    const bool ready = poll_socket(fd_, POLLIN, phase_ == Phase::head ? wake_fd_ : -1,
                                   std::chrono::duration_cast<Millis>(wait) + Millis(1), woken);
    if (!ready && woken) {
      reject({503, "SHUTTING_DOWN", "the server is shutting down; retry shortly"});
      return false;
    }
    // Otherwise readable, or a limit may have passed: checked above.
  }
}

RequestStream::Arrival RequestStream::receive() {
  if (off_ < len_) return Arrival::bytes;
  if (drained_) return Arrival::nothing;
  off_ = len_ = 0;
  for (;;) {
    const ssize_t n = ::recv(fd_, buf_.data(), buf_.size(), MSG_DONTWAIT);
    if (n > 0) {
      len_ = static_cast<size_t>(n);
      drained_ = len_ < buf_.size();
      return Arrival::bytes;
    }
    if (n < 0 && errno == EINTR) continue;
    if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK)) {
      drained_ = true;
      return Arrival::nothing;
    }
    return Arrival::closed;
  }
}

std::optional<std::string_view> RequestStream::read_head() {
  size_t checked = off_;  // buf_[off_, checked) has passed scan_head
  for (;;) {
    if (checked < len_) {
      checked += scan_head(checked, len_ - checked);
      if (rejection_) return std::nullopt;
      if (phase_ == Phase::body) {
        const std::string_view head(buf_.data() + off_, checked - off_);
        off_ = checked;
        return head;
      }
    }
    const size_t before = off_;
    if (!fill()) return std::nullopt;
    checked -= before - off_;  // fill may have moved the unconsumed bytes to the front
  }
}

bool RequestStream::read_body(size_t n, std::string& out) {
  while (n > 0) {
    if (off_ == len_ && !fill()) return false;
    const size_t take = std::min(n, len_ - off_);
    out.append(buf_.data() + off_, take);
    off_ += take;
    n -= take;
  }
  return true;
}

bool RequestStream::read_line(std::string& line, size_t max) {
  for (size_t scanned = 0;;) {
    const char* from = buf_.data() + off_;
    if (const auto* lf = static_cast<const char*>(std::memchr(from + scanned, '\n', len_ - off_ - scanned))) {
      const size_t size = static_cast<size_t>(lf - from);
      if (size == 0 || from[size - 1] != '\r') {
        reject({400, "BAD_REQUEST", "lines of a chunked body must end with CRLF"});
        return false;
      }
      line.assign(from, size - 1);
      off_ += size + 1;
      return true;
    }
    scanned = len_ - off_;
    if (scanned > max) {
      reject({400, "BAD_REQUEST", "a line of the chunked body is too long"});
      return false;
    }
    if (!fill()) return false;
  }
}

// Sends what the socket buffer takes now and waits (at most io_idle) only when it takes
// nothing: a response nearly always fits at once, so no poll precedes it.
bool RequestStream::write(std::string_view head, std::string_view tail) {
  while (!head.empty() || !tail.empty()) {
    iovec parts[2] = {{const_cast<char*>(head.data()), head.size()}, {const_cast<char*>(tail.data()), tail.size()}};
    msghdr msg{};
    msg.msg_iov = head.empty() ? parts + 1 : parts;
    msg.msg_iovlen = head.empty() || tail.empty() ? 1 : 2;
    const ssize_t n = ::sendmsg(fd_, &msg, MSG_NOSIGNAL | MSG_DONTWAIT);
    if (n >= 0) {
      const size_t from_head = std::min(static_cast<size_t>(n), head.size());
      head.remove_prefix(from_head);
      tail.remove_prefix(static_cast<size_t>(n) - from_head);
      continue;
    }
    if (errno != EAGAIN && errno != EWOULDBLOCK && errno != EINTR) return false;
    WorkerPool::before_blocking();
    bool woken = false;
    if (!poll_socket(fd_, POLLOUT, -1, limits_.io_idle, woken)) return false;
  }
  return true;
}

bool RequestStream::is_peer_alive() const {
  pollfd p{fd_, POLLIN, 0};
  if (::poll(&p, 1, 0) <= 0) return true;
  char byte;
  return ::recv(fd_, &byte, 1, MSG_PEEK | MSG_DONTWAIT) > 0;
}

}  // namespace iron::server
