#pragma once
// Where an outbound request may go (outbound/README.md): strict URL parsing and the SSRF
// checks, on the resolved addresses rather than the name.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "util/result.h"

namespace iron::outbound {

struct Url {
  std::string scheme;  // http | https
  std::string host;    // lowercase; an IPv6 literal without its brackets
  int port = 0;        // explicit or the scheme's default
  std::string target;  // path and query, "/" at least; the fragment is dropped
  // scheme://host[:port] with no path, query or credentials: safe to display and log.
  std::string origin() const;
};

// Refusals name `field` (the request field the URL came from) and never echo the URL, which
// may itself be a credential (Slack-style webhook URLs are).
Result<Url> parse_url(const std::string& text, const std::string& field = "url");

struct Policy {
  bool allow_private = false;              // loopback / private / link-local destinations
  std::vector<std::string> allowed_hosts;  // empty = any; "example.com" or "*.example.com"
  int timeout_ms = 10'000;                 // per request: connect, each read and each write
  std::string ca_file;                     // https: trust these CAs (PEM) instead of the system's
};

// Parses the comma-separated IRON_ALERT_ALLOWED_HOSTS value (lowercased, blanks dropped).
std::vector<std::string> parse_host_list(const std::string& text);

// True when the address (16-byte form, IPv4 mapped) is in a range refused by default.
bool is_internal_address(const std::array<uint8_t, 16>& ip);

// What can be checked without a name lookup (when a channel is saved): the allow-list, and
// the address itself when the host is a numeric literal.
std::optional<Error> check_without_lookup(const Url& url, const Policy& policy);

// The host checked against the allow-list, resolved, and every address checked: the numeric
// address to connect to, or why the destination is refused (DESTINATION_REFUSED, details
// {reason}).
Result<std::string> resolve_checked(const Url& url, const Policy& policy);

}  // namespace iron::outbound
