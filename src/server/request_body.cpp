#include "server/request_body.h"

#include "util/ascii.h"

namespace iron::server {
namespace {

constexpr size_t kMaxChunkLine = 1024;      // a chunk size with its extensions
constexpr size_t kMaxTrailerFields = 100;

BodyRead refuse(RequestStream& strm, int status, const char* code, const char* message) {
  strm.reject({status, code, message});
  return BodyRead::refused;
}

BodyRead too_large(RequestStream& strm) {
  return refuse(strm, 413, "PAYLOAD_TOO_LARGE", "the request body is larger than allowed");
}

BodyRead failed(const RequestStream& strm) { return strm.rejection() ? BodyRead::refused : BodyRead::closed; }

// The chunk size at the start of `line` (hex digits, then optional ";extension"s).
bool parse_chunk_size(const std::string& line, size_t& size) {
  size = 0;
  size_t digits = 0;
  for (char c : line) {
    const int v = util::hex_digit(c);
    if (v < 0) {
      if (c == ';' || c == ' ' || c == '\t') break;
      return false;
    }
    if (size > (SIZE_MAX >> 4)) return false;
    size = size * 16 + static_cast<size_t>(v);
    ++digits;
  }
  return digits > 0;
}

BodyRead read_chunked(RequestStream& strm, size_t max_bytes, std::string& body) {
  std::string line;
  for (;;) {
    if (!strm.read_line(line, kMaxChunkLine)) return failed(strm);
    size_t size = 0;
    if (!parse_chunk_size(line, size)) return refuse(strm, 400, "BAD_REQUEST", "a chunk size of the body is malformed");
    if (size == 0) break;
    if (size > max_bytes - body.size()) return too_large(strm);
    if (!strm.read_body(size, body) || !strm.read_line(line, 2)) return failed(strm);
    if (!line.empty()) return refuse(strm, 400, "BAD_REQUEST", "a chunk of the body is longer than its size");
  }
  for (size_t fields = 0;; ++fields) {  // trailer fields, up to the empty line
    if (!strm.read_line(line, kMaxChunkLine * 8)) return failed(strm);
    if (line.empty()) return BodyRead::ok;
    if (fields == kMaxTrailerFields) return refuse(strm, 400, "BAD_REQUEST", "the body has too many trailer fields");
  }
}

}  // namespace

BodyRead read_request_body(RequestStream& strm, const RequestFraming& framing, size_t max_bytes, std::string& body) {
  if (!framing.chunked && framing.content_length == 0) return BodyRead::ok;
  if (framing.content_length > max_bytes) return too_large(strm);  // before the client sends it
  if (framing.expect_continue && !strm.write("HTTP/1.1 100 Continue\r\n\r\n")) return BodyRead::closed;
  if (framing.chunked) return read_chunked(strm, max_bytes, body);
  body.reserve(framing.content_length);
  return strm.read_body(framing.content_length, body) ? BodyRead::ok : failed(strm);
}

}  // namespace iron::server
