// Usage limits over real HTTP against the real binary: CRUD (admin writes, owners read their
// own), validation, PUT that keeps unspecified fields, and GET /limits/usage. Named
// regressions for docs/compatibility.md S2 (limits routes were public) and the predecessor's PUT that
// nulled omitted maxima. Enforcement itself is unit-tested (tests/unit/usage_limits_test.cpp);
// here usage is recorded through the domain as test setup (the lease routes are written in
// parallel) and read back over HTTP.
#include <gtest/gtest.h>

#include <string>
#include <vector>

#include "domain/event_bus.h"
#include "domain/usage_limits.h"
#include "governance_support.h"
#include "support/scenario.h"

using namespace gov;
using iron::test::run_scenarios;
using iron::test::Scenario;

namespace {

const std::string kBase = "/api/v1/limits";

std::string path(const json& id) { return kBase + "/" + std::to_string(id.get<int64_t>()); }

json create_ok(Panel& p, const json& body) {
  auto r = p.call("POST", kBase, p.admin.token, body);
  EXPECT_EQ(r.status, 201) << r.raw;
  return r.body;
}

}  // namespace

TEST(GovernanceLimits, CreateGetListAndDelete) {
  Panel p;
  const Account alice = p.add_user("user", "alice");
  const int64_t before = iron::util::to_unix_ms(iron::util::now());
  auto l = create_ok(p, {{"user_id", alice.id}, {"project_id", "proj-1"}, {"max_tokens_per_day", 1000},
                         {"requester_id", "ignored"}});
  EXPECT_TRUE(l["id"].is_number_integer());
  EXPECT_EQ(l["user_id"], alice.id);
  EXPECT_EQ(l["project_id"], "proj-1");
  EXPECT_EQ(l["max_tokens_per_day"], 1000);
  EXPECT_TRUE(l["max_requests_per_minute"].is_null());
  EXPECT_TRUE(l["max_cost_per_month_microdollars"].is_null());
  EXPECT_EQ(l["alert_thresholds"], json({50, 80, 95}));
  EXPECT_GE(l["created_at"].get<int64_t>(), before);
  auto wide = create_ok(p, {{"user_id", alice.id}, {"max_cost_per_month_microdollars", 5'000'000},
                            {"alert_thresholds", {95, 10, 10}}});
  EXPECT_TRUE(wide["project_id"].is_null());
  EXPECT_EQ(wide["alert_thresholds"], json({10, 95})) << "sorted, unique";

  EXPECT_EQ(p.call("GET", path(l["id"]), p.admin.token).body, l);
  EXPECT_EQ(p.call("GET", path(l["id"]), alice.token).body, l) << "owners read their own";
  auto all = p.call("GET", kBase, p.admin.token);
  ASSERT_EQ(all.status, 200) << all.raw;
  ASSERT_EQ(all.body.size(), 2u);
  EXPECT_EQ(all.body[0], l);

  EXPECT_EQ(p.call("DELETE", path(l["id"]), p.admin.token).status, 204);
  expect_error(p.call("GET", path(l["id"]), p.admin.token), 404, "NOT_FOUND");
  expect_error(p.call("DELETE", path(l["id"]), p.admin.token), 404, "NOT_FOUND");
  expect_error(p.call("GET", kBase + "/abc", p.admin.token), 400, "INVALID_PARAMETER");
  EXPECT_EQ(p.call("GET", kBase, p.admin.token).body.size(), 1u);
}

TEST(GovernanceLimits, CreateValidation) {
  Panel p;
  const Account alice = p.add_user("user", "alice");
  const int64_t too_big = (int64_t{1} << 62) + 1;
  // A create refused with `status`, `code` and (when given) details.field.
  const auto refused = [&](std::string name, json body, int status, std::string code, std::string field) {
    return Scenario{.name = std::move(name), .principal = p.admin.token, .method = "POST", .path = kBase,
                    .body = std::move(body), .status = status, .code = std::move(code), .field = std::move(field)};
  };
  run_scenarios(p.server(), {
      refused("no maximum", {{"user_id", alice.id}}, 422, "NO_LIMIT_GIVEN", ""),
      refused("only null maxima", {{"user_id", alice.id}, {"max_tokens_per_day", nullptr}}, 422, "NO_LIMIT_GIVEN", ""),
      refused("tokens zero", {{"user_id", alice.id}, {"max_tokens_per_day", 0}}, 400, "VALIDATION_ERROR", "max_tokens_per_day"),
      refused("requests negative", {{"user_id", alice.id}, {"max_requests_per_minute", -5}}, 400, "VALIDATION_ERROR",
       "max_requests_per_minute"),
      refused("cost above 2^62", {{"user_id", alice.id}, {"max_cost_per_month_microdollars", too_big}}, 400,
       "VALIDATION_ERROR", "max_cost_per_month_microdollars"),
      refused("cost not integer", {{"user_id", alice.id}, {"max_cost_per_month_microdollars", 1.5}}, 400, "VALIDATION_ERROR",
       "max_cost_per_month_microdollars"),
      refused("threshold 0", {{"user_id", alice.id}, {"max_tokens_per_day", 1}, {"alert_thresholds", {0}}}, 400,
       "VALIDATION_ERROR", "alert_thresholds"),
      refused("threshold 101", {{"user_id", alice.id}, {"max_tokens_per_day", 1}, {"alert_thresholds", {101}}}, 400,
       "VALIDATION_ERROR", "alert_thresholds"),
      refused("thresholds not array", {{"user_id", alice.id}, {"max_tokens_per_day", 1}, {"alert_thresholds", 50}}, 400,
       "VALIDATION_ERROR", "alert_thresholds"),
      refused("user_id missing", {{"max_tokens_per_day", 1}}, 400, "MISSING_FIELD", "user_id"),
      refused("unknown user", {{"user_id", "user_nobody"}, {"max_tokens_per_day", 1}}, 400, "USER_NOT_FOUND", "user_id"),
      refused("empty project", {{"user_id", alice.id}, {"project_id", ""}, {"max_tokens_per_day", 1}}, 400,
       "VALIDATION_ERROR", "project_id"),
  });
  EXPECT_EQ(p.call("GET", kBase, p.admin.token).body.size(), 0u);
  create_ok(p, {{"user_id", alice.id}, {"max_tokens_per_day", int64_t{1} << 62}});
  expect_error(p.call("POST", kBase, p.admin.token, {{"user_id", alice.id}, {"max_requests_per_minute", 3}}), 409,
               "LIMIT_EXISTS");
  create_ok(p, {{"user_id", alice.id}, {"project_id", "p"}, {"max_requests_per_minute", 3}});
  expect_error(p.call("POST", kBase, p.admin.token,
                      {{"user_id", alice.id}, {"project_id", "p"}, {"max_requests_per_minute", 4}}),
               409, "LIMIT_EXISTS");
}

TEST(GovernanceLimits, limits_require_auth) {
  Panel p;
  const Account alice = p.add_user("user", "alice");
  auto l = create_ok(p, {{"user_id", alice.id}, {"max_tokens_per_day", 10}});
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"GET", kBase}, {"POST", kBase}, {"GET", kBase + "/usage"}, {"GET", path(l["id"])},
      {"PUT", path(l["id"])}, {"DELETE", path(l["id"])}};
  const json body = {{"user_id", alice.id}, {"project_id", "x"}, {"max_tokens_per_day", 1}};
  for (const auto& [method, url] : routes) {
    SCOPED_TRACE(method + " " + url);
    expect_error(p.call(method, url, "", body), 401, "AUTH_MISSING_TOKEN");
    EXPECT_EQ(p.call(method, url, "garbage", body).status, 401);
  }
  EXPECT_EQ(p.call("GET", path(l["id"]), p.admin.token).body["max_tokens_per_day"], 10) << "nothing changed";
  EXPECT_EQ(p.call("GET", kBase, p.admin.token).body.size(), 1u);
}

TEST(GovernanceLimits, AdminWritesOwnersReadTheirOwn) {
  Panel p;
  const Account alice = p.add_user("user", "alice");
  const Account bob = p.add_user("user", "bob");
  const Account viewer = p.add_user("viewer", "vera");
  auto a = create_ok(p, {{"user_id", alice.id}, {"max_tokens_per_day", 10}});
  auto b = create_ok(p, {{"user_id", bob.id}, {"max_tokens_per_day", 20}});
  for (const Account* u : {&alice, &viewer}) {
    expect_error(p.call("POST", kBase, u->token, {{"user_id", u->id}, {"max_tokens_per_day", 1}}), 403,
                 "INSUFFICIENT_PERMISSIONS");
    expect_error(p.call("PUT", path(a["id"]), u->token, {{"max_tokens_per_day", 99}}), 403,
                 "INSUFFICIENT_PERMISSIONS");
    expect_error(p.call("DELETE", path(a["id"]), u->token), 403, "INSUFFICIENT_PERMISSIONS");
  }
  auto mine = p.call("GET", kBase, alice.token).body;
  ASSERT_EQ(mine.size(), 1u);
  EXPECT_EQ(mine[0]["id"], a["id"]);
  EXPECT_EQ(p.call("GET", kBase + "?user_id=" + bob.id, alice.token).body, mine) << "a user's filter is ignored";
  EXPECT_EQ(p.call("GET", kBase + "?user_id=" + bob.id, p.admin.token).body, json::array({b}));
  expect_error(p.call("GET", path(b["id"]), alice.token), 404, "NOT_FOUND");
  EXPECT_EQ(p.call("GET", kBase, viewer.token).body.size(), 0u);
  EXPECT_EQ(p.call("GET", path(a["id"]), p.admin.token).body["max_tokens_per_day"], 10);
}

TEST(GovernanceLimits, limit_put_keeps_unspecified_fields) {
  Panel p;
  const Account alice = p.add_user("user", "alice");
  auto l = create_ok(p, {{"user_id", alice.id}, {"max_tokens_per_day", 1000}, {"max_requests_per_minute", 60},
                         {"max_cost_per_month_microdollars", 9'000'000}, {"alert_thresholds", {70}}});
  auto r = p.call("PUT", path(l["id"]), p.admin.token, {{"max_requests_per_minute", 120}});
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["max_requests_per_minute"], 120);
  EXPECT_EQ(r.body["max_tokens_per_day"], 1000) << "the predecessor nulled omitted maxima";
  EXPECT_EQ(r.body["max_cost_per_month_microdollars"], 9'000'000);
  EXPECT_EQ(r.body["alert_thresholds"], json({70}));
  EXPECT_EQ(r.body["created_at"], l["created_at"]);
  EXPECT_EQ(p.call("GET", path(l["id"]), alice.token).body, r.body);
  // An explicit null clears one maximum; the others stay.
  r = p.call("PUT", path(l["id"]), p.admin.token, {{"max_tokens_per_day", nullptr}, {"alert_thresholds", {20, 40}}});
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_TRUE(r.body["max_tokens_per_day"].is_null());
  EXPECT_EQ(r.body["max_requests_per_minute"], 120);
  EXPECT_EQ(r.body["alert_thresholds"], json({20, 40}));
  // Validation and the "at least one maximum remains" rule.
  expect_error(p.call("PUT", path(l["id"]), p.admin.token, {{"max_cost_per_month_microdollars", 0}}), 400,
               "VALIDATION_ERROR", "max_cost_per_month_microdollars");
  expect_error(p.call("PUT", path(l["id"]), p.admin.token,
                      {{"max_requests_per_minute", nullptr}, {"max_cost_per_month_microdollars", nullptr}}),
               422, "NO_LIMIT_GIVEN");
  expect_error(p.call("PUT", kBase + "/999999", p.admin.token, {{"max_requests_per_minute", 1}}), 404, "NOT_FOUND");
  EXPECT_EQ(p.call("GET", path(l["id"]), p.admin.token).body, r.body) << "refused PUTs change nothing";
}

TEST(GovernanceLimits, UsageShowsTheCallersCountersAgainstTheirLimits) {
  Panel p;
  const Account alice = p.add_user("user", "alice");
  const Account bob = p.add_user("user", "bob");
  auto wide = create_ok(p, {{"user_id", alice.id}, {"max_tokens_per_day", 1000}});
  auto proj = create_ok(p, {{"user_id", alice.id}, {"project_id", "proj-1"}, {"max_cost_per_month_microdollars", 500}});
  // Test setup: usage as the lease report route will record it (written in parallel).
  iron::domain::EventBus bus(1);
  iron::domain::UsageLimits limits(p.db(), bus);
  const auto now = iron::util::now();
  limits.record(alice.id, std::string("proj-1"), 120, 300, now);
  limits.record(alice.id, std::nullopt, 30, 5, now);

  auto r = p.call("GET", kBase + "/usage", alice.token);
  ASSERT_EQ(r.status, 200) << r.raw;
  EXPECT_EQ(r.body["user_id"], alice.id);
  EXPECT_EQ(r.body["tokens_today"], 150);
  EXPECT_EQ(r.body["cost_this_month_microdollars"], 305);
  EXPECT_TRUE(r.body["periods"]["day"]["resets_at"].is_string());
  ASSERT_EQ(r.body["limits"].size(), 2u);
  EXPECT_EQ(r.body["limits"][0]["limit"]["id"], wide["id"]);
  EXPECT_EQ(r.body["limits"][0]["tokens_today"], 150);
  EXPECT_EQ(r.body["limits"][1]["limit"]["id"], proj["id"]);
  EXPECT_EQ(r.body["limits"][1]["cost_this_month_microdollars"], 300);

  auto bobs = p.call("GET", kBase + "/usage", bob.token);
  ASSERT_EQ(bobs.status, 200) << bobs.raw;
  EXPECT_EQ(bobs.body["tokens_today"], 0);
  EXPECT_EQ(bobs.body["limits"].size(), 0u);
  expect_error(p.call("GET", kBase + "/usage?user_id=" + alice.id, bob.token), 403, "FORBIDDEN");
  auto as_admin = p.call("GET", kBase + "/usage?user_id=" + alice.id, p.admin.token);
  ASSERT_EQ(as_admin.status, 200) << as_admin.raw;
  EXPECT_EQ(as_admin.body["tokens_today"], 150);
}
