// GET /api/v1/analytics/spending/timeseries (spend over time for charts) and
// GET /api/v1/analytics/overview (everything the dashboard's Overview shows, in one request
// instead of one per card). Owner-scoped like every analytics read; from the daily rollups
// (the pending budget-request count excepted).
#include "api/analytics_params.h"
#include "api/csv.h"
#include "api/routes.h"
#include "util/clock.h"

namespace iron::api {
namespace {

using namespace openapi;
using domain::Analytics;

json usage_json(const store::UsageTotals& t) {
  return {{"spending_microdollars", t.cost_micros},
          {"spending", usd(t.cost_micros)},
          {"requests", t.requests},
          {"successful_requests", t.completed},
          {"failed_requests", t.failed},
          {"success_rate", t.requests > 0 ? json(static_cast<double>(t.completed) * 100.0 / static_cast<double>(t.requests))
                                          : json(nullptr)},
          {"input_tokens", t.input_tokens},
          {"output_tokens", t.output_tokens}};
}

struct BucketParam {
  domain::Bucket bucket = domain::Bucket::day;
};
const std::vector<std::string> kBuckets = {"day", "week", "month"};
const QueryFields<BucketParam> kBucket =
    QueryFields<BucketParam>().custom("bucket", one_of_strings(kBuckets), "default day; week = ISO week (Monday)",
                                      [](const std::string& raw, BucketParam& out) -> Status {
                                        const auto b = domain::parse_bucket(raw);
                                        if (!b) return errors::not_one_of("bucket", kBuckets);
                                        out.bucket = *b;
                                        return ok_status();
                                      });

Reply timeseries(const Call& c, const domain::AnalyticsQuery& q) {
  Analytics& a = c.s.analytics;
  const Request& req = c.req;
  const domain::Principal& p = c.who();
  auto in = kBucket.decode(req);
  if (!in) return in.error();
  const domain::Bucket bucket = in->bucket;
  auto csv = wants_csv(req);
  if (!csv) return csv.error();
  auto series = a.timeseries(p, q, bucket);
  if (!series) return series.error();
  if (*csv) {
    std::vector<CsvRow> rows;
    for (const auto& point : series->points)
      rows.push_back(std::move(CsvRow().text(point.start).dollars(point.totals.cost_micros).integer(point.totals.requests)
                                   .integer(point.totals.completed).integer(point.totals.failed)
                                   .integer(point.totals.input_tokens).integer(point.totals.output_tokens)));
    return csv_lines(req, std::string("spending-per-") + domain::bucket_name(bucket), q,
                     {"start", "spending_usd", "requests", "successful_requests", "failed_requests", "input_tokens",
                      "output_tokens"},
                     std::move(rows));
  }
  json data = json::array();
  store::UsageTotals sum;
  for (const auto& point : series->points) {
    json row = usage_json(point.totals);
    row["start"] = point.start;
    json providers = json::array();
    for (const auto& pt : point.providers)
      providers.push_back({{"provider", pt.provider},
                           {"spending_microdollars", pt.totals.cost_micros},
                           {"spending", usd(pt.totals.cost_micros)},
                           {"requests", pt.totals.requests}});
    row["by_provider"] = providers;
    data.push_back(std::move(row));
    sum.cost_micros += point.totals.cost_micros;
    sum.requests += point.totals.requests;
    sum.completed += point.totals.completed;
    sum.failed += point.totals.failed;
    sum.input_tokens += point.totals.input_tokens;
    sum.output_tokens += point.totals.output_tokens;
  }
  return json_response(200, analytics_envelope(q, {{"bucket", domain::bucket_name(series->bucket)},
                                                   {"from", series->from_day},
                                                   {"to", series->to_day},
                                                   {"data", data},
                                                   {"summary", usage_json(sum)}}));
}

// Pending budget requests the caller can see (all for admins, their agents' otherwise): the
// navigation badge and the Overview card. Few by nature (each awaits a decision).
Result<int64_t> pending_requests(Services& s, const domain::Principal& p) {
  auto pending = s.budget_requests.list(p, std::nullopt, std::string("pending"));
  if (!pending) return pending.error();
  return static_cast<int64_t>(pending->size());
}

Reply overview(const Call& c) {
  Analytics& a = c.s.analytics;
  const domain::Principal& p = c.who();
  auto pending = pending_requests(c.s, p);
  if (!pending) return pending.error();
  const auto o = a.overview(p);
  json top = json::array();
  for (const auto& u : o.top_agents)
    top.push_back({{"agent_id", u.agent_id},
                   {"agent_name", u.agent_name},
                   {"spending_microdollars", u.totals.cost_micros},
                   {"spending", usd(u.totals.cost_micros)},
                   {"request_count", u.totals.requests}});
  const auto& b = o.budgets;
  return json_response(
      200, {{"today", usage_json(o.today)},
            {"this_month", usage_json(o.this_month)},
            {"all_time", usage_json(o.all_time)},
            {"active_leases", {{"count", o.active_leases.count}, {"reserved_microdollars", o.active_leases.reserved}}},
            {"budgets", {{"total_agents", b.total_agents}, {"active", b.active}, {"exhausted", b.exhausted},
                         {"critical", b.critical}, {"high", b.high}, {"medium", b.medium}, {"low", b.low}}},
            {"top_agents_this_month", top},
            {"pending_budget_requests", *pending},
            {"calculated_at", util::to_rfc3339(util::now())}});
}

}  // namespace

std::vector<Endpoint> analytics_trend_endpoints() {
  std::vector<Endpoint> e;
  e.push_back({analytics_read_op("/api/v1/analytics/spending/timeseries", "getSpendingTimeseries", "Spend over time")
                    .query_params(kBucket.parameters())
                    .csv_export()
                    .returns(200, ref("SpendingTimeseries")),
               period_read(timeseries)});
  e.push_back({Op("GET", "/api/v1/analytics/overview", "getAnalyticsOverview", "Everything the Overview page shows")
                    .tagged("analytics")
                    .auth(Auth::read)
                    .returns(200, ref("AnalyticsOverview")),
               overview});
  return e;
}

}  // namespace iron::api
