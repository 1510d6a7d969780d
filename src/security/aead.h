#pragma once
// Authenticated encryption of secrets at rest (provider API keys) under the server's master
// key, with associated data that binds each ciphertext to the row it belongs to.
//
// Algorithm: XChaCha20-Poly1305-IETF (libsodium crypto_aead_xchacha20poly1305_ietf_*), not
// AES-256-GCM, because:
//  - libsodium's AES-256-GCM only works on CPUs with AES-NI/PCLMUL and must be probed at run
//    time (crypto_aead_aes256gcm_is_available()); a static binary shipped to arbitrary hosts
//    (ARM boards, old or emulated x86) would then fail to read its own database. XChaCha20
//    is constant-time in software and runs everywhere.
//  - AES-GCM's 96-bit nonce makes random nonces unsafe at volume (birthday bound ~2^32
//    messages per key, and a repeat reveals the GHASH key). XChaCha20's 192-bit nonce can be
//    drawn at random for every seal without a counter or any coordination between replicas.
// The predecessor's `AES256:iv:ct:tag` "IP token" is a wire format the agent runtime expects
// from the handshake; it is produced there, under its own key, from the plaintext this module
// returns. Storage and wire format are deliberately independent.
#include <cstddef>
#include <optional>
#include <string>
#include <string_view>

namespace iron::security::aead {

constexpr size_t kKeyBytes = 32;    // the master key (security::ServerKeys::master_key)
constexpr size_t kNonceBytes = 24;  // random per seal
constexpr size_t kTagBytes = 16;    // appended to the ciphertext

struct Sealed {
  std::string nonce;       // kNonceBytes raw bytes
  std::string ciphertext;  // plaintext.size() + kTagBytes raw bytes (tag included)
};

// Encrypts `plaintext` with a fresh random nonce. `associated_data` is authenticated but not
// stored: open() must be given the same bytes (e.g. "provider_key:<id>:<owner>"), so a
// ciphertext copied into another row fails to open. Throws std::invalid_argument when the key
// is not kKeyBytes long (a programming error).
Sealed seal(std::string_view key, std::string_view plaintext, std::string_view associated_data);

// The plaintext, or nullopt when the key, the nonce, the associated data or any ciphertext
// byte differs from what seal() used. Never says which.
std::optional<std::string> open(std::string_view key, const Sealed& sealed, std::string_view associated_data);

}  // namespace iron::security::aead
