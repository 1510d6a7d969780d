// Domain-level session rules that are awkward to reach over HTTP without waiting: the
// lockout expiry resetting its counter, and purging expired revocations.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "domain/accounts.h"
#include "domain/sessions.h"
#include "security/password.h"
#include "security/random.h"
#include "store/session_repo.h"
#include "store/user_repo.h"
#include "util/clock.h"

namespace {

struct Fixture {
  std::string path = [] {
    std::string dir = (std::filesystem::temp_directory_path() / "ironpanel-sessions-XXXXXX").string();
    EXPECT_NE(mkdtemp(dir.data()), nullptr);
    return dir + "/iron.db";
  }();
  iron::store::Database db{path};
  iron::domain::Sessions sessions{db, iron::security::JwtSigner(std::string(32, 'k') + "unit-test-key"),
                                  iron::domain::SessionPolicy{}};
  iron::domain::RequestContext ctx = [] {
    iron::domain::RequestContext c;
    c.client_ip = "192.0.2.1";
    return c;
  }();

  Fixture() {
    iron::security::init();
    iron::domain::Accounts accounts(db);
    iron::domain::NewUser u;
    u.username = "alice";
    u.email = "alice@example.com";
    u.password = "alice-password-long";
    EXPECT_TRUE(accounts.create(u, ctx).ok());
  }
  iron::store::User user() {
    return *db.read([](iron::store::Connection& c) { return iron::store::users::find_by_email(c, "alice@example.com"); });
  }
};

}  // namespace

TEST(Sessions, AnExpiredLockoutStartsAFreshCount) {
  Fixture f;
  const int64_t now = iron::util::to_unix_ms(iron::util::now());
  f.db.write([&](iron::store::Connection& c) {
    auto u = *iron::store::users::find_by_email(c, "alice@example.com");
    u.failed_logins = 10;
    u.locked_until = now - 1000;  // the lock ran out a second ago
    iron::store::users::update(c, u);
    return 0;
  });
  auto r = f.sessions.login("alice@example.com", "wrong-password", f.ctx);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "AUTH_INVALID_CREDENTIALS") << "the expired lock must not answer AUTH_ACCOUNT_LOCKED";
  EXPECT_EQ(f.user().failed_logins, 1) << "the counter restarts when the lock expires";
  EXPECT_FALSE(f.user().locked_until.has_value());
  auto ok = f.sessions.login("alice@example.com", "alice-password-long", f.ctx);
  EXPECT_TRUE(ok.ok());
  EXPECT_EQ(f.user().failed_logins, 0);
}

TEST(Sessions, ExpiredRevocationsArePurgedLiveOnesKept) {
  Fixture f;
  const int64_t now = iron::util::to_unix_ms(iron::util::now());
  f.db.write([&](iron::store::Connection& c) {
    iron::store::sessions::revoke_access(c, "expired-jti", now - 1);
    iron::store::sessions::revoke_access(c, "live-jti", now + 600000);
    return 0;
  });
  EXPECT_GE(f.sessions.purge_expired(), 1);
  f.db.read([&](iron::store::Connection& c) {
    EXPECT_FALSE(iron::store::sessions::access_revoked(c, "expired-jti"));
    EXPECT_TRUE(iron::store::sessions::access_revoked(c, "live-jti"));
    return 0;
  });
}
