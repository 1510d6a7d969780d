// UsageLimits on a real SQLite file: check_in refuses at each maximum naming the limit,
// record_in counts per UTC period (periods reset by time: explicit `now` values, no
// sleeping), project vs user-wide scoping, soft-threshold alerts fire once per period, and
// prune deletes only finished periods.
#include <gtest/gtest.h>
#include <stdlib.h>

#include <atomic>
#include <filesystem>
#include <memory>
#include <optional>
#include <string>
#include <thread>
#include <vector>

#include "domain/usage_limits.h"
#include "security/random.h"
#include "store/database.h"
#include "store/user_repo.h"
#include "support/write_batch.h"
#include "temp_db.h"
#include "util/clock.h"

namespace {

namespace domain = iron::domain;
namespace store = iron::store;
using iron::util::TimePoint;
using namespace std::chrono_literals;

// 2027-01-15T10:20:30.500Z
const TimePoint kT0 = *iron::util::parse_rfc3339("2027-01-15T10:20:30Z") + 500ms;

TimePoint at(const char* rfc3339) { return *iron::util::parse_rfc3339(rfc3339); }

class UsageLimitsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    db_ = std::make_unique<store::Database>(dir_.db_path());
    events_ = std::make_unique<domain::EventBus>(8);
    limits_ = std::make_unique<domain::UsageLimits>(*db_, *events_);
    admin_.user_id = add_user("admin");
    admin_.role = domain::Role::admin;
    user_ = add_user("user");
  }
  void TearDown() override {
    limits_.reset();
    events_.reset();
    db_.reset();
  }

  std::string add_user(const std::string& role) {
    const std::string id = "user_" + iron::security::uuid_v4();
    insert_user(*db_, id, role);
    return id;
  }

  int64_t make_limit(std::optional<std::string> project, std::optional<int64_t> tokens, std::optional<int64_t> requests,
                     std::optional<int64_t> cost, std::vector<int64_t> thresholds = {50, 80, 95}) {
    domain::NewLimit in;
    in.user_id = user_;
    in.project_id = std::move(project);
    in.fields.set_tokens = in.fields.set_requests = in.fields.set_cost = in.fields.set_thresholds = true;
    in.fields.max_tokens_per_day = tokens;
    in.fields.max_requests_per_minute = requests;
    in.fields.max_cost_per_month_microdollars = cost;
    in.fields.alert_thresholds = std::move(thresholds);
    auto r = limits_->create(admin_, in, domain::RequestContext::system());
    EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
    return r.ok() ? r->id : 0;
  }

  iron::Status check(TimePoint now, std::optional<std::string> project = std::nullopt) {
    return db_->write([&](store::Connection& c) { return limits_->check_in(c, user_, project, now); });
  }
  void record(TimePoint now, int64_t tokens, int64_t cost, std::optional<std::string> project = std::nullopt) {
    limits_->record(user_, project, tokens, cost, now);
  }
  domain::UsageReportView usage(TimePoint now) {
    auto r = limits_->usage(admin_, user_, now);
    EXPECT_TRUE(r.ok());
    return *r;
  }

  TempDbDir dir_;  // before db_: outlives it
  std::unique_ptr<store::Database> db_;
  std::unique_ptr<domain::EventBus> events_;
  std::unique_ptr<domain::UsageLimits> limits_;
  domain::Principal admin_;
  std::string user_;
};

void expect_exceeded(const iron::Status& s, const std::string& limit, int64_t limit_value, int64_t current,
                     const std::string& resets_at) {
  ASSERT_FALSE(s.ok()) << "expected " << limit << " to refuse";
  EXPECT_EQ(s.error().kind, iron::ErrorKind::rate_limited);
  EXPECT_EQ(s.error().code, "LIMIT_EXCEEDED");
  EXPECT_EQ(s.error().details["limit"], limit);
  EXPECT_EQ(s.error().details["limit_value"], limit_value);
  EXPECT_EQ(s.error().details["current"], current);
  EXPECT_EQ(s.error().details["period_resets_at"], resets_at);
  EXPECT_GE(s.error().retry_after_s, 1);
}

TEST(UsageLimitsPeriods, UtcMinuteDayAndMonthBoundaries) {
  const auto p = domain::periods_at(at("2027-12-31T23:59:59Z") + 999ms);
  EXPECT_EQ(p.minute_start, iron::util::to_unix_ms(at("2027-12-31T23:59:00Z")));
  EXPECT_EQ(p.minute_end, iron::util::to_unix_ms(at("2028-01-01T00:00:00Z")));
  EXPECT_EQ(p.day_start, iron::util::to_unix_ms(at("2027-12-31T00:00:00Z")));
  EXPECT_EQ(p.month_start, iron::util::to_unix_ms(at("2027-12-01T00:00:00Z")));
  EXPECT_EQ(p.month_end, iron::util::to_unix_ms(at("2028-01-01T00:00:00Z")));
  EXPECT_EQ(domain::periods_at(at("2028-02-10T00:00:00Z")).month_end, iron::util::to_unix_ms(at("2028-03-01T00:00:00Z")));
}

TEST_F(UsageLimitsTest, RequestsPerMinuteRefusesAtTheLimitAndResetsNextMinute) {
  make_limit(std::nullopt, std::nullopt, 3, std::nullopt);
  for (int i = 0; i < 3; ++i) {
    EXPECT_TRUE(check(kT0).ok()) << "request " << i;
    record(kT0, 10, 1);
  }
  const auto refused = check(kT0 + 5s);
  expect_exceeded(refused, "max_requests_per_minute", 3, 3, "2027-01-15T10:21:00Z");
  EXPECT_LE(refused.error().retry_after_s, 30);  // 10:20:35.5 -> 10:21:00
  EXPECT_TRUE(check(at("2027-01-15T10:21:00Z")).ok()) << "a new minute starts at zero";
}

TEST_F(UsageLimitsTest, TokensPerDayRefusesAtTheLimitAndResetsAtUtcMidnight) {
  make_limit(std::nullopt, 1000, std::nullopt, std::nullopt);
  record(kT0, 999, 0);
  EXPECT_TRUE(check(kT0).ok()) << "999 of 1000 tokens";
  record(kT0 + 1h, 1, 0);
  expect_exceeded(check(at("2027-01-15T23:59:59Z")), "max_tokens_per_day", 1000, 1000, "2027-01-16T00:00:00Z");
  EXPECT_TRUE(check(at("2027-01-16T00:00:00Z")).ok());
  EXPECT_TRUE(check(kT0 + 24h).ok());
}

TEST_F(UsageLimitsTest, CostPerMonthRefusesUntilTheNextUtcMonth) {
  make_limit(std::nullopt, std::nullopt, std::nullopt, 5'000'000);
  record(kT0, 100, 4'999'999);
  EXPECT_TRUE(check(kT0).ok());
  record(kT0 + 24h * 10, 100, 1);
  expect_exceeded(check(at("2027-01-31T23:59:59Z")), "max_cost_per_month_microdollars", 5'000'000, 5'000'000,
                  "2027-02-01T00:00:00Z");
  EXPECT_TRUE(check(at("2027-02-01T00:00:00Z")).ok());
}

TEST_F(UsageLimitsTest, RecordIncrementsUserWideAndProjectCounters) {
  make_limit(std::nullopt, 1'000'000, 100, 1'000'000'000);
  const int64_t pid = make_limit("proj-a", 500, std::nullopt, std::nullopt);
  record(kT0, 120, 7'000, "proj-a");
  record(kT0 + 1s, 30, 3'000);
  record(kT0 + 2s, 5, 1, "proj-b");
  const auto v = usage(kT0 + 3s);
  EXPECT_EQ(v.tokens_today, 155);
  EXPECT_EQ(v.requests_this_minute, 3);
  EXPECT_EQ(v.cost_this_month_microdollars, 10'001);
  ASSERT_EQ(v.limits.size(), 2u);
  const auto& project = v.limits[0].limit.id == pid ? v.limits[0] : v.limits[1];
  EXPECT_EQ(project.tokens_today, 120);
  EXPECT_EQ(project.requests_this_minute, 1);
  EXPECT_EQ(project.cost_this_month_microdollars, 7'000);
  EXPECT_EQ(usage(kT0 + 61s).requests_this_minute, 0) << "next minute";
  EXPECT_EQ(usage(kT0 + 24h).tokens_today, 0) << "next day";
}

TEST_F(UsageLimitsTest, ProjectLimitAppliesOnlyToItsProjectUserWideToAll) {
  make_limit("proj-a", 100, std::nullopt, std::nullopt);
  record(kT0, 100, 0, "proj-a");
  expect_exceeded(check(kT0, "proj-a"), "max_tokens_per_day", 100, 100, "2027-01-16T00:00:00Z");
  EXPECT_TRUE(check(kT0, "proj-b").ok());
  EXPECT_TRUE(check(kT0).ok());
  make_limit(std::nullopt, 150, std::nullopt, std::nullopt);
  record(kT0, 50, 0, "proj-b");
  expect_exceeded(check(kT0, "proj-b"), "max_tokens_per_day", 150, 150, "2027-01-16T00:00:00Z");
  expect_exceeded(check(kT0), "max_tokens_per_day", 150, 150, "2027-01-16T00:00:00Z");
}

TEST_F(UsageLimitsTest, ThresholdAlertsArePublishedOncePerPeriod) {
  make_limit(std::nullopt, std::nullopt, std::nullopt, 1'000, {50, 80});
  auto sub = events_->subscribe("observer", true);
  ASSERT_TRUE(sub);
  const auto drain = [&] { return sub->wait(0ms); };
  record(kT0, 0, 499);
  EXPECT_TRUE(drain().empty()) << "49.9 % crosses nothing";
  record(kT0, 0, 1);
  auto got = drain();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].type, "budget.alert");
  EXPECT_EQ(got[0].owner_id, user_);
  EXPECT_EQ(got[0].data["limit"], "max_cost_per_month_microdollars");
  EXPECT_EQ(got[0].data["threshold"], 50);
  EXPECT_EQ(got[0].data["current"], 500);
  EXPECT_EQ(got[0].data["limit_value"], 1000);
  record(kT0, 0, 10);
  EXPECT_TRUE(drain().empty()) << "50 % already crossed this month";
  record(kT0, 0, 700);  // 1210: crosses 80 (and passes the limit); 50 is not repeated
  got = drain();
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].data["threshold"], 80);
  record(kT0, 0, 10);
  EXPECT_TRUE(drain().empty());
  record(at("2027-02-02T00:00:00Z"), 0, 900);  // a new month: both fire again, once each
  got = drain();
  ASSERT_EQ(got.size(), 2u);
  EXPECT_EQ(got[0].data["threshold"], 50);
  EXPECT_EQ(got[1].data["threshold"], 80);
}

TEST_F(UsageLimitsTest, TokenThresholdAlertsToo) {
  make_limit(std::nullopt, 200, std::nullopt, std::nullopt, {95});
  auto sub = events_->subscribe("observer", true);
  record(kT0, 189, 0);
  EXPECT_TRUE(sub->wait(0ms).empty());
  record(kT0, 1, 0);
  const auto got = sub->wait(0ms);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].data["limit"], "max_tokens_per_day");
  EXPECT_EQ(got[0].data["current"], 190);
}

TEST_F(UsageLimitsTest, PruneDeletesOnlyFinishedPeriods) {
  record(kT0, 10, 10);
  const auto count = [&] {
    return db_->read([](store::Connection& c) {
      auto& s = c.prepare("SELECT count(*) FROM usage_counters");
      s.step();
      const int64_t n = s.int64(0);
      s.reset();
      return n;
    });
  };
  // requests this minute, tokens today, cost this month (tokens this minute only under a TPM
  // limit: TokensPerMinuteRefusesAtTheLimitAndResetsNextMinute prunes that one)
  EXPECT_EQ(count(), 3);
  EXPECT_EQ(limits_->prune_before(kT0), 0);
  EXPECT_EQ(limits_->prune_before(kT0 + 60s), 1) << "the minute ended";
  EXPECT_EQ(limits_->prune_before(kT0 + 24h), 1) << "the day ended";
  EXPECT_EQ(count(), 1);
  EXPECT_EQ(usage(kT0).cost_this_month_microdollars, 10) << "the month is still running";
  EXPECT_EQ(limits_->prune_before(at("2027-02-01T00:00:00Z")), 1);
  EXPECT_EQ(count(), 0);
}

TEST_F(UsageLimitsTest, CrudRulesInTheDomain) {
  domain::Principal owner;
  owner.user_id = user_;
  owner.role = domain::Role::user;
  domain::NewLimit none;
  none.user_id = user_;
  auto r = limits_->create(admin_, none, domain::RequestContext::system());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, "NO_LIMIT_GIVEN");
  const int64_t id = make_limit(std::nullopt, 10, std::nullopt, std::nullopt);
  auto dup = limits_->create(admin_, [&] {
    domain::NewLimit in;
    in.user_id = user_;
    in.fields.set_tokens = true;
    in.fields.max_tokens_per_day = 5;
    return in;
  }(), domain::RequestContext::system());
  ASSERT_FALSE(dup.ok()) << "a second user-wide limit (NULL project) is a duplicate";
  EXPECT_EQ(dup.error().code, "LIMIT_EXISTS");
  EXPECT_FALSE(limits_->create(owner, none, domain::RequestContext::system()).ok());
  EXPECT_TRUE(limits_->get(owner, id).ok());
  domain::Principal stranger;
  stranger.user_id = "user_other";
  EXPECT_EQ(limits_->get(stranger, id).error().code, "NOT_FOUND");
}

}  // namespace

namespace {

// The TPM limit alone (max_tokens_per_minute), as the API sets it.
int64_t make_tpm_limit(domain::UsageLimits& limits, const domain::Principal& admin, const std::string& user,
                       int64_t tpm) {
  domain::NewLimit in;
  in.user_id = user;
  in.fields.set_tokens_minute = true;
  in.fields.max_tokens_per_minute = tpm;
  auto r = limits.create(admin, in, domain::RequestContext::system());
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? r->id : 0;
}

}  // namespace

TEST_F(UsageLimitsTest, TokensPerMinuteRefusesAtTheLimitAndResetsNextMinute) {
  make_tpm_limit(*limits_, admin_, user_, 300);
  EXPECT_TRUE(check(kT0).ok());
  record(kT0, 299, 0);
  EXPECT_TRUE(check(kT0 + 1s).ok()) << "one token below the maximum";
  record(kT0 + 2s, 1, 0);
  expect_exceeded(check(kT0 + 3s), "max_tokens_per_minute", 300, 300, "2027-01-15T10:21:00Z");
  EXPECT_EQ(usage(kT0 + 3s).tokens_this_minute, 300);
  EXPECT_EQ(usage(kT0 + 3s).tokens_today, 300);
  EXPECT_TRUE(check(at("2027-01-15T10:21:00Z")).ok()) << "a new minute starts at zero";
  EXPECT_EQ(usage(at("2027-01-15T10:21:00Z")).tokens_this_minute, 0);
  // The finished minute's counter is pruned with the others.
  EXPECT_GE(limits_->prune_before(at("2027-01-15T10:21:00Z")), 1);
}

// Check and count in one write transaction (what the lease protocol does per call): 32
// threads racing for a 1,000-token minute admit exactly 100 requests of 10 tokens.
TEST_F(UsageLimitsTest, TokensPerMinuteIsExactUnderConcurrency) {
  make_tpm_limit(*limits_, admin_, user_, 1000);
  std::atomic<int> admitted{0}, refused{0}, other{0};
  std::atomic<bool> go{false};
  std::vector<std::thread> threads;
  for (int t = 0; t < 32; ++t)
    threads.emplace_back([&] {
      while (!go.load()) std::this_thread::yield();
      for (int i = 0; i < 10; ++i) {
        const auto st = db_->write([&](store::Connection& c) -> iron::Status {
          if (auto s = limits_->check_in(c, user_, std::nullopt, kT0); !s) return s;
          (void)limits_->record_in(c, user_, std::nullopt, 10, 0, kT0);  // a TPM limit: no alerts
          return iron::ok_status();
        });
        if (st.ok()) ++admitted;
        else if (st.error().code == "LIMIT_EXCEEDED") ++refused;
        else ++other;
      }
    });
  go = true;
  for (auto& th : threads) th.join();
  EXPECT_EQ(admitted.load(), 100);
  EXPECT_EQ(refused.load(), 320 - 100);
  EXPECT_EQ(other.load(), 0);
  EXPECT_EQ(usage(kT0).tokens_this_minute, 1000);
}

namespace {

// Rows of one counter kind, read straight from the file: what record_in wrote.
int64_t counter_rows(iron::store::Database& db, const std::string& kind) {
  return db.read([&](iron::store::Connection& c) {
    auto& s = c.prepare("SELECT COUNT(*) FROM usage_counters WHERE kind = ?");
    s.bind(1, kind);
    s.step();
    const int64_t n = s.int64(0);
    s.reset();
    return n;
  });
}

}  // namespace

// The minute's token counter is written only while a limit with max_tokens_per_minute applies
// to the key (issue 13: one upsert less per budget report otherwise). Reports without one are
// still counted for every other maximum; a TPM limit, user-wide or per project, counts from
// the next report on and refuses at its maximum.
TEST_F(UsageLimitsTest, TokensPerMinuteAreCountedOnlyWhileATpmLimitApplies) {
  make_limit(std::nullopt, 1000, 100, std::nullopt);  // user-wide: tokens per day, requests per minute
  record(kT0, 40, 5);
  record(kT0, 60, 5, "proj");
  EXPECT_EQ(counter_rows(*db_, "tokens_minute"), 0) << "no limit has max_tokens_per_minute";
  EXPECT_EQ(usage(kT0).tokens_today, 100);
  EXPECT_EQ(usage(kT0).requests_this_minute, 2);
  EXPECT_EQ(usage(kT0).tokens_this_minute, 0);
  EXPECT_TRUE(check(kT0).ok());

  // A TPM limit on one project: only that project's minute is counted.
  domain::NewLimit in;
  in.user_id = user_;
  in.project_id = "proj";
  in.fields.set_tokens_minute = true;
  in.fields.max_tokens_per_minute = 100;
  ASSERT_TRUE(limits_->create(admin_, in, domain::RequestContext::system()).ok());
  record(kT0 + 1s, 70, 0, "proj");
  record(kT0 + 1s, 500, 0, "other");
  EXPECT_EQ(counter_rows(*db_, "tokens_minute"), 1) << "the project's key alone";
  EXPECT_TRUE(check(kT0 + 2s, "proj").ok()) << "70 of 100";
  record(kT0 + 2s, 30, 0, "proj");
  expect_exceeded(check(kT0 + 3s, "proj"), "max_tokens_per_minute", 100, 100, "2027-01-15T10:21:00Z");
  EXPECT_TRUE(check(kT0 + 3s, "other").ok()) << "the other project has no TPM limit";
  EXPECT_EQ(usage(kT0 + 3s).tokens_today, 100 + 70 + 500 + 30) << "every report still counts per day";
}

// record's body may run twice (a group-commit batch that runs again with savepoints,
// store/database.h): the alert it finds due is published once.
TEST_F(UsageLimitsTest, AThresholdAlertIsPublishedOnceWhenTheWriteRunsAgain) {
  make_limit(std::nullopt, std::nullopt, std::nullopt, 1'000, {50});
  auto sub = events_->subscribe("observer", true);
  iron::test::run_as_one_batch(*db_, {[&] { record(kT0, 0, 600); }, [&] { iron::test::refused_write(*db_); }});
  const auto got = sub->wait(0ms);
  ASSERT_EQ(got.size(), 1u);
  EXPECT_EQ(got[0].data["threshold"], 50);
  EXPECT_EQ(usage(kT0).cost_this_month_microdollars, 600);
}

// An alert is due only with the work that found it: a write that counted and then rolled back
// publishes nothing, now or with a later write.
TEST_F(UsageLimitsTest, TheAlertsOfARolledBackWriteAreNeverPublished) {
  make_limit(std::nullopt, std::nullopt, std::nullopt, 1'000, {50});
  auto sub = events_->subscribe("observer", true);
  const auto refused = db_->write([&](store::Connection& c) -> iron::Status {
    EXPECT_EQ(limits_->record_in(c, user_, std::nullopt, 0, 600, kT0).size(), 1u);
    return iron::Error::validation("probe", "refused after counting");
  });
  EXPECT_FALSE(refused.ok());
  record(kT0, 0, 1);
  EXPECT_TRUE(sub->wait(0ms).empty()) << "the rolled-back count's alert was published";
  EXPECT_EQ(usage(kT0).cost_this_month_microdollars, 1);
}
