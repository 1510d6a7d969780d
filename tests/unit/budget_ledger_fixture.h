#pragma once
// Shared by the budget ledger tests: a real SQLite file in a temp dir (store::Database applies
// the migrations), one owner user, a ledger with a 1 h lease TTL, a fixed clock, and the
// invariant check run after every operation.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <chrono>
#include <filesystem>
#include <memory>
#include <string>

#include "domain/budget_ledger.h"
#include "security/random.h"
#include "store/audit_repo.h"
#include "store/budget_repo.h"
#include "store/database.h"
#include "store/user_repo.h"
#include "temp_db.h"

namespace ledger_test {

using namespace std::chrono_literals;
namespace domain = iron::domain;
namespace store = iron::store;

inline const iron::util::TimePoint kT0 = iron::util::from_unix_ms(1'800'000'000'000);
inline constexpr auto kTtl = std::chrono::milliseconds(1h);

inline domain::RequestContext admin_ctx() {
  domain::RequestContext c;
  c.actor_type = "user";
  c.actor_id = "user_owner";
  return c;
}

inline domain::RequestContext agent_ctx(int64_t agent_id) {
  domain::RequestContext c;
  c.actor_type = "agent";
  c.actor_id = "agent_" + std::to_string(agent_id);
  return c;
}

inline domain::UsageReport usage(const std::string& request_id, int64_t cost, int64_t tokens = 100) {
  return {request_id, tokens, cost, "gpt-4o", "openai"};
}

// The agent's runtime calling the ledger: each call made in the agent's own context, the way
// the lease routes make it.
struct AgentRuntime {
  domain::BudgetLedger& ledger;
  int64_t agent;

  auto reserve(int64_t requested, iron::util::TimePoint now) {
    return ledger.reserve(agent, requested, now, agent_ctx(agent));
  }
  auto report(const std::string& lease, const domain::UsageReport& u, iron::util::TimePoint now) {
    return ledger.report(lease, agent, u, now);
  }
  auto release(const std::string& lease, iron::util::TimePoint now) {
    return ledger.release(lease, agent, now, agent_ctx(agent));
  }
  auto refresh(const std::string& lease, int64_t requested, iron::util::TimePoint now) {
    return ledger.refresh(lease, agent, requested, now, agent_ctx(agent));
  }
  // A lease the test needs as a starting point: reserved at `now`, its id ("" and a test
  // failure when refused).
  std::string open(int64_t requested, iron::util::TimePoint now = kT0) {
    auto lease = reserve(requested, now);
    EXPECT_TRUE(lease.ok()) << (lease.ok() ? "" : lease.error().code);
    return lease.ok() ? lease->id : "";
  }
  // A report the test needs as a starting point: `cost` spent on the lease under `request_id`
  // (a test failure when refused).
  void spend(const std::string& lease, const std::string& request_id, int64_t cost, iron::util::TimePoint now = kT0) {
    auto r = report(lease, usage(request_id, cost), now);
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().code);
  }
};

// The use case was refused with this kind and code: ASSERT_TRUE(refused(r, kind, code)), so
// that a test stops before reading the details of an error that is not there.
template <class Result>
::testing::AssertionResult refused(const Result& r, iron::ErrorKind kind, const std::string& code) {
  if (r.ok()) return ::testing::AssertionFailure() << "succeeded; expected " << code;
  if (r.error().kind != kind || r.error().code != code)
    return ::testing::AssertionFailure() << "refused with " << r.error().code << " (kind "
                                         << static_cast<int>(r.error().kind) << "); expected " << code;
  return ::testing::AssertionSuccess();
}

class LedgerFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    iron::security::init();
    db_ = std::make_unique<store::Database>(dir_.db_path());
    insert_user(*db_, "user_owner", "admin", "owner");
    ledger_ = std::make_unique<domain::BudgetLedger>(*db_, domain::LedgerPolicy{kTtl});
  }

  void TearDown() override {
    ledger_.reset();
    db_.reset();
  }

  std::string path() const { return dir_.db_path(); }
  domain::BudgetLedger& ledger() { return *ledger_; }
  AgentRuntime runtime(int64_t agent) { return {*ledger_, agent}; }
  store::Database& db() { return *db_; }

  int64_t new_agent(int64_t allocated) {
    auto r = ledger_->create_agent("agent", "user_owner", allocated, admin_ctx());
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r->agent.id : 0;
  }

  // allocated = spent + reserved + remaining, nothing negative, reserved equals the unreported
  // part of the active leases, and spent equals the spend reported on the agent's leases.
  void expect_invariant(int64_t agent_id) {
    auto s = ledger_->snapshot(agent_id);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->allocated, s->spent + s->reserved + s->remaining);
    EXPECT_GE(s->spent, 0);
    EXPECT_GE(s->reserved, 0);
    EXPECT_GE(s->remaining, 0);
    EXPECT_LE(s->spent, s->allocated);
    const auto [outstanding, reported] = db_->read([&](store::Connection& c) {
      int64_t spent = 0;
      for (const auto& l : store::leases::list_for_agent(c, agent_id, std::nullopt)) spent += l.spent;
      return std::pair{store::budgets::outstanding_reservations(c, agent_id), spent};
    });
    EXPECT_EQ(s->reserved, outstanding) << "reserved differs from the active leases' unreported part";
    EXPECT_EQ(s->spent, reported) << "spent differs from the spend reported on leases";
  }

  void expect_snapshot(int64_t agent_id, int64_t allocated, int64_t spent, int64_t reserved, int64_t remaining) {
    auto s = ledger_->snapshot(agent_id);
    ASSERT_TRUE(s.ok());
    EXPECT_EQ(s->allocated, allocated);
    EXPECT_EQ(s->spent, spent);
    EXPECT_EQ(s->reserved, reserved);
    EXPECT_EQ(s->remaining, remaining);
    expect_invariant(agent_id);
  }

  store::BudgetLease lease_row(const std::string& id) {
    auto l = db_->read([&](store::Connection& c) { return store::leases::find(c, id); });
    EXPECT_TRUE(l.has_value()) << id;
    return l.value_or(store::BudgetLease{});
  }

  int64_t audit_count(const std::string& action) {
    return db_->read([&](store::Connection& c) {
      store::AuditFilter f;
      f.action = action;
      f.limit = 100000;
      return static_cast<int64_t>(store::audit::list(c, f).size());
    });
  }

  int64_t count_rows(const std::string& table) {
    return db_->read([&](store::Connection& c) {
      auto& s = c.prepare("SELECT count(*) FROM " + table);
      s.step();
      return s.int64(0);
    });
  }

 private:
  TempDbDir dir_;  // before db_: outlives it
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<domain::BudgetLedger> ledger_;
};

}  // namespace ledger_test

// The suite of budget_ledger_test.cpp and budget_ledger_leases_test.cpp.
class BudgetLedger : public ledger_test::LedgerFixture {};
