// The edge's HTTP/1.1 request reading: whole connections (heads, framing, bodies, pipelined
// requests) through RequestStream, parse_request_head and read_request_body over a socketpair,
// each request answered with write_response. Input: the bytes a client sends, then it closes.
#include <sys/socket.h>
#include <unistd.h>

#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include "server/request_body.h"
#include "server/request_head.h"
#include "server/response_writer.h"

namespace {

using namespace iron::server;

constexpr size_t kMaxInput = 48 * 1024;  // fits a socketpair's buffer: written before it is read
constexpr int kMaxRequests = 32;

void discard_answers(int fd) {
  char sink[4096];
  while (::recv(fd, sink, sizeof sink, MSG_DONTWAIT) > 0) {
  }
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size > kMaxInput) return 0;
  int fds[2];
  if (::socketpair(AF_UNIX, SOCK_STREAM, 0, fds) != 0) std::abort();
  if (::write(fds[1], data, size) != static_cast<ssize_t>(size)) std::abort();
  ::shutdown(fds[1], SHUT_WR);  // the client has said everything: every read ends

  StreamLimits limits;
  limits.io_idle = limits.head_deadline = limits.body_deadline = std::chrono::milliseconds(200);
  limits.max_request_line = 1024;
  limits.max_head_bytes = 4096;
  RequestStream strm(fds[0], -1, limits);
  const FixedHeaders fixed({{"X-Content-Type-Options", "nosniff"}});
  for (int i = 0; i < kMaxRequests; ++i) {
    strm.begin_request();
    const auto head = strm.read_head();
    if (!head) break;
    iron::api::Request req;
    RequestFraming framing;
    auto refused = parse_request_head(*head, req, framing);
    if (!refused) {
      if (req.method.empty() || req.path.size() > head->size()) std::abort();
      if (framing.chunked || framing.content_length > 0) {
        const auto read = read_request_body(strm, framing, 1024, req.body);
        if (read == BodyRead::closed) break;
        if (read == BodyRead::refused) refused = strm.rejection();
        if (req.body.size() > 1024) std::abort();  // the cap holds
      }
    } else if (refused->status != 400 && refused->status != 414) {
      std::abort();
    }
    iron::api::Response res;
    res.status = refused ? refused->status : 200;
    res.body = refused ? error_envelope(refused->code, refused->message) : req.body;
    const bool close = refused.has_value() || framing.close;
    write_response(strm, res, {.head_only = req.method == "HEAD", .close = close, .keep_alive = "timeout=2"}, fixed);
    discard_answers(fds[1]);
    if (close) break;
  }
  ::close(fds[0]);
  ::close(fds[1]);
  return 0;
}
