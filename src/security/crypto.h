#pragma once
// Hashing and comparison primitives (libsodium).
#include <optional>
#include <string>
#include <string_view>

namespace iron::security {

std::string sha256_hex(std::string_view data);
std::string hmac_sha256(std::string_view key, std::string_view data);  // raw 32 bytes
// Keyed BLAKE2b, raw 16 bytes: a digest nobody without `key` can aim at (key of 16 to 64 bytes).
std::string keyed_digest128(std::string_view key, std::string_view data);
bool constant_time_equal(std::string_view a, std::string_view b);
std::string base64url_encode(std::string_view raw);
std::optional<std::string> base64url_decode(std::string_view text);
std::string base64_encode(std::string_view raw);
std::optional<std::string> base64_decode(std::string_view text);
std::string hex_encode(std::string_view raw);
std::optional<std::string> hex_decode(std::string_view text);

}  // namespace iron::security
