#include "cli/server_key_check.h"

#include <filesystem>
#include <vector>

#include "security/crypto.h"
#include "store/data_dir.h"
#include "store/session_repo.h"
#include "util/clock.h"
#include "util/log.h"

namespace iron::cli {
namespace {

// One key the database remembers.
struct NeededKey {
  const char* setting;       // IRON_SECRETS_MASTER_KEY
  const char* file;          // master.key
  const char* fingerprint;   // settings row holding HMAC(key, label)
  const std::string& configured;
  std::string security::ServerKeys::*loaded;
  bool restore_if_missing;   // the stored data needs this very key: a lost file is restored, not replaced
  const char* refusal;       // why, and what to do, when it differs and must not; nullptr: a change
  const char* on_change;     // is allowed, and logged with this warning
};
// Reveals nothing about a 32-byte random key, and tells two keys apart.
std::string fingerprint_of(const std::string& key) {
  return security::hex_encode(security::hmac_sha256(key, "ironpanel key fingerprint v1")).substr(0, 32);
}

// The key files for the keys no setting gives, each created on first use; security/ only
// decodes and checks what they hold.
security::ConfiguredKeys read_key_files(const config::Config& c) {
  const auto file = [&](const std::string& configured, const char* name) {
    return configured.empty() ? store::read_or_create_secret_file(c.data_dir, name, security::fresh_key_text())
                              : std::string();
  };
  return {file(c.jwt_secret, kJwtKeyFile), file(c.master_key, kMasterKeyFile), file(c.ip_token_key, kIpTokenKeyFile)};
}

}  // namespace

security::ServerKeys load_checked_server_keys(store::Database& db, const config::Config& c,
                                              JwtSecret jwt) {
  std::vector<NeededKey> needed = {
      {"IRON_SECRETS_MASTER_KEY", kMasterKeyFile, "key_fingerprint.master", c.master_key,
       &security::ServerKeys::master_key, true,
       "is not the key this database's secrets were sealed with: restore the matching master.key (or "
       "IRON_SECRETS_MASTER_KEY)",
       nullptr},
      {"IRON_IP_TOKEN_KEY", kIpTokenKeyFile, "key_fingerprint.ip_token", c.ip_token_key,
       &security::ServerKeys::ip_token_key, true, nullptr, "the IP-token key changed: agent runtimes need the new key"},
  };
  if (jwt != JwtSecret::unused)
    needed.push_back({"IRON_JWT_SECRET", kJwtKeyFile, "key_fingerprint.jwt", c.jwt_secret,
                      &security::ServerKeys::jwt_key, false,
                      jwt == JwtSecret::must_match
                          ? "is not the secret the replicas serving this database sign sessions with: give every "
                            "replica the same IRON_JWT_SECRET (to change it, stop every replica, then start them all "
                            "with the new one)"
                          : nullptr,
                      "the JWT secret changed: every session signed with the previous one has ended"});
  const auto stored = db.read([&](store::Connection& conn) {
    std::vector<std::string> out;
    for (const auto& k : needed) out.push_back(store::settings::get(conn, k.fingerprint).value_or(""));
    return out;
  });
  // Before anything is generated: a database that was used with a key file must find it.
  for (size_t i = 0; i < needed.size(); ++i) {
    const auto path = std::filesystem::path(c.data_dir) / needed[i].file;
    if (needed[i].restore_if_missing && !stored[i].empty() && needed[i].configured.empty() &&
        !std::filesystem::exists(path))
      throw ConfigError(path.string() + " is missing, but the database beside it was used with that key: restore " +
                        needed[i].file + " from the backup of the data dir's key files (docs/deploy.md, Backup and "
                        "restore), or set " + needed[i].setting + " to its value");
  }
  security::ServerKeys keys;
  try {
    keys = security::load_server_keys({c.jwt_secret, c.master_key, c.ip_token_key}, read_key_files(c));
  } catch (const std::runtime_error& e) {
    throw ConfigError(e.what());
  }
  for (size_t i = 0; i < needed.size(); ++i) {
    const std::string now = fingerprint_of(keys.*needed[i].loaded);
    if (stored[i] == now) continue;
    if (!stored[i].empty() && needed[i].refusal)
      throw ConfigError(std::string(needed[i].configured.empty() ? needed[i].file : needed[i].setting) + " " +
                        needed[i].refusal);
    if (!stored[i].empty()) log::warn(needed[i].on_change, {{"setting", needed[i].setting}});
    db.write([&](store::Connection& conn) {
      store::settings::put(conn, needed[i].fingerprint, now, util::to_unix_ms(util::now()));
      return true;
    });
  }
  return keys;
}

}  // namespace iron::cli
