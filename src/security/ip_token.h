#pragma once
// The handshake's IP token: the agent's decrypted provider key wrapped for the predecessor's
// runtime as `AES256:<iv b64>:<ciphertext b64>:<tag b64>` (AES-256-GCM, 12-byte random IV,
// 16-byte tag) under a 32-byte IP-token key the runtime shares. libsodium offers AES-256-GCM
// only on CPUs with AES-NI/PCLMUL: without them, nullopt (the handshake answers 503).
#include <optional>
#include <string>
#include <string_view>

namespace iron::security {

constexpr size_t kIpTokenKeyBytes = 32;

std::optional<std::string> seal_ip_token(std::string_view key, std::string_view plaintext);
// The inverse (tests, and runtimes written against this server). nullopt if it does not open.
std::optional<std::string> open_ip_token(std::string_view key, const std::string& token);

}  // namespace iron::security
