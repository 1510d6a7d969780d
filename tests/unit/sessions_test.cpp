// Domain-level session rules that are awkward to reach over HTTP without waiting: the login
// throttle's backoff arithmetic, what a successful login forgets, and purging expired
// revocations.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <filesystem>

#include "domain/accounts.h"
#include "domain/login_throttle.h"
#include "domain/sessions.h"
#include "security/password.h"
#include "security/random.h"
#include "store/login_failure_repo.h"
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
};

}  // namespace

// The throttle's arithmetic, table-driven at fixed instants (over HTTP the waits would need
// real minutes): free failures, the doubling backoff after the latest failure and its cap,
// the per-source limit across accounts, and the window forgetting old failures.
TEST(LoginThrottle, WaitFollowsFreeFailuresBackoffAndTheSourceLimit) {
  using iron::store::FailureWindow;
  const iron::domain::LoginThrottlePolicy policy;  // 5 free, 30 s doubling to 15 min, 20 per source
  constexpr int64_t now = 10'000'000;
  constexpr int64_t s = 1000;
  auto pair = [](int64_t n, int64_t newest) { return FailureWindow{n, newest - 60 * s, newest}; };
  struct Case {
    const char* name;
    FailureWindow pair, source;
    int64_t wait_s;
  };
  const std::vector<Case> cases = {
      {"no failures", {}, {}, 0},
      {"four failures: still free", pair(4, now), pair(4, now), 0},
      {"fifth failure just now: 30 s", pair(5, now), pair(5, now), 30},
      {"fifth failure 10 s ago", pair(5, now - 10 * s), pair(5, now - 10 * s), 20},
      {"fifth failure 30 s ago: may try", pair(5, now - 30 * s), pair(5, now - 30 * s), 0},
      {"sixth failure: 60 s", pair(6, now), pair(6, now), 60},
      {"eighth failure: 240 s", pair(8, now), pair(8, now), 240},
      {"many failures: capped at 15 min", pair(60, now), pair(60, now), 900},
      {"source limit: wait for the oldest to leave the window", {}, FailureWindow{20, now - 600 * s, now}, 300},
      {"nineteen at the source is still fine", {}, FailureWindow{19, now - 600 * s, now}, 0},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    EXPECT_EQ(iron::domain::login_wait_s(policy, c.pair, c.source, now), c.wait_s);
  }
}

// A guess is recorded before the password hash; the right password forgets this source's
// failures at this account (and the answer never depends on whether the account exists).
TEST(Sessions, TheRightPasswordForgetsThisSourcesFailuresOnly) {
  Fixture f;
  auto count = [&](const std::string& source) {
    return f.db.read([&](iron::store::Connection& c) {
      return iron::store::login_failures::for_pair(c, source, "alice@example.com", 0).count;
    });
  };
  iron::domain::RequestContext elsewhere = f.ctx;
  elsewhere.client_ip = "198.51.100.9";
  for (int i = 0; i < 3; ++i) EXPECT_FALSE(f.sessions.login("Alice@Example.com", "wrong-password", f.ctx).ok());
  EXPECT_FALSE(f.sessions.login("alice@example.com", "wrong-password", elsewhere).ok());
  EXPECT_EQ(count(f.ctx.client_ip), 3) << "the key is the email lower-cased";
  EXPECT_TRUE(f.sessions.login("alice@example.com", "alice-password-long", f.ctx).ok());
  EXPECT_EQ(count(f.ctx.client_ip), 0);
  EXPECT_EQ(count(elsewhere.client_ip), 1) << "another source's failures stay";
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
