#pragma once
// The server's three long-lived secrets: the JWT signing key, the master key that encrypts
// secrets at rest, and the key the handshake's IP tokens are sealed under. Each comes from
// its setting (IRON_JWT_SECRET, IRON_SECRETS_MASTER_KEY, IRON_IP_TOKEN_KEY, or NAME_FILE)
// when given, else from a file generated once with the CSPRNG into the data dir (mode 0600),
// so a bare `ironpanel --data DIR` works and keeps its sessions across restarts.
#include <string>

namespace iron::security {

// The files generated into the data dir (the backup runbook lists them).
inline constexpr const char* kJwtKeyFile = "jwt.key";
inline constexpr const char* kMasterKeyFile = "master.key";
inline constexpr const char* kIpTokenKeyFile = "ip_token.key";

struct ConfiguredKeys {
  std::string jwt;       // text, at least 32 characters
  std::string master;    // 32 bytes as hex or base64
  std::string ip_token;  // 32 bytes as 64 hex characters
};

struct ServerKeys {
  std::string jwt_key;       // raw bytes for HMAC-SHA256
  std::string master_key;    // exactly 32 raw bytes
  std::string ip_token_key;  // exactly 32 raw bytes
};

// Throws std::runtime_error naming the setting when a configured value is weak or malformed.
ServerKeys load_server_keys(const ConfiguredKeys& configured, const std::string& data_dir);

// True for values anyone could guess: published defaults, one repeated character, or a short
// pattern repeated ("abababab…", "0123456789abcdef0123456789abcdef").
bool is_weak_secret(const std::string& value);

}  // namespace iron::security
