#pragma once
// IPv4/IPv6 CIDR ranges, for deciding which peers are trusted proxies.
#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace iron::util {

struct Cidr {
  std::array<uint8_t, 16> addr{};  // IPv4 stored as IPv4-mapped IPv6
  int prefix_bits = 128;           // over the 128-bit form
  bool contains(const std::array<uint8_t, 16>& ip) const;
};

// Parses "10.0.0.0/8, ::1/128, 192.168.1.7" (a bare address means a single host).
std::optional<std::vector<Cidr>> parse_cidr_list(std::string_view text, std::string& error);
// Parses a numeric IPv4 or IPv6 address into its 128-bit form.
std::optional<std::array<uint8_t, 16>> parse_ip(std::string_view text);

}  // namespace iron::util
