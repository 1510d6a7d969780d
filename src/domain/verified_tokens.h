#pragma once
// The access tokens this process has verified. A request whose token was seen before skips
// the signature check, the base64 and the JSON parse — about a third of a signed-in read's
// instructions (docs/benchmarks.md, "Seventh pass") — and, while no write has committed
// since the token's last full check (store::Database::data_version()), the revocation and
// user reads too: a logout, suspension, role or password change is a write, so the next
// request after it is checked in full. Only tokens that passed every check are kept, each
// until it expires; they are keyed by a keyed digest (a random key per process), so the
// tokens themselves are not kept and no lookup compares secret bytes.
#include <cstdint>
#include <mutex>
#include <optional>
#include <string>
#include <unordered_map>

#include "domain/principal.h"

namespace iron::domain {

// What Sessions reads from an access token's claims.
struct AccessClaims {
  std::string jti;
  std::string sub;
  std::optional<std::string> family;
  int64_t issued_ms = 0;
  int64_t expires_s = 0;
};

class VerifiedTokens {
 public:
  VerifiedTokens();

  struct Hit {
    AccessClaims claims;
    std::optional<Principal> principal;  // when nothing was written since it was checked
  };
  // Nothing for a token not kept or expired at `now_s`.
  std::optional<Hit> find(const std::string& token, uint64_t data_version, int64_t now_s);
  // After a full check that `principal` holds, made at `data_version` (read before its reads).
  void remember(const std::string& token, const AccessClaims& claims, uint64_t data_version, const Principal& principal);

 private:
  struct Entry {
    AccessClaims claims;
    uint64_t data_version = 0;
    Principal principal;
  };
  std::string digest_of(const std::string& token) const;

  const std::string key_;
  std::mutex mutex_;
  std::unordered_map<std::string, Entry> entries_;  // by digest_of(token)
};

}  // namespace iron::domain
