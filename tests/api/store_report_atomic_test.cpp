// /budget/report commits the ledger move and the usage-limit counters in one transaction
// (issue 13): a server killed with SIGKILL in the middle of concurrent reports leaves a
// database where the counters equal exactly what the ledger holds, and every acknowledged
// report is in it. When the counters committed in a second transaction, the reports whose
// counter commit was still queued behind the single writer were lost from the counts.
#include <signal.h>

#include <atomic>
#include <thread>
#include <vector>

#include "governance_support.h"

using gov::json;
using gov::Panel;

namespace {

int64_t scalar(iron::store::Database& db, const std::string& sql, const std::string& arg = "") {
  return db.read([&](iron::store::Connection& c) {
    auto& s = c.prepare(sql);
    if (!arg.empty()) s.bind(1, arg);
    return s.step() ? s.int64(0) : int64_t{0};
  });
}

}  // namespace

TEST(StoreReportAtomic, KilledMidReportsLeavesCountersEqualToTheLedger) {
  Panel p;
  const auto alice = p.add_user("user", "alice");
  const int64_t key = p.add_key(alice, "openai");
  const int64_t agent = p.create_agent({{"name", "runner"},
                                        {"initial_budget_microdollars", 100'000'000},
                                        {"owner_id", alice.id},
                                        {"provider_key_id", key}})
                            .value("id", int64_t{0});
  const std::string ic = p.ic_token(agent, alice.token);
  auto hs = p.call("POST", "/api/v1/budget/handshake", "",
                   json{{"ic_token", ic}, {"provider", "openai"}, {"requested_budget", 100'000'000}});
  ASSERT_EQ(hs.status, 200) << hs.raw;
  const std::string lease = hs.body.value("lease_id", "");

  constexpr int kThreads = 16;
  constexpr int kKillAfter = 150;  // acknowledged reports before the kill
  std::atomic<int> acknowledged{0};
  std::atomic<bool> stop{false};
  std::vector<std::thread> reporters;
  for (int t = 0; t < kThreads; ++t) {
    reporters.emplace_back([&, t] {
      auto client = p.server().client();
      for (int i = 0; !stop; ++i) {
        const json body = {{"ic_token", ic},          {"lease_id", lease},     {"request_id", std::to_string(t) + "-" + std::to_string(i)},
                           {"tokens", 7},             {"cost_microdollars", 3}, {"model", "gpt-x"},
                           {"provider", "openai"}};
        auto r = client->Post("/api/v1/budget/report", body.dump(), "application/json");
        if (!r) return;  // the server is gone
        ASSERT_EQ(r->status, 200) << r->body;
        ++acknowledged;
      }
    });
  }
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
  while (acknowledged < kKillAfter && std::chrono::steady_clock::now() < deadline) std::this_thread::yield();
  p.server().send_signal(SIGKILL);
  EXPECT_EQ(p.server().wait_exit(15), 128 + SIGKILL);
  stop = true;
  for (auto& r : reporters) r.join();
  ASSERT_GE(acknowledged.load(), kKillAfter);

  auto& db = p.db();
  const int64_t reports = scalar(db, "SELECT COUNT(*) FROM lease_reports");
  const int64_t cost = scalar(db, "SELECT COALESCE(SUM(cost_microdollars), 0) FROM lease_reports");
  EXPECT_GE(reports, acknowledged.load()) << "an acknowledged report was lost";
  EXPECT_EQ(cost, 3 * reports);
  const std::string counter =
      "SELECT COALESCE(SUM(value), 0) FROM usage_counters WHERE user_id = ?1 AND project_id = '' AND kind = ";
  EXPECT_EQ(scalar(db, counter + "'cost_month'", alice.id), cost);
  EXPECT_EQ(scalar(db, counter + "'tokens_day'", alice.id), 7 * reports);
  EXPECT_EQ(scalar(db, counter + "'requests_minute'", alice.id), reports);
  EXPECT_EQ(scalar(db, "SELECT total_spent FROM agent_budgets WHERE agent_id = " + std::to_string(agent)), cost);
}
