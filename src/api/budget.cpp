// /api/v1/budget/*: the lease protocol agents call (docs/compatibility.md: S2, S5, C1–C3).
// Every route takes the agent's IC token, in the body field `ic_token` (predecessor
// compatibility) or as `Authorization: Bearer ic_…`, and checks it against the stored hash.
// report and return were public in the predecessor (S2); refresh also demanded a
// user JWT, which an agent runtime does not have: the IC token alone is the agent's
// credential here, on all of them.
#include "api/guard.h"
#include "api/json_body.h"
#include "api/responses.h"
#include "api/routes.h"
#include "domain/lease_protocol.h"
#include "util/clock.h"

namespace iron::api {
namespace {

using nlohmann::json;

constexpr int64_t kDefaultRequest = 10'000'000;  // $10, as the predecessor
constexpr int64_t kMaxRefreshRequest = 1'000'000'000;
constexpr int64_t kMaxHandshakeRequest = 100'000'000;

// The IC token of the request: the body field wins, else a Bearer ic_… header.
Result<std::string> ic_token_of(const Request& req, const JsonBody& body) {
  auto field = body.opt_string("ic_token", 2000);
  if (!field) return field.error();
  if (*field && !(*field)->empty()) return **field;
  if (auto b = bearer_token(req); b && b->rfind("ic_", 0) == 0) return *b;
  return Error::unauthenticated("IC_TOKEN_MISSING", "an IC token is required (body field ic_token or Bearer ic_…)");
}

Error unavailable() {
  return Error{ErrorKind::unavailable, "UNAVAILABLE", "the lease protocol is not available on this server", {}, 0};
}

// Parses the body and the IC token, then calls f(body, token).
template <class F>
Response with_agent_body(Services& s, const Request& req, F f) {
  if (!s.leases) return error_response(unavailable());
  auto body = JsonBody::parse(req);
  if (!body) return error_response(body.error());
  auto token = ic_token_of(req, *body);
  if (!token) return error_response(token.error());
  return f(*body, *token);
}

Response handshake(Services& s, const Request& req) {
  return with_agent_body(s, req, [&](const JsonBody& body, const std::string& token) {
    auto provider = body.string("provider", 1, 64);
    if (!provider) return error_response(provider.error());
    auto key_id = body.opt_int("provider_key_id", 1, INT64_MAX);
    if (!key_id) return error_response(key_id.error());
    auto requested = body.opt_int("requested_budget", 1, kMaxHandshakeRequest);
    if (!requested) return error_response(requested.error());
    const domain::HandshakeRequest in{*provider, *key_id, requested->value_or(kDefaultRequest)};
    auto out = s.leases->handshake(token, in, context_of(req));
    if (!out) return error_response(out.error(), req.request_id);
    Response r = json_response(200, {{"ip_token", out->ip_token},
                                     {"lease_id", out->lease.id},
                                     {"budget_granted", out->lease.granted},
                                     {"budget_remaining", out->lease.remaining_after},
                                     {"expires_at", util::to_rfc3339(out->lease.expires_at)}});
    r.header("Cache-Control", "no-store");
    return r;
  });
}

Response report(Services& s, const Request& req) {
  return with_agent_body(s, req, [&](const JsonBody& body, const std::string& token) {
    auto lease_id = body.string("lease_id", 1, 100);
    if (!lease_id) return error_response(lease_id.error());
    auto request_id = body.string("request_id", 1, 200);
    if (!request_id) return error_response(request_id.error());
    auto tokens = body.integer("tokens", 1, INT64_MAX);
    if (!tokens) return error_response(tokens.error());
    auto cost = body.integer("cost_microdollars", 0, domain::kMaxLedgerAmountMicros);
    if (!cost) return error_response(cost.error());
    auto model = body.string("model", 1, 255);
    if (!model) return error_response(model.error());
    auto provider = body.string("provider", 1, 64);
    if (!provider) return error_response(provider.error());
    const domain::UsageReport usage{*request_id, *tokens, *cost, *model, *provider};
    return respond(s.leases->report(token, *lease_id, usage, context_of(req)), 200,
                   [](const domain::ReportOutcome& o) {
                     return json{{"success", true},
                                 {"budget_remaining", o.budget_remaining},
                                 {"lease_spent", o.lease_spent},
                                 {"replayed", o.replayed}};
                   },
                   req.request_id);
  });
}

Response give_back(Services& s, const Request& req) {
  return with_agent_body(s, req, [&](const JsonBody& body, const std::string& token) {
    auto lease_id = body.string("lease_id", 1, 100);
    if (!lease_id) return error_response(lease_id.error());
    auto client_spent = body.opt_int("spent_microdollars", 0, domain::kMaxLedgerAmountMicros);
    if (!client_spent) return error_response(client_spent.error());
    return respond(s.leases->give_back(token, *lease_id, *client_spent, context_of(req)), 200,
                   [](const domain::ReturnOutcome& o) {
                     json out = {{"success", true},
                                 {"returned", o.release.returned},
                                 {"budget_remaining", o.release.budget_remaining}};
                     // The client's figure is never trusted; a disagreement is reported back.
                     if (o.client_spent && *o.client_spent != o.release.lease_spent) {
                       out["reported_spent"] = o.release.lease_spent;
                       out["client_spent"] = *o.client_spent;
                     }
                     return out;
                   },
                   req.request_id);
  });
}

Response refresh(Services& s, const Request& req) {
  return with_agent_body(s, req, [&](const JsonBody& body, const std::string& token) {
    auto lease_id = body.string("current_lease_id", 1, 100);
    if (!lease_id) return error_response(lease_id.error());
    auto requested = body.opt_int("requested_budget", 1, kMaxRefreshRequest);
    if (!requested) return error_response(requested.error());
    return respond(s.leases->refresh(token, *lease_id, requested->value_or(kDefaultRequest), context_of(req)), 200,
                   [](const domain::RefreshOutcome& o) {
                     json out = {{"status", o.approved ? "approved" : "denied"},
                                 {"budget_remaining", o.budget_remaining},
                                 {"released", o.released}};
                     if (o.lease) {
                       out["budget_granted"] = o.lease->granted;
                       out["lease_id"] = o.lease->id;
                       out["expires_at"] = util::to_rfc3339(o.lease->expires_at);
                     }
                     if (o.reason) out["reason"] = *o.reason;
                     return out;
                   },
                   req.request_id);
  });
}

}  // namespace

void add_budget_routes(std::vector<Route>& routes, Services& s) {
  routes.push_back({"POST", "/api/v1/budget/handshake", [&s](const Request& r) { return handshake(s, r); }});
  routes.push_back({"POST", "/api/v1/budget/report", [&s](const Request& r) { return report(s, r); }});
  routes.push_back({"POST", "/api/v1/budget/return", [&s](const Request& r) { return give_back(s, r); }});
  routes.push_back({"POST", "/api/v1/budget/refresh", [&s](const Request& r) { return refresh(s, r); }});
}

}  // namespace iron::api
