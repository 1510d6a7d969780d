#include "security/server_keys.h"

#include <algorithm>
#include <stdexcept>

#include "security/crypto.h"
#include "security/random.h"
#include "store/data_dir.h"

namespace iron::security {
namespace {

// Defaults the predecessor documented; anyone can read them, so they protect nothing.
bool is_known_weak(const std::string& v) {
  static const char* kWeak[] = {"dev-secret-change-in-production", "dev-ic-token-secret-change-in-production",
                                "secret", "changeme", "change-me", "password"};
  if (std::all_of(v.begin(), v.end(), [&](char ch) { return ch == v.front(); })) return true;  // "0000…", "aaaa…"
  return std::any_of(std::begin(kWeak), std::end(kWeak), [&](const char* w) { return v == w; });
}

std::string decode_master_key(const std::string& text) {
  if (auto raw = hex_decode(text); raw && raw->size() == 32) return *raw;
  if (auto raw = base64_decode(text); raw && raw->size() == 32) return *raw;
  throw std::runtime_error("IRON_SECRETS_MASTER_KEY must be 32 bytes as 64 hex characters or base64");
}

}  // namespace

ServerKeys load_server_keys(const std::string& configured_jwt, const std::string& configured_master,
                            const std::string& data_dir) {
  ServerKeys keys;
  if (!configured_jwt.empty()) {
    if (configured_jwt.size() < 32 || is_known_weak(configured_jwt))
      throw std::runtime_error("IRON_JWT_SECRET is too weak: use at least 32 random characters");
    keys.jwt_key = configured_jwt;
  } else {
    keys.jwt_key = store::read_or_create_secret_file(data_dir, "jwt.key", random_hex(32));
  }
  const std::string master_text =
      !configured_master.empty() ? configured_master
                                 : store::read_or_create_secret_file(data_dir, "master.key", random_hex(32));
  keys.master_key = decode_master_key(master_text);
  if (is_known_weak(keys.master_key)) throw std::runtime_error("IRON_SECRETS_MASTER_KEY is a known weak value");
  return keys;
}

}  // namespace iron::security
