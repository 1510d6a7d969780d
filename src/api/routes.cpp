#include "api/routes.h"

#include "api/analytics_params.h"
#include "api/body.h"
#include "util/utf8.h"

namespace iron::api {

namespace {

// Query and path parameters are text under the same rule as JSON strings (body.h): a NUL,
// another control character or ill-formed UTF-8 is refused once, here, for every route, rather
// than echoed into filters and answers by the routes that read a parameter as free text.
std::optional<Error> refused_parameter(const Request& req) {
  auto refused = [](const std::string& name, const std::string& value) -> std::optional<Error> {
    if (util::valid_utf8(value) && text_member({{name, value}}, name, value.size())) return std::nullopt;
    return errors::must_be(name, "UTF-8 text without control characters");
  };
  for (const auto& [name, value] : req.query)
    if (auto e = refused(name, value)) return e;
  for (const auto& [name, value] : req.path_params)
    if (auto e = refused(name, value)) return e;
  return std::nullopt;
}

}  // namespace

std::vector<Endpoint> all_endpoints() {
  std::vector<Endpoint> out;
  for (auto family : {health_endpoints, meta_endpoints, auth_endpoints, user_endpoints, api_token_endpoints,
                      audit_endpoints, event_stream_endpoints, agent_endpoints, agent_credential_endpoints,
                      budget_endpoints, provider_endpoints, key_fetch_endpoints, budget_request_endpoints,
                      limit_endpoints, analytics_ingest_endpoints, analytics_event_endpoints, analytics_endpoints,
                      analytics_trend_endpoints, price_endpoints, usage_endpoints, system_endpoints,
                      alert_channel_endpoints, alert_rule_endpoints})
    for (auto& e : family()) out.push_back(std::move(e));
  return out;
}

std::vector<Route> all_routes(Services& s) {
  std::vector<Route> routes;
  for (auto& e : all_endpoints()) {
    if (!e.action) continue;  // served by the edge
    std::string method = e.doc.method, pattern = e.doc.pattern;
    routes.push_back({std::move(method), std::move(pattern),
                      [handler = bind(s, std::move(e))](const Request& req) -> Response {
                        if (const auto refused = refused_parameter(req)) return error_response(*refused, req.request_id);
                        return handler(req);
                      }});
  }
  return routes;
}

}  // namespace iron::api
