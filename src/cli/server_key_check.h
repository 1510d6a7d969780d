#pragma once
// The server keys, checked against the database they belong to. The database remembers a
// fingerprint of each key it was used with, so a data dir restored without its key files (or
// given the wrong ones) is refused at start, naming the file, instead of starting and failing
// later with 500s on every sealed secret; and a replica whose JWT secret differs from the
// serving replicas' is refused instead of signing sessions the others reject.
#include <stdexcept>

#include "config/config.h"
#include "security/server_keys.h"
#include "store/database.h"

namespace iron::cli {

// The key files generated into the data dir when no setting gives the key (docs/deploy.md's
// backup runbook lists them).
inline constexpr const char* kJwtKeyFile = "jwt.key";
inline constexpr const char* kMasterKeyFile = "master.key";
inline constexpr const char* kIpTokenKeyFile = "ip_token.key";

// A configuration problem found after the configuration itself validated (a key file the data
// needs, a weak secret): `main` turns it into exit code 2 like any other bad setting.
struct ConfigError : std::runtime_error {
  using std::runtime_error::runtime_error;
};

// What the JWT secret is to the caller. A command that signs nothing (demo-seed) leaves it
// alone. A server may bring another one than the database last saw (everyone signs in again,
// as docs/deploy.md says), and so may the first of several replicas to start; while other
// replicas serve it must match theirs, or a session signed by one would be refused by the
// next (store/pg/replica_wiring.h, ReplicaPresence).
enum class JwtSecret { unused, may_change, must_match };

// Loads (generating on a new data dir) and checks the keys. Throws ConfigError naming the
// missing or mismatched file or setting.
security::ServerKeys load_checked_server_keys(store::Database& db, const config::Config& c,
                                              JwtSecret jwt);

}  // namespace iron::cli
