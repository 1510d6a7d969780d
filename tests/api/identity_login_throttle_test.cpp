// Login abuse over real HTTP: guesses are counted before the password hash (a parallel burst
// gets at most the limit evaluated), the throttle is per source address so failures from
// anywhere cannot lock the real user out, unknown and existing accounts answer alike, and an
// admin can lift a throttle. Each test has its own server: the failures it records would
// throttle other tests. The test client is on loopback, a trusted proxy by default, so
// X-Forwarded-For chooses the source address.
#include <gtest/gtest.h>

#include <barrier>
#include <map>
#include <thread>

#include "support/panel.h"

using namespace iron::test;

namespace {

constexpr int kFreeFailures = 5;  // per (source, account): LoginThrottlePolicy::free_failures

httplib::Headers from(const std::string& source) { return {{"X-Forwarded-For", source}}; }

Reply login_from(const ServerProcess& s, const std::string& source, const std::string& email, const std::string& password) {
  return login_reply(s, email, password, from(source));
}

}  // namespace

TEST(IdentityLoginThrottle, FiveFailuresFromOneSourceThen429WithRetryAfter) {
  ServerProcess server(admin_options());
  for (int i = 0; i < kFreeFailures; ++i)
    EXPECT_EQ(login_from(server, "192.0.2.10", kAdminEmail, "wrong-password-" + std::to_string(i)).status, 401);
  const Reply limited = login_from(server, "192.0.2.10", kAdminEmail, kAdminPassword);
  EXPECT_EQ(limited.status, 429) << "even the right password waits at this source: " << limited.raw;
  EXPECT_EQ(limited.code(), "RATE_LIMIT_EXCEEDED");
  ASSERT_FALSE(limited.header("Retry-After").empty()) << limited.raw;
  const int retry = std::stoi(limited.header("Retry-After"));
  EXPECT_GT(retry, 0);
  EXPECT_LE(retry, 15 * 60);
  EXPECT_EQ(limited.body["error"]["details"]["retry_after"], retry);
  // Another source is not affected, the right password signs in there.
  EXPECT_EQ(login_from(server, "203.0.113.50", kAdminEmail, kAdminPassword).status, 200);
}

// 16 guesses at once from one address: each must be counted before its (slow) password hash,
// so no more than the free failures are evaluated; the rest are refused at once.
TEST(IdentityLoginThrottle, AParallelBurstGetsAtMostTheLimitEvaluated) {
  Panel p(admin_options());
  constexpr int kBurst = 16;
  std::vector<int> statuses(kBurst, 0);
  std::barrier start(kBurst);
  std::vector<std::thread> threads;
  for (int i = 0; i < kBurst; ++i) {
    threads.emplace_back([&, i] {
      start.arrive_and_wait();
      statuses[i] = login_from(p.server(), "192.0.2.77", kAdminEmail, "burst-guess-" + std::to_string(i)).status;
    });
  }
  for (auto& t : threads) t.join();
  std::map<int, int> by_status;
  for (int s : statuses) ++by_status[s];
  EXPECT_GE(by_status[401], 1);
  EXPECT_LE(by_status[401], kFreeFailures) << "guesses evaluated beyond the limit";
  EXPECT_EQ(by_status[401] + by_status[429], kBurst) << "every answer is 401 or 429";
  // The audit log agrees: no more failed logins were recorded than guesses evaluated.
  const Reply audit = p.call("GET", "/api/v1/audit?action=auth.login_failed&limit=100", p.admin.token);
  ASSERT_EQ(audit.status, 200) << audit.raw;
  EXPECT_EQ(static_cast<int>(audit.body["items"].size()), by_status[401]);
}

// Failures from many sources (here: rotating X-Forwarded-For through the trusted proxy, more
// than the old lockout's ten) never lock the account: the admin still signs in from
// another address, and from the proxy's own address.
TEST(IdentityLoginThrottle, RotatingSourcesCannotLockTheAdminOut) {
  ServerProcess server(admin_options());
  for (int i = 1; i <= 12; ++i) {
    const Reply r = login_from(server, "198.51.100." + std::to_string(i), kAdminEmail, "wrong-password");
    EXPECT_EQ(r.status, 401) << i << ": " << r.raw;
  }
  const Reply fresh_source = login_from(server, "198.51.100.200", kAdminEmail, kAdminPassword);
  EXPECT_EQ(fresh_source.status, 200) << fresh_source.raw;
  EXPECT_EQ(login_reply(server, kAdminEmail, kAdminPassword).status, 200);
}

// No oracle: an email that exists and one that does not get the same answers — after many
// failures from many sources (where the old lockout answered 403 for real accounts only),
// and when one source is throttled. The unknown one costs the same dummy hash.
TEST(IdentityLoginThrottle, UnknownAndExistingEmailsGetTheSameAnswers) {
  ServerProcess server(admin_options());
  struct Outcome {
    std::vector<int> statuses;
    std::vector<json> errors;
  };
  auto attack = [&](const std::string& email, const std::string& net) {
    Outcome o;
    auto attempt = [&](const std::string& source) {
      const Reply r = login_from(server, source, email, "wrong-password");
      o.statuses.push_back(r.status);
      o.errors.push_back({{"code", r.body["error"]["code"]}, {"message", r.body["error"]["message"]}});
    };
    for (int i = 1; i <= 12; ++i) attempt(net + std::to_string(i));        // many sources, once each
    for (int i = 0; i <= kFreeFailures; ++i) attempt(net + "200");          // one source, past its limit
    return o;
  };
  const Outcome known = attack(kAdminEmail, "198.51.100.");
  const Outcome unknown = attack("ghost@example.com", "203.0.113.");
  EXPECT_EQ(known.statuses, unknown.statuses);
  EXPECT_EQ(known.errors, unknown.errors);
  EXPECT_EQ(known.statuses.front(), 401);
  EXPECT_EQ(known.statuses.back(), 429);
}

// The admin unlock: lifts a user's throttle for every source, audited, admin-only.
TEST(IdentityLoginThrottle, AdminUnlockLiftsTheThrottleAndIsAudited) {
  Panel p(admin_options());
  const std::string& admin = p.admin.token;
  const Account u = create_account(p.server(), admin, "user", "throttled");  // not signed in: it is throttled below
  const Account other = p.add_user("user", "bystander");
  ASSERT_FALSE(u.id.empty());
  for (int i = 0; i < kFreeFailures; ++i)
    ASSERT_EQ(login_from(p.server(), "192.0.2.44", u.email, "mistyped-password-" + std::to_string(i)).status, 401);
  ASSERT_EQ(login_from(p.server(), "192.0.2.44", u.email, u.password).status, 429);

  const std::string unlock = "/api/v1/users/" + u.id + "/unlock";
  EXPECT_EQ(send(p.server(), {.method = "POST", .path = unlock, .token = other.token}).status, 403);
  EXPECT_EQ(send(p.server(), {.method = "POST", .path = unlock}).status, 401);
  EXPECT_EQ(login_from(p.server(), "192.0.2.44", u.email, u.password).status, 429) << "refused unlocks changed nothing";

  const Reply r = send(p.server(), {.method = "POST", .path = unlock, .token = admin});
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["user"]["id"], u.id);
  EXPECT_EQ(r.body["login_failures_cleared"], kFreeFailures);
  EXPECT_EQ(login_from(p.server(), "192.0.2.44", u.email, u.password).status, 200);

  const Reply audit = get(p.server(), "/api/v1/audit?action=user.unlock&entity_id=" + u.id, admin);
  ASSERT_EQ(audit.status, 200) << audit.raw;
  ASSERT_EQ(audit.body["items"].size(), 1u) << audit.raw;
  EXPECT_EQ(audit.body["items"][0]["after"]["login_failures_cleared"], kFreeFailures);
  EXPECT_EQ(send(p.server(), {.method = "POST", .path = "/api/v1/users/user_00000000-0000-0000-0000-000000000000/unlock",
                          .token = admin})
                .status,
            404);
}
