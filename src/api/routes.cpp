#include "api/routes.h"

#include "api/json_body.h"
#include "api/responses.h"

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

// Query and path parameters are text under the same rule as JSON strings (json_body.h): a NUL,
// another control character or ill-formed UTF-8 is refused once, here, for every route, rather
// than echoed into filters and answers by the routes that read a parameter as free text.
std::optional<Error> refused_parameter(const Request& req) {
  auto refused = [](const std::string& name, const std::string& value) -> std::optional<Error> {
    if (valid_utf8(value) && text_member({{name, value}}, name, value.size())) return std::nullopt;
    return Error::validation(name, name + " must be UTF-8 text without control characters");
  };
  for (const auto& [name, value] : req.query)
    if (auto e = refused(name, value)) return e;
  for (const auto& [name, value] : req.path_params)
    if (auto e = refused(name, value)) return e;
  return std::nullopt;
}

}  // namespace

std::vector<Route> all_routes(Services& s) {
  std::vector<Route> routes;
  add_health_routes(routes, s);
  add_auth_routes(routes, s);
  add_user_routes(routes, s);
  add_api_token_routes(routes, s);
  add_audit_routes(routes, s);
  add_event_stream_routes(routes, s);
  add_agent_routes(routes, s);
  add_budget_routes(routes, s);
  add_provider_routes(routes, s);
  add_key_fetch_routes(routes, s);
  add_budget_request_routes(routes, s);
  add_limit_routes(routes, s);
  add_analytics_routes(routes, s);
  add_usage_routes(routes, s);
  add_version_routes(routes, s);
  add_system_routes(routes, s);
  add_openapi_route(routes);
  for (auto& route : routes)
    route.handler = [handler = std::move(route.handler)](const Request& req) -> Response {
      if (const auto refused = refused_parameter(req)) return error_response(*refused, req.request_id);
      return handler(req);
    };
  return routes;
}

}  // namespace iron::api
