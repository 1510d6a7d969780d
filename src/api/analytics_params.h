#pragma once
// What the analytics and usage routes share: decoding the period / custom range / filter /
// paging parameters (400 naming the parameter) and their OpenAPI entry, and the
// predecessor's response envelope (period, filters, calculated_at).
#include <cstdint>
#include <functional>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/csv.h"
#include "api/endpoint.h"
#include "api/http_types.h"
#include "api/paging.h"
#include "api/query.h"
#include "api/services.h"
#include "domain/analytics.h"
#include "util/result.h"

namespace iron::api {

double usd(int64_t micros);  // the predecessor's float dollars; µ$ stay authoritative
int64_t analytics_now_ms();

// period | from/to (YYYY-MM-DD, inclusive UTC days; not together with period), agent_id,
// provider: the query every period read takes.
const QueryFields<domain::AnalyticsQuery>& period_fields();
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

// Runs `json_answer` or `csv_answer` as the caller asked (400 on a bad `format`).
template <class J, class C>
Reply json_or_csv(const Request& req, J json_answer, C csv_answer) {
  auto csv = wants_csv(req);
  if (!csv) return csv.error();
  return *csv ? csv_answer() : json_answer();
}

// The action of a period read: decodes the query (400 on bad values), then runs f(call, query).
template <class F>
Action period_read(F f) {
  return [f](const Call& c) -> Reply {
    auto q = period_fields().decode(c.req);
    if (!q) return q.error();
    return f(c, *q);
  };
}
// The OpenAPI entry of a period read: GET, tag, any role, and the parameters of period_fields.
openapi::Op period_read_op(std::string pattern, std::string id, std::string summary);
// A period read of /api/v1/analytics, whose description opens with who sees what (kAnalyticsScope).
openapi::Op analytics_read_op(std::string pattern, std::string id, std::string summary);

// Endpoint groups of /api/v1/analytics besides analytics.cpp's reads.
std::vector<Endpoint> analytics_ingest_endpoints();
std::vector<Endpoint> analytics_trend_endpoints();  // the series and the overview

}  // namespace iron::api
