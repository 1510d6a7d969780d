#include "api/analytics_params.h"

#include "api/csv.h"
#include "api/responses.h"
#include "util/clock.h"

namespace iron::api {

using nlohmann::json;

double usd(int64_t micros) { return static_cast<double>(micros) / 1e6; }
int64_t analytics_now_ms() { return util::to_unix_ms(util::now()); }

namespace {

const std::vector<std::string> kPeriods = {"today",      "yesterday",  "last7-days", "last30-days",
                                           "this-month", "last-month", "all-time"};

QueryFields<domain::AnalyticsQuery>::Reader day_into(std::string name, std::optional<std::string> domain::AnalyticsQuery::*member) {
  return [name = std::move(name), member](const std::string& raw, domain::AnalyticsQuery& q) -> Status {
    if (!domain::parse_day(raw)) return errors::must_be(name, "a date written YYYY-MM-DD");
    q.*member = raw;
    return ok_status();
  };
}

}  // namespace

const QueryFields<domain::AnalyticsQuery>& period_fields() {
  using domain::AnalyticsQuery;
  using namespace openapi;
  static const auto fields =
      QueryFields<AnalyticsQuery>()
          .custom("period", one_of_strings(kPeriods), "UTC period; default all-time; unknown values are 400",
                  [](const std::string& raw, AnalyticsQuery& q) -> Status {
                    const auto p = domain::parse_period(raw);
                    if (!p) return errors::not_one_of("period", kPeriods);
                    q.period = *p;
                    return ok_status();
                  })
          .custom("from", str_fmt("date"), "custom range start (inclusive UTC day); not together with period",
                  day_into("from", &AnalyticsQuery::from_day))
          .custom("to", str_fmt("date"), "custom range end (inclusive UTC day); not together with period",
                  day_into("to", &AnalyticsQuery::to_day))
          .check([](const Request& req, const AnalyticsQuery& q) -> Status {
            if (q.custom_range() && req.query_param("period"))
              return Error::validation("period", "give either period or from/to, not both");
            if (q.from_day && q.to_day && *q.from_day > *q.to_day)
              return Error::validation("from", "from must not be after to");
            return ok_status();
          })
          .integer("agent_id", &AnalyticsQuery::agent_id, 1, INT64_MAX, "only this agent")
          .text("provider", &AnalyticsQuery::provider, 1, 64, "only this provider");
  return fields;
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
  if (q.model_allowed) f["model_allowed"] = *q.model_allowed;
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

openapi::Op period_read_op(std::string pattern, std::string id, std::string summary) {
  openapi::Op op("GET", std::move(pattern), std::move(id), std::move(summary));
  op.tagged("analytics").auth(openapi::Auth::read).query_params(period_fields().parameters());
  return op;
}

// Who sees what in the owner-scoped /api/v1/analytics reads.
constexpr const char* kAnalyticsScope = "Non-admins see only their own agents; admins see all. Answered from daily rollups.";

openapi::Op analytics_read_op(std::string pattern, std::string id, std::string summary) {
  return period_read_op(std::move(pattern), std::move(id), std::move(summary)).opens_with(kAnalyticsScope);
}

}  // namespace iron::api
