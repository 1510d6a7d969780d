// The predecessor's token-usage reads (docs/compatibility.md): /api/v1/usage/aggregate,
// /usage/by-project/:project_id and /usage/by-provider/:provider. It served them to anyone
// from a table nothing wrote; here they need authentication, are owner-scoped (non-admins see
// their own agents' usage) and are answered from the analytics rollups. Its cents are kept
// (`*_cost_cents`, rounded half up) beside the authoritative µ$ (`*_cost_microdollars`).
// The analytics reads' parameters (period or from/to, agent_id, provider) narrow them; the
// default is all time.
#include "api/analytics_params.h"
#include "api/routes.h"

namespace iron::api {
namespace {

using namespace openapi;

json cents(const std::string& what) { return integer(what + " in US cents, rounded half up (predecessor shape)"); }
json micros(const std::string& what) { return integer(what + " in integer microdollars (authoritative)"); }

json provider_usage() {
  return object({{"provider", str()}, {"tokens", integer("input + output tokens")},
                 {"requests", integer("completed + failed")}, {"cost_cents", cents("spend")},
                 {"cost_microdollars", micros("spend")}},
                {"provider", "tokens", "requests", "cost_cents", "cost_microdollars"});
}

json aggregate(bool with_project) {
  json props = {{"total_tokens", integer()}, {"total_requests", integer()}, {"total_cost_cents", cents("spend")},
                {"total_cost_microdollars", micros("spend")}, {"providers", array_of(ref("ProviderTokenUsage"))},
                {"period", described(str(), "the period's name, or `custom` for a from/to range")}};
  std::vector<std::string> required = {"total_tokens", "total_requests", "total_cost_cents", "total_cost_microdollars",
                                       "providers", "period"};
  if (with_project) {
    props["project_id"] = str(1, 1000);
    required.push_back("project_id");
  }
  return object(props, required);
}


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
  if (v.empty() || v.size() > max_len) return errors::must_be(name, "1 to " + std::to_string(max_len) + " characters");
  return v;
}

// The three reads: the whole period's usage, one project's, one provider's.
Reply aggregate_usage(const Call& c, const domain::AnalyticsQuery& q) {
  return json_response(200, aggregate_json(c.s.analytics, c.who(), q));
}

Reply by_project(const Call& c, domain::AnalyticsQuery q) {
  auto project = segment(c.req, "project_id", 1000);
  if (!project) return project.error();
  q.project_id = *project;
  json body = aggregate_json(c.s.analytics, c.who(), q);
  body["project_id"] = *project;
  return json_response(200, body);
}

Reply by_provider(const Call& c, domain::AnalyticsQuery q) {
  auto provider = segment(c.req, "provider", 100);
  if (!provider) return provider.error();
  q.provider = *provider;
  store::UsageTotals t;
  for (const auto& u : c.s.analytics.by_provider(c.who(), q)) t = u.totals;  // at most one row
  json body = provider_json(*provider, t);
  body["period"] = period_label(q);
  return json_response(200, body);
}

// A period read of /api/v1/usage: its description opens with who sees what.
Op usage_read_op(std::string pattern, std::string id, std::string summary) {
  return period_read_op(std::move(pattern), std::move(id), std::move(summary))
      .opens_with("Owner-scoped: non-admins see their own agents' usage, admins everyone's (the predecessor served "
                  "these to anyone). Answered from the analytics rollups.");
}

}  // namespace

std::vector<Endpoint> usage_endpoints() {
  std::vector<Endpoint> e;
  e.push_back({usage_read_op("/api/v1/usage/aggregate", "getUsageAggregate", "Token usage, total and per provider")
                    .returns(200, ref("TokenUsageAggregate")),
               period_read(aggregate_usage)});
  e.push_back({usage_read_op("/api/v1/usage/by-project/:project_id", "getUsageByProject", "Token usage of one project")
                    .path_param("project_id", str(1, 1000))
                    .returns(200, ref("ProjectTokenUsage")),
               period_read(by_project)});
  e.push_back({usage_read_op("/api/v1/usage/by-provider/:provider", "getUsageByProvider", "Token usage of one provider")
                    .path_param("provider", str(1, 100))
                    .returns(200, [] {
                      json s = provider_usage();
                      s["properties"]["period"] = str();
                      s["required"].push_back("period");
                      return s;
                    }()),
               period_read(by_provider)});
  return e;
}


namespace openapi {

// The component schemas of this family (components.cpp).
json usage_component_schemas() {
  return {{"ProviderTokenUsage", provider_usage()},
          {"TokenUsageAggregate", aggregate(false)},
          {"ProjectTokenUsage", aggregate(true)}};
}

}  // namespace openapi
}  // namespace iron::api
