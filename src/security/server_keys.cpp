#include "security/server_keys.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <stdexcept>
#include <vector>

#include "security/crypto.h"
#include "security/ip_token.h"
#include "security/random.h"

namespace iron::security {
namespace {

// The length of the shortest pattern that, repeated, spells `v` (prefix function / KMP).
size_t shortest_period(const std::string& v) {
  std::vector<size_t> border(v.size(), 0);
  for (size_t i = 1, k = 0; i < v.size(); ++i) {
    while (k > 0 && v[i] != v[k]) k = border[k - 1];
    if (v[i] == v[k]) ++k;
    border[i] = k;
  }
  return v.empty() ? 0 : v.size() - border.back();
}

std::string decode_master_key(const std::string& text) {
  if (auto raw = hex_decode(text); raw && raw->size() == 32) return *raw;
  if (auto raw = base64_decode(text); raw && raw->size() == 32) return *raw;
  throw std::runtime_error("IRON_SECRETS_MASTER_KEY must be 32 bytes as 64 hex characters or base64");
}

std::string decode_ip_token_key(std::string hex) {
  while (!hex.empty() && std::isspace(static_cast<unsigned char>(hex.back()))) hex.pop_back();
  auto key = hex_decode(hex);
  if (hex.size() != 2 * kIpTokenKeyBytes || !key)
    throw std::runtime_error("IRON_IP_TOKEN_KEY must be 64 hex characters (32 bytes)");
  return *key;
}

}  // namespace

bool is_weak_secret(const std::string& v) {
  // Defaults the predecessor documented; anyone can read them, so they protect nothing.
  static const char* kKnown[] = {"dev-secret-change-in-production", "dev-ic-token-secret-change-in-production",
                                 "secret", "changeme", "change-me", "password"};
  if (std::any_of(std::begin(kKnown), std::end(kKnown), [&](const char* w) { return v == w; })) return true;
  // A pattern repeated at least twice holds no more entropy than the pattern; a handful of
  // distinct characters ("abababab…ab", "aaaaaaab") is the same mistake with a twist.
  if (shortest_period(v) <= v.size() / 2) return true;
  return std::set<char>(v.begin(), v.end()).size() < 6;
}

std::string fresh_key_text() { return random_hex(kIpTokenKeyBytes); }

ServerKeys load_server_keys(const ConfiguredKeys& configured, const ConfiguredKeys& from_files) {
  ServerKeys keys;
  if (!configured.jwt.empty()) {
    if (configured.jwt.size() < 32 || is_weak_secret(configured.jwt))
      throw std::runtime_error("IRON_JWT_SECRET is too weak: use at least 32 random characters (e.g. openssl rand -hex 32)");
    keys.jwt_key = configured.jwt;
  } else {
    keys.jwt_key = from_files.jwt;
  }
  keys.master_key = decode_master_key(!configured.master.empty() ? configured.master : from_files.master);
  if (is_weak_secret(keys.master_key)) throw std::runtime_error("IRON_SECRETS_MASTER_KEY is a known weak value");
  keys.ip_token_key = decode_ip_token_key(!configured.ip_token.empty() ? configured.ip_token : from_files.ip_token);
  return keys;
}

}  // namespace iron::security
