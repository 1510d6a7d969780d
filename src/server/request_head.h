#pragma once
// Parses a request head (request line and header fields, as RequestStream::read_head returns
// it) straight into the api::Request the handlers see: method, decoded path and query,
// header names lower-cased. Settles how the body is framed, and refuses what RFC 9112 says
// a server must not guess at (conflicting or malformed framing: request smuggling).
#include <optional>
#include <string>
#include <string_view>

#include "api/http_types.h"
#include "server/request_stream.h"

namespace iron::server {

// Longest request target (path and query) answered; longer ones get 414. The request line
// as a whole may be longer (StreamLimits::max_request_line): such a target is refused only
// once the headers are read, so the answer carries the CORS headers a browser needs to see it.
constexpr size_t kMaxTargetBytes = 8192;
constexpr size_t kMaxHeaderLineBytes = 8192;  // one header field; longer: 400
constexpr size_t kMaxHeaderCount = 100;       // more: 400

struct RequestFraming {
  bool chunked = false;         // Transfer-Encoding: chunked
  size_t content_length = 0;    // saturates at SIZE_MAX: over any body cap either way
  bool expect_continue = false; // Expect: 100-continue
  bool close = false;           // the client asked for the connection to close after this one
};

// Fills `req` (method, path, query, headers) and `framing` from `head`. The request is
// refused (400, or 414 for a long target) when the head is malformed; `req` then holds what
// was parsed (the headers, when the request line was valid), so the refusal can carry CORS.
std::optional<Rejection> parse_request_head(std::string_view head, api::Request& req, RequestFraming& framing);

// %XX decoding; `plus_as_space` for query components (application/x-www-form-urlencoded).
// A '%' not followed by two hex digits stays as it is.
std::string percent_decode(std::string_view s, bool plus_as_space);

}  // namespace iron::server
