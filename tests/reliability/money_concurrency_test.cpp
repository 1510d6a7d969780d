// Money under concurrency (docs/security.md, "Budgets under concurrency"): many runtimes
// racing for one small budget, reports racing the return of their lease, the same report
// retried in parallel, and amounts sized to overflow int64. Whatever the interleaving, no
// agent spends more than it was allocated, the ledger is exact to the microdollar, and every
// request gets a complete answer that is never a 5xx.
#include <gtest/gtest.h>

#include <atomic>
#include <cstdint>
#include <functional>
#include <mutex>
#include <thread>
#include <vector>

#include "api/governance_support.h"
#include "ledger_audit.h"

using gov::json;

namespace {

// Runs `n` copies of `body(i)` at once (a start barrier lines them up).
void race(int n, const std::function<void(int)>& body) {
  std::atomic<int> ready{0};
  std::vector<std::thread> threads;
  for (int i = 0; i < n; ++i)
    threads.emplace_back([&, i] {
      ++ready;
      while (ready.load() < n) std::this_thread::yield();
      body(i);
    });
  for (auto& t : threads) t.join();
}

// Answers seen during a race: a status of 0 is a connection reset or timeout.
struct Tally {
  std::mutex m;
  std::vector<gov::Resp> replies;
  void add(gov::Resp r) {
    std::lock_guard lock(m);
    replies.push_back(std::move(r));
  }
  void expect_clean(const std::string& what) {
    for (const auto& r : replies) {
      EXPECT_NE(r.status, 0) << what << ": a request got no answer (reset or stalled)";
      EXPECT_LT(r.status, 500) << what << ": " << r.raw;
    }
  }
};

class MoneyUnderConcurrency : public ::testing::Test {
 protected:
  json report_body(const std::string& lease, const std::string& request_id, int64_t cost) {
    return {{"lease_id", lease}, {"request_id", request_id}, {"tokens", 10}, {"cost_microdollars", cost},
            {"model", "gpt-4o"}, {"provider", "openai"}};
  }
  // An agent with an assigned key and an IC token; its allocation is `micros`.
  std::pair<int64_t, std::string> runtime_agent(int64_t micros) {
    const json agent = panel.create_agent({{"name", "racer"}, {"provider_key_id", key_id}, {"initial_budget_microdollars", micros}});
    const int64_t id = agent.value("id", int64_t{0});
    return {id, panel.ic_token(id)};
  }
  gov::Resp handshake(const std::string& ic, int64_t requested) {
    return panel.call("POST", "/api/v1/budget/handshake", ic, json{{"provider", "openai"}, {"requested_budget", requested}});
  }
  void expect_ledger_exact() {
    const auto violations = iron::test::reliability::ledger_violations(iron::store::database_path(panel.server().data_dir()));
    for (const auto& v : violations) ADD_FAILURE() << v;
  }

  gov::Panel panel;
  int64_t key_id = panel.add_key(panel.admin);
};

}  // namespace

TEST_F(MoneyUnderConcurrency, SixtyHandshakesOnOneSmallBudgetNeverGrantMoreThanAllocated) {
  constexpr int64_t kAllocated = 1'000'000;
  constexpr int64_t kRequested = 70'000;  // does not divide the budget: the last grant is partial
  const auto [agent, ic] = runtime_agent(kAllocated);
  Tally tally;
  race(60, [&](int) { tally.add(handshake(ic, kRequested)); });
  tally.expect_clean("handshake");

  int64_t granted = 0;
  int grants = 0;
  for (const auto& r : tally.replies) {
    if (r.status == 200) {
      ++grants;
      granted += r.body.value("budget_granted", int64_t{0});
      EXPECT_LE(r.body.value("budget_granted", int64_t{0}), kRequested);
    } else {
      EXPECT_EQ(r.status, 403) << r.raw;  // the budget is gone
      EXPECT_TRUE(r.body.contains("error")) << r.raw;
    }
  }
  EXPECT_EQ(granted, kAllocated) << "every µ$ is granted exactly once";
  EXPECT_EQ(grants, (kAllocated + kRequested - 1) / kRequested);
  const json b = panel.budget(agent);
  EXPECT_EQ(b["reserved"], kAllocated);
  EXPECT_EQ(b["remaining"], 0);
  expect_ledger_exact();
}

TEST_F(MoneyUnderConcurrency, ReportsRacingTheReturnOfTheirLeaseAreChargedOnceAndReleasedExactly) {
  const auto [agent, ic] = runtime_agent(5'000'000);
  for (int round = 0; round < 5; ++round) {
    auto hs = handshake(ic, 1'000'000);
    ASSERT_EQ(hs.status, 200) << hs.raw;
    const std::string lease = hs.body["lease_id"];
    Tally tally;
    std::atomic<int64_t> accepted_cost{0};
    // 40 reports of 20,000 µ$ (800,000 in all, within the grant) race one return.
    race(41, [&](int i) {
      if (i == 20) {
        tally.add(panel.call("POST", "/api/v1/budget/return", ic, json{{"lease_id", lease}}));
        return;
      }
      auto r = panel.call("POST", "/api/v1/budget/report", ic, report_body(lease, "r" + std::to_string(i), 20'000));
      if (r.status == 200) accepted_cost += 20'000;
      else EXPECT_EQ(r.status, 403) << "a report after the return is LEASE_NOT_ACTIVE: " << r.raw;
      tally.add(std::move(r));
    });
    tally.expect_clean("report/return");
    const auto ret = std::find_if(tally.replies.begin(), tally.replies.end(),
                                  [](const gov::Resp& r) { return r.body.contains("returned"); });
    ASSERT_NE(ret, tally.replies.end()) << "the return was answered";
    EXPECT_EQ(ret->body["returned"], 1'000'000 - accepted_cost.load()) << "released = granted - charged";
    expect_ledger_exact();
  }
  const json b = panel.budget(agent);
  EXPECT_EQ(b["reserved"], 0);
  EXPECT_EQ(b.value("spent", int64_t{0}) + b.value("remaining", int64_t{0}), 5'000'000);
}

TEST_F(MoneyUnderConcurrency, TheSameReportSentTwentyTimesAtOnceIsChargedOnce) {
  const auto [agent, ic] = runtime_agent(1'000'000);
  auto hs = handshake(ic, 500'000);
  ASSERT_EQ(hs.status, 200) << hs.raw;
  const std::string lease = hs.body["lease_id"];
  Tally tally;
  race(20, [&](int) { tally.add(panel.call("POST", "/api/v1/budget/report", ic, report_body(lease, "dup-1", 123'456))); });
  tally.expect_clean("duplicate report");
  int first = 0;
  for (const auto& r : tally.replies) {
    ASSERT_EQ(r.status, 200) << r.raw;
    if (!r.body.value("replayed", false)) ++first;
    EXPECT_EQ(r.body.value("lease_spent", int64_t{-1}), 123'456) << "a replay answers the first outcome: " << r.raw;
  }
  EXPECT_EQ(first, 1);
  EXPECT_EQ(panel.budget(agent)["spent"], 123'456);
  // A replay with another amount does not charge the difference.
  auto other = panel.call("POST", "/api/v1/budget/report", ic, report_body(lease, "dup-1", 400'000));
  EXPECT_LT(other.status, 500) << other.raw;
  EXPECT_EQ(panel.budget(agent)["spent"], 123'456);
  expect_ledger_exact();
}

TEST_F(MoneyUnderConcurrency, OverflowSizedAmountsAreRefusedAndChangeNothing) {
  const auto [agent, ic] = runtime_agent(1'000'000);
  auto hs = handshake(ic, 400'000);
  ASSERT_EQ(hs.status, 200) << hs.raw;
  const std::string lease = hs.body["lease_id"];
  // Raw JSON numbers: the largest int64, one past it, the smallest, a float beyond int64 and
  // a value that only fits as an unsigned 64-bit integer.
  const std::vector<std::string> huge = {"9223372036854775807", "9223372036854775808", "-9223372036854775808",
                                         "1e300", "18446744073709551615", "-1", "400001"};
  const std::string agent_path = gov::agent_path(agent);
  struct Target {
    std::string method, path, bearer, body_with_amount;  // "@" marks where the amount goes
  };
  const std::vector<Target> targets = {
      {"POST", "/api/v1/budget/report", ic,
       R"({"lease_id":")" + lease + R"(","request_id":"big-@","tokens":1,"cost_microdollars":@,"model":"m","provider":"openai"})"},
      {"POST", "/api/v1/budget/report", ic,
       R"({"lease_id":")" + lease + R"(","request_id":"tok-@","tokens":@,"cost_microdollars":9223372036854775807,"model":"m","provider":"openai"})"},
      {"POST", "/api/v1/budget/handshake", ic, R"({"provider":"openai","requested_budget":@})"},
      {"PUT", agent_path + "/budget", panel.admin.access, R"({"total_allocated_microdollars":@})"},
      {"POST", "/api/v1/agents", panel.admin.access, R"({"name":"x","initial_budget_microdollars":@})"},
  };
  const json before = panel.budget(agent);
  int refused = 0;
  for (const auto& t : targets)
    for (const auto& amount : huge) {
      if (amount == "400001" && t.path != "/api/v1/budget/report") continue;  // only over the grant
      std::string body = t.body_with_amount;
      for (size_t at; (at = body.find('@')) != std::string::npos;) body.replace(at, 1, amount);
      const auto r = panel.call_raw(t.method, t.path, t.bearer, body);
      ASSERT_NE(r.status, 0) << t.path << " " << body << ": no answer";
      EXPECT_GE(r.status, 400) << t.path << " " << body << " -> " << r.raw;
      EXPECT_LT(r.status, 500) << t.path << " " << body << " -> " << r.raw;
      EXPECT_TRUE(r.body.contains("error")) << r.raw;
      ++refused;
    }
  EXPECT_GE(refused, 30);
  EXPECT_EQ(panel.budget(agent), before) << "a refused amount moved money";
  expect_ledger_exact();
}
