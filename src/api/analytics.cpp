// /api/v1/analytics reads: the owner-scoped tables of the dashboard. Paths and field names
// follow the predecessor (§2.8); its USD floats stay where it had them (`total_spend`,
// `spending`, …) and every money figure also comes in integer µ$ (`*_microdollars`). Budget
// status keeps its µ$ `budget/spent/remaining` and adds `*_usd` and the burn rate. The tables
// also answer CSV (every matching row, paging ignored; csv.h). Ingestion is in
// analytics_ingest.cpp, the series and the overview in analytics_trends.cpp.
#include <cmath>

#include <stdexcept>

#include "api/analytics_params.h"
#include "api/csv.h"
#include "api/json_body.h"
#include "api/responses.h"
#include "api/routes.h"
#include "util/clock.h"

namespace iron::api {
namespace {

using nlohmann::json;
using domain::Analytics;

json opt(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }
double avg_of(int64_t total, int64_t n) { return n > 0 ? static_cast<double>(total) / static_cast<double>(n) : 0.0; }

constexpr domain::PageRequest kEveryRow{1, 1'000'000'000};  // CSV exports are not paged

// Runs `json_answer` or `csv_answer` as the caller asked (400 on a bad `format`).
template <class J, class C>
Response json_or_csv(const Request& req, J json_answer, C csv_answer) {
  auto csv = wants_csv(req);
  if (!csv) return error_response(csv.error());
  return *csv ? csv_answer() : json_answer();
}

json event_json(const store::AnalyticsEventRow& e) {
  return {{"event_id", e.event_id}, {"timestamp_ms", e.timestamp_ms}, {"event_type", e.event_type},
          {"model", e.model}, {"provider", e.provider}, {"provider_id", opt(e.provider_id)},
          {"input_tokens", e.input_tokens}, {"output_tokens", e.output_tokens},
          {"cost_micros", e.cost_micros}, {"agent_id", e.agent_id}, {"agent_name", e.agent_name},
          {"error_code", opt(e.error_code)}, {"error_message", opt(e.error_message)}};
}

Response events_list(Analytics& a, const Request& req, const domain::Principal& p,
                     const domain::AnalyticsQuery& base) {
  auto filtered = with_event_filters(req, base);
  if (!filtered) return error_response(filtered.error());
  const domain::AnalyticsQuery q = *filtered;
  return json_or_csv(req, [&] {
    auto page = page_of(req, 10);  // the predecessor's default for this list
    if (!page) return error_response(page.error());
    const auto events = a.list_events(p, q, *page);
    json data = json::array();
    for (const auto& e : events.items) data.push_back(event_json(e));
    return json_response(200, analytics_envelope(q, {{"data", data}, {"pagination", pagination_json(events.pagination)}}));
  }, [&] {
    // Streamed in keyset batches straight from the table: any number of rows, bounded memory.
    return csv_response(csv_name("events", q),
                        {"timestamp", "event_id", "event_type", "agent_id", "agent_name", "provider", "model",
                         "provider_id", "input_tokens", "output_tokens", "cost_usd", "error_code", "error_message"},
                        [&a, p, q](const CsvWrite& write) {
                          a.each_event(p, q, [&write](const std::vector<store::AnalyticsEventRow>& rows) {
                            std::string chunk;
                            for (const auto& e : rows)
                              chunk += CsvRow()
                                           .time_ms(e.timestamp_ms).text(e.event_id).text(e.event_type)
                                           .integer(e.agent_id).text(e.agent_name).text(e.provider).text(e.model)
                                           .opt_text(e.provider_id).integer(e.input_tokens).integer(e.output_tokens)
                                           .dollars(e.cost_micros).opt_text(e.error_code).opt_text(e.error_message)
                                           .line();
                            return write(chunk);
                          });
                        },
                        req.request_id);
  });
}

// The keyset cursor: "<timestamp_ms>.<row id>" of the previous page's last row.
Result<std::optional<std::pair<int64_t, int64_t>>> event_cursor_of(const Request& req) {
  const auto raw = req.query_param("cursor");
  if (!raw) return std::optional<std::pair<int64_t, int64_t>>{};
  const Error invalid = Error::validation("cursor", "cursor is not one this server issued", "INVALID_CURSOR");
  const auto dot = raw->find('.');
  if (dot == std::string::npos) return invalid;
  const std::string ts = raw->substr(0, dot), id = raw->substr(dot + 1);
  if (ts.empty() || id.empty() || ts.size() > 18 || id.size() > 18 ||
      ts.find_first_not_of("0123456789") != std::string::npos || id.find_first_not_of("0123456789") != std::string::npos)
    return invalid;
  return std::optional<std::pair<int64_t, int64_t>>(std::pair<int64_t, int64_t>{std::stoll(ts), std::stoll(id)});
}

// GET /analytics/events: the event log read by key, for a log of any size.
Response events_page(Analytics& a, const Request& req, const domain::Principal& p,
                     const domain::AnalyticsQuery& base) {
  auto filtered = with_event_filters(req, base);
  if (!filtered) return error_response(filtered.error());
  const domain::AnalyticsQuery& q = *filtered;
  auto cursor = event_cursor_of(req);
  if (!cursor) return error_response(cursor.error());
  auto limit = query_int(req, "limit", 1, 200);
  if (!limit) return error_response(limit.error());
  const auto page = a.event_page(p, q, *cursor, limit->value_or(50));
  json items = json::array();
  for (const auto& e : page.items) items.push_back(event_json(e));
  json next = nullptr;
  if (page.more)
    next = std::to_string(page.items.back().timestamp_ms) + "." + std::to_string(page.items.back().row_id);
  return json_response(200, analytics_envelope(q, {{"items", items}, {"next_cursor", next}}));
}

Response spending_by_agent(Analytics& a, const Request& req, const domain::Principal& p, const domain::AnalyticsQuery& q) {
  const auto percent = [](const store::AgentUsage& u) {
    return u.allocated_micros > 0
               ? static_cast<double>(u.totals.cost_micros) * 100.0 / static_cast<double>(u.allocated_micros)
               : 0.0;
  };
  return json_or_csv(req, [&] {
    auto page = page_of(req, 50);
    if (!page) return error_response(page.error());
    const auto r = a.spending_by_agent(p, q, *page);
    json data = json::array();
    for (const auto& u : r.page.items)
      data.push_back({{"agent_id", u.agent_id}, {"agent_name", u.agent_name},
                      {"spending", usd(u.totals.cost_micros)}, {"spending_microdollars", u.totals.cost_micros},
                      {"budget", usd(u.allocated_micros)}, {"budget_microdollars", u.allocated_micros},
                      {"percent_used", percent(u)}, {"request_count", u.totals.completed}});
    json summary = {{"total_spend", usd(r.total_spend_micros)}, {"total_spend_microdollars", r.total_spend_micros},
                    {"total_budget", usd(r.total_budget_micros)}, {"total_budget_microdollars", r.total_budget_micros},
                    {"total_agents", r.total_agents}};
    return json_response(200, analytics_envelope(q, {{"data", data}, {"summary", summary},
                                                     {"pagination", pagination_json(r.page.pagination)}}));
  }, [&] {
    std::vector<CsvRow> rows;
    for (const auto& u : a.spending_by_agent(p, q, kEveryRow).page.items)
      rows.push_back(std::move(CsvRow().integer(u.agent_id).text(u.agent_name).dollars(u.totals.cost_micros)
                                   .dollars(u.allocated_micros).number(percent(u)).integer(u.totals.completed)));
    return csv_lines(req, "spending-by-agent", q,
                     {"agent_id", "agent_name", "spending_usd", "budget_usd", "percent_used", "request_count"},
                     std::move(rows));
  });
}

Response spending_by_provider(Analytics& a, const Request& req, const domain::Principal& p,
                              const domain::AnalyticsQuery& q) {
  const auto rows = a.by_provider(p, q);
  return json_or_csv(req, [&] {
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
  }, [&] {
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

Response tokens_by_agent(Analytics& a, const Request& req, const domain::Principal& p, const domain::AnalyticsQuery& q) {
  return json_or_csv(req, [&] {
    auto page = page_of(req, 50);
    if (!page) return error_response(page.error());
    const auto r = a.spending_by_agent(p, q, *page);
    json data = json::array();
    for (const auto& u : r.page.items) {
      const int64_t total = u.totals.input_tokens + u.totals.output_tokens;
      data.push_back({{"agent_id", u.agent_id}, {"agent_name", u.agent_name},
                      {"input_tokens", u.totals.input_tokens}, {"output_tokens", u.totals.output_tokens},
                      {"total_tokens", total}, {"request_count", u.totals.requests},
                      {"avg_tokens_per_request", avg_of(total, u.totals.requests)}});
    }
    const auto t = a.totals(p, q);  // summary over all pages
    json summary = {{"total_input_tokens", t.input_tokens}, {"total_output_tokens", t.output_tokens},
                    {"total_tokens", t.input_tokens + t.output_tokens}};
    return json_response(200, analytics_envelope(q, {{"data", data}, {"summary", summary},
                                                     {"pagination", pagination_json(r.page.pagination)}}));
  }, [&] {
    std::vector<CsvRow> rows;
    for (const auto& u : a.spending_by_agent(p, q, kEveryRow).page.items)
      rows.push_back(std::move(CsvRow().integer(u.agent_id).text(u.agent_name).integer(u.totals.input_tokens)
                                   .integer(u.totals.output_tokens)
                                   .integer(u.totals.input_tokens + u.totals.output_tokens)
                                   .integer(u.totals.requests)));
    return csv_lines(req, "tokens-by-agent", q,
                     {"agent_id", "agent_name", "input_tokens", "output_tokens", "total_tokens", "request_count"},
                     std::move(rows));
  });
}

Response model_usage(Analytics& a, const Request& req, const domain::Principal& p, const domain::AnalyticsQuery& q) {
  return json_or_csv(req, [&] {
    auto page = page_of(req, 50);
    if (!page) return error_response(page.error());
    const auto r = a.by_model(p, q, *page);
    json data = json::array();
    for (const auto& m : r.items)
      data.push_back({{"model", m.model}, {"provider", m.provider}, {"request_count", m.totals.requests},
                      {"spending", usd(m.totals.cost_micros)}, {"spending_microdollars", m.totals.cost_micros},
                      {"input_tokens", m.totals.input_tokens}, {"output_tokens", m.totals.output_tokens}});
    const auto t = a.totals(p, q);
    json summary = {{"unique_models", r.pagination.total}, {"total_requests", t.requests},
                    {"total_spend", usd(t.cost_micros)}, {"total_spend_microdollars", t.cost_micros}};
    return json_response(200, analytics_envelope(q, {{"data", data}, {"summary", summary},
                                                     {"pagination", pagination_json(r.pagination)}}));
  }, [&] {
    std::vector<CsvRow> rows;
    for (const auto& m : a.by_model(p, q, kEveryRow).items)
      rows.push_back(std::move(CsvRow().text(m.model).text(m.provider).integer(m.totals.requests)
                                   .dollars(m.totals.cost_micros).integer(m.totals.input_tokens)
                                   .integer(m.totals.output_tokens)));
    return csv_lines(req, "models", q, {"model", "provider", "request_count", "spending_usd", "input_tokens", "output_tokens"},
                     std::move(rows));
  });
}

Response budget_status(Analytics& a, const Request& req, const domain::Principal& p) {
  domain::BudgetStatusQuery q;
  auto agent = query_int(req, "agent_id", 1, INT64_MAX);
  if (!agent) return error_response(agent.error());
  q.agent_id = *agent;
  auto threshold = query_int(req, "threshold", 0, 1'000'000);
  if (!threshold) return error_response(threshold.error());
  if (*threshold) q.threshold = static_cast<double>(**threshold);
  if (const auto status = req.query_param("status")) {
    if (*status != "active" && *status != "exhausted")
      return error_response(Error::validation("status", "status must be active or exhausted"));
    q.status = *status;
  }
  if (const auto risk = req.query_param("risk")) {
    q.risk = domain::parse_risk(*risk);
    if (!q.risk) return error_response(Error::validation("risk", "risk must be low, medium, high, critical or exhausted"));
  }
  auto page = page_of(req, 50);
  if (!page) return error_response(page.error());
  const auto r = a.budget_status(p, q, *page);
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
                     row.burn.exhaustion_at ? json(util::to_rfc3339(*row.burn.exhaustion_at)) : json(nullptr)}});
  }
  json summary = {{"total_agents", r.total_agents}, {"active", r.active}, {"exhausted", r.exhausted},
                  {"critical", r.critical}, {"high", r.high}, {"medium", r.medium}, {"low", r.low}};
  return json_response(200, {{"data", data}, {"summary", summary},
                             {"pagination", pagination_json(r.page.pagination)}, {"calculated_at", analytics_now_ms()}});
}

}  // namespace

void add_analytics_routes(std::vector<Route>& routes, Services& s) {
  const std::string base = "/api/v1/analytics";
  if (!s.analytics) throw std::logic_error("analytics routes need Services::analytics");
  Analytics& a = *s.analytics;
  add_analytics_ingest_routes(routes, s, a);

  const auto read = [&](const std::string& path, auto fn) {
    routes.push_back({"GET", base + path, analytics_read(s, [&a, fn](const Request& req, const domain::Principal& p,
                                                                     const domain::AnalyticsQuery& q) {
                        return fn(a, req, p, q);
                      })});
  };
  read("/events/list", events_list);
  read("/events", events_page);
  read("/spending/total", [](Analytics& a, const Request&, const domain::Principal& p, const domain::AnalyticsQuery& q) {
    const auto t = a.totals(p, q);
    return json_response(200, analytics_envelope(q, {{"total_spend", usd(t.cost_micros)},
                                                     {"total_spend_microdollars", t.cost_micros},
                                                     {"currency", "USD"}}));
  });
  read("/spending/by-agent", spending_by_agent);
  read("/spending/by-provider", spending_by_provider);
  read("/spending/avg-per-request", [](Analytics& a, const Request&, const domain::Principal& p,
                                       const domain::AnalyticsQuery& q) {
    const auto t = a.totals(p, q);
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
  });
  routes.push_back({"GET", base + "/budget/status", guarded(s, Access::read, [&a](const Request& req, const domain::Principal& p) {
                      return budget_status(a, req, p);
                    })});
  read("/usage/requests", [](Analytics& a, const Request&, const domain::Principal& p, const domain::AnalyticsQuery& q) {
    const auto t = a.totals(p, q);
    const double rate = t.requests > 0 ? static_cast<double>(t.completed) * 100.0 / static_cast<double>(t.requests) : 0.0;
    return json_response(200, analytics_envelope(q, {{"total_requests", t.requests}, {"successful_requests", t.completed},
                                                     {"failed_requests", t.failed}, {"success_rate", rate}}));
  });
  read("/usage/tokens/by-agent", tokens_by_agent);
  read("/usage/models", model_usage);
  add_analytics_trend_routes(routes, s, a);
}

}  // namespace iron::api
