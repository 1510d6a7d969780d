#include "server/request_head.h"

#include <algorithm>

#include "util/ascii.h"

namespace iron::server {
namespace {

constexpr std::string_view kCrlf = "\r\n";

Rejection bad_request(std::string message) { return {400, "BAD_REQUEST", std::move(message)}; }

// RFC 9110 §5.6.2 token characters: method names and header field names.
bool is_tchar(unsigned char c) {
  if (c >= '0' && c <= '9') return true;
  if ((c | 0x20) >= 'a' && (c | 0x20) <= 'z') return true;
  return std::string_view("!#$%&'*+-.^_`|~").find(static_cast<char>(c)) != std::string_view::npos;
}

bool is_token(std::string_view s) {
  return !s.empty() && std::all_of(s.begin(), s.end(), [](char c) { return is_tchar(static_cast<unsigned char>(c)); });
}

// Field values: visible characters, obs-text, spaces and tabs; no other control characters.
bool is_field_value(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char ch) {
    const auto c = static_cast<unsigned char>(ch);
    return c == '\t' || (c >= 0x20 && c != 0x7f);
  });
}

// Splits "key=value&..." into decoded pairs, in order; elements without a key are skipped.
void parse_query(std::string_view query, std::vector<std::pair<std::string, std::string>>& out) {
  while (!query.empty()) {
    const size_t amp = query.find('&');
    const std::string_view item = query.substr(0, amp);
    const size_t eq = item.find('=');
    const std::string_view key = item.substr(0, eq);
    if (!key.empty())
      out.emplace_back(percent_decode(key, true),
                       eq == std::string_view::npos ? std::string() : percent_decode(item.substr(eq + 1), true));
    if (amp == std::string_view::npos) break;
    query.remove_prefix(amp + 1);
  }
}

// "GET /path?query HTTP/1.1": exactly three parts separated by single spaces.
std::optional<Rejection> parse_request_line(std::string_view line, api::Request& req, std::string_view& target,
                                            bool& http_1_0) {
  const size_t sp1 = line.find(' ');
  const size_t sp2 = sp1 == std::string_view::npos ? sp1 : line.find(' ', sp1 + 1);
  if (sp2 == std::string_view::npos || line.find(' ', sp2 + 1) != std::string_view::npos)
    return bad_request("the request line must be: method, target and version, separated by single spaces");
  const std::string_view method = line.substr(0, sp1);
  const std::string_view version = line.substr(sp2 + 1);
  target = line.substr(sp1 + 1, sp2 - sp1 - 1);
  if (!is_token(method)) return bad_request("the request method is not a valid token");
  if (version != "HTTP/1.1" && version != "HTTP/1.0") return bad_request("only HTTP/1.1 and HTTP/1.0 are served");
  if (target.empty() || !is_field_value(target) || target.find_first_of(" \t") != std::string_view::npos)
    return bad_request("the request target is malformed");
  req.method.assign(method);
  http_1_0 = version == "HTTP/1.0";
  return std::nullopt;
}

// "Name: value" into req.headers (name lower-cased, value trimmed).
std::optional<Rejection> parse_header_line(std::string_view line, api::Request& req) {
  if (line.size() > kMaxHeaderLineBytes) return bad_request("a request header line is longer than 8 KiB");
  if (req.headers.size() >= kMaxHeaderCount) return bad_request("a request may carry at most 100 headers");
  const size_t colon = line.find(':');
  if (colon == std::string_view::npos) return bad_request("a request header line has no colon");
  const std::string_view name = line.substr(0, colon);
  const std::string_view value = util::trim_ows(line.substr(colon + 1));
  // A space before the colon, or a line folded onto the one before (obsolete line folding),
  // are refused: proxies disagree on how to read them (RFC 9112 §5.1, §5.2).
  if (!is_token(name)) return bad_request("a request header name is malformed");
  if (!is_field_value(value)) return bad_request("a request header value holds control characters");
  std::string lower(name);
  std::transform(lower.begin(), lower.end(), lower.begin(), util::ascii_lower);
  req.headers.emplace_back(std::move(lower), std::string(value));
  return std::nullopt;
}

// How the body is framed (RFC 9112 §6): one Transfer-Encoding, exactly "chunked", or one
// Content-Length of decimal digits; never both unless the length is 0 (tolerated: some
// clients send it). Without either there is no body.
std::optional<Rejection> settle_framing(const api::Request& req, bool http_1_0, RequestFraming& f) {
  size_t encodings = 0, lengths = 0;
  for (const auto& [name, value] : req.headers) {
    if (name == "transfer-encoding") {
      ++encodings;
      f.chunked = util::iequals(value, "chunked");
    } else if (name == "content-length") {
      ++lengths;
      if (value.empty() || !std::all_of(value.begin(), value.end(), [](char c) { return c >= '0' && c <= '9'; }))
        return bad_request("Content-Length must be one decimal number");
      f.content_length = 0;
      for (char c : value)
        f.content_length = f.content_length > (SIZE_MAX - 9) / 10 ? SIZE_MAX : f.content_length * 10 + (c - '0');
    } else if (name == "connection") {
      if (util::has_token(value, "close")) f.close = true;
      else if (http_1_0 && util::has_token(value, "keep-alive")) http_1_0 = false;
    } else if (name == "expect") {
      f.expect_continue = util::iequals(value, "100-continue");
    }
  }
  if (encodings > 1 || (encodings == 1 && !f.chunked))
    return bad_request("Transfer-Encoding must be exactly \"chunked\"");
  if (lengths > 1) return bad_request("Content-Length must be one decimal number");
  if (f.chunked && f.content_length > 0)
    return bad_request("a request must not carry both Content-Length and Transfer-Encoding");
  if (http_1_0) f.close = true;  // HTTP/1.0 closes unless it asked to keep the connection
  return std::nullopt;
}

}  // namespace

std::string percent_decode(std::string_view s, bool plus_as_space) {
  std::string out;
  out.reserve(s.size());
  for (size_t i = 0; i < s.size(); ++i) {
    const char c = s[i];
    if (c == '%' && i + 2 < s.size()) {
      const int hi = util::hex_digit(s[i + 1]), lo = util::hex_digit(s[i + 2]);
      if (hi >= 0 && lo >= 0) {
        out.push_back(static_cast<char>(hi * 16 + lo));
        i += 2;
        continue;
      }
    }
    out.push_back(plus_as_space && c == '+' ? ' ' : c);
  }
  return out;
}

std::optional<Rejection> parse_request_head(std::string_view head, api::Request& req, RequestFraming& framing) {
  size_t eol = head.find(kCrlf);  // RequestStream passes only CRLF-terminated heads
  std::string_view target;
  bool http_1_0 = false;
  if (auto r = parse_request_line(head.substr(0, eol), req, target, http_1_0)) return r;
  for (size_t at = eol + 2; at < head.size();) {
    eol = head.find(kCrlf, at);
    if (eol == at) break;  // the empty line ending the head
    if (auto r = parse_header_line(head.substr(at, eol - at), req)) return r;
    at = eol + 2;
  }
  if (auto r = settle_framing(req, http_1_0, framing)) return r;
  if (target.size() > kMaxTargetBytes) return Rejection{414, "URI_TOO_LONG", "the request URI is too long"};
  target = target.substr(0, target.find('#'));
  const size_t question = target.find('?');
  req.path = percent_decode(target.substr(0, question), false);
  if (question != std::string_view::npos) parse_query(target.substr(question + 1), req.query);
  return std::nullopt;
}

}  // namespace iron::server
