// The JWT verifier on arbitrary tokens (never crashes, never accepts what it did not sign),
// and sign/verify round trips of arbitrary JSON claims. Input: first byte picks the mode.
#include <cstddef>
#include <cstdint>
#include <cstdlib>
#include <string>

#include <nlohmann/json.hpp>

#include "security/jwt.h"
#include "security/random.h"

namespace {
constexpr int64_t kNow = 1'800'000'000;
const iron::security::JwtSigner& signer() {
  static const iron::security::JwtSigner s(std::string(32, 'k'));
  return s;
}
}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  iron::security::init();
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  if (size == 0) return 0;
  const std::string text(reinterpret_cast<const char*>(data) + 1, size - 1);
  if (data[0] & 1) {
    // Round trip: whatever claims we sign verify to the same claims while unexpired.
    auto claims = nlohmann::json::parse(text, nullptr, false);
    if (!claims.is_object()) return 0;
    claims["exp"] = kNow + 60;
    const auto token = signer().sign(claims);
    bool expired = true;
    const auto back = signer().verify(token, kNow, &expired);
    if (!back || *back != claims || expired) std::abort();
    if (signer().verify(token, kNow + 61, &expired) || !expired) std::abort();
    return 0;
  }
  // Arbitrary token text. The key is not in the input, so a token that verifies was signed
  // by us: it must be exactly what we sign for its claims (no malleable encodings).
  if (const auto claims = signer().verify(text, kNow)) {
    if (signer().sign(*claims) != text) std::abort();
  }
  return 0;
}
