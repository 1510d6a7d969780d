#include "security/password.h"

#include <sodium.h>

#include <stdexcept>

#include "util/blocking.h"

namespace iron::security {
namespace {
// Interactive limits (64 MiB, 2 passes, ~70 ms here): the OWASP-recommended floor for
// argon2id; a login must stay cheap enough that the rate limiter, not the CPU, is the gate.
constexpr unsigned long long kOpsLimit = crypto_pwhash_OPSLIMIT_INTERACTIVE;
constexpr size_t kMemLimit = crypto_pwhash_MEMLIMIT_INTERACTIVE;

const std::string& dummy_hash() {
  static const std::string h = hash_password("ironpanel-dummy-password-for-timing");
  return h;
}
}  // namespace

// argon2id keeps a core busy for tens of milliseconds (before_blocking: others serve meanwhile).
std::string hash_password(std::string_view password) {
  util::before_blocking();
  char out[crypto_pwhash_STRBYTES];
  if (crypto_pwhash_str_alg(out, password.data(), password.size(), kOpsLimit, kMemLimit,
                            crypto_pwhash_ALG_ARGON2ID13) != 0)
    throw std::runtime_error("argon2id hashing failed (out of memory)");
  return out;
}

bool verify_password(std::string_view stored_hash, std::string_view password) {
  util::before_blocking();
  const std::string h(stored_hash);  // needs NUL termination
  return crypto_pwhash_str_verify(h.c_str(), password.data(), password.size()) == 0;
}

bool verify_password_against_dummy(std::string_view password) {
  (void)verify_password(dummy_hash(), password);
  return false;
}

}  // namespace iron::security
