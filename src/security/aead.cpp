#include "security/aead.h"

#include <sodium.h>

#include <stdexcept>

namespace iron::security::aead {
namespace {

static_assert(kKeyBytes == crypto_aead_xchacha20poly1305_ietf_KEYBYTES);
static_assert(kNonceBytes == crypto_aead_xchacha20poly1305_ietf_NPUBBYTES);
static_assert(kTagBytes == crypto_aead_xchacha20poly1305_ietf_ABYTES);

const unsigned char* bytes(std::string_view s) { return reinterpret_cast<const unsigned char*>(s.data()); }
unsigned char* bytes(std::string& s) { return reinterpret_cast<unsigned char*>(s.data()); }

void check_key(std::string_view key) {
  if (key.size() != kKeyBytes) throw std::invalid_argument("AEAD key must be exactly 32 bytes");
}

}  // namespace

Sealed seal(std::string_view key, std::string_view plaintext, std::string_view associated_data) {
  check_key(key);
  Sealed out;
  out.nonce.resize(kNonceBytes);
  randombytes_buf(out.nonce.data(), kNonceBytes);
  out.ciphertext.resize(plaintext.size() + kTagBytes);
  unsigned long long written = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(bytes(out.ciphertext), &written, bytes(plaintext), plaintext.size(),
                                             bytes(associated_data), associated_data.size(), nullptr,
                                             bytes(out.nonce), bytes(key));
  out.ciphertext.resize(static_cast<size_t>(written));
  return out;
}

std::optional<std::string> open(std::string_view key, const Sealed& sealed, std::string_view associated_data) {
  check_key(key);
  if (sealed.nonce.size() != kNonceBytes || sealed.ciphertext.size() < kTagBytes) return std::nullopt;
  std::string plain(sealed.ciphertext.size() - kTagBytes, '\0');
  unsigned long long written = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(bytes(plain), &written, nullptr, bytes(sealed.ciphertext),
                                                 sealed.ciphertext.size(), bytes(associated_data),
                                                 associated_data.size(), bytes(sealed.nonce), bytes(key)) != 0)
    return std::nullopt;
  plain.resize(static_cast<size_t>(written));
  return plain;
}

}  // namespace iron::security::aead
