// GET /api/v1/analytics/events/list (the predecessor's page-numbered event list, also as a
// streamed CSV) and GET /api/v1/analytics/events (the same rows read by key, for a log of any
// size). Owner-scoped like every analytics read.
#include "api/analytics_params.h"
#include "api/csv.h"
#include "api/routes.h"
#include "util/json_optional.h"

namespace iron::api {
namespace {

using namespace openapi;
using domain::Analytics;

const std::vector<std::string> kEventTypes = {"llm_request_completed", "llm_request_failed"};

// The event log's own filters, read on top of the period's.
const QueryFields<domain::AnalyticsQuery> kEventFilters =
    QueryFields<domain::AnalyticsQuery>()
        .text("model", &domain::AnalyticsQuery::model, 1, 200, "only this model (exact)")
        .one_of("type", &domain::AnalyticsQuery::event_type, kEventTypes, "only this event type; unknown values are 400")
        .boolean("model_allowed", &domain::AnalyticsQuery::model_allowed,
                 "false: only events flagged because the agent's model allow-list did not allow their model; true: "
                 "only the others (docs/model-allow-lists.md)");

const QueryFields<PageParams> kListPage = page_fields(10);  // the predecessor's default for this list

// The keyset cursor: "<timestamp_ms>.<row id>" of the previous page's last row.
using EventCursor = std::pair<int64_t, int64_t>;
Result<EventCursor> event_cursor_of(const std::string& raw) {
  const Error invalid = errors::invalid_cursor();
  const auto dot = raw.find('.');
  if (dot == std::string::npos) return invalid;
  const std::string ts = raw.substr(0, dot), id = raw.substr(dot + 1);
  if (ts.empty() || id.empty() || ts.size() > 18 || id.size() > 18 ||
      ts.find_first_not_of("0123456789") != std::string::npos || id.find_first_not_of("0123456789") != std::string::npos)
    return invalid;
  return EventCursor{std::stoll(ts), std::stoll(id)};
}

struct KeysetPage {
  std::optional<EventCursor> cursor;
  std::optional<int64_t> limit;
};
const QueryFields<KeysetPage> kKeysetPage =
    QueryFields<KeysetPage>()
        .custom("cursor", str(), "`next_cursor` of the previous page",
                [](const std::string& raw, KeysetPage& out) -> Status {
                  auto c = event_cursor_of(raw);
                  if (!c) return c.error();
                  out.cursor = *c;
                  return ok_status();
                })
        .integer("limit", &KeysetPage::limit, 1, 200, "default 50");

json event_json(const store::AnalyticsEventRow& e) {
  return {{"event_id", e.event_id}, {"timestamp_ms", e.timestamp_ms}, {"event_type", e.event_type},
          {"model", e.model}, {"provider", e.provider}, {"provider_id", e.provider_id},
          {"input_tokens", e.input_tokens}, {"output_tokens", e.output_tokens},
          {"cost_micros", e.cost_micros}, {"agent_id", e.agent_id}, {"agent_name", e.agent_name},
          {"error_code", e.error_code}, {"error_message", e.error_message},
          {"cached_input_tokens", e.cached_input_tokens}, {"cost_source", e.cost_source},
          {"catalogue_cost_micros", e.catalogue_cost_micros},
          {"model_allowed", e.model_allowed}};
}

// The action of an event read: the period query narrowed by the event filters (400 on bad
// values), then f(call, query).
template <class F>
Action event_read(F f) {
  return period_read([f](const Call& c, const domain::AnalyticsQuery& period) -> Reply {
    domain::AnalyticsQuery q = period;
    if (auto st = kEventFilters.read_into(c.req, q); !st) return st.error();
    return f(c, q);
  });
}

Reply events_list(const Call& c, const domain::AnalyticsQuery& q) {
  Analytics& a = c.s.analytics;
  const Request& req = c.req;
  const domain::Principal& p = c.who();
  return json_or_csv(req, [&]() -> Reply {
    auto page = kListPage.decode(req);
    if (!page) return page.error();
    const auto events = a.list_events(p, q, page->request());
    json data = json::array();
    for (const auto& e : events.items) data.push_back(event_json(e));
    return json_response(200, analytics_envelope(q, {{"data", data}, {"pagination", pagination_json(events.pagination)}}));
  }, [&]() -> Reply {
    // Streamed in keyset batches straight from the table: any number of rows, bounded memory.
    return csv_response(csv_name("events", q),
                        {"timestamp", "event_id", "event_type", "agent_id", "agent_name", "provider", "model",
                         "provider_id", "input_tokens", "output_tokens", "cost_usd", "error_code", "error_message",
                         "cached_input_tokens", "cost_source", "catalogue_cost_usd", "model_allowed"},
                        [&a, p, q](const CsvWrite& write) {
                          a.each_event(p, q, [&write](const std::vector<store::AnalyticsEventRow>& rows) {
                            std::string chunk;
                            for (const auto& e : rows)
                              chunk += CsvRow()
                                           .time_ms(e.timestamp_ms).text(e.event_id).text(e.event_type)
                                           .integer(e.agent_id).text(e.agent_name).text(e.provider).text(e.model)
                                           .opt_text(e.provider_id).integer(e.input_tokens).integer(e.output_tokens)
                                           .dollars(e.cost_micros).opt_text(e.error_code).opt_text(e.error_message)
                                           .integer(e.cached_input_tokens).text(e.cost_source)
                                           .opt_dollars(e.catalogue_cost_micros).text(e.model_allowed ? "true" : "false")
                                           .line();
                            return write(chunk);
                          });
                        },
                        req.request_id);
  });
}

// GET /analytics/events: the event log read by key, for a log of any size.
Reply events_page(const Call& c, const domain::AnalyticsQuery& q) {
  auto keyset = kKeysetPage.decode(c.req);
  if (!keyset) return keyset.error();
  const auto page = c.s.analytics.event_page(c.who(), q, keyset->cursor, keyset->limit.value_or(50));
  json items = json::array();
  for (const auto& e : page.items) items.push_back(event_json(e));
  json next = nullptr;
  if (page.more)
    next = std::to_string(page.items.back().timestamp_ms) + "." + std::to_string(page.items.back().row_id);
  return json_response(200, analytics_envelope(q, {{"items", items}, {"next_cursor", next}}));
}

}  // namespace

std::vector<Endpoint> analytics_event_endpoints() {
  std::vector<Endpoint> e;
  e.push_back({analytics_read_op("/api/v1/analytics/events/list", "listAnalyticsEvents", "Raw events, newest first")
                    .query_params(kListPage.parameters())
                    .query_params(kEventFilters.parameters())
                    .csv_export()
                    .returns(200, ref("AnalyticsEventList")),
               event_read(events_list)});
  e.push_back({analytics_read_op("/api/v1/analytics/events", "pageAnalyticsEvents", "Raw events by cursor, newest first")
                    .query_params(kEventFilters.parameters())
                    .query_params(kKeysetPage.parameters())
                    .errors(400, {"INVALID_CURSOR"})
                    .returns(200, ref("AnalyticsEventPage")),
               event_read(events_page)});
  return e;
}

}  // namespace iron::api
