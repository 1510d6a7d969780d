#include "security/crypto.h"

#include <algorithm>

#include <sodium.h>

namespace iron::security {
namespace {
const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }

std::string encode64(std::string_view raw, int variant) {
  std::string out(sodium_base64_encoded_len(raw.size(), variant), '\0');
  sodium_bin2base64(out.data(), out.size(), bytes(raw), raw.size(), variant);
  out.resize(std::char_traits<char>::length(out.c_str()));
  return out;
}

// Only the variant's own alphabet: libsodium's decoder maps some bytes >= 0x80 onto valid
// digits (the JWT fuzz harness found "\x9d" read as '_'), which made a signed token's text
// malleable: the same signature could be spelled more than one way.
bool in_alphabet(std::string_view text, int variant) {
  const bool url = variant == sodium_base64_VARIANT_URLSAFE_NO_PADDING || variant == sodium_base64_VARIANT_URLSAFE;
  return std::all_of(text.begin(), text.end(), [url](char c) {
    if ((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '=') return true;
    return url ? (c == '-' || c == '_') : (c == '+' || c == '/');
  });
}

std::optional<std::string> decode64(std::string_view text, int variant) {
  if (!in_alphabet(text, variant)) return std::nullopt;
  std::string out(text.size(), '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_base642bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr,
                        &len, &end, variant) != 0 ||
      end != text.data() + text.size())
    return std::nullopt;
  out.resize(len);
  return out;
}
}  // namespace

std::string sha256_hex(std::string_view data) {
  unsigned char digest[crypto_hash_sha256_BYTES];
  crypto_hash_sha256(digest, bytes(data), data.size());
  return hex_encode(std::string_view(reinterpret_cast<const char*>(digest), sizeof digest));
}

std::string keyed_digest128(std::string_view key, std::string_view data) {
  std::string out(16, '\0');
  crypto_generichash(reinterpret_cast<unsigned char*>(out.data()), out.size(), bytes(data), data.size(), bytes(key),
                     key.size());
  return out;
}

std::string hmac_sha256(std::string_view key, std::string_view data) {
  crypto_auth_hmacsha256_state st;
  crypto_auth_hmacsha256_init(&st, bytes(key), key.size());
  crypto_auth_hmacsha256_update(&st, bytes(data), data.size());
  std::string mac(crypto_auth_hmacsha256_BYTES, '\0');
  crypto_auth_hmacsha256_final(&st, reinterpret_cast<unsigned char*>(mac.data()));
  return mac;
}

bool constant_time_equal(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  return sodium_memcmp(a.data(), b.data(), a.size()) == 0;
}

std::string base64url_encode(std::string_view raw) { return encode64(raw, sodium_base64_VARIANT_URLSAFE_NO_PADDING); }
std::optional<std::string> base64url_decode(std::string_view t) { return decode64(t, sodium_base64_VARIANT_URLSAFE_NO_PADDING); }
std::string base64_encode(std::string_view raw) { return encode64(raw, sodium_base64_VARIANT_ORIGINAL); }
std::optional<std::string> base64_decode(std::string_view t) { return decode64(t, sodium_base64_VARIANT_ORIGINAL); }

std::string hex_encode(std::string_view raw) {
  std::string out(raw.size() * 2 + 1, '\0');
  sodium_bin2hex(out.data(), out.size(), bytes(raw), raw.size());
  out.pop_back();
  return out;
}

std::optional<std::string> hex_decode(std::string_view text) {
  std::string out(text.size() / 2 + 1, '\0');
  size_t len = 0;
  const char* end = nullptr;
  if (sodium_hex2bin(reinterpret_cast<unsigned char*>(out.data()), out.size(), text.data(), text.size(), nullptr, &len,
                     &end) != 0 ||
      end != text.data() + text.size())
    return std::nullopt;
  out.resize(len);
  return out;
}

}  // namespace iron::security
