// /api/v1/analytics reads: the owner-scoped tables of the dashboard. Paths and field names
// follow the predecessor (docs/compatibility.md); its USD floats stay where it had them (`total_spend`,
// `spending`, …) and every money figure also comes in integer µ$ (`*_microdollars`). Budget
// status keeps its µ$ `budget/spent/remaining` and adds `*_usd` and the burn rate. The tables
// also answer CSV (every matching row, paging ignored; csv.h). The event log is in
// analytics_events.cpp, ingestion in analytics_ingest.cpp, the series and the overview in
// analytics_trends.cpp.
#include <cmath>

#include "api/analytics_params.h"
#include "api/csv.h"
#include "api/routes.h"
#include "util/clock.h"

namespace iron::api {
namespace {

using namespace openapi;
using domain::Analytics;

const QueryFields<PageParams> kPage = page_fields(50);

// One page of a table as JSON: its rows, the summary over every page, and where the page stands.
struct TablePage {
  json data;
  json summary;
  domain::Pagination pagination;
};
// Every row of a table as CSV: the file's table name (csv_name), the header and the rows.
struct CsvTable {
  std::string name;
  std::vector<std::string> header;
  std::vector<CsvRow> rows = {};
};

// A paged table: its JSON answer is one page (400 on a bad page / per_page) in the analytics
// envelope, its CSV every row. `json_page(page)` gives a TablePage, `csv_all()` a CsvTable.
template <class J, class C>
Reply paged_table(const Call& c, const domain::AnalyticsQuery& q, J json_page, C csv_all) {
  return json_or_csv(c.req, [&]() -> Reply {
    auto page = kPage.decode(c.req);
    if (!page) return page.error();
    TablePage t = json_page(page->request());
    return json_response(200, analytics_envelope(q, {{"data", std::move(t.data)}, {"summary", std::move(t.summary)},
                                                     {"pagination", pagination_json(t.pagination)}}));
  }, [&]() -> Reply {
    CsvTable t = csv_all();
    return csv_lines(c.req, t.name, q, t.header, std::move(t.rows));
  });
}

double avg_of(int64_t total, int64_t n) { return n > 0 ? static_cast<double>(total) / static_cast<double>(n) : 0.0; }

constexpr domain::PageRequest kEveryRow{1, 1'000'000'000};  // CSV exports are not paged

// A paged table of the per-agent usage (Analytics::spending_by_agent): `json_row(u)` and
// `csv_row(u)` give one agent's JSON object and CSV row, `summary(page)` the page's summary.
template <class JsonRow, class CsvRowOf, class Summary>
Reply per_agent_table(const Call& c, const domain::AnalyticsQuery& q, CsvTable csv, JsonRow json_row, CsvRowOf csv_row,
                      Summary summary) {
  Analytics& a = c.s.analytics;
  return paged_table(c, q, [&](const domain::PageRequest& page) {
    const auto r = a.spending_by_agent(c.who(), q, page);
    json data = json::array();
    for (const auto& u : r.page.items) data.push_back(json_row(u));
    return TablePage{data, summary(r), r.page.pagination};
  }, [&]() {
    for (const auto& u : a.spending_by_agent(c.who(), q, kEveryRow).page.items) csv.rows.push_back(csv_row(u));
    return csv;
  });
}

Reply spending_by_agent(const Call& c, const domain::AnalyticsQuery& q) {
  const auto percent = [](const store::AgentUsage& u) {
    return u.allocated_micros > 0
               ? static_cast<double>(u.totals.cost_micros) * 100.0 / static_cast<double>(u.allocated_micros)
               : 0.0;
  };
  return per_agent_table(
      c, q,
      {"spending-by-agent", {"agent_id", "agent_name", "spending_usd", "budget_usd", "percent_used", "request_count"}},
      [&](const store::AgentUsage& u) -> json {
        return {{"agent_id", u.agent_id}, {"agent_name", u.agent_name},
                {"spending", usd(u.totals.cost_micros)}, {"spending_microdollars", u.totals.cost_micros},
                {"budget", usd(u.allocated_micros)}, {"budget_microdollars", u.allocated_micros},
                {"percent_used", percent(u)}, {"request_count", u.totals.completed}};
      },
      [&](const store::AgentUsage& u) {
        return std::move(CsvRow().integer(u.agent_id).text(u.agent_name).dollars(u.totals.cost_micros)
                             .dollars(u.allocated_micros).number(percent(u)).integer(u.totals.completed));
      },
      [](const auto& r) -> json {
        return {{"total_spend", usd(r.total_spend_micros)}, {"total_spend_microdollars", r.total_spend_micros},
                {"total_budget", usd(r.total_budget_micros)}, {"total_budget_microdollars", r.total_budget_micros},
                {"total_agents", r.total_agents}};
      });
}

Reply spending_by_provider(const Call& c, const domain::AnalyticsQuery& q) {
  Analytics& a = c.s.analytics;
  const Request& req = c.req;
  const domain::Principal& p = c.who();
  const auto rows = a.by_provider(p, q);
  return json_or_csv(req, [&]() -> Reply {
    json data = json::array();
    int64_t spend = 0, requests = 0;
    for (const auto& u : rows) {
      const double avg = avg_of(u.totals.cost_micros, u.totals.completed);
      data.push_back({{"provider", u.provider}, {"spending", usd(u.totals.cost_micros)},
                      {"spending_microdollars", u.totals.cost_micros}, {"request_count", u.totals.completed},
                      {"avg_cost_per_request", avg / 1e6}, {"avg_cost_per_request_microdollars", std::llround(avg)},
                      {"agent_count", u.agent_count}});
      spend += u.totals.cost_micros;
      requests += u.totals.completed;
    }
    json summary = {{"total_spend", usd(spend)}, {"total_spend_microdollars", spend},
                    {"total_requests", requests}, {"providers_count", rows.size()}};
    return json_response(200, analytics_envelope(q, {{"data", data}, {"summary", summary}}));
  }, [&]() -> Reply {
    std::vector<CsvRow> out;
    for (const auto& u : rows)
      out.push_back(std::move(CsvRow().text(u.provider).dollars(u.totals.cost_micros).integer(u.totals.completed)
                                  .dollars(std::llround(avg_of(u.totals.cost_micros, u.totals.completed)))
                                  .integer(u.agent_count)));
    return csv_lines(req, "spending-by-provider", q,
                     {"provider", "spending_usd", "request_count", "avg_cost_per_request_usd", "agent_count"},
                     std::move(out));
  });
}

Reply tokens_by_agent(const Call& c, const domain::AnalyticsQuery& q) {
  return per_agent_table(
      c, q,
      {"tokens-by-agent", {"agent_id", "agent_name", "input_tokens", "output_tokens", "total_tokens", "request_count"}},
      [](const store::AgentUsage& u) -> json {
        const int64_t total = u.totals.input_tokens + u.totals.output_tokens;
        return {{"agent_id", u.agent_id}, {"agent_name", u.agent_name},
                {"input_tokens", u.totals.input_tokens}, {"output_tokens", u.totals.output_tokens},
                {"total_tokens", total}, {"request_count", u.totals.requests},
                {"avg_tokens_per_request", avg_of(total, u.totals.requests)}};
      },
      [](const store::AgentUsage& u) {
        return std::move(CsvRow().integer(u.agent_id).text(u.agent_name).integer(u.totals.input_tokens)
                             .integer(u.totals.output_tokens)
                             .integer(u.totals.input_tokens + u.totals.output_tokens)
                             .integer(u.totals.requests));
      },
      [&](const auto&) -> json {
        const auto t = c.s.analytics.totals(c.who(), q);  // summary over all pages
        return {{"total_input_tokens", t.input_tokens}, {"total_output_tokens", t.output_tokens},
                {"total_tokens", t.input_tokens + t.output_tokens}};
      });
}

Reply model_usage(const Call& c, const domain::AnalyticsQuery& q) {
  Analytics& a = c.s.analytics;
  const domain::Principal& p = c.who();
  return paged_table(c, q, [&](const domain::PageRequest& page) {
    const auto r = a.by_model(p, q, page);
    json data = json::array();
    for (const auto& m : r.items)
      data.push_back({{"model", m.model}, {"provider", m.provider}, {"request_count", m.totals.requests},
                      {"spending", usd(m.totals.cost_micros)}, {"spending_microdollars", m.totals.cost_micros},
                      {"input_tokens", m.totals.input_tokens}, {"output_tokens", m.totals.output_tokens}});
    const auto t = a.totals(p, q);
    json summary = {{"unique_models", r.pagination.total}, {"total_requests", t.requests},
                    {"total_spend", usd(t.cost_micros)}, {"total_spend_microdollars", t.cost_micros}};
    return TablePage{data, summary, r.pagination};
  }, [&]() {
    CsvTable t{"models", {"model", "provider", "request_count", "spending_usd", "input_tokens", "output_tokens"}};
    for (const auto& m : a.by_model(p, q, kEveryRow).items)
      t.rows.push_back(std::move(CsvRow().text(m.model).text(m.provider).integer(m.totals.requests)
                                     .dollars(m.totals.cost_micros).integer(m.totals.input_tokens)
                                     .integer(m.totals.output_tokens)));
    return t;
  });
}

const std::vector<std::string> kRiskLevels = {"low", "medium", "high", "critical", "exhausted"};

const QueryFields<domain::BudgetStatusQuery> kBudgetStatusFilters =
    QueryFields<domain::BudgetStatusQuery>()
        .integer("agent_id", &domain::BudgetStatusQuery::agent_id, 1, INT64_MAX, "only this agent")
        .custom("threshold", integer_range(0, 1'000'000, ""), "keep agents with percent_used >= threshold",
                [](const std::string& raw, domain::BudgetStatusQuery& q) -> Status {
                  auto v = query_int("threshold", raw, 0, 1'000'000);
                  if (!v) return v.error();
                  q.threshold = static_cast<double>(*v);
                  return ok_status();
                })
        .one_of("status", &domain::BudgetStatusQuery::status, {"active", "exhausted"}, "only agents in this state")
        .custom("risk", one_of_strings(kRiskLevels), "only agents at exactly this risk level",
                [](const std::string& raw, domain::BudgetStatusQuery& q) -> Status {
                  q.risk = domain::parse_risk(raw);
                  if (!q.risk) return errors::not_one_of("risk", kRiskLevels);
                  return ok_status();
                });

Reply budget_status(const Call& c) {
  Analytics& a = c.s.analytics;
  const Request& req = c.req;
  const domain::Principal& p = c.who();
  auto q = kBudgetStatusFilters.decode(req);
  if (!q) return q.error();
  auto page = kPage.decode(req);
  if (!page) return page.error();
  const auto r = a.budget_status(p, *q, page->request());
  json data = json::array();
  for (const auto& row : r.page.items) {
    const auto& b = row.budget;
    data.push_back({{"agent_id", b.agent_id}, {"agent_name", b.agent_name},
                    {"budget", b.allocated}, {"spent", b.spent}, {"remaining", b.remaining},
                    {"reserved", b.reserved},
                    {"budget_microdollars", b.allocated}, {"spent_microdollars", b.spent},
                    {"remaining_microdollars", b.remaining}, {"reserved_microdollars", b.reserved},
                    {"budget_usd", usd(b.allocated)}, {"spent_usd", usd(b.spent)},
                    {"remaining_usd", usd(b.remaining)}, {"reserved_usd", usd(b.reserved)},
                    {"percent_used", row.percent_used}, {"status", row.exhausted ? "exhausted" : "active"},
                    {"risk_level", domain::risk_name(row.risk)},
                    {"burn_rate_micros_per_day", row.burn.micros_per_day},
                    {"projected_exhaustion_at",
                     row.burn.exhaustion_at ? json(util::to_rfc3339(*row.burn.exhaustion_at)) : json(nullptr)},
                    {"period", b.period},
                    {"resets_at", b.resets_at ? json(util::to_rfc3339(util::from_unix_ms(*b.resets_at))) : json(nullptr)}});
  }
  json summary = {{"total_agents", r.total_agents}, {"active", r.active}, {"exhausted", r.exhausted},
                  {"critical", r.critical}, {"high", r.high}, {"medium", r.medium}, {"low", r.low}};
  return json_response(200, {{"data", data}, {"summary", summary},
                             {"pagination", pagination_json(r.page.pagination)}, {"calculated_at", analytics_now_ms()}});
}

// The declaration of a paged table read: owner-scoped, paged, also answered as CSV.
Endpoint paged_table_endpoint(std::string pattern, std::string id, std::string summary, const std::string& schema,
                              Reply (*handler)(const Call&, const domain::AnalyticsQuery&)) {
  return {analytics_read_op(std::move(pattern), std::move(id), std::move(summary))
              .query_params(kPage.parameters())
              .csv_export()
              .returns(200, ref(schema)),
          period_read(handler)};
}

}  // namespace

std::vector<Endpoint> analytics_endpoints() {
  std::vector<Endpoint> e;
  e.push_back({analytics_read_op("/api/v1/analytics/spending/total", "getSpendingTotal", "Total spend (completed requests)")
                    .returns(200, ref("SpendingTotal")),
               period_read([](const Call& c, const domain::AnalyticsQuery& q) -> Reply {
                 const auto t = c.s.analytics.totals(c.who(), q);
                 return json_response(200, analytics_envelope(q, {{"total_spend", usd(t.cost_micros)},
                                                                  {"total_spend_microdollars", t.cost_micros},
                                                                  {"currency", "USD"}}));
               })});
  e.push_back(paged_table_endpoint("/api/v1/analytics/spending/by-agent", "getSpendingByAgent",
                                   "Spend per agent (highest first)", "SpendingByAgent", spending_by_agent));
  e.push_back({analytics_read_op("/api/v1/analytics/spending/by-provider", "getSpendingByProvider", "Spend per provider")
                    .csv_export()
                    .returns(200, ref("SpendingByProvider")),
               period_read(spending_by_provider)});
  e.push_back({analytics_read_op("/api/v1/analytics/spending/avg-per-request", "getAverageCostPerRequest",
                        "Average, min and max cost per completed request")
                    .returns(200, ref("AverageCostPerRequest")),
               period_read([](const Call& c, const domain::AnalyticsQuery& q) -> Reply {
                 const auto t = c.s.analytics.totals(c.who(), q);
                 const double avg = avg_of(t.cost_micros, t.completed);
                 const int64_t min = t.min_cost_micros.value_or(0), max = t.max_cost_micros.value_or(0);
                 return json_response(200, analytics_envelope(q, {{"average_cost_per_request", avg / 1e6},
                                                                  {"average_cost_per_request_microdollars", std::llround(avg)},
                                                                  {"total_requests", t.completed},
                                                                  {"total_spend", usd(t.cost_micros)},
                                                                  {"total_spend_microdollars", t.cost_micros},
                                                                  {"min_cost_per_request", usd(min)},
                                                                  {"min_cost_per_request_microdollars", min},
                                                                  {"max_cost_per_request", usd(max)},
                                                                  {"max_cost_per_request_microdollars", max}}));
               })});
  e.push_back({Op("GET", "/api/v1/analytics/budget/status", "getBudgetStatus", "Budget state, risk and burn rate of each agent")
      .tagged("analytics").auth(Auth::read)
      .query_params(kBudgetStatusFilters.parameters())
      .query_params(kPage.parameters())
      .returns(200, ref("BudgetStatus")),
               budget_status});
  e.push_back({analytics_read_op("/api/v1/analytics/usage/requests", "getUsageRequests", "Request counts and success rate")
                    .returns(200, ref("RequestUsage")),
               period_read([](const Call& c, const domain::AnalyticsQuery& q) -> Reply {
                 const auto t = c.s.analytics.totals(c.who(), q);
                 const double rate =
                     t.requests > 0 ? static_cast<double>(t.completed) * 100.0 / static_cast<double>(t.requests) : 0.0;
                 return json_response(200, analytics_envelope(q, {{"total_requests", t.requests},
                                                                  {"successful_requests", t.completed},
                                                                  {"failed_requests", t.failed},
                                                                  {"success_rate", rate}}));
               })});
  e.push_back(paged_table_endpoint("/api/v1/analytics/usage/tokens/by-agent", "getTokenUsageByAgent",
                                   "Tokens per agent", "TokenUsageByAgent", tokens_by_agent));
  e.push_back(paged_table_endpoint("/api/v1/analytics/usage/models", "getModelUsage",
                                   "Usage per model (most requests first)", "ModelUsageList", model_usage));
  return e;
}

}  // namespace iron::api
