// domain::ProviderKeys below HTTP: the decrypt helper (the owner only, admins included;
// disabled keys refused), the sealing of credentials in base_url, the row binding of the sealed key (a ciphertext moved
// to another row, or a row re-owned in the database, does not open), the master key, and
// the masking and validation rules.
#include <gtest/gtest.h>

#include <filesystem>
#include <stdlib.h>
#include <vector>

#include "domain/provider_keys.h"
#include "security/random.h"
#include "store/database.h"
#include "store/user_repo.h"
#include "temp_db.h"

namespace {

using iron::ErrorKind;
using iron::domain::Principal;
using iron::domain::ProviderKeys;
using iron::domain::Role;

class ProviderKeysDomain : public ::testing::Test {
 protected:
  void SetUp() override {
    iron::security::init();
    db_ = std::make_unique<iron::store::Database>(dir_.db_path());
    master_ = iron::security::random_bytes(32);
    keys_ = std::make_unique<ProviderKeys>(*db_, master_);
    alice_ = user("alice", Role::user);
    bob_ = user("bob", Role::user);
    admin_ = user("root", Role::admin);
  }
  void TearDown() override {
    keys_.reset();
    db_.reset();
  }

  Principal user(const std::string& name, Role role) {
    Principal p;
    p.user_id = "user_" + iron::security::uuid_v4();
    insert_user(*db_, p.user_id, std::string(iron::domain::role_name(role)), name);
    p.role = role;
    return p;
  }

  int64_t create(const Principal& owner, const std::string& secret, const std::string& provider = "openai") {
    auto k = keys_->create(owner, {provider, secret, std::nullopt, std::nullopt}, ctx_);
    EXPECT_TRUE(k.ok()) << (k.ok() ? "" : k.error().message);
    return k.ok() ? k->id : 0;
  }

  void sql(const std::string& statement) {
    db_->write([&](iron::store::Connection& c) {
      c.exec(statement);
      return 0;
    });
  }

  TempDbDir dir_;  // before db_: outlives it
  std::unique_ptr<iron::store::Database> db_;
  std::string master_;
  std::unique_ptr<ProviderKeys> keys_;
  Principal alice_, bob_, admin_;
  iron::domain::RequestContext ctx_;
};

}  // namespace

TEST_F(ProviderKeysDomain, PlaintextKeyForTheOwnerOnlyNotForAdmins) {
  const int64_t id = create(alice_, "sk-alice-0123456789abcdef");
  auto own = keys_->plaintext_key(id, alice_);
  ASSERT_TRUE(own.ok());
  EXPECT_EQ(*own, "sk-alice-0123456789abcdef");
  auto admin = keys_->plaintext_key(id, admin_);
  ASSERT_FALSE(admin.ok());
  EXPECT_EQ(admin.error().kind, ErrorKind::not_found);

  auto other = keys_->plaintext_key(id, bob_);
  ASSERT_FALSE(other.ok());
  EXPECT_EQ(other.error().kind, ErrorKind::not_found);
  auto missing = keys_->plaintext_key(id + 1000, alice_);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found);
  EXPECT_EQ(missing.error().message, other.error().message) << "another user's key looks like no key";
}

TEST_F(ProviderKeysDomain, DisabledKeysAreNotHandedOut) {
  const int64_t id = create(alice_, "sk-alice-0123456789abcdef");
  iron::domain::ProviderKeyChanges off;
  off.is_enabled = false;
  ASSERT_TRUE(keys_->update(alice_, id, off, ctx_).ok());
  auto r = keys_->plaintext_key(id, alice_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::forbidden);
  EXPECT_EQ(r.error().code, "KEY_DISABLED");
}

TEST_F(ProviderKeysDomain, ACiphertextMovedToAnotherRowDoesNotOpen) {
  const int64_t a = create(alice_, "sk-first-0123456789abcdef");
  const int64_t b = create(alice_, "sk-second-0123456789abcdef");
  sql("UPDATE provider_keys SET ciphertext = (SELECT ciphertext FROM provider_keys WHERE id = " + std::to_string(a) +
      "), nonce = (SELECT nonce FROM provider_keys WHERE id = " + std::to_string(a) + ") WHERE id = " +
      std::to_string(b));
  auto moved = keys_->plaintext_key(b, alice_);
  ASSERT_FALSE(moved.ok());
  EXPECT_EQ(moved.error().kind, ErrorKind::internal);
  EXPECT_EQ(moved.error().message.find("sk-first"), std::string::npos);
  EXPECT_TRUE(keys_->plaintext_key(a, alice_).ok()) << "the original row still opens";
}

TEST_F(ProviderKeysDomain, ARowReOwnedOrReTypedInTheDatabaseDoesNotOpen) {
  const int64_t a = create(alice_, "sk-alice-0123456789abcdef");
  sql("UPDATE provider_keys SET owner_id = '" + bob_.user_id + "' WHERE id = " + std::to_string(a));
  auto stolen = keys_->plaintext_key(a, bob_);
  ASSERT_FALSE(stolen.ok());
  EXPECT_EQ(stolen.error().kind, ErrorKind::internal);

  const int64_t b = create(alice_, "sk-alice-abcdef0123456789");
  sql("UPDATE provider_keys SET provider = 'anthropic' WHERE id = " + std::to_string(b));
  EXPECT_FALSE(keys_->plaintext_key(b, alice_).ok());
}

TEST_F(ProviderKeysDomain, AnotherMasterKeyCannotOpenTheKeys) {
  const int64_t id = create(alice_, "sk-alice-0123456789abcdef");
  ProviderKeys other(*db_, iron::security::random_bytes(32));
  auto r = other.plaintext_key(id, alice_);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::internal);
  EXPECT_TRUE(ProviderKeys(*db_, master_).plaintext_key(id, alice_).ok()) << "the same key after a restart does";
  EXPECT_THROW(ProviderKeys(*db_, std::string(16, 'k')), std::invalid_argument);
}

TEST_F(ProviderKeysDomain, UrlCredentialsAreMasked) {
  using iron::domain::mask_url_credentials;
  struct Case {
    std::string in, out;
  };
  const std::vector<Case> cases = {
      {"https://user:pw@host.test/v1", "https://***@host.test/v1"},
      {"http://token@host.test", "http://***@host.test"},
      {"https://u:p@ss@host.test:8443/x?y=1", "https://***@host.test:8443/x?y=1"},
      {"https://host.test/v1/path@with-at", "https://host.test/v1/path@with-at"},
      {"https://host.test?q=a@b", "https://host.test?q=a@b"},
      {"https://host.test", "https://host.test"},
  };
  for (const auto& c : cases) EXPECT_EQ(mask_url_credentials(c.in), c.out) << c.in;
}

// Rows written before migration 008 hold credentials in clear; the startup pass seals them.
TEST_F(ProviderKeysDomain, LegacyBaseUrlCredentialsAreSealedAtStartup) {
  const int64_t id = create(alice_, "sk-alice-0123456789abcdef");
  sql("UPDATE provider_keys SET base_url = 'https://user:legacy-pw@host.test/v1' WHERE id = " + std::to_string(id));
  // Masked in views even before the pass.
  EXPECT_EQ(keys_->get(alice_, id)->base_url, "https://***@host.test/v1");
  EXPECT_EQ(keys_->seal_embedded_credentials(), 1u);
  EXPECT_EQ(keys_->seal_embedded_credentials(), 0u) << "idempotent";
  const auto row = db_->read([&](iron::store::Connection& c) { return iron::store::provider_keys::find(c, id); });
  ASSERT_TRUE(row);
  EXPECT_EQ(row->base_url, "https://***@host.test/v1");
  auto full = keys_->open_base_url(*row);
  ASSERT_TRUE(full.ok());
  EXPECT_EQ(*full, "https://user:legacy-pw@host.test/v1");
}

TEST_F(ProviderKeysDomain, MaskKeepsAtMostFourCharactersAtEachEnd) {
  struct Case {
    std::string key, masked;
  };
  for (const auto& tc : std::vector<Case>{{"sk-abcdefghijklmnopqrstuvwxyz", "sk-a...wxyz"},
                                          {"0123456789abcdef", "0123...cdef"},
                                          {"0123456789abcde", "***"},
                                          {"k", "***"}}) {
    SCOPED_TRACE(tc.key);
    const auto m = iron::domain::key_mask(tc.key);
    EXPECT_EQ(iron::domain::masked_key(m.prefix, m.suffix), tc.masked);
    EXPECT_LE(m.prefix.value_or("").size(), 4u);
    EXPECT_LE(m.suffix.value_or("").size(), 4u);
  }
}

TEST_F(ProviderKeysDomain, ValidationRules) {
  using namespace iron::domain;
  using Strings = std::vector<std::string>;
  for (const std::string& ok : Strings{"openai", "anthropic", "a", "azure_openai", "my-gateway-2", std::string(64, 'z')})
    EXPECT_FALSE(check_provider_slug(ok)) << ok;
  for (const std::string& bad : Strings{"", "OpenAI", "open ai", "open.ai", "open/ai", "é", std::string(65, 'z')})
    EXPECT_TRUE(check_provider_slug(bad)) << bad;
  EXPECT_FALSE(check_api_key(std::string(500, 'k')));
  for (const std::string& bad : Strings{std::string(), std::string(501, 'k'), std::string("a b"), std::string("a\tb"),
                                std::string("a\0b", 3), std::string("\x7f"), std::string("k\xc3\xa9")})
    EXPECT_TRUE(check_api_key(bad)) << bad;
  for (const std::string& ok : Strings{"", "https://api.openai.com/v1", "http://localhost:8080", "https://" + std::string(1992, 'a')})
    EXPECT_FALSE(check_base_url(ok)) << ok;
  for (const std::string& bad : Strings{"https://", "http://", "ftp://x", "HTTPS://x", "//x", "https://a b", "https://a\nb",
                                "https://" + std::string(1993, 'a')})
    EXPECT_TRUE(check_base_url(bad)) << bad;
  EXPECT_FALSE(check_description(std::string(500, 'd')));
  EXPECT_TRUE(check_description(std::string(501, 'd')));
  for (const std::string& ok : Strings{"p", "my project/with slash?", "проект", "emoji-\xf0\x9f\x98\x80", std::string(500, 'p')})
    EXPECT_FALSE(check_project_id(ok)) << ok;
  for (const std::string& bad : Strings{std::string(), std::string(501, 'p'), std::string("\xff"), std::string("\xc0\xaf"),
                                std::string("\xed\xa0\x80"), std::string("\xe2\x82"), std::string("a\x01"),
                                std::string("a\x7f")})
    EXPECT_TRUE(check_project_id(bad)) << bad;
}
