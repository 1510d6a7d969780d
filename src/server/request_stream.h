#pragma once
// One client connection as cpp-httplib's Stream, with the limits httplib's own socket stream
// lacks: its read timeout applies to each recv, so a client dribbling one header byte every
// few seconds held a worker forever. Here the request line and headers must arrive within a
// whole-request deadline (shorter while most workers are taken, so slow heads from many
// addresses cannot hold the pool for long) and the body within a slower one; the head is
// checked as it is read (bare LF line endings, an over-long request line or head are
// refused at once); a shutdown wakes a reader that is waiting for a head; and the read buffer survives between
// requests, so pipelined requests are not lost.
#include <httplib.h>

#include <atomic>
#include <chrono>
#include <optional>
#include <string>
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

class RequestStream final : public httplib::Stream {
 public:
  // `wake_fd` becomes readable when the server starts draining; `pressure` (may be null)
  // is set while most workers are taken, and shortens the head deadline.
  RequestStream(int fd, int wake_fd, StreamLimits limits, const std::atomic<bool>* pressure = nullptr);

  // A new request starts: head phase, the head deadline runs from now.
  void begin_request();
  // Stops reading this connection; the edge answers with `r` and closes.
  void reject(Rejection r);
  const std::optional<Rejection>& rejection() const { return rejection_; }
  bool responded() const { return written_ > 0; }
  void note_connection_close() { said_close_ = true; }
  bool said_close() const { return said_close_; }

  bool is_readable() const override { return off_ < len_; }
  bool wait_readable() const override;
  bool wait_writable() const override;
  bool is_peer_alive() const override;
  ssize_t read(char* ptr, size_t size) override;
  ssize_t write(const char* ptr, size_t size) override;
  void get_remote_ip_and_port(std::string& ip, int& port) const override;
  void get_local_ip_and_port(std::string& ip, int& port) const override;
  socket_t socket() const override { return fd_; }
  time_t duration() const override { return 0; }  // only httplib's client uses it

 private:
  using Clock = std::chrono::steady_clock;
  enum class Phase { head, body };
  Clock::time_point deadline() const;
  bool fill();
  size_t scan_head(size_t n);

  int fd_;
  int wake_fd_;
  StreamLimits limits_;
  const std::atomic<bool>* pressure_;
  std::vector<char> buf_;
  size_t off_ = 0, len_ = 0;
  size_t checked_ = 0;  // buf_[off_, checked_) holds head bytes scan_head has passed
  Phase phase_ = Phase::head;
  Clock::time_point head_started_, body_deadline_, last_byte_;
  size_t head_bytes_ = 0, line_bytes_ = 0, lines_ = 0;
  char prev_ = 0;
  std::optional<Rejection> rejection_;
  size_t written_ = 0;
  bool said_close_ = false;
};

// Numeric address and port of a socket's peer (or its own side), as httplib reports them.
void peer_address(int fd, std::string& ip, int& port);
void local_address(int fd, std::string& ip, int& port);

}  // namespace iron::server
