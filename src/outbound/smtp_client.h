#pragma once
// One email handed to the operator's SMTP relay (docs/alerts.md, "Email"): the relay host is
// checked and pinned like a webhook destination (destination.h), then EHLO, STARTTLS (or TLS
// from the first byte), AUTH PLAIN or LOGIN, MAIL FROM, RCPT TO for each recipient, DATA with
// the dot-stuffed message, QUIT — the whole conversation under one deadline. Nothing is ever
// followed to another host. Never downgrades: `starttls` without the relay offering it fails,
// and AUTH over a plaintext connection needs `allow_plaintext_auth`.
//
// The outcome's `status` is the relay's reply code when it refused something; 4xx is
// transient and 5xx permanent (both are retried by the alert backoff, the error says which).
// Errors never hold the password, and the relay's text is left out of AUTH failures (some
// relays echo what they were sent).
#include <string>
#include <vector>

#include "outbound/destination.h"
#include "outbound/http_post.h"

namespace iron::outbound {

enum class SmtpTls { starttls, tls, none };

struct SmtpRelay {
  std::string host;  // name or numeric address; the TLS certificate must name it
  int port = 587;
  SmtpTls tls = SmtpTls::starttls;
  std::string username;  // empty = no AUTH
  std::string password;
  bool allow_plaintext_auth = false;  // AUTH with tls = none (credentials in clear on the wire)
  bool configured() const { return !host.empty(); }
};

// Sends `message` (render_message's bytes, CRLF) from `from` to `recipients`. `policy` gives
// the SSRF rules, the timeout of the whole conversation and the CA file.
PostOutcome send_mail(const SmtpRelay& relay, const std::string& from, const std::vector<std::string>& recipients,
                      const std::string& message, const Policy& policy);

}  // namespace iron::outbound
