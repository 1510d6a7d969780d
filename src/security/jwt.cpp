#include "security/jwt.h"

#include "security/crypto.h"

namespace iron::security {

std::string JwtSigner::sign(const nlohmann::json& claims) const {
  static const std::string header = base64url_encode(R"({"alg":"HS256","typ":"JWT"})");
  const std::string signing_input = header + "." + base64url_encode(claims.dump());
  return signing_input + "." + base64url_encode(hmac_sha256(key_, signing_input));
}

std::optional<nlohmann::json> JwtSigner::verify(const std::string& token, int64_t now_s, bool* expired) const {
  if (expired) *expired = false;
  if (token.size() > 4096) return std::nullopt;
  const auto dot1 = token.find('.');
  const auto dot2 = token.find('.', dot1 == std::string::npos ? 0 : dot1 + 1);
  if (dot1 == std::string::npos || dot2 == std::string::npos || token.find('.', dot2 + 1) != std::string::npos)
    return std::nullopt;
  const auto sig = base64url_decode(std::string_view(token).substr(dot2 + 1));
  if (!sig || !constant_time_equal(*sig, hmac_sha256(key_, std::string_view(token).substr(0, dot2)))) return std::nullopt;
  const auto header = base64url_decode(std::string_view(token).substr(0, dot1));
  const auto payload = base64url_decode(std::string_view(token).substr(dot1 + 1, dot2 - dot1 - 1));
  if (!header || !payload) return std::nullopt;
  const auto h = nlohmann::json::parse(*header, nullptr, false);
  if (!h.is_object() || h.value("alg", "") != "HS256") return std::nullopt;
  auto claims = nlohmann::json::parse(*payload, nullptr, false);
  if (!claims.is_object() || !claims.contains("exp") || !claims["exp"].is_number_integer()) return std::nullopt;
  if (claims["exp"].get<int64_t>() <= now_s) {
    if (expired) *expired = true;
    return std::nullopt;
  }
  return claims;
}

}  // namespace iron::security
