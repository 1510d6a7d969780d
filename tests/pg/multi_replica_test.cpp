// Three ironpanel replicas on one PostgreSQL database behind a round-robin load balancer
// (issue 16, docs/postgresql.md "Several replicas"): whatever replica a request lands on, the
// product behaves as one server. Sessions made on one replica hold (and end) on every replica,
// concurrent lease traffic spread over the replicas never spends a budget twice, and a replica
// killed mid-load loses none of the writes it acknowledged.
#include <gtest/gtest.h>

#include <signal.h>

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <iostream>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "pg_fixture.h"
#include "reliability/ledger_audit.h"
#include "store/database.h"
#include "store/pg/pg_database.h"
#include "support/panel.h"
#include "support/round_robin_proxy.h"

namespace iron::test {
namespace {

constexpr int kReplicas = 3;

// Replica 0 is the Panel's server (it bootstraps the admin and makes the fixtures); the others
// start after it on the same database with the same keys, each with a data dir of its own
// (replicas share keys, never files: docs/postgresql.md).
class MultiReplica : public PgTest {
 protected:
  void SetUp() override {
    PgTest::SetUp();
    if (IsSkipped()) return;
    const auto options = admin_options({}, {{"IRON_DATABASE_URL", dsn()},
                                            {"IRON_JWT_SECRET", "multi-replica-jwt-secret-5f1c0e9a7b3d2468ace0"},
                                            {"IRON_SECRETS_MASTER_KEY", "63de4063e11b5589703fd244883e4dacbb681911a823ae74d588a67cb8b27ef7"},
                                            {"IRON_IP_TOKEN_KEY", kIpTokenKey}});
    panel_ = std::make_unique<Panel>(options);
    ASSERT_FALSE(panel_->admin.token.empty()) << "the bootstrap admin could not sign in";
    for (int i = 1; i < kReplicas; ++i) others_.push_back(std::make_unique<ServerProcess>(options));
    std::vector<int> ports;
    for (int i = 0; i < kReplicas; ++i) ports.push_back(replica(i).port());
    proxy_ = std::make_unique<RoundRobinProxy>(ports);
  }

  ServerProcess& replica(int i) { return i == 0 ? panel_->server() : *others_[static_cast<size_t>(i - 1)]; }
  int lb() const { return proxy_->port(); }
  const std::string& admin() const { return panel_->admin.token; }

  // An agent with an assigned provider key and `micros` allocated; its id and an IC token.
  std::pair<int64_t, std::string> runtime_agent(int64_t key_id, int64_t micros) {
    const json agent = panel_->create_agent(
        {{"name", unique("runtime")}, {"provider_key_id", key_id}, {"initial_budget_microdollars", micros}});
    const int64_t id = agent.value("id", int64_t{0});
    return {id, panel_->ic_token(id)};
  }

  std::unique_ptr<Panel> panel_;
  std::vector<std::unique_ptr<ServerProcess>> others_;
  std::unique_ptr<RoundRobinProxy> proxy_;  // declared last: stops before the replicas
};

TEST_F(MultiReplica, ASessionStartedOnOneReplicaIsValidOnEveryReplicaAndEndsOnEveryReplica) {
  const Account user = create_account(replica(0), admin(), "viewer", "multi");
  ASSERT_FALSE(user.id.empty());
  // One login per replica: the proxy hands consecutive connections to consecutive replicas.
  std::vector<std::string> tokens;
  for (int i = 0; i < kReplicas; ++i) {
    const Reply r = call(lb(), "POST", "/api/v1/auth/login", "", {{"email", user.email}, {"password", user.password}});
    ASSERT_EQ(r.status, 200) << r.raw;
    tokens.push_back(r.body.value("user_token", ""));
  }
  EXPECT_GT(proxy_->connections_per_backend()[1], 0) << "the logins did not spread over the replicas";
  for (const auto& token : tokens)
    for (int i = 0; i < kReplicas; ++i) {
      const Reply me = get(replica(i), "/api/v1/me", token);
      ASSERT_EQ(me.status, 200) << "replica " << i << ": " << me.raw;
      EXPECT_EQ(me.body.value("id", ""), user.id);
    }

  // A refresh token issued by one replica is exchanged on another.
  const Session s = start_session(replica(1), user);
  const Reply refreshed = refresh_with(replica(2), s.refresh);
  ASSERT_EQ(refreshed.status, 200) << refreshed.raw;
  EXPECT_EQ(get(replica(0), "/api/v1/me", refreshed.body.value("user_token", "")).status, 200);

  // A logout on one replica ends the session on all of them.
  ASSERT_EQ(call(replica(2), "POST", "/api/v1/auth/logout", tokens[0]).status, 204);
  for (int i = 0; i < kReplicas; ++i) expect_error(get(replica(i), "/api/v1/me", tokens[0]), 401, "AUTH_TOKEN_REVOKED");
}

// 64 agent runtimes run the lease protocol (handshake, reports, return) through the load
// balancer on 8 small budgets, 8 runtimes each asking for far more than there is: every budget
// is spent to exactly its allocation and not a µ$ more, every accepted report is charged
// exactly once, and the ledger in PostgreSQL is exact afterwards.
TEST_F(MultiReplica, SixtyFourRuntimesOnThreeReplicasNeverOverspendABudget) {
  constexpr int kAgents = 8, kThreads = 64, kRounds = 2, kReportsPerLease = 4;
  // Amounts in steps of kCost: every grant (full or the budget's last, partial one) is spent to
  // the µ$ by its reports, so the 16 leases an agent's runtimes ask for (1.44M) exhaust it.
  constexpr int64_t kAllocated = 450'000, kRequested = 90'000, kCost = 30'000;  // the 4th report exceeds a grant
  const int64_t key_id = panel_->add_key(panel_->admin);
  std::vector<std::pair<int64_t, std::string>> agents;
  for (int a = 0; a < kAgents; ++a) agents.push_back(runtime_agent(key_id, kAllocated));

  std::vector<std::atomic<int64_t>> charged(kAgents);
  std::vector<std::atomic<int>> refused(kAgents);  // handshakes refused: that budget was all leased or spent
  std::atomic<int> server_errors{0}, ready{0};
  std::mutex failures_mutex;
  std::vector<std::string> failures;
  auto fail = [&](const std::string& what, const Reply& r) {
    std::lock_guard lock(failures_mutex);
    failures.push_back(what + " -> " + std::to_string(r.status) + " " + r.raw);
  };
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t)
    threads.emplace_back([&, t] {
      const int a = t % kAgents;
      const std::string& ic = agents[static_cast<size_t>(a)].second;
      ++ready;
      while (ready.load() < kThreads) std::this_thread::yield();  // a start barrier
      for (int round = 0; round < kRounds; ++round) {
        const Reply hs = call(lb(), "POST", "/api/v1/budget/handshake", ic, {{"provider", "openai"}, {"requested_budget", kRequested}});
        if (hs.status == 403) {
          ++refused[a];
          continue;
        }
        if (hs.status != 200) {
          fail("handshake", hs);
          continue;
        }
        const std::string lease = hs.body.value("lease_id", "");
        for (int k = 0; k < kReportsPerLease; ++k) {
          const std::string request_id = "t" + std::to_string(t) + "-r" + std::to_string(round) + "-" + std::to_string(k);
          const Reply r = call(lb(), "POST", "/api/v1/budget/report", ic,
                               {{"lease_id", lease}, {"request_id", request_id}, {"tokens", 10}, {"cost_microdollars", kCost},
                                {"model", "gpt-4o"}, {"provider", "openai"}});
          if (r.status == 200) charged[a] += kCost;
          else if (r.status != 403) fail("report", r);  // 403: beyond the lease's grant
          if (r.status >= 500) ++server_errors;
        }
        const Reply ret = call(lb(), "POST", "/api/v1/budget/return", ic, {{"lease_id", lease}});
        if (ret.status != 200) fail("return", ret);
      }
    });
  for (auto& t : threads) t.join();
  for (const auto& f : failures) ADD_FAILURE() << f;
  EXPECT_EQ(server_errors.load(), 0);
  for (int i = 0; i < kReplicas; ++i) EXPECT_GT(proxy_->connections_per_backend()[static_cast<size_t>(i)], 100) << "replica " << i;

  for (int a = 0; a < kAgents; ++a) {
    EXPECT_GT(refused[a].load(), 0) << "agent " << a << ": the runtimes never reached the end of the budget";
    const json b = panel_->budget(agents[static_cast<size_t>(a)].first);  // also checks the buckets add up
    EXPECT_EQ(b.value("spent", int64_t{-1}), charged[a].load()) << "agent " << a << ": spent = accepted reports";
    EXPECT_EQ(b.value("spent", int64_t{-1}), kAllocated) << "agent " << a;
    EXPECT_EQ(b.value("reserved", int64_t{-1}), 0) << "agent " << a << ": every lease was returned";
    EXPECT_EQ(b.value("remaining", int64_t{-1}), 0) << "agent " << a;
  }
  store::Database db(std::make_unique<store::pg::PgDatabase>(dsn(), 1));
  const auto violations = db.read([](store::Connection& c) { return reliability::ledger_violations(c); });
  for (const auto& v : violations) ADD_FAILURE() << v;
}

// Writers create agents through the load balancer while replica 1 is killed with SIGKILL: a
// request in flight on it may go unanswered, but every write answered 201 — before or after
// the kill — is there afterwards, read through the replicas that survive.
TEST_F(MultiReplica, AReplicaKilledMidLoadLosesNoAcknowledgedWrite) {
  constexpr int kWriters = 8, kBeforeKill = 60, kAfterKill = 60;
  std::mutex m;
  std::condition_variable cv;
  std::vector<std::pair<int64_t, std::string>> acknowledged;  // id, name
  int acked_after_kill = 0, unanswered = 0;
  bool killed = false, done = false;
  std::vector<std::string> failures;
  std::vector<std::thread> writers;
  for (int w = 0; w < kWriters; ++w)
    writers.emplace_back([&, w] {
      for (int n = 0;; ++n) {
        {
          std::lock_guard lock(m);
          if (done) return;
        }
        const std::string name = "w" + std::to_string(w) + "-" + std::to_string(n);
        Call c;
        c.method = "POST";
        c.path = "/api/v1/agents";
        c.token = admin();
        c.body = json{{"name", name}, {"initial_budget_microdollars", 1'000}}.dump();
        c.answer_required = false;
        const Reply r = send(lb(), c);
        std::lock_guard lock(m);
        if (r.status == 201) {
          acknowledged.emplace_back(r.body.value("id", int64_t{0}), name);
          if (killed) ++acked_after_kill;
        } else if (r.status == 0) {
          ++unanswered;
        } else {
          failures.push_back(name + " -> " + std::to_string(r.status) + " " + r.raw);
        }
        cv.notify_all();
      }
    });
  auto wait_for = [&](auto condition, const char* what) {
    std::unique_lock lock(m);
    if (!cv.wait_for(lock, std::chrono::seconds(30), condition)) ADD_FAILURE() << "timed out waiting for " << what;
  };
  wait_for([&] { return acknowledged.size() >= kBeforeKill; }, "writes before the kill");
  replica(1).send_signal(SIGKILL);
  EXPECT_EQ(replica(1).wait_exit(10), 128 + SIGKILL);
  const int handed_to_victim = proxy_->connections_per_backend()[1];
  {
    std::lock_guard lock(m);
    killed = true;
  }
  wait_for([&] { return acked_after_kill >= kAfterKill; }, "writes after the kill");
  {
    std::lock_guard lock(m);
    done = true;
  }
  for (auto& t : writers) t.join();
  for (const auto& f : failures) ADD_FAILURE() << f;
  EXPECT_GT(handed_to_victim, 0) << "the killed replica had taken no writes";
  EXPECT_EQ(proxy_->connections_per_backend()[1], handed_to_victim) << "the load balancer passes the dead replica over";
  std::cout << "acknowledged " << acknowledged.size() << " writes (" << acked_after_kill << " after the kill), "
            << unanswered << " unanswered at the kill\n";

  const std::vector<int> survivors = {0, 2};
  size_t checked = 0;
  for (const auto& [id, name] : acknowledged) {
    const int r = survivors[checked++ % survivors.size()];
    const Reply a = get(replica(r), agent_path(id), admin());
    ASSERT_EQ(a.status, 200) << "acknowledged agent " << name << " (" << id << ") lost: " << a.raw;
    EXPECT_EQ(a.body.value("name", ""), name);
  }
  EXPECT_EQ(checked, acknowledged.size());
}

}  // namespace
}  // namespace iron::test
