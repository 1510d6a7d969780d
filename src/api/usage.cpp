// The predecessor's token-usage reads (docs/compatibility.md): /api/v1/usage/aggregate,
// /usage/by-project/:project_id and /usage/by-provider/:provider. It served them to anyone
// from a table nothing wrote; here they need authentication, are owner-scoped (non-admins see
// their own agents' usage) and are answered from the analytics rollups. Its cents are kept
// (`*_cost_cents`, rounded half up) beside the authoritative µ$ (`*_cost_microdollars`).
// `period` (and from/to) narrow them like the analytics reads; the default is all time.
#include <stdexcept>

#include "api/analytics_params.h"
#include "api/responses.h"
#include "api/routes.h"

namespace iron::api {
namespace {

using nlohmann::json;

int64_t cents(int64_t micros) { return (micros + 5'000) / 10'000; }

json provider_json(const std::string& provider, const store::UsageTotals& t) {
  return {{"provider", provider},
          {"tokens", t.input_tokens + t.output_tokens},
          {"requests", t.requests},
          {"cost_cents", cents(t.cost_micros)},
          {"cost_microdollars", t.cost_micros}};
}

// {total_tokens, total_requests, total_cost_cents, providers:[…]} over the query's scope.
json aggregate_json(domain::Analytics& a, const domain::Principal& p, const domain::AnalyticsQuery& q) {
  int64_t tokens = 0, requests = 0, micros = 0;
  json providers = json::array();
  for (const auto& u : a.by_provider(p, q)) {
    tokens += u.totals.input_tokens + u.totals.output_tokens;
    requests += u.totals.requests;
    micros += u.totals.cost_micros;
    providers.push_back(provider_json(u.provider, u.totals));
  }
  return {{"total_tokens", tokens},
          {"total_requests", requests},
          {"total_cost_cents", cents(micros)},
          {"total_cost_microdollars", micros},
          {"providers", providers},
          {"period", period_label(q)}};
}

// A path segment the predecessor bounded (blank or too long → 400).
Result<std::string> segment(const Request& req, const std::string& name, size_t max_len) {
  const std::string& v = req.param(name);
  if (v.empty() || v.size() > max_len)
    return Error::validation(name, name + " must be 1 to " + std::to_string(max_len) + " characters");
  return v;
}

}  // namespace

void add_usage_routes(std::vector<Route>& routes, Services& s) {
  const std::string base = "/api/v1/usage";
  domain::Analytics* a = s.analytics;
  if (!a) throw std::logic_error("usage routes need Services::analytics");
  routes.push_back({"GET", base + "/aggregate", analytics_read(s, [a](const Request&, const domain::Principal& p,
                                                                      const domain::AnalyticsQuery& q) {
                      return json_response(200, aggregate_json(*a, p, q));
                    })});
  routes.push_back({"GET", base + "/by-project/:project_id",
                    analytics_read(s, [a](const Request& req, const domain::Principal& p, domain::AnalyticsQuery q) {
                      auto project = segment(req, "project_id", 1000);
                      if (!project) return error_response(project.error());
                      q.project_id = *project;
                      json body = aggregate_json(*a, p, q);
                      body["project_id"] = *project;
                      return json_response(200, body);
                    })});
  routes.push_back({"GET", base + "/by-provider/:provider",
                    analytics_read(s, [a](const Request& req, const domain::Principal& p, domain::AnalyticsQuery q) {
                      auto provider = segment(req, "provider", 100);
                      if (!provider) return error_response(provider.error());
                      q.provider = *provider;
                      store::UsageTotals t;
                      for (const auto& u : a->by_provider(p, q)) t = u.totals;  // at most one row
                      json body = provider_json(*provider, t);
                      body["period"] = period_label(q);
                      return json_response(200, body);
                    })});
}

}  // namespace iron::api
