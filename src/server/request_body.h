#pragma once
// Reads a request body as its head framed it: Content-Length bytes, or chunked (RFC 9112
// §7.1) with its trailer fields read and dropped; none without either. A body over the cap
// is refused with 413 before any of it is read (a declared length: before `100 Continue`
// invites it) or as soon as it passes the cap (chunked).
#include <string>

#include "server/request_head.h"
#include "server/request_stream.h"

namespace iron::server {

enum class BodyRead { ok, closed, refused };  // refused: strm.rejection() says why

BodyRead read_request_body(RequestStream& strm, const RequestFraming& framing, size_t max_bytes, std::string& body);

}  // namespace iron::server
