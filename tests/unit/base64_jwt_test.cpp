// Base64 decoding accepts only its variant's alphabet, so a signed token has exactly one
// spelling (the JWT fuzz harness found libsodium reading "\x9d" as '_').
#include <gtest/gtest.h>

#include <string>

#include "security/crypto.h"
#include "security/jwt.h"
#include "security/random.h"

namespace sec = iron::security;

TEST(Base64, EachVariantDecodesOnlyItsOwnAlphabet) {
  struct Case { std::string text; bool url_ok; bool std_ok; };
  const Case cases[] = {
      {"QUJD", true, true},   {"-_8", true, false}, {"+/8=", false, true}, {"QU\x9d" "D", false, false},
      {"QU\xff" "D", false, false}, {"QU D", false, false}, {std::string("QU\0D", 4), false, false}};
  for (const auto& c : cases) {
    EXPECT_EQ(sec::base64url_decode(c.text).has_value(), c.url_ok) << c.text;
    EXPECT_EQ(sec::base64_decode(c.text).has_value(), c.std_ok) << c.text;
  }
}

TEST(Base64, AJwtWithANonAsciiByteInItsSignatureIsRefused) {
  sec::init();
  const sec::JwtSigner signer(std::string(32, 'k'));
  const std::string token = signer.sign({{"exp", 1'800'000'060}, {"sub", "1"}});
  ASSERT_TRUE(signer.verify(token, 1'800'000'000));
  for (size_t i = token.rfind('.') + 1; i < token.size(); ++i) {
    if (token[i] != '_' && token[i] != '-') continue;
    std::string forged = token;
    forged[i] = '\x9d';
    EXPECT_FALSE(signer.verify(forged, 1'800'000'000)) << "at " << i;
  }
  std::string forged = token;
  forged.back() = '\x9d';
  EXPECT_FALSE(signer.verify(forged, 1'800'000'000));
}
