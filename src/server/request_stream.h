#pragma once
// One client connection, read with the limits a slow or hostile client needs: the request
// line and headers must arrive within a whole-request deadline (shorter while the server is
// under pressure, so slow heads from many addresses cannot hold it for long) and the body
// within a slower one; the head is checked as it arrives (bare LF line endings, an over-long
// request line or head are refused at once); a shutdown wakes a reader that is waiting for a
// head; and the read buffer survives between requests, so pipelined requests are not lost.
#include <atomic>
#include <chrono>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iron::server {

using Millis = std::chrono::milliseconds;

struct StreamLimits {
  Millis io_idle{10'000};       // longest wait for any single read or write
  Millis head_deadline{10'000};   // request line + headers, from their first byte
  Millis head_deadline_under_pressure{2'000};  // the same while most workers are taken
  Millis body_deadline{60'000};   // the whole body, from the end of the headers
  size_t max_request_line = 0;    // longer first line: 414
  size_t max_head_bytes = 0;      // longer request line + headers: 431
};

// Why a request is answered by the edge instead of the application; the answer carries
// this status and error code and the connection is closed after it.
struct Rejection {
  int status = 400;
  std::string code;
  std::string message;
};

class RequestStream {
 public:
  // `wake_fd` becomes readable when the server starts draining; `pressure` (may be null)
  // is set while most workers are taken, and shortens the head deadline.
  RequestStream(int fd, int wake_fd, StreamLimits limits, const std::atomic<bool>* pressure = nullptr);

  // A new request starts: head phase, the head deadline runs from now.
  void begin_request();
  // The request line and headers up to and including the empty line. The view stays valid
  // until the next read. Empty when the client closed, or the head was refused
  // (rejection() then says why).
  std::optional<std::string_view> read_head();
  // Appends the next `n` body bytes to `out`; false when the client closed or was refused.
  bool read_body(size_t n, std::string& out);
  // The next CRLF-terminated line, without its CRLF (chunked framing); a line longer than
  // `max` is refused with 400.
  bool read_line(std::string& line, size_t max);
  // Sends all of `bytes`; false when the client is gone or stopped reading.
  bool write(std::string_view bytes) { return write(bytes, {}); }
  // Sends all of `head` and then all of `tail`, in one system call while the socket takes them,
  // without copying them into one buffer first.
  bool write(std::string_view head, std::string_view tail);
  // Alive unless the peer has hung up (a waiting next request counts as alive).
  bool is_peer_alive() const;
  // Bytes of a next (pipelined) request are already buffered.
  bool has_buffered() const { return off_ < len_; }

  // What has arrived for the next request, taken without waiting. The socket is read only
  // when it may hold more than the buffer: unless an event came since (more_may_have_arrived)
  // a read that came back short left it empty, and the edge-triggered epoll set reports any
  // byte that arrives after it (WorkerPool::add).
  enum class Arrival { bytes, nothing, closed };
  Arrival receive();
  void more_may_have_arrived() { drained_ = false; }

  // Stops reading this connection; the edge answers with `r` and closes.
  void reject(Rejection r);
  const std::optional<Rejection>& rejection() const { return rejection_; }

 private:
  using Clock = std::chrono::steady_clock;
  enum class Phase { head, body };
  Clock::time_point deadline() const;
  bool fill();
  size_t scan_head(size_t from, size_t n);

  int fd_;
  int wake_fd_;
  StreamLimits limits_;
  const std::atomic<bool>* pressure_;
  std::vector<char> buf_;
  size_t off_ = 0, len_ = 0;  // buf_[off_, len_) is read and not yet consumed
  bool drained_ = false;       // the last read left the socket empty
  Phase phase_ = Phase::head;
  Clock::time_point head_started_, body_deadline_, last_byte_;
  size_t head_bytes_ = 0, line_bytes_ = 0, lines_ = 0;
  char prev_ = 0;
  std::optional<Rejection> rejection_;
};

// The numeric address of a socket's peer (empty when it has none).
std::string peer_ip(int fd);

}  // namespace iron::server
