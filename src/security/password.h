#pragma once
// Passwords: argon2id (libsodium crypto_pwhash_str, "moderate" limits), verified in
// constant time. Unknown accounts are verified against a dummy hash so a login for an
// unknown email costs the same as one for a known email.
#include <string>
#include <string_view>

namespace iron::security {

constexpr size_t kMinPasswordLength = 12;
constexpr size_t kMaxPasswordLength = 1000;

std::string hash_password(std::string_view password);
bool verify_password(std::string_view stored_hash, std::string_view password);
// Burns the same time as verify_password against a real hash; always false.
bool verify_password_against_dummy(std::string_view password);

}  // namespace iron::security
