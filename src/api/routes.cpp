#include "api/routes.h"

#include "api/analytics_params.h"
#include "api/body.h"

namespace iron::api {

namespace {

// Well-formed UTF-8: no stray continuation bytes, over-long forms, surrogates or code points
// past U+10FFFF (the JSON parser applies the same rule to bodies).
bool valid_utf8(const std::string& s) {
  for (size_t i = 0; i < s.size();) {
    const auto c = static_cast<unsigned char>(s[i]);
    size_t n = 0;
    uint32_t cp = c;
    if (c >= 0x80) {
      if ((c >> 5) == 0x6) n = 1, cp = c & 0x1f;
      else if ((c >> 4) == 0xe) n = 2, cp = c & 0x0f;
      else if ((c >> 3) == 0x1e) n = 3, cp = c & 0x07;
      else return false;
      if (i + n >= s.size()) return false;
      for (size_t k = 1; k <= n; ++k) {
        const auto cc = static_cast<unsigned char>(s[i + k]);
        if ((cc >> 6) != 0x2) return false;
        cp = (cp << 6) | (cc & 0x3f);
      }
      if ((n == 1 && cp < 0x80) || (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000) || cp > 0x10ffff ||
          (cp >= 0xd800 && cp <= 0xdfff))
        return false;
    }
    i += n + 1;
  }
  return true;
}

// Query and path parameters are text under the same rule as JSON strings (body.h): a NUL,
// another control character or ill-formed UTF-8 is refused once, here, for every route, rather
// than echoed into filters and answers by the routes that read a parameter as free text.
std::optional<Error> refused_parameter(const Request& req) {
  auto refused = [](const std::string& name, const std::string& value) -> std::optional<Error> {
    if (valid_utf8(value) && text_member({{name, value}}, name, value.size())) return std::nullopt;
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
                      analytics_trend_endpoints, price_endpoints, usage_endpoints, version_endpoints, system_endpoints})
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
