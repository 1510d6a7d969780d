#pragma once
// JSON Web Tokens, HS256 only (the algorithm is fixed on both sides: a token's "alg" header
// must say HS256 or it is rejected, which rules out alg=none and key-confusion tricks).
#include <cstdint>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

namespace iron::security {

class JwtSigner {
 public:
  explicit JwtSigner(std::string key) : key_(std::move(key)) {}
  std::string sign(const nlohmann::json& claims) const;
  // The claims when the signature is valid and the token is not expired at `now_s`
  // (no leeway: our own clock issued it). nullopt otherwise; `expired` tells why.
  std::optional<nlohmann::json> verify(const std::string& token, int64_t now_s, bool* expired = nullptr) const;

 private:
  std::string key_;
};

}  // namespace iron::security
