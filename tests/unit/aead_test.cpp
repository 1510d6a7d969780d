// Secrets at rest: XChaCha20-Poly1305 seal/open under the master key, with associated data
// binding each ciphertext to its row.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>

#include "security/aead.h"
#include "security/random.h"

namespace aead = iron::security::aead;

namespace {

std::string key() {
  iron::security::init();
  return iron::security::random_bytes(aead::kKeyBytes);
}

constexpr const char* kSecret = "sk-proj-0123456789abcdefghijklmnopqrstuvwxyz";
constexpr const char* kRow = "provider_key:7:user_a:openai";

}  // namespace

TEST(Aead, RoundTripsAnyPlaintext) {
  const std::string k = key();
  for (const std::string& plain : {std::string(kSecret), std::string(), std::string(500, 'x'),
                                  std::string("bin\0ary\xff", 8)}) {
    const auto sealed = aead::seal(k, plain, kRow);
    EXPECT_EQ(sealed.nonce.size(), aead::kNonceBytes);
    EXPECT_EQ(sealed.ciphertext.size(), plain.size() + aead::kTagBytes);
    const auto opened = aead::open(k, sealed, kRow);
    ASSERT_TRUE(opened.has_value());
    EXPECT_EQ(*opened, plain);
  }
}

TEST(Aead, CiphertextHidesThePlaintextAndNoncesAreFresh) {
  const std::string k = key();
  const auto a = aead::seal(k, kSecret, kRow);
  const auto b = aead::seal(k, kSecret, kRow);
  EXPECT_NE(a.nonce, b.nonce) << "every seal draws a new random nonce";
  EXPECT_NE(a.ciphertext, b.ciphertext);
  EXPECT_EQ(a.ciphertext.find("sk-proj"), std::string::npos);
  EXPECT_EQ(a.ciphertext.find("abcdefgh"), std::string::npos);
}

TEST(Aead, AnyTamperedByteFailsToOpen) {
  const std::string k = key();
  const auto sealed = aead::seal(k, kSecret, kRow);
  for (size_t i = 0; i < sealed.ciphertext.size(); ++i) {
    auto bad = sealed;
    bad.ciphertext[i] = static_cast<char>(bad.ciphertext[i] ^ 0x01);
    EXPECT_FALSE(aead::open(k, bad, kRow).has_value()) << "ciphertext byte " << i;
  }
  for (size_t i = 0; i < sealed.nonce.size(); ++i) {
    auto bad = sealed;
    bad.nonce[i] = static_cast<char>(bad.nonce[i] ^ 0x80);
    EXPECT_FALSE(aead::open(k, bad, kRow).has_value()) << "nonce byte " << i;
  }
  auto truncated = sealed;
  truncated.ciphertext.pop_back();
  EXPECT_FALSE(aead::open(k, truncated, kRow).has_value());
  auto too_short = sealed;
  too_short.ciphertext.resize(aead::kTagBytes - 1);
  EXPECT_FALSE(aead::open(k, too_short, kRow).has_value());
  auto short_nonce = sealed;
  short_nonce.nonce.resize(12);  // an AES-GCM-sized nonce is not accepted
  EXPECT_FALSE(aead::open(k, short_nonce, kRow).has_value());
}

TEST(Aead, WrongAssociatedDataFailsToOpen) {
  const std::string k = key();
  const auto sealed = aead::seal(k, kSecret, kRow);
  // A ciphertext copied into another row (other id, other owner, other provider) is refused.
  for (const char* other : {"provider_key:8:user_a:openai", "provider_key:7:user_b:openai",
                            "provider_key:7:user_a:anthropic", "", "provider_key:7:user_a:openai "})
    EXPECT_FALSE(aead::open(k, sealed, other).has_value()) << other;
  EXPECT_TRUE(aead::open(k, sealed, kRow).has_value());
}

TEST(Aead, WrongKeyFailsToOpen) {
  const std::string k = key();
  const auto sealed = aead::seal(k, kSecret, kRow);
  std::string flipped = k;
  flipped[31] = static_cast<char>(flipped[31] ^ 0x01);
  EXPECT_FALSE(aead::open(flipped, sealed, kRow).has_value());
  EXPECT_FALSE(aead::open(key(), sealed, kRow).has_value());
}

TEST(Aead, KeyOfTheWrongSizeIsAProgrammingError) {
  EXPECT_THROW(aead::seal(std::string(31, 'k'), kSecret, kRow), std::invalid_argument);
  EXPECT_THROW(aead::seal(std::string(33, 'k'), kSecret, kRow), std::invalid_argument);
  const auto sealed = aead::seal(key(), kSecret, kRow);
  EXPECT_THROW((void)aead::open(std::string(), sealed, kRow), std::invalid_argument);
}
