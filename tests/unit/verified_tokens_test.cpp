// domain::VerifiedTokens: what a request with a token seen before may skip. The revocation
// paths themselves (logout, suspension, role and password changes seen by the very next
// request) are driven over HTTP in tests/api/identity_*; these cases pin the rules.
#include "domain/verified_tokens.h"

#include <gtest/gtest.h>

namespace {

using iron::domain::AccessClaims;
using iron::domain::Principal;
using iron::domain::VerifiedTokens;

constexpr int64_t kNow = 1'800'000'000;

AccessClaims claims_until(int64_t expires_s) { return {"jti-1", "user-1", "family-1", kNow * 1000, expires_s}; }

Principal principal_named(const std::string& user_id) {
  Principal p;
  p.user_id = user_id;
  return p;
}

TEST(VerifiedTokens, AnUnknownTokenIsNotFound) {
  VerifiedTokens tokens;
  tokens.remember("token-a", claims_until(kNow + 60), 7, principal_named("user-1"));
  EXPECT_FALSE(tokens.find("token-b", 7, kNow));
}

TEST(VerifiedTokens, TheCheckIsReusedOnlyAtTheSameDataVersion) {
  VerifiedTokens tokens;
  tokens.remember("token-a", claims_until(kNow + 60), 7, principal_named("user-1"));
  const auto same = tokens.find("token-a", 7, kNow);
  ASSERT_TRUE(same);
  ASSERT_TRUE(same->principal);
  EXPECT_EQ(same->principal->user_id, "user-1");
  // A write committed since: the claims stay verified, the user must be read again.
  const auto later = tokens.find("token-a", 8, kNow);
  ASSERT_TRUE(later);
  EXPECT_FALSE(later->principal);
  EXPECT_EQ(later->claims.jti, "jti-1");
  EXPECT_EQ(later->claims.family, "family-1");
}

TEST(VerifiedTokens, AnExpiredTokenIsForgotten) {
  VerifiedTokens tokens;
  tokens.remember("token-a", claims_until(kNow + 1), 7, principal_named("user-1"));
  EXPECT_TRUE(tokens.find("token-a", 7, kNow));
  EXPECT_FALSE(tokens.find("token-a", 7, kNow + 1));
  EXPECT_FALSE(tokens.find("token-a", 7, kNow)) << "dropped once seen expired";
}

TEST(VerifiedTokens, ALaterCheckReplacesTheEarlierOne) {
  VerifiedTokens tokens;
  tokens.remember("token-a", claims_until(kNow + 60), 7, principal_named("user-1"));
  tokens.remember("token-a", claims_until(kNow + 60), 9, principal_named("user-1-renamed"));
  EXPECT_FALSE(tokens.find("token-a", 7, kNow)->principal);
  EXPECT_EQ(tokens.find("token-a", 9, kNow)->principal->user_id, "user-1-renamed");
}

}  // namespace
