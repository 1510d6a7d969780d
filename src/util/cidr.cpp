#include "util/cidr.h"

#include <arpa/inet.h>

#include <cstring>

namespace iron::util {

std::optional<std::array<uint8_t, 16>> parse_ip(std::string_view text) {
  // inet_pton reads a C string: "10.1.2.2\0junk" would parse as 10.1.2.2 while callers keep
  // the whole text (an X-Forwarded-For hop becomes the client IP as is).
  if (text.find('\0') != std::string_view::npos) return std::nullopt;
  std::string s(text);
  std::array<uint8_t, 16> out{};
  in_addr a4{};
  if (inet_pton(AF_INET, s.c_str(), &a4) == 1) {
    out[10] = 0xff;
    out[11] = 0xff;
    std::memcpy(out.data() + 12, &a4, 4);
    return out;
  }
  if (!s.empty() && s.front() == '[' && s.back() == ']') s = s.substr(1, s.size() - 2);
  in6_addr a6{};
  if (inet_pton(AF_INET6, s.c_str(), &a6) == 1) {
    std::memcpy(out.data(), &a6, 16);
    return out;
  }
  return std::nullopt;
}

bool Cidr::contains(const std::array<uint8_t, 16>& ip) const {
  int bits = prefix_bits;
  for (size_t i = 0; i < 16 && bits > 0; ++i, bits -= 8) {
    const uint8_t mask = bits >= 8 ? 0xff : static_cast<uint8_t>(0xff << (8 - bits));
    if ((ip[i] & mask) != (addr[i] & mask)) return false;
  }
  return true;
}

std::optional<std::vector<Cidr>> parse_cidr_list(std::string_view text, std::string& error) {
  std::vector<Cidr> out;
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string_view::npos) comma = text.size();
    std::string_view item = text.substr(pos, comma - pos);
    while (!item.empty() && item.front() == ' ') item.remove_prefix(1);
    while (!item.empty() && item.back() == ' ') item.remove_suffix(1);
    pos = comma + 1;
    if (item.empty()) continue;
    const auto slash = item.find('/');
    const auto ip = parse_ip(item.substr(0, slash));
    if (!ip) {
      error = "not an IP address or CIDR: " + std::string(item);
      return std::nullopt;
    }
    const bool v4 = item.substr(0, slash).find(':') == std::string_view::npos;
    Cidr c;
    c.addr = *ip;
    c.prefix_bits = 128;
    if (slash != std::string_view::npos) {
      const std::string bits(item.substr(slash + 1));
      const int max = v4 ? 32 : 128;
      if (bits.empty() || bits.size() > 3 || bits.find_first_not_of("0123456789") != std::string::npos ||
          std::stoi(bits) > max) {
        error = "bad prefix length in: " + std::string(item);
        return std::nullopt;
      }
      c.prefix_bits = std::stoi(bits) + (v4 ? 96 : 0);
    }
    out.push_back(c);
  }
  return out;
}

}  // namespace iron::util
