// /api/v1/limits: usage-limit CRUD (docs/compatibility.md, now authenticated: admin
// writes, owners read their own) and GET /api/v1/limits/usage (current counters vs limits).
// PUT changes only the fields it is given (the predecessor nulled the omitted maxima); an
// explicit null clears that maximum. Enforcement lives in domain/usage_limits (lease routes).
#include "api/guard.h"
#include "api/json_body.h"
#include "api/responses.h"
#include "api/routes.h"
#include "domain/usage_limits.h"
#include "util/clock.h"

namespace iron::api {
namespace {

using nlohmann::json;

json opt(const std::optional<int64_t>& v) { return v ? json(*v) : json(nullptr); }

json limit_view(const store::UsageLimit& l) {
  return {{"id", l.id},
          {"user_id", l.user_id},
          {"project_id", l.project_id ? json(*l.project_id) : json(nullptr)},
          {"max_tokens_per_day", opt(l.max_tokens_per_day)},
          {"max_requests_per_minute", opt(l.max_requests_per_minute)},
          {"max_cost_per_month_microdollars", opt(l.max_cost_per_month_microdollars)},
          {"alert_thresholds", json::parse(l.alert_thresholds, nullptr, false)},
          {"created_at", l.created_at},
          {"updated_at", l.updated_at}};
}

std::string rfc(int64_t ms) { return util::to_rfc3339(util::from_unix_ms(ms)); }

json usage_view(const domain::UsageReportView& v) {
  json limits = json::array();
  for (const auto& u : v.limits) {
    limits.push_back({{"limit", limit_view(u.limit)},
                      {"tokens_today", u.tokens_today},
                      {"requests_this_minute", u.requests_this_minute},
                      {"cost_this_month_microdollars", u.cost_this_month_microdollars}});
  }
  return {{"user_id", v.user_id},
          {"tokens_today", v.tokens_today},
          {"requests_this_minute", v.requests_this_minute},
          {"cost_this_month_microdollars", v.cost_this_month_microdollars},
          {"periods",
           {{"day", {{"start", rfc(v.periods.day_start)}, {"resets_at", rfc(v.periods.day_end)}}},
            {"minute", {{"start", rfc(v.periods.minute_start)}, {"resets_at", rfc(v.periods.minute_end)}}},
            {"month", {{"start", rfc(v.periods.month_start)}, {"resets_at", rfc(v.periods.month_end)}}}}},
          {"limits", limits}};
}

// The maxima and thresholds present in the body: absent = untouched, null = cleared.
Result<domain::LimitFields> fields_of(const JsonBody& body) {
  domain::LimitFields f;
  const auto maximum = [&](const std::string& name, bool& set, std::optional<int64_t>& out) -> std::optional<Error> {
    if (!body.json().contains(name)) return std::nullopt;
    set = true;
    auto v = body.opt_int(name, 1, domain::kMaxLimitValue);
    if (!v) return v.error();
    out = *v;
    return std::nullopt;
  };
  if (auto e = maximum("max_tokens_per_day", f.set_tokens, f.max_tokens_per_day)) return *e;
  if (auto e = maximum("max_requests_per_minute", f.set_requests, f.max_requests_per_minute)) return *e;
  if (auto e = maximum("max_cost_per_month_microdollars", f.set_cost, f.max_cost_per_month_microdollars)) return *e;
  if (body.has("alert_thresholds")) {
    const auto& a = body.json()["alert_thresholds"];
    if (!a.is_array()) return Error::validation("alert_thresholds", "alert_thresholds must be an array of integers");
    for (const auto& t : a) {
      if (!t.is_number_integer())
        return Error::validation("alert_thresholds", "alert_thresholds must be an array of integers");
      f.alert_thresholds.push_back(t.get<int64_t>());
    }
    f.set_thresholds = true;
  }
  return f;
}

Response create(Services& s, const Request& req, const domain::Principal& p) {
  auto body = JsonBody::parse(req);
  if (!body) return error_response(body.error());
  auto user_id = body->string("user_id", 1, 255);
  if (!user_id) return error_response(user_id.error());
  auto project_id = body->opt_string("project_id", 1000);
  if (!project_id) return error_response(project_id.error());
  auto fields = fields_of(*body);
  if (!fields) return error_response(fields.error());
  domain::NewLimit in{*user_id, *project_id, *fields};
  return respond(s.usage_limits->create(p, in, context_of(req, &p)), 201, limit_view, req.request_id);
}

Response list(Services& s, const Request& req, const domain::Principal& p) {
  auto r = s.usage_limits->list(p, req.query_param("user_id"));
  if (!r) return error_response(r.error(), req.request_id);
  json out = json::array();
  for (const auto& l : *r) out.push_back(limit_view(l));
  return json_response(200, out);
}

Response get(Services& s, const Request& req, const domain::Principal& p) {
  auto id = path_id(req, "id");
  if (!id) return error_response(id.error());
  return respond(s.usage_limits->get(p, *id), 200, limit_view, req.request_id);
}

Response update(Services& s, const Request& req, const domain::Principal& p) {
  auto id = path_id(req, "id");
  if (!id) return error_response(id.error());
  auto body = JsonBody::parse(req);
  if (!body) return error_response(body.error());
  auto fields = fields_of(*body);
  if (!fields) return error_response(fields.error());
  return respond(s.usage_limits->update(p, *id, *fields, context_of(req, &p)), 200, limit_view, req.request_id);
}

Response remove(Services& s, const Request& req, const domain::Principal& p) {
  auto id = path_id(req, "id");
  if (!id) return error_response(id.error());
  auto r = s.usage_limits->remove(p, *id, context_of(req, &p));
  if (!r) return error_response(r.error(), req.request_id);
  return no_content();
}

Response usage(Services& s, const Request& req, const domain::Principal& p) {
  return respond(s.usage_limits->usage(p, req.query_param("user_id"), util::now()), 200, usage_view, req.request_id);
}

using Fn = Response (*)(Services&, const Request&, const domain::Principal&);

AuthedHandler bind(Services& s, Fn f) {
  return [&s, f](const Request& req, const domain::Principal& p) -> Response {
    if (!s.usage_limits)
      return error_response(
          Error{ErrorKind::unavailable, "UNAVAILABLE", "usage limits are not available on this server", {}, 0});
    return f(s, req, p);
  };
}

}  // namespace

void add_limit_routes(std::vector<Route>& routes, Services& s) {
  const std::string base = "/api/v1/limits";
  routes.push_back({"GET", base, guarded(s, Access::read, bind(s, list))});
  routes.push_back({"POST", base, guarded(s, Access::admin, bind(s, create))});
  routes.push_back({"GET", base + "/usage", guarded(s, Access::read, bind(s, usage))});
  routes.push_back({"GET", base + "/:id", guarded(s, Access::read, bind(s, get))});
  routes.push_back({"PUT", base + "/:id", guarded(s, Access::admin, bind(s, update))});
  routes.push_back({"DELETE", base + "/:id", guarded(s, Access::admin, bind(s, remove))});
}

}  // namespace iron::api
