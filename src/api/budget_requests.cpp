// /api/v1/budget/requests: create, get, list, approve, reject, cancel (docs/compatibility.md,
// with S3 and C4 fixed). Field names and ms-epoch times follow the
// predecessor; the USD floats are kept for compatibility, the *_microdollars fields are
// authoritative; decided_at is new (RFC 3339).
#include "api/guard.h"
#include "api/json_body.h"
#include "api/responses.h"
#include "api/routes.h"
#include "domain/budget_requests.h"
#include "util/clock.h"

namespace iron::api {
namespace {

using nlohmann::json;

double usd(int64_t micros) { return static_cast<double>(micros) / 1'000'000.0; }

json request_view(const store::BudgetRequest& r) {
  const auto opt = [](const std::optional<std::string>& v) { return v ? json(*v) : json(nullptr); };
  return {{"id", r.id},
          {"agent_id", r.agent_id},
          {"requester_id", r.requester_id},
          {"current_budget_usd", usd(r.current_budget_micros)},
          {"requested_budget_usd", usd(r.requested_budget_micros)},
          {"current_budget_microdollars", r.current_budget_micros},
          {"requested_budget_microdollars", r.requested_budget_micros},
          {"justification", r.justification},
          {"status", r.status},
          {"rejection_reason", opt(r.rejection_reason)},
          {"decided_by", opt(r.decided_by)},
          {"decided_at", r.decided_at ? json(util::to_rfc3339(util::from_unix_ms(*r.decided_at))) : json(nullptr)},
          {"created_at", r.created_at},
          {"updated_at", r.updated_at}};
}

// The predecessor's decision shape {request_id, status, updated_at}, plus the whole request.
json decision_view(const store::BudgetRequest& r) {
  json out = request_view(r);
  out["request_id"] = r.id;
  return out;
}

Response create(Services& s, const Request& req, const domain::Principal& p) {
  auto body = JsonBody::parse(req);
  if (!body) return error_response(body.error());
  auto agent_id = body->integer("agent_id", 1, INT64_MAX);
  if (!agent_id) return error_response(agent_id.error());
  // A body requester_id is ignored on purpose: the requester is the authenticated caller.
  if (!body->has("requested_budget_usd"))
    return error_response(Error::validation("requested_budget_usd", "requested_budget_usd is required", "MISSING_FIELD"));
  const auto& amount = body->json()["requested_budget_usd"];
  if (!amount.is_number())
    return error_response(Error::validation("requested_budget_usd", "requested_budget_usd must be a number"));
  auto micros = domain::usd_to_micros(amount.get<double>());
  if (!micros) return error_response(micros.error());
  auto justification = body->string("justification", 0, 20000);
  if (!justification) return error_response(justification.error());
  domain::NewBudgetRequest in{*agent_id, *micros, *justification};
  auto r = s.budget_requests->create(p, in, context_of(req, &p));
  if (!r) return error_response(r.error(), req.request_id);
  return json_response(201, {{"request_id", r->id}, {"status", r->status}, {"created_at", r->created_at}});
}

Response get(Services& s, const Request& req, const domain::Principal& p) {
  return respond(s.budget_requests->get(p, req.param("id")), 200, request_view, req.request_id);
}

Response list(Services& s, const Request& req, const domain::Principal& p) {
  auto agent_id = query_int(req, "agent_id", 1, INT64_MAX);
  if (!agent_id) return error_response(agent_id.error());
  auto r = s.budget_requests->list(p, *agent_id, req.query_param("status"));
  if (!r) return error_response(r.error(), req.request_id);
  json out = json::array();
  for (const auto& item : *r) out.push_back(request_view(item));
  return json_response(200, {{"requests", out}});
}

Response approve(Services& s, const Request& req, const domain::Principal& p) {
  return respond(s.budget_requests->approve(p, req.param("id"), context_of(req, &p)), 200, decision_view,
                 req.request_id);
}

Response reject(Services& s, const Request& req, const domain::Principal& p) {
  auto body = JsonBody::parse(req);
  if (!body) return error_response(body.error());
  // `rejection_reason` is what the predecessor's dashboard sends; `reason` wins when both are.
  const std::string field = !body->has("reason") && body->has("rejection_reason") ? "rejection_reason" : "reason";
  auto reason = body->string(field, 1, 4000);  // 1..1000 characters after trimming: checked by the domain
  if (!reason) return error_response(reason.error());
  auto r = s.budget_requests->reject(p, req.param("id"), *reason, context_of(req, &p));
  if (!r && r.error().details.value("field", "") == "reason") {
    Error e = r.error();
    e.details["field"] = field;  // name the field the caller actually sent
    return error_response(e);
  }
  return respond(r, 200, decision_view, req.request_id);
}

Response cancel(Services& s, const Request& req, const domain::Principal& p) {
  return respond(s.budget_requests->cancel(p, req.param("id"), context_of(req, &p)), 200, decision_view,
                 req.request_id);
}

using Fn = Response (*)(Services&, const Request&, const domain::Principal&);

// A server built without the service answers 503, not a crash.
AuthedHandler bind(Services& s, Fn f) {
  return [&s, f](const Request& req, const domain::Principal& p) -> Response {
    if (!s.budget_requests)
      return error_response(
          Error{ErrorKind::unavailable, "UNAVAILABLE", "budget requests are not available on this server", {}, 0});
    return f(s, req, p);
  };
}

}  // namespace

void add_budget_request_routes(std::vector<Route>& routes, Services& s) {
  const std::string base = "/api/v1/budget/requests";
  routes.push_back({"POST", base, guarded(s, Access::mutate, bind(s, create))});
  routes.push_back({"GET", base, guarded(s, Access::read, bind(s, list))});
  routes.push_back({"GET", base + "/:id", guarded(s, Access::read, bind(s, get))});
  routes.push_back({"PATCH", base + "/:id/approve", guarded(s, Access::admin, bind(s, approve))});
  routes.push_back({"PATCH", base + "/:id/reject", guarded(s, Access::admin, bind(s, reject))});
  routes.push_back({"PATCH", base + "/:id/cancel", guarded(s, Access::mutate, bind(s, cancel))});
}

}  // namespace iron::api
