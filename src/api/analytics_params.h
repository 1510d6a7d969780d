#pragma once
// What the analytics and usage routes share: decoding the period / custom range / filter /
// paging parameters (400 naming the parameter), the predecessor's response envelope
// (period, filters, calculated_at) and the route groups analytics.cpp registers.
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/csv.h"
#include "api/guard.h"
#include "api/http_types.h"
#include "api/paging.h"
#include "api/services.h"
#include "domain/analytics.h"
#include "util/result.h"

namespace iron::api {

double usd(int64_t micros);  // the predecessor's float dollars; µ$ stay authoritative
int64_t analytics_now_ms();

// period | from/to (YYYY-MM-DD, inclusive UTC days; not together with period), agent_id, provider.
Result<domain::AnalyticsQuery> analytics_query_of(const Request& req);
// The event log's own filters on top of `q`: model (exact, 1-200 characters) and type
// (llm_request_completed | llm_request_failed; anything else is 400).
Result<domain::AnalyticsQuery> with_event_filters(const Request& req, domain::AnalyticsQuery q);
// "custom" for a from/to range, else the period's name.
std::string period_label(const domain::AnalyticsQuery& q);
// body + period, filters and calculated_at.
nlohmann::json analytics_envelope(const domain::AnalyticsQuery& q, nlohmann::json body);

// ironpanel-<table>-<period>[-from-…][-to-…].csv
std::string csv_name(const std::string& table, const domain::AnalyticsQuery& q);
// A CSV answer for a table already computed (aggregates are small: one row per agent, model
// or bucket); the raw event export streams instead (analytics.cpp).
Response csv_lines(const Request& req, const std::string& table, const domain::AnalyticsQuery& q,
                   const std::vector<std::string>& header, std::vector<CsvRow> rows);

using AnalyticsReadHandler =
    std::function<Response(const Request&, const domain::Principal&, const domain::AnalyticsQuery&)>;
// A guarded read (any role) whose query is decoded, 400 on bad values, before `h` runs.
Handler analytics_read(Services& s, AnalyticsReadHandler h);

// Route groups of /api/v1/analytics beyond analytics.cpp's own (ingestion; series and overview).
void add_analytics_ingest_routes(std::vector<Route>& routes, Services& s, domain::Analytics& a);
void add_analytics_trend_routes(std::vector<Route>& routes, Services& s, domain::Analytics& a);

}  // namespace iron::api
