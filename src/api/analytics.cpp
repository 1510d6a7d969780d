// /api/v1/analytics: event ingestion by agents (IC token) and the owner-scoped reads of the
// dashboard. Paths and field names follow the predecessor (§2.8); its USD floats stay where it
// had them (`total_spend`, `spending`, …) and every money figure also comes in integer µ$
// (`*_microdollars`). Budget status keeps its µ$ `budget/spent/remaining` and adds `*_usd`.
#include <cmath>

#include <stdexcept>

#include "api/guard.h"
#include "api/json_body.h"
#include "api/responses.h"
#include "api/routes.h"
#include "domain/analytics.h"
#include "util/clock.h"

namespace iron::api {
namespace {

using nlohmann::json;
using domain::Analytics;

double usd(int64_t micros) { return static_cast<double>(micros) / 1e6; }
json opt(const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); }
int64_t now_ms() { return util::to_unix_ms(util::now()); }

// ---- decoding ----

// One event object (single or batch item), decoded by json_body's member rules; range and
// length rules are domain::validate_event's.
Result<domain::AnalyticsEvent> decode_event(const json& j) {
  if (!j.is_object()) return Error::validation("event", "each event must be a JSON object");
  constexpr size_t kAnyLength = std::string::npos;  // lengths are the domain's rule
  domain::AnalyticsEvent e;
  const auto required = [&j](const std::string& field, std::string& out) -> Status {
    auto v = text_member(j, field, kAnyLength);
    if (!v) return v.error();
    if (!*v) return Error::validation(field, field + " is required", "MISSING_FIELD");
    out = std::move(**v);
    return ok_status();
  };
  const auto optional_text = [&j](const std::string& field, std::optional<std::string>& out) -> Status {
    auto v = text_member(j, field, kAnyLength);
    if (!v) return v.error();
    out = std::move(*v);
    return ok_status();
  };
  const auto optional_int = [&j](const std::string& field, std::optional<int64_t>& out) -> Status {
    auto v = int_member(j, field, INT64_MIN, INT64_MAX);
    if (!v) return v.error();
    out = *v;
    return ok_status();
  };
  for (const Status& s : {required("event_id", e.event_id), optional_int("timestamp_ms", e.timestamp_ms)})
    if (!s) return s.error();
  if (!e.timestamp_ms) return Error::validation("timestamp_ms", "timestamp_ms is required", "MISSING_FIELD");
  for (const Status& s : {required("event_type", e.event_type), required("model", e.model),
                          required("provider", e.provider), optional_text("provider_id", e.provider_id),
                          optional_int("input_tokens", e.input_tokens), optional_int("output_tokens", e.output_tokens),
                          optional_int("cost_micros", e.cost_micros), optional_text("error_code", e.error_code),
                          optional_text("error_message", e.error_message)})
    if (!s) return s.error();
  return e;
}

Error ic_unavailable() {
  return {ErrorKind::unavailable, "IC_TOKENS_UNAVAILABLE", "agent IC tokens are not available on this server", {}, 30};
}

// The IC token from the body field `ic_token` (predecessor) or a Bearer header.
Result<domain::AgentIdentity> agent_of(Services& s, const Request& req, const json& body) {
  std::optional<std::string> token;
  if (body.contains("ic_token") && body["ic_token"].is_string()) token = body["ic_token"].get<std::string>();
  if (!token) token = bearer_token(req);
  if (!token || token->empty())
    return Error::unauthenticated("AUTH_MISSING_TOKEN", "an IC token is required (body ic_token or Bearer)");
  return s.authenticate_ic_token(*token);
}

domain::RequestContext agent_context(const Request& req, const domain::AgentIdentity& who) {
  auto ctx = context_of(req);
  ctx.actor_type = "agent";
  ctx.actor_id = "agent_" + std::to_string(who.agent_id);
  return ctx;
}

Response ingest_one(Services& s, Analytics& a, const Request& req) {
  if (!s.authenticate_ic_token) return error_response(ic_unavailable());
  auto body = JsonBody::parse(req);
  if (!body) return error_response(body.error());
  auto who = agent_of(s, req, body->json());
  if (!who) return error_response(who.error(), req.request_id);
  auto event = decode_event(body->json());
  if (!event) return error_response(event.error());
  auto r = a.ingest(*who, *event, agent_context(req, *who));
  if (!r) return error_response(r.error(), req.request_id);
  return json_response(r->status == "accepted" ? 202 : 200, {{"event_id", r->event_id}, {"status", r->status}});
}

Response ingest_batch(Services& s, Analytics& a, const Request& req) {
  if (!s.authenticate_ic_token) return error_response(ic_unavailable());
  auto body = JsonBody::parse(req);
  if (!body) return error_response(body.error());
  auto who = agent_of(s, req, body->json());
  if (!who) return error_response(who.error(), req.request_id);
  const json& items = body->json().contains("events") ? body->json()["events"] : json(nullptr);
  if (!items.is_array()) return error_response(Error::validation("events", "events must be an array", "MISSING_FIELD"));
  if (items.size() > domain::kMaxBatchEvents)
    return error_response(Error::validation("events", "a batch holds at most 1000 events"));
  // Items that cannot be decoded are rejected in place; the rest go to the domain together.
  std::vector<domain::AnalyticsEvent> decoded;
  std::vector<std::optional<Error>> decode_errors;
  for (const auto& item : items) {
    auto e = decode_event(item);
    decode_errors.push_back(e ? std::nullopt : std::optional<Error>(e.error()));
    if (e) decoded.push_back(std::move(e.value()));
  }
  auto r = a.ingest_batch(*who, decoded, agent_context(req, *who));
  if (!r) return error_response(r.error(), req.request_id);
  json results = json::array();
  int64_t rejected = r->rejected;
  size_t next = 0;
  for (size_t i = 0; i < items.size(); ++i) {
    const std::optional<Error>& err = decode_errors[i];
    json row;
    if (err) {
      ++rejected;
      const json& id = items[i].is_object() && items[i].contains("event_id") ? items[i]["event_id"] : json(nullptr);
      row = {{"event_id", id.is_string() ? id : json(nullptr)}, {"status", "rejected"}};
      row["error"] = {{"code", err->code}, {"message", err->message}, {"details", err->details}};
    } else {
      const auto& o = r->results[next++];
      row = {{"event_id", o.event_id}, {"status", o.status}};
      if (o.error) row["error"] = {{"code", o.error->code}, {"message", o.error->message}, {"details", o.error->details}};
    }
    results.push_back(std::move(row));
  }
  return json_response(200, {{"results", results},
                             {"accepted", r->accepted},
                             {"duplicates", r->duplicates},
                             {"rejected", rejected}});
}

// ---- read queries ----

Result<domain::AnalyticsQuery> query_of(const Request& req) {
  domain::AnalyticsQuery q;
  if (const auto raw = req.query_param("period")) {
    const auto p = domain::parse_period(*raw);
    if (!p)
      return Error::validation("period", "period must be one of today, yesterday, last7-days, last30-days, "
                                         "this-month, last-month, all-time");
    q.period = *p;
  }
  auto agent = query_int(req, "agent_id", 1, INT64_MAX);
  if (!agent) return agent.error();
  q.agent_id = *agent;
  if (const auto provider = req.query_param("provider")) {
    if (provider->empty() || provider->size() > 64)
      return Error::validation("provider", "provider must be 1 to 64 characters");
    q.provider = *provider;
  }
  return q;
}

Result<domain::PageRequest> page_of(const Request& req, int64_t default_per_page) {
  auto page = query_int(req, "page", 1, 1'000'000'000);
  if (!page) return page.error();
  auto per_page = query_int(req, "per_page", 1, 200);
  if (!per_page) return per_page.error();
  return domain::PageRequest{page->value_or(1), per_page->value_or(default_per_page)};
}

json pagination_json(const domain::Pagination& p) {
  return {{"page", p.page}, {"per_page", p.per_page}, {"total", p.total}, {"total_pages", p.total_pages}};
}

json filters_json(const domain::AnalyticsQuery& q) {
  json f = json::object();
  if (q.agent_id) f["agent_id"] = *q.agent_id;
  if (q.provider) f["provider"] = *q.provider;
  return f;
}

json envelope(const domain::AnalyticsQuery& q, json body) {
  body["period"] = domain::period_name(q.period);
  body["filters"] = filters_json(q);
  body["calculated_at"] = now_ms();
  return body;
}

double avg_micros(int64_t total, int64_t n) { return n > 0 ? static_cast<double>(total) / static_cast<double>(n) : 0.0; }

using ReadHandler = std::function<Response(const Request&, const domain::Principal&, const domain::AnalyticsQuery&)>;

// Decodes period/filters (400 on bad values) before the handler runs.
AuthedHandler with_query(ReadHandler h) {
  return [h = std::move(h)](const Request& req, const domain::Principal& p) -> Response {
    auto q = query_of(req);
    if (!q) return error_response(q.error());
    return h(req, p, *q);
  };
}

}  // namespace

void add_analytics_routes(std::vector<Route>& routes, Services& s) {
  const std::string base = "/api/v1/analytics";
  if (!s.analytics) throw std::logic_error("analytics routes need Services::analytics");
  Analytics* a = s.analytics;

  routes.push_back({"POST", base + "/events", [&s, a](const Request& r) { return ingest_one(s, *a, r); }});
  routes.push_back({"POST", base + "/events/batch", [&s, a](const Request& r) { return ingest_batch(s, *a, r); }});

  routes.push_back({"GET", base + "/events/list", guarded(s, Access::read, with_query([a](const Request& req, const domain::Principal& p, const domain::AnalyticsQuery& q) {
    auto page = page_of(req, 10);  // the predecessor's default for this list
    if (!page) return error_response(page.error());
    const auto events = a->list_events(p, q, *page);
    json data = json::array();
    for (const auto& e : events.items)
      data.push_back({{"event_id", e.event_id}, {"timestamp_ms", e.timestamp_ms}, {"event_type", e.event_type},
                      {"model", e.model}, {"provider", e.provider}, {"provider_id", opt(e.provider_id)},
                      {"input_tokens", e.input_tokens}, {"output_tokens", e.output_tokens},
                      {"cost_micros", e.cost_micros}, {"agent_id", e.agent_id}, {"agent_name", e.agent_name},
                      {"error_code", opt(e.error_code)}, {"error_message", opt(e.error_message)}});
    return json_response(200, envelope(q, {{"data", data}, {"pagination", pagination_json(events.pagination)}}));
  }))});

  routes.push_back({"GET", base + "/spending/total", guarded(s, Access::read, with_query([a](const Request&, const domain::Principal& p, const domain::AnalyticsQuery& q) {
    const auto t = a->totals(p, q);
    return json_response(200, envelope(q, {{"total_spend", usd(t.cost_micros)},
                                           {"total_spend_microdollars", t.cost_micros},
                                           {"currency", "USD"}}));
  }))});

  routes.push_back({"GET", base + "/spending/by-agent", guarded(s, Access::read, with_query([a](const Request& req, const domain::Principal& p, const domain::AnalyticsQuery& q) {
    auto page = page_of(req, 50);
    if (!page) return error_response(page.error());
    const auto r = a->spending_by_agent(p, q, *page);
    json data = json::array();
    for (const auto& u : r.page.items) {
      const double percent = u.allocated_micros > 0 ? static_cast<double>(u.totals.cost_micros) * 100.0 /
                                                          static_cast<double>(u.allocated_micros)
                                                    : 0.0;
      data.push_back({{"agent_id", u.agent_id}, {"agent_name", u.agent_name},
                      {"spending", usd(u.totals.cost_micros)}, {"spending_microdollars", u.totals.cost_micros},
                      {"budget", usd(u.allocated_micros)}, {"budget_microdollars", u.allocated_micros},
                      {"percent_used", percent}, {"request_count", u.totals.completed}});
    }
    json summary = {{"total_spend", usd(r.total_spend_micros)}, {"total_spend_microdollars", r.total_spend_micros},
                    {"total_budget", usd(r.total_budget_micros)}, {"total_budget_microdollars", r.total_budget_micros},
                    {"total_agents", r.total_agents}};
    return json_response(200, envelope(q, {{"data", data}, {"summary", summary},
                                           {"pagination", pagination_json(r.page.pagination)}}));
  }))});

  routes.push_back({"GET", base + "/spending/by-provider", guarded(s, Access::read, with_query([a](const Request&, const domain::Principal& p, const domain::AnalyticsQuery& q) {
    const auto rows = a->by_provider(p, q);
    json data = json::array();
    int64_t spend = 0, requests = 0;
    for (const auto& u : rows) {
      const double avg = avg_micros(u.totals.cost_micros, u.totals.completed);
      data.push_back({{"provider", u.provider}, {"spending", usd(u.totals.cost_micros)},
                      {"spending_microdollars", u.totals.cost_micros}, {"request_count", u.totals.completed},
                      {"avg_cost_per_request", avg / 1e6}, {"avg_cost_per_request_microdollars", std::llround(avg)},
                      {"agent_count", u.agent_count}});
      spend += u.totals.cost_micros;
      requests += u.totals.completed;
    }
    json summary = {{"total_spend", usd(spend)}, {"total_spend_microdollars", spend},
                    {"total_requests", requests}, {"providers_count", rows.size()}};
    return json_response(200, envelope(q, {{"data", data}, {"summary", summary}}));
  }))});

  routes.push_back({"GET", base + "/spending/avg-per-request", guarded(s, Access::read, with_query([a](const Request&, const domain::Principal& p, const domain::AnalyticsQuery& q) {
    const auto t = a->totals(p, q);
    const double avg = avg_micros(t.cost_micros, t.completed);
    const int64_t min = t.min_cost_micros.value_or(0), max = t.max_cost_micros.value_or(0);
    return json_response(200, envelope(q, {{"average_cost_per_request", avg / 1e6},
                                           {"average_cost_per_request_microdollars", std::llround(avg)},
                                           {"total_requests", t.completed},
                                           {"total_spend", usd(t.cost_micros)},
                                           {"total_spend_microdollars", t.cost_micros},
                                           {"min_cost_per_request", usd(min)},
                                           {"min_cost_per_request_microdollars", min},
                                           {"max_cost_per_request", usd(max)},
                                           {"max_cost_per_request_microdollars", max}}));
  }))});

  routes.push_back({"GET", base + "/budget/status", guarded(s, Access::read, [a](const Request& req, const domain::Principal& p) {
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
    auto page = page_of(req, 50);
    if (!page) return error_response(page.error());
    const auto r = a->budget_status(p, q, *page);
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
                      {"risk_level", domain::risk_name(row.risk)}});
    }
    json summary = {{"total_agents", r.total_agents}, {"active", r.active}, {"exhausted", r.exhausted},
                    {"critical", r.critical}, {"high", r.high}, {"medium", r.medium}, {"low", r.low}};
    return json_response(200, {{"data", data}, {"summary", summary},
                               {"pagination", pagination_json(r.page.pagination)}, {"calculated_at", now_ms()}});
  })});

  routes.push_back({"GET", base + "/usage/requests", guarded(s, Access::read, with_query([a](const Request&, const domain::Principal& p, const domain::AnalyticsQuery& q) {
    const auto t = a->totals(p, q);
    const double rate = t.requests > 0 ? static_cast<double>(t.completed) * 100.0 / static_cast<double>(t.requests) : 0.0;
    return json_response(200, envelope(q, {{"total_requests", t.requests}, {"successful_requests", t.completed},
                                           {"failed_requests", t.failed}, {"success_rate", rate}}));
  }))});

  routes.push_back({"GET", base + "/usage/tokens/by-agent", guarded(s, Access::read, with_query([a](const Request& req, const domain::Principal& p, const domain::AnalyticsQuery& q) {
    auto page = page_of(req, 50);
    if (!page) return error_response(page.error());
    const auto r = a->spending_by_agent(p, q, *page);
    json data = json::array();
    int64_t in = 0, out = 0;
    for (const auto& u : r.page.items) {
      const int64_t total = u.totals.input_tokens + u.totals.output_tokens;
      data.push_back({{"agent_id", u.agent_id}, {"agent_name", u.agent_name},
                      {"input_tokens", u.totals.input_tokens}, {"output_tokens", u.totals.output_tokens},
                      {"total_tokens", total}, {"request_count", u.totals.requests},
                      {"avg_tokens_per_request", avg_micros(total, u.totals.requests)}});
    }
    const auto t = a->totals(p, q);  // summary over all pages
    in = t.input_tokens;
    out = t.output_tokens;
    json summary = {{"total_input_tokens", in}, {"total_output_tokens", out}, {"total_tokens", in + out}};
    return json_response(200, envelope(q, {{"data", data}, {"summary", summary},
                                           {"pagination", pagination_json(r.page.pagination)}}));
  }))});

  routes.push_back({"GET", base + "/usage/models", guarded(s, Access::read, with_query([a](const Request& req, const domain::Principal& p, const domain::AnalyticsQuery& q) {
    auto page = page_of(req, 50);
    if (!page) return error_response(page.error());
    const auto r = a->by_model(p, q, *page);
    json data = json::array();
    for (const auto& m : r.items)
      data.push_back({{"model", m.model}, {"provider", m.provider}, {"request_count", m.totals.requests},
                      {"spending", usd(m.totals.cost_micros)}, {"spending_microdollars", m.totals.cost_micros},
                      {"input_tokens", m.totals.input_tokens}, {"output_tokens", m.totals.output_tokens}});
    const auto t = a->totals(p, q);
    json summary = {{"unique_models", r.pagination.total}, {"total_requests", t.requests},
                    {"total_spend", usd(t.cost_micros)}, {"total_spend_microdollars", t.cost_micros}};
    return json_response(200, envelope(q, {{"data", data}, {"summary", summary},
                                           {"pagination", pagination_json(r.pagination)}}));
  }))});
}

}  // namespace iron::api
