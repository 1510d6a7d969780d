#pragma once
// Writes responses: the status line, the handler's headers, framing, the connection's fate
// and the edge's fixed headers in one buffer and (for a body that fits) one send; a streamed
// body goes out as chunks. Also the edge's own refusals (RequestStream rejections).
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "api/http_types.h"
#include "server/request_stream.h"

namespace iron::server {

// {"error":{"code":...,"message":...,"details":{}}}
std::string error_envelope(std::string_view code, std::string_view message);

// The reason phrase of a status ("Not Found"); empty for one it does not know.
std::string_view status_text(int status);

struct ResponseFraming {
  bool head_only = false;           // answering HEAD: headers as for GET, no body
  bool close = false;               // says Connection: close (the edge closes after it)
  std::string_view keep_alive;      // else the Keep-Alive header's value
};

// Headers every answer carries, replacing any of the same name a handler set.
class FixedHeaders {
 public:
  explicit FixedHeaders(std::vector<std::pair<std::string, std::string>> headers);
  bool has(std::string_view name) const;
  const std::string& block() const { return block_; }  // as header lines

 private:
  std::vector<std::pair<std::string, std::string>> headers_;
  std::string block_;
};

// False when the client is gone (the connection is then closed).
bool write_response(RequestStream& strm, api::Response& res, const ResponseFraming& framing,
                    const FixedHeaders& fixed);

// The edge's answer to a request it stopped reading: the envelope, a fresh request id,
// Connection: close.
void write_refusal(RequestStream& strm, const Rejection& r, const FixedHeaders& fixed);

}  // namespace iron::server
