#pragma once
// The server's two long-lived secrets: the JWT signing key and the master key that
// encrypts secrets at rest. From IRON_JWT_SECRET(_FILE) / IRON_SECRETS_MASTER_KEY(_FILE)
// when given, else generated once with the CSPRNG into the data dir (mode 0600), so a bare
// `ironpanel --data DIR` works and keeps its sessions across restarts.
#include <string>

namespace iron::security {

struct ServerKeys {
  std::string jwt_key;     // raw bytes for HMAC-SHA256
  std::string master_key;  // exactly 32 raw bytes
};

// Throws std::runtime_error naming the setting when a configured value is weak or malformed.
ServerKeys load_server_keys(const std::string& configured_jwt, const std::string& configured_master,
                            const std::string& data_dir);

}  // namespace iron::security
