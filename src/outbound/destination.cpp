#include "outbound/destination.h"

#include <netdb.h>
#include <sys/socket.h>

#include <algorithm>
#include <cctype>
#include <cstring>

#include <arpa/inet.h>
#include <netinet/in.h>

#include "util/cidr.h"

namespace iron::outbound {
namespace {

constexpr size_t kUrlMax = 2000;

Error refused(const std::string& reason, const std::string& message) {
  return {ErrorKind::validation, "DESTINATION_REFUSED", message, {{"field", "url"}, {"reason", reason}}, 0};
}

Error bad_url(const std::string& field, const std::string& what) {
  return Error::validation(field, field + " " + what);
}

// Loopback, "this network", RFC 1918, CGNAT (RFC 6598), link-local (cloud metadata lives at
// 169.254.169.254), IETF protocol assignments, benchmarking, multicast, reserved and
// broadcast; IPv6 unspecified, loopback, unique-local, link-local and multicast. IPv4 ranges
// also cover IPv4-mapped IPv6 addresses (util::Cidr stores IPv4 that way).
const std::vector<util::Cidr>& internal_ranges() {
  static const std::vector<util::Cidr> ranges = [] {
    std::string error;
    auto parsed = util::parse_cidr_list(
        "0.0.0.0/8, 10.0.0.0/8, 100.64.0.0/10, 127.0.0.0/8, 169.254.0.0/16, 172.16.0.0/12, 192.0.0.0/24, "
        "192.168.0.0/16, 198.18.0.0/15, 224.0.0.0/4, 240.0.0.0/4, ::/128, ::1/128, fc00::/7, fe80::/10, ff00::/8",
        error);
    return parsed ? *parsed : std::vector<util::Cidr>{};
  }();
  return ranges;
}

bool host_allowed(const std::string& host, const std::vector<std::string>& allowed) {
  if (allowed.empty()) return true;
  for (const auto& a : allowed) {
    if (a == host) return true;
    // "*.example.com" matches sub.example.com (not example.com itself).
    if (a.size() > 2 && a.rfind("*.", 0) == 0) {
      const std::string suffix = a.substr(1);
      if (host.size() > suffix.size() && host.compare(host.size() - suffix.size(), suffix.size(), suffix) == 0)
        return true;
    }
  }
  return false;
}

std::array<uint8_t, 16> to_bytes(const sockaddr* sa) {
  std::array<uint8_t, 16> out{};
  if (sa->sa_family == AF_INET6) {
    std::memcpy(out.data(), &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, 16);
  } else {
    out[10] = out[11] = 0xff;
    std::memcpy(out.data() + 12, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, 4);
  }
  return out;
}

std::string numeric(const sockaddr* sa) {
  char buf[INET6_ADDRSTRLEN] = {};
  if (sa->sa_family == AF_INET6)
    inet_ntop(AF_INET6, &reinterpret_cast<const sockaddr_in6*>(sa)->sin6_addr, buf, sizeof buf);
  else
    inet_ntop(AF_INET, &reinterpret_cast<const sockaddr_in*>(sa)->sin_addr, buf, sizeof buf);
  return buf;
}

Error internal_refusal() {
  return refused("internal_address",
                 "the destination resolves to a loopback, private or link-local address; an operator may allow "
                 "those with IRON_ALERT_ALLOW_PRIVATE_DESTINATIONS=1");
}

}  // namespace

std::string Url::origin() const {
  const bool ipv6 = host.find(':') != std::string::npos;
  const bool default_port = (scheme == "http" && port == 80) || (scheme == "https" && port == 443);
  std::string out = scheme;
  out += "://";
  if (ipv6) out += '[';
  out += host;
  if (ipv6) out += ']';
  if (!default_port) {
    out += ':';
    out += std::to_string(port);
  }
  return out;
}

Result<Url> parse_url(const std::string& text, const std::string& field) {
  if (text.empty() || text.size() > kUrlMax) return bad_url(field, "must be 1..2000 characters");
  for (unsigned char ch : text)
    if (ch <= 0x20 || ch >= 0x7f) return bad_url(field, "must be visible ASCII without spaces");
  Url u;
  size_t rest;
  if (text.rfind("http://", 0) == 0) u.scheme = "http", rest = 7;
  else if (text.rfind("https://", 0) == 0) u.scheme = "https", rest = 8;
  else return bad_url(field, "must be an http:// or https:// URL");
  const size_t authority_end = std::min(text.find_first_of("/?#", rest), text.size());
  const std::string authority = text.substr(rest, authority_end - rest);
  if (authority.find('@') != std::string::npos)
    return bad_url(field, "must not carry credentials (user:password@): webhook payloads are signed instead");
  std::string port_text;
  bool has_port = false;
  if (!authority.empty() && authority[0] == '[') {
    const size_t close = authority.find(']');
    if (close == std::string::npos) return bad_url(field, "has an unterminated IPv6 address");
    u.host = authority.substr(1, close - 1);
    if (close + 1 < authority.size()) {
      if (authority[close + 1] != ':') return bad_url(field, "has an invalid host");
      port_text = authority.substr(close + 2);
      has_port = true;
    }
    if (!util::parse_ip(u.host)) return bad_url(field, "has an invalid IPv6 address");
  } else {
    const size_t colon = authority.find(':');
    u.host = authority.substr(0, colon);
    if (colon != std::string::npos) port_text = authority.substr(colon + 1), has_port = true;
    for (char ch : u.host)
      if (!(std::isalnum(static_cast<unsigned char>(ch)) || ch == '-' || ch == '.'))
        return bad_url(field, "has an invalid host name");
  }
  if (u.host.empty()) return bad_url(field, "has no host");
  std::transform(u.host.begin(), u.host.end(), u.host.begin(), [](unsigned char c) { return std::tolower(c); });
  u.port = u.scheme == "https" ? 443 : 80;
  if (has_port) {
    if (port_text.empty() || port_text.size() > 5 ||
        !std::all_of(port_text.begin(), port_text.end(), [](unsigned char c) { return std::isdigit(c); }))
      return bad_url(field, "has an invalid port");
    u.port = std::stoi(port_text);
    if (u.port < 1 || u.port > 65535) return bad_url(field, "has an invalid port");
  }
  u.target = text.substr(authority_end);
  if (const size_t hash = u.target.find('#'); hash != std::string::npos) u.target.resize(hash);
  if (u.target.empty() || u.target[0] != '/') u.target = "/" + u.target;
  return u;
}

std::vector<std::string> parse_host_list(const std::string& text) {
  std::vector<std::string> out;
  size_t start = 0;
  while (start <= text.size()) {
    const size_t comma = std::min(text.find(',', start), text.size());
    std::string item = text.substr(start, comma - start);
    item.erase(std::remove_if(item.begin(), item.end(), [](unsigned char c) { return std::isspace(c); }), item.end());
    std::transform(item.begin(), item.end(), item.begin(), [](unsigned char c) { return std::tolower(c); });
    if (!item.empty()) out.push_back(std::move(item));
    start = comma + 1;
  }
  return out;
}

bool is_internal_address(const std::array<uint8_t, 16>& ip) {
  for (const auto& r : internal_ranges())
    if (r.contains(ip)) return true;
  // NAT64 (64:ff9b::/96) carries an IPv4 address in its last 4 bytes: judge that one.
  static const std::array<uint8_t, 12> nat64{0x00, 0x64, 0xff, 0x9b};
  if (std::equal(nat64.begin(), nat64.end(), ip.begin())) {
    std::array<uint8_t, 16> v4{};
    v4[10] = v4[11] = 0xff;
    std::copy(ip.begin() + 12, ip.end(), v4.begin() + 12);
    return is_internal_address(v4);
  }
  return false;
}

std::optional<Error> check_without_lookup(const Url& url, const Policy& policy) {
  if (!host_allowed(url.host, policy.allowed_hosts))
    return refused("host_not_allowed", "the destination host is not in IRON_ALERT_ALLOWED_HOSTS");
  if (const auto ip = util::parse_ip(url.host); ip && !policy.allow_private && is_internal_address(*ip))
    return internal_refusal();
  return std::nullopt;
}

Result<std::string> resolve_checked(const Url& url, const Policy& policy) {
  if (auto e = check_without_lookup(url, policy)) return *e;
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(url.host.c_str(), nullptr, &hints, &found) != 0 || !found)
    return refused("unresolvable", "the destination host name does not resolve");
  std::optional<std::string> first;
  bool internal = false;
  for (const addrinfo* a = found; a; a = a->ai_next) {
    if (a->ai_family != AF_INET && a->ai_family != AF_INET6) continue;
    // Every answer is judged: a name answering one public and one internal address is refused.
    if (is_internal_address(to_bytes(a->ai_addr))) internal = true;
    if (!first) first = numeric(a->ai_addr);
  }
  freeaddrinfo(found);
  if (!first) return refused("unresolvable", "the destination host name does not resolve");
  if (internal && !policy.allow_private) return internal_refusal();
  return *first;
}

}  // namespace iron::outbound
