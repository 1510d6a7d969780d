#pragma once
// An RFC 5322 message as email alerts send it (docs/alerts.md, "Email"): Date, Message-ID,
// From, To, Subject and a MIME text/plain UTF-8 body, CRLF line endings. Header injection is
// impossible by construction: addresses must pass util::is_mail_address (no CR, LF, spaces, quotes
// or angle brackets), the subject must pass is_header_safe, and a non-ASCII subject is
// RFC 2047 encoded. The body may hold anything; it is normalised to CRLF and, when not plain
// ASCII with short lines, base64-encoded.
#include <cstdint>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "util/mail_address.h"

namespace iron::outbound {

// No CR, LF or other control characters: safe to place in a header line.
bool is_header_safe(std::string_view text);

struct MailMessage {
  std::string from;
  std::vector<std::string> to;
  std::string subject;
  std::string body;        // UTF-8 text
  int64_t date_ms = 0;     // the Date header
  std::string message_id;  // without brackets: `<id>@<domain>`
  std::vector<std::pair<std::string, std::string>> extra_headers;  // e.g. X-Ironpanel-Event
};

// The message's bytes (headers, blank line, body) with CRLF line endings, not yet
// dot-stuffed (that is the SMTP transport's job). The caller has validated the fields above;
// anything unsafe that slips through is dropped from headers rather than written.
std::string render_message(const MailMessage& m);

// Standard base64 without line breaks (MIME bodies, RFC 2047 words, SMTP AUTH).
std::string base64(std::string_view raw);

// SMTP DATA's transparency (RFC 5321 4.5.2): a line starting with "." gets another "."; the
// text must already use CRLF. Ends with the terminating CRLF.CRLF.
std::string dot_stuff(const std::string& crlf_text);

}  // namespace iron::outbound
