#include "server/response_writer.h"

#include <algorithm>
#include <cstdio>

#include <nlohmann/json.hpp>

#include "server/request_id.h"
#include "util/ascii.h"

namespace iron::server {
namespace {

constexpr size_t kBodyCopiedUpTo = 4096;

void append_header(std::string& out, std::string_view name, std::string_view value) {
  out.append(name).append(": ").append(value).append("\r\n");
}

void append_status_line(std::string& out, int status) {
  out.append("HTTP/1.1 ").append(std::to_string(status)).append(" ").append(status_text(status)).append("\r\n");
}

// One chunk of a chunked body: its size in hex, the bytes, CRLF.
std::string chunk(std::string_view bytes) {
  char size[20];
  const int n = std::snprintf(size, sizeof size, "%zx\r\n", bytes.size());
  std::string out;
  out.reserve(static_cast<size_t>(n) + bytes.size() + 2);
  out.append(size, static_cast<size_t>(n)).append(bytes).append("\r\n");
  return out;
}

bool write_stream(RequestStream& strm, const api::StreamProvider& provider) {
  bool alive = true;
  provider([&](std::string_view bytes) {
    // An empty chunk only asks whether the client is still there (api/http_types.h).
    alive = alive && (bytes.empty() ? strm.is_peer_alive() : strm.write(chunk(bytes)));
    return alive;
  });
  return alive && strm.write("0\r\n\r\n");
}

}  // namespace

std::string error_envelope(std::string_view code, std::string_view message) {
  return nlohmann::json{{"error", {{"code", code}, {"message", message}, {"details", nlohmann::json::object()}}}}.dump();
}

std::string_view status_text(int status) {
  switch (status) {
    case 100: return "Continue";
    case 200: return "OK";
    case 201: return "Created";
    case 202: return "Accepted";
    case 204: return "No Content";
    case 206: return "Partial Content";
    case 301: return "Moved Permanently";
    case 302: return "Found";
    case 303: return "See Other";
    case 304: return "Not Modified";
    case 307: return "Temporary Redirect";
    case 308: return "Permanent Redirect";
    case 400: return "Bad Request";
    case 401: return "Unauthorized";
    case 403: return "Forbidden";
    case 404: return "Not Found";
    case 405: return "Method Not Allowed";
    case 406: return "Not Acceptable";
    case 408: return "Request Timeout";
    case 409: return "Conflict";
    case 410: return "Gone";
    case 411: return "Length Required";
    case 412: return "Precondition Failed";
    case 413: return "Payload Too Large";
    case 414: return "URI Too Long";
    case 415: return "Unsupported Media Type";
    case 416: return "Range Not Satisfiable";
    case 422: return "Unprocessable Content";
    case 423: return "Locked";
    case 428: return "Precondition Required";
    case 429: return "Too Many Requests";
    case 431: return "Request Header Fields Too Large";
    case 500: return "Internal Server Error";
    case 501: return "Not Implemented";
    case 502: return "Bad Gateway";
    case 503: return "Service Unavailable";
    case 504: return "Gateway Timeout";
    case 507: return "Insufficient Storage";
    default: return "";
  }
}

FixedHeaders::FixedHeaders(std::vector<std::pair<std::string, std::string>> headers) : headers_(std::move(headers)) {
  for (const auto& [k, v] : headers_) append_header(block_, k, v);
}

bool FixedHeaders::has(std::string_view name) const {
  return std::any_of(headers_.begin(), headers_.end(), [&](const auto& h) { return util::iequals(h.first, name); });
}

bool write_response(RequestStream& strm, api::Response& res, const ResponseFraming& framing,
                    const FixedHeaders& fixed) {
  // 204 and 304 have no body and no framing headers (RFC 9110 §8.6); HEAD describes the
  // body GET would have sent.
  const bool bodiless = res.status == 204 || res.status == 304;
  const bool streamed = !bodiless && res.stream;
  const bool with_body = !bodiless && !streamed && !framing.head_only;
  // A large body goes out beside the head rather than copied behind it (a 100-agent list is
  // ~25 KB); a small one is cheaper copied than sent as a second part.
  const bool body_apart = with_body && res.body.size() > kBodyCopiedUpTo;
  std::string out;
  out.reserve(256 + fixed.block().size() + (with_body && !body_apart ? res.body.size() : 0));
  append_status_line(out, res.status);
  for (const auto& [k, v] : res.headers)
    if (!fixed.has(k)) append_header(out, k, v);
  if (!bodiless) {
    if (!res.content_type.empty() || !res.body.empty() || streamed)
      append_header(out, "Content-Type", res.content_type.empty() ? "text/plain" : res.content_type);
    if (streamed) append_header(out, "Transfer-Encoding", "chunked");
    else append_header(out, "Content-Length", std::to_string(res.body.size()));
  }
  if (framing.close) append_header(out, "Connection", "close");
  else append_header(out, "Keep-Alive", framing.keep_alive);
  out.append(fixed.block()).append("\r\n");
  if (with_body && !body_apart) out.append(res.body);
  if (!strm.write(out, body_apart ? std::string_view(res.body) : std::string_view())) return false;
  return !streamed || framing.head_only || write_stream(strm, res.stream);
}

void write_refusal(RequestStream& strm, const Rejection& r, const FixedHeaders& fixed) {
  api::Response res;
  res.status = r.status;
  res.body = error_envelope(r.code, r.message);
  if (r.status == 503) res.header("Retry-After", "1");
  res.header("X-Request-Id", new_request_id());
  write_response(strm, res, {.head_only = false, .close = true, .keep_alive = {}}, fixed);
}

}  // namespace iron::server
