// The trusted-proxy CIDR list parser, the IP parser and the client-IP resolver
// (X-Forwarded-For / X-Real-IP / X-Forwarded-Proto). Input: newline-separated parts
// "cidr list\npeer\nx-forwarded-for\nx-real-ip\nx-forwarded-proto".
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "server/client_ip.h"
#include "util/cidr.h"

namespace {
std::vector<std::string> lines(const std::string& text, size_t n) {
  std::vector<std::string> out;
  size_t pos = 0;
  while (out.size() + 1 < n) {
    const size_t nl = text.find('\n', pos);
    if (nl == std::string::npos) break;
    out.push_back(text.substr(pos, nl - pos));
    pos = nl + 1;
  }
  out.push_back(pos <= text.size() ? text.substr(pos) : "");
  out.resize(n);
  return out;
}
std::optional<std::string> opt(const std::string& s) { return s.empty() ? std::nullopt : std::optional(s); }
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace iron;
  const auto part = lines(std::string(reinterpret_cast<const char*>(data), size), 5);
  std::string error;
  const auto trusted = util::parse_cidr_list(part[0], error);
  if (!trusted && error.empty()) std::abort();  // a refusal always says why

  // A bare address parses as a one-host range that contains it.
  if (const auto ip = util::parse_ip(part[1])) {
    const auto single = util::parse_cidr_list(part[1], error);
    if (!single || single->size() != 1 || !(*single)[0].contains(*ip)) std::abort();
  }
  (void)server::connection_group(part[1]);

  const server::ClientIpResolver resolver(trusted.value_or(std::vector<util::Cidr>{}));
  const auto origin = resolver.resolve(part[1], opt(part[2]), opt(part[3]), opt(part[4]));
  // Headers only count behind a trusted proxy: from anyone else the peer is the client.
  if (!resolver.is_trusted_proxy(part[1]) && origin.ip != part[1]) std::abort();
  return 0;
}
