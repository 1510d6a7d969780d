// /api/v1/limits: usage-limit CRUD (docs/compatibility.md, now authenticated: admin
// writes, owners read their own) and GET /api/v1/limits/usage (current counters vs limits).
// PUT changes only the fields it is given (the predecessor nulled the omitted maxima); an
// explicit null clears that maximum. Enforcement lives in domain/usage_limits (lease routes).
#include "api/array_field.h"
#include "api/body.h"
#include "api/endpoint.h"
#include "api/routes.h"
#include "domain/usage_limits.h"
#include "util/clock.h"
#include "util/json_fields.h"

namespace iron::api {
namespace {

using namespace openapi;

json limit_view(const store::UsageLimit& l) {
  json v = domain::usage_limit_json(l);
  v["created_at"] = l.created_at;
  v["updated_at"] = l.updated_at;
  return v;
}

std::string rfc(int64_t ms) { return util::to_rfc3339(util::from_unix_ms(ms)); }

json usage_view(const domain::UsageReportView& v) {
  json limits = json::array();
  for (const auto& u : v.limits) {
    limits.push_back({IRON_JSON_FIELDS(u, tokens_today, tokens_this_minute, requests_this_minute,
                                       cost_this_month_microdollars),
                      {"limit", limit_view(u.limit)}});
  }
  return {IRON_JSON_FIELDS(v, user_id, tokens_today, tokens_this_minute, requests_this_minute,
                           cost_this_month_microdollars),
          {"periods",
           {{"day", {{"start", rfc(v.periods.day_start)}, {"resets_at", rfc(v.periods.day_end)}}},
            {"minute", {{"start", rfc(v.periods.minute_start)}, {"resets_at", rfc(v.periods.minute_end)}}},
            {"month", {{"start", rfc(v.periods.month_start)}, {"resets_at", rfc(v.periods.month_end)}}}}},
          {"limits", limits}};
}

// A limit's body: the owner (create only) and the maxima and thresholds present — absent =
// untouched, null = cleared.
struct LimitBody {
  std::string user_id;
  std::optional<std::string> project_id;
  std::optional<std::optional<int64_t>> max_tokens_per_day, max_requests_per_minute, max_cost_per_month_microdollars,
      max_tokens_per_minute;
  std::optional<std::vector<int64_t>> alert_thresholds;
};

// Each in 1..2^62; a percent's range and the count of thresholds are the domain's rules.
BodyFields<LimitBody> with_limit_fields(BodyFields<LimitBody> f) {
  return f.clearable_integer("max_tokens_per_day", &LimitBody::max_tokens_per_day, 1, domain::kMaxLimitValue)
      .describe("tokens per UTC day; null = no limit")
      .clearable_integer("max_requests_per_minute", &LimitBody::max_requests_per_minute, 1, domain::kMaxLimitValue)
      .describe("requests per UTC minute; null = no limit")
      .clearable_integer("max_tokens_per_minute", &LimitBody::max_tokens_per_minute, 1, domain::kMaxLimitValue)
      .describe("tokens per UTC minute (TPM); null = no limit")
      .clearable_integer("max_cost_per_month_microdollars", &LimitBody::max_cost_per_month_microdollars, 1,
                         domain::kMaxLimitValue)
      .describe("µ$ per UTC month; null = no limit")
      .custom("alert_thresholds", false,
              described(array_of(integer_range(1, 100, "")),
                        "percents (at most 10) at which budget.alert events fire; default [50,80,95]"),
              array_reader("alert_thresholds", &LimitBody::alert_thresholds, "an array of integers", kAnyLength,
                           [](const json& t) { return t.is_number_integer(); }));
}

const auto kNewLimit = with_limit_fields(BodyFields<LimitBody>()
    .text("user_id", &LimitBody::user_id, 1, 255)
    .text("project_id", &LimitBody::project_id, 1000).schema_with({{"minLength", 1}}).describe("omit for a user-wide limit"));
const auto kLimitPatch = with_limit_fields(BodyFields<LimitBody>());

domain::LimitFields fields_of(const LimitBody& in) {
  domain::LimitFields f;
  f.set_tokens = in.max_tokens_per_day.has_value();
  f.max_tokens_per_day = in.max_tokens_per_day.value_or(std::nullopt);
  f.set_requests = in.max_requests_per_minute.has_value();
  f.max_requests_per_minute = in.max_requests_per_minute.value_or(std::nullopt);
  f.set_tokens_minute = in.max_tokens_per_minute.has_value();
  f.max_tokens_per_minute = in.max_tokens_per_minute.value_or(std::nullopt);
  f.set_cost = in.max_cost_per_month_microdollars.has_value();
  f.max_cost_per_month_microdollars = in.max_cost_per_month_microdollars.value_or(std::nullopt);
  f.set_thresholds = in.alert_thresholds.has_value();
  f.alert_thresholds = in.alert_thresholds.value_or(std::vector<int64_t>{});
  return f;
}

Reply create(const Call& c, const LimitBody& in) {
  domain::NewLimit limit{in.user_id, in.project_id, fields_of(in)};
  return reply(c.s.usage_limits.create(c.who(), limit, c.context()), 201, limit_view);
}

struct UserParam {
  std::optional<std::string> user_id;
};
QueryFields<UserParam> user_param(std::string description) {
  return QueryFields<UserParam>().text("user_id", &UserParam::user_id, 1, 255, std::move(description));
}
const QueryFields<UserParam> kListUser = user_param("admin: only this user's limits");
const QueryFields<UserParam> kUsageUser = user_param("admin: another user");

Reply list(const Call& c, const UserParam& q) {
  return reply(c.s.usage_limits.list(c.who(), q.user_id), 200,
               [](const std::vector<store::UsageLimit>& limits) { return json_array_of(limits, limit_view); });
}

Reply update(const Call& c, const LimitBody& in) {
  return reply(c.s.usage_limits.update(c.who(), c.id(), fields_of(in), c.context()), 200, limit_view);
}

json limit_id() { return integer_range(1, INT64_MAX, "usage limit id"); }

json maximum(const std::string& d) {
  return described(nullable(integer_range(1, int64_t{1} << 62, "")), d + "; null = no limit");
}

json usage_limit() {
  return object({{"id", limit_id()},
                 {"user_id", str()},
                 {"project_id", nullable(str(1, 1000))},
                 {"max_tokens_per_day", maximum("tokens per UTC day")},
                 {"max_requests_per_minute", maximum("requests per UTC minute")},
                 {"max_tokens_per_minute", maximum("tokens per UTC minute (TPM)")},
                 {"max_cost_per_month_microdollars", maximum("µ$ per UTC month")},
                 {"alert_thresholds", array_of(integer_range(1, 100, "percent"))},
                 {"created_at", ms_time("created")},
                 {"updated_at", ms_time("last change")}},
                {"id", "user_id", "project_id", "max_tokens_per_day", "max_requests_per_minute",
                 "max_tokens_per_minute", "max_cost_per_month_microdollars", "alert_thresholds", "created_at", "updated_at"});
}

json period() { return object({{"start", rfc3339("period start")}, {"resets_at", rfc3339("next period")}}, {"start", "resets_at"}); }

json usage_report() {
  const json counters = object({{"limit", usage_limit()},
                                {"tokens_today", integer()},
                                {"tokens_this_minute", integer("counted only while this limit has max_tokens_per_minute")},
                                {"requests_this_minute", integer()},
                                {"cost_this_month_microdollars", integer()}},
                               {"limit", "tokens_today", "tokens_this_minute", "requests_this_minute",
                                "cost_this_month_microdollars"});
  return object({{"user_id", str()},
                 {"tokens_today", integer("user-wide, all projects")},
                 {"tokens_this_minute",
                  integer("user-wide, all projects; counted only while the user-wide limit has max_tokens_per_minute")},
                 {"requests_this_minute", integer("user-wide, all projects")},
                 {"cost_this_month_microdollars", integer("user-wide, all projects")},
                 {"periods", object({{"day", period()}, {"minute", period()}, {"month", period()}},
                                    {"day", "minute", "month"})},
                 {"limits", array_of(counters)}},
                {"user_id", "tokens_today", "tokens_this_minute", "requests_this_minute", "cost_this_month_microdollars",
                 "periods",
                 "limits"});
}

const Resource limit_op{.tag = "limits", .id_schema = limit_id()};

}  // namespace

std::vector<Endpoint> limit_endpoints() {
  const std::string base = "/api/v1/limits";
  std::vector<Endpoint> e;
  e.push_back({limit_op("GET", base, "listLimits", "List usage limits", Auth::read)
                    .returns(200, array_of(usage_limit()), "The limits"),
               with_query(kListUser, list)});
  e.push_back({limit_op("POST", base, "createLimit", "Create a usage limit", Auth::admin)
                    .returns(201, usage_limit(), "Created")
                    .errors(400, {"USER_NOT_FOUND"})
                    .errors(409, {"LIMIT_EXISTS"})
                    .errors(422, {"NO_LIMIT_GIVEN"}),
               with_body(kNewLimit, create)});
  e.push_back({limit_op("GET", base + "/usage", "getLimitUsage", "Current usage counters against limits", Auth::read)
                    .returns(200, usage_report(), "Counters and limits"),
               with_query(kUsageUser, [](const Call& c, const UserParam& q) {
                 return reply(c.s.usage_limits.usage(c.who(), q.user_id, util::now()), 200, usage_view);
               })});
  e.push_back({limit_op("GET", base + "/:id", "getLimit", "Get a usage limit", Auth::read)
                    .returns(200, usage_limit(), "The limit"),
               [](const Call& c) { return reply(c.s.usage_limits.get(c.who(), c.id()), 200, limit_view); }});
  e.push_back({limit_op("PUT", base + "/:id", "updateLimit", "Update a usage limit", Auth::admin)
                    .returns(200, usage_limit(), "The updated limit")
                    .errors(422, {"NO_LIMIT_GIVEN"}),
               with_body(kLimitPatch, update)});
  e.push_back({limit_op("DELETE", base + "/:id", "deleteLimit", "Delete a usage limit", Auth::admin)
                    .no_content("Deleted"),
               [](const Call& c) { return reply_no_content(c.s.usage_limits.remove(c.who(), c.id(), c.context())); }});
  return e;
}


}  // namespace iron::api
