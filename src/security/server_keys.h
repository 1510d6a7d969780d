#pragma once
// The server's three long-lived secrets: the JWT signing key, the master key that encrypts
// secrets at rest, and the key the handshake's IP tokens are sealed under. Each comes from
// its setting (IRON_JWT_SECRET, IRON_SECRETS_MASTER_KEY, IRON_IP_TOKEN_KEY, or NAME_FILE)
// when given, else from a file generated once with the CSPRNG into the data dir (mode 0600),
// so a bare `ironpanel --data DIR` works and keeps its sessions across restarts. Reading and
// creating those files is the caller's (cli/server_key_check): this folder does no file I/O.
#include <string>

namespace iron::security {

// The three keys as text, in the order of ServerKeys; an empty member is one not given.
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

// A fresh value for a generated key file: 32 CSPRNG bytes as hex, the form every key accepts.
std::string fresh_key_text();

// Decodes and checks the keys: each from `configured` (the settings) when given, else from
// `from_files` (the data dir's key files). Throws std::runtime_error naming the setting when
// a value is weak or malformed.
ServerKeys load_server_keys(const ConfiguredKeys& configured, const ConfiguredKeys& from_files);

// True for values anyone could guess: published defaults, one repeated character, or a short
// pattern repeated ("abababab…", "0123456789abcdef0123456789abcdef").
bool is_weak_secret(const std::string& value);

}  // namespace iron::security
