#include "server/request_id.h"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <cstring>

#include "security/random.h"

namespace iron::server {
namespace {

// splitmix64 (Steele, Lea and Flood): a bijection of its counter, so one thread never repeats
// an id, and threads start from independent random points of the 2^64 sequence.
uint64_t next_id_bits() {
  thread_local uint64_t state = [] {
    uint64_t seed = 0;
    const std::string raw = security::random_bytes(sizeof seed);
    std::memcpy(&seed, raw.data(), sizeof seed);
    return seed;
  }();
  uint64_t z = (state += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

}  // namespace

bool valid_request_id(const std::string& id) {
  return !id.empty() && id.size() <= 128 && std::all_of(id.begin(), id.end(), [](char c) {
    return std::isalnum(static_cast<unsigned char>(c)) || c == '-' || c == '_' || c == '.' || c == ':';
  });
}

std::string new_request_id() {
  static constexpr char kHex[] = "0123456789abcdef";
  uint64_t bits = next_id_bits();
  std::string id(16, '0');
  for (size_t i = id.size(); i-- > 0; bits >>= 4) id[i] = kHex[bits & 0xf];
  return id;
}

}  // namespace iron::server
