#pragma once
// A raw HTTP/1.1 client connection for tests that must control the bytes on the wire
// (framing errors, body-less requests, dribbled headers, keep-alive reuse) and see exactly
// what the server answers and whether it closes the connection.
#include <chrono>
#include <string>

namespace iron::test {

struct RawReply {
  int status = 0;        // 0: no complete answer
  std::string head;      // status line and headers
  std::string body;
  std::string header(const std::string& name) const;  // case-insensitive; "" when absent
};

class RawConnection {
 public:
  // Connects to 127.0.0.1:`port` from `from` (another loopback address such as 127.0.0.2
  // looks like another client). ok() is false when the connection failed.
  explicit RawConnection(int port, const std::string& from = "127.0.0.1");
  ~RawConnection();
  RawConnection(const RawConnection&) = delete;
  RawConnection& operator=(const RawConnection&) = delete;

  bool ok() const { return fd_ >= 0; }
  int fd() const { return fd_; }
  bool send(const std::string& bytes);
  // Reads one response (head plus a Content-Length body) arriving within `within`.
  RawReply read_reply(std::chrono::milliseconds within);
  // True when the server closes the connection (EOF or reset) within `within`; bytes that
  // arrive meanwhile are kept for read_reply.
  bool closed_within(std::chrono::milliseconds within);

 private:
  bool fill(std::chrono::steady_clock::time_point until);
  int fd_ = -1;
  std::string in_;
  bool eof_ = false;
};

}  // namespace iron::test
