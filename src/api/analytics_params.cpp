#include "api/analytics_params.h"

#include "api/csv.h"
#include "api/responses.h"
#include "util/clock.h"

namespace iron::api {

using nlohmann::json;

double usd(int64_t micros) { return static_cast<double>(micros) / 1e6; }
int64_t analytics_now_ms() { return util::to_unix_ms(util::now()); }

namespace {

Result<std::optional<std::string>> day_param(const Request& req, const std::string& name) {
  const auto raw = req.query_param(name);
  if (!raw) return std::optional<std::string>{};
  if (!domain::parse_day(*raw)) return Error::validation(name, name + " must be a date written YYYY-MM-DD");
  return std::optional<std::string>(*raw);
}

}  // namespace

Result<domain::AnalyticsQuery> analytics_query_of(const Request& req) {
  domain::AnalyticsQuery q;
  if (const auto raw = req.query_param("period")) {
    const auto p = domain::parse_period(*raw);
    if (!p)
      return Error::validation("period", "period must be one of today, yesterday, last7-days, last30-days, "
                                         "this-month, last-month, all-time");
    q.period = *p;
  }
  auto from = day_param(req, "from");
  if (!from) return from.error();
  auto to = day_param(req, "to");
  if (!to) return to.error();
  q.from_day = *from;
  q.to_day = *to;
  if (q.custom_range() && req.query_param("period"))
    return Error::validation("period", "give either period or from/to, not both");
  if (q.from_day && q.to_day && *q.from_day > *q.to_day) return Error::validation("from", "from must not be after to");
  auto agent = query_int(req, "agent_id", 1, INT64_MAX);
  if (!agent) return agent.error();
  q.agent_id = *agent;
  auto provider = query_text(req, "provider", 64);
  if (!provider) return provider.error();
  q.provider = *provider;
  return q;
}

Result<domain::AnalyticsQuery> with_event_filters(const Request& req, domain::AnalyticsQuery q) {
  auto model = query_text(req, "model", 200);
  if (!model) return model.error();
  q.model = *model;
  auto type = query_text(req, "type", 64);
  if (!type) return type.error();
  if (*type && **type != "llm_request_completed" && **type != "llm_request_failed")
    return errors::must_be("type", "llm_request_completed or llm_request_failed");
  q.event_type = *type;
  return q;
}

std::string period_label(const domain::AnalyticsQuery& q) {
  return q.custom_range() ? "custom" : domain::period_name(q.period);
}

json analytics_envelope(const domain::AnalyticsQuery& q, json body) {
  json f = json::object();
  if (q.agent_id) f["agent_id"] = *q.agent_id;
  if (q.provider) f["provider"] = *q.provider;
  if (q.model) f["model"] = *q.model;
  if (q.event_type) f["type"] = *q.event_type;
  if (q.from_day) f["from"] = *q.from_day;
  if (q.to_day) f["to"] = *q.to_day;
  body["period"] = period_label(q);
  body["filters"] = f;
  body["calculated_at"] = analytics_now_ms();
  return body;
}

std::string csv_name(const std::string& table, const domain::AnalyticsQuery& q) {
  std::string name = "ironpanel-" + table + "-" + period_label(q);
  if (q.from_day) name += "-from-" + *q.from_day;
  if (q.to_day) name += "-to-" + *q.to_day;
  return name + ".csv";
}

Response csv_lines(const Request& req, const std::string& table, const domain::AnalyticsQuery& q,
                   const std::vector<std::string>& header, std::vector<CsvRow> rows) {
  return csv_response(csv_name(table, q), header, [rows = std::move(rows)](const CsvWrite& write) {
    for (const auto& r : rows)
      if (!write(r.line())) return;
  }, req.request_id);
}

openapi::Op analytics_read_op(std::string pattern, std::string id, std::string summary, bool paged,
                              int64_t default_per_page) {
  using namespace openapi;
  static const std::vector<std::string> kPeriods = {"today",      "yesterday",  "last7-days", "last30-days",
                                                    "this-month", "last-month", "all-time"};
  Op op("GET", std::move(pattern), std::move(id), std::move(summary));
  op.tagged("analytics").auth(Auth::read);
  op.query("period", one_of_strings(kPeriods), "UTC period; default all-time; unknown values are 400")
      .query("from", str_fmt("date"), "custom range start (inclusive UTC day); not together with period")
      .query("to", str_fmt("date"), "custom range end (inclusive UTC day); not together with period")
      .query("agent_id", integer_range(1, INT64_MAX, ""), "only this agent")
      .query("provider", str(1, 64), "only this provider");
  if (paged)
    op.query("page", integer_range(1, 1'000'000'000, ""), "1-based page; default 1")
        .query("per_page", integer_range(1, 200, ""), "default " + std::to_string(default_per_page));
  return op;
}

}  // namespace iron::api
