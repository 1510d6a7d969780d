#include "outbound/mail_message.h"

#include <algorithm>
#include <cctype>
#include <ctime>

#include <openssl/evp.h>

namespace iron::outbound {

std::string base64(std::string_view raw) {
  std::string out(4 * ((raw.size() + 2) / 3), '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()),
                                reinterpret_cast<const unsigned char*>(raw.data()), static_cast<int>(raw.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

namespace {

constexpr size_t kSmtpLineMax = 998;  // RFC 5322 2.1.1, without the CRLF

bool is_ascii(std::string_view text) {
  return std::all_of(text.begin(), text.end(), [](unsigned char c) { return c < 0x80; });
}

// "Mon, 30 Nov 2026 09:12:44 +0000" (RFC 5322 3.3), independent of the C locale.
std::string rfc5322_date(int64_t ms) {
  static const char* const days[] = {"Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"};
  static const char* const months[] = {"Jan", "Feb", "Mar", "Apr", "May", "Jun",
                                       "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"};
  const std::time_t t = static_cast<std::time_t>(ms / 1000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%s, %02d %s %04d %02d:%02d:%02d +0000", days[tm.tm_wday], tm.tm_mday,
                months[tm.tm_mon], tm.tm_year + 1900, tm.tm_hour, tm.tm_min, tm.tm_sec);
  return buf;
}

// RFC 2047 encoded words of at most 75 characters, split between UTF-8 characters (never
// inside one), folded onto continuation lines.
std::string encoded_words(std::string_view text) {
  constexpr size_t kChunk = 45;  // 45 bytes -> 60 base64 characters + "=?UTF-8?B?" + "?="
  std::string out;
  size_t at = 0;
  while (at < text.size()) {
    size_t end = std::min(at + kChunk, text.size());
    while (end < text.size() && end > at + 1 && (static_cast<unsigned char>(text[end]) & 0xC0) == 0x80) --end;
    if (!out.empty()) out += "\r\n ";
    out += "=?UTF-8?B?" + base64(text.substr(at, end - at)) + "?=";
    at = end;
  }
  return out;
}

// CR, LF and CRLF all become CRLF.
std::string to_crlf(std::string_view text) {
  std::string out;
  out.reserve(text.size() + text.size() / 32);
  for (size_t i = 0; i < text.size(); ++i) {
    if (text[i] == '\r') {
      if (i + 1 < text.size() && text[i + 1] == '\n') ++i;
      out += "\r\n";
    } else if (text[i] == '\n') {
      out += "\r\n";
    } else {
      out += text[i];
    }
  }
  return out;
}

bool has_long_line(std::string_view crlf_text) {
  size_t start = 0;
  while (start <= crlf_text.size()) {
    const size_t end = std::min(crlf_text.find("\r\n", start), crlf_text.size());
    if (end - start > kSmtpLineMax) return true;
    start = end + 2;
  }
  return false;
}

}  // namespace

bool is_header_safe(std::string_view text) {
  return std::none_of(text.begin(), text.end(), [](unsigned char c) { return c < 0x20 || c == 0x7f; });
}

std::string render_message(const MailMessage& m) {
  const auto safe = [](const std::string& v) { return is_header_safe(v) ? v : std::string(); };
  std::string to;
  for (const auto& r : m.to) {
    if (!util::is_mail_address(r)) continue;
    if (!to.empty()) to += ",\r\n ";
    to += r;
  }
  const std::string subject = safe(m.subject);
  std::string out;
  out += "Date: " + rfc5322_date(m.date_ms) + "\r\n";
  out += "From: " + (util::is_mail_address(m.from) ? m.from : std::string()) + "\r\n";
  out += "To: " + to + "\r\n";
  out += "Subject: " + (is_ascii(subject) ? subject : encoded_words(subject)) + "\r\n";
  out += "Message-ID: <" + safe(m.message_id) + ">\r\n";
  out += "MIME-Version: 1.0\r\n";
  out += "Content-Type: text/plain; charset=utf-8\r\n";
  // RFC 3834: an alert is machine-generated; vacation responders must not answer it.
  out += "Auto-Submitted: auto-generated\r\n";
  for (const auto& [name, value] : m.extra_headers)
    if (!name.empty() && is_header_safe(name) && name.find(':') == std::string::npos && is_header_safe(value))
      out += name + ": " + value + "\r\n";
  std::string body = to_crlf(m.body);
  if (body.size() < 2 || body.compare(body.size() - 2, 2, "\r\n") != 0) body += "\r\n";
  if (is_ascii(body) && !has_long_line(body)) {
    out += "Content-Transfer-Encoding: 7bit\r\n\r\n" + body;
  } else {
    out += "Content-Transfer-Encoding: base64\r\n\r\n";
    const std::string encoded = base64(body);
    for (size_t i = 0; i < encoded.size(); i += 76) out += encoded.substr(i, 76) + "\r\n";
  }
  return out;
}

std::string dot_stuff(const std::string& crlf_text) {
  std::string out;
  out.reserve(crlf_text.size() + 16);
  bool line_start = true;
  for (size_t i = 0; i < crlf_text.size(); ++i) {
    if (line_start && crlf_text[i] == '.') out += '.';
    out += crlf_text[i];
    line_start = crlf_text[i] == '\n' && i > 0 && crlf_text[i - 1] == '\r';
  }
  if (out.size() < 2 || out.compare(out.size() - 2, 2, "\r\n") != 0) out += "\r\n";
  out += ".\r\n";
  return out;
}

}  // namespace iron::outbound
