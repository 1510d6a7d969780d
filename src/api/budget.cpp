// /api/v1/budget/*: the lease protocol agents call (docs/compatibility.md: S2, S5, C1–C3).
// Every route takes the agent's IC token through the one agent-token guard (guard.h:
// agent_token_of), in the body field `ic_token` (predecessor compatibility) or as
// `Authorization: Bearer ic_…`, and the domain checks it against the stored hash. report and
// return were public in the predecessor (S2); refresh also demanded a user JWT, which an agent
// runtime does not have: the IC token alone is the agent's credential here, on all of them.
#include "api/body.h"
#include "api/budget_report_body.h"
#include "api/endpoint.h"
#include "api/routes.h"
#include "domain/budget_ledger.h"
#include "domain/lease_protocol.h"
#include "util/clock.h"

namespace iron::api {
namespace {

using namespace openapi;

constexpr int64_t kDefaultRequest = 10'000'000;  // $10, as the predecessor
constexpr int64_t kMaxRefreshRequest = 1'000'000'000;
constexpr int64_t kMaxHandshakeRequest = 100'000'000;

struct HandshakeBody {
  std::string provider;
  std::optional<int64_t> provider_key_id, requested_budget;
  std::optional<std::string> model;
};
const auto kHandshake = BodyFields<HandshakeBody>()
    .text("provider", &HandshakeBody::provider, 1, 64)
    .integer("provider_key_id", &HandshakeBody::provider_key_id, 1, INT64_MAX).describe("must be the agent's assigned key")
    .integer("requested_budget", &HandshakeBody::requested_budget, 1, kMaxHandshakeRequest).describe("µ$; default 10000000")
    .text("model", &HandshakeBody::model, 200).domain_min_length(1)
    .describe("the model the runtime will call; required when the agent has a model allow-list "
              "(docs/model-allow-lists.md)");

struct ReturnBody {
  std::string lease_id;
  std::optional<int64_t> spent_microdollars;
};
const auto kReturn = BodyFields<ReturnBody>()
    .text("lease_id", &ReturnBody::lease_id, 1, 100)
    .integer("spent_microdollars", &ReturnBody::spent_microdollars, 0, domain::kMaxLedgerAmountMicros)
    .describe("informational");

struct RefreshBody {
  std::string current_lease_id;
  std::optional<int64_t> requested_budget;
};
const auto kRefresh = BodyFields<RefreshBody>()
    .text("current_lease_id", &RefreshBody::current_lease_id, 1, 100)
    .integer("requested_budget", &RefreshBody::requested_budget, 1, kMaxRefreshRequest).describe("µ$; default 10000000");

Reply handshake(const Call& c, const HandshakeBody& in, const std::string& token) {
  const domain::HandshakeRequest h{in.provider, in.provider_key_id, in.requested_budget.value_or(kDefaultRequest),
                                   in.model};
  auto out = c.s.leases.handshake(token, h, c.context());
  if (!out) return out.error();
  Response r = json_response(200, {{"ip_token", out->ip_token},
                                   {"lease_id", out->lease.id},
                                   {"budget_granted", out->lease.granted},
                                   {"budget_remaining", out->lease.remaining_after},
                                   {"expires_at", util::to_rfc3339(out->lease.expires_at)}});
  r.header("Cache-Control", "no-store");
  return r;
}

// Written directly, byte for byte what json_response made of the object {budget_remaining,
// lease_spent, replayed, success} (keys in nlohmann's sorted order): no tree per report.
Response report_answer(const domain::ReportOutcome& out) {
  Response r;
  r.status = 200;
  r.body.reserve(96);
  r.body += "{\"budget_remaining\":";
  r.body += std::to_string(out.budget_remaining);
  r.body += ",\"lease_spent\":";
  r.body += std::to_string(out.lease_spent);
  r.body += out.replayed ? ",\"replayed\":true" : ",\"replayed\":false";
  r.body += ",\"success\":true}";
  return r;
}

// Answered once the report is durable, without holding this thread meanwhile (api::later).
Reply report(const Call& c, const ReportBody& in, const std::string& token) {
  const domain::UsageReport usage{in.request_id, in.tokens, in.cost_microdollars, in.model, in.provider};
  return later(c, [&leases = c.s.leases, token, lease_id = in.lease_id, usage](auto done) {
    leases.report(token, lease_id, usage, replying<domain::ReportOutcome>(std::move(done), report_answer));
  });
}

// The report's action: a plain body (budget_report_body.h) read directly, any other through
// with_agent_body, whose schema the Op documents either way.
DecodingAction report_action() {
  DecodingAction d = with_agent_body(kReportFields, report);
  d.action = [general = std::move(d.action)](const Call& c) -> Reply {
    if (auto plain = plain_report_body(c.req)) return report(c, plain->body, plain->ic_token);
    return general(c);
  };
  return d;
}

Reply give_back(const Call& c, const ReturnBody& in, const std::string& token) {
  return reply(c.s.leases.give_back(token, in.lease_id, in.spent_microdollars, c.context()), 200,
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
               });
}

Reply refresh(const Call& c, const RefreshBody& in, const std::string& token) {
  auto outcome = c.s.leases.refresh(token, in.current_lease_id, in.requested_budget.value_or(kDefaultRequest),
                                     c.context());
  return reply(outcome, 200, [](const domain::RefreshOutcome& o) {
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
  });
}

json micros(const std::string& description) { return described(integer(), description + " (µ$)"); }

// The answer of a lease operation: its own `fields`, and the agent's remaining budget, which
// every one of them reports.
json lease_answer(json fields, std::vector<std::string> required) {
  fields["budget_remaining"] = micros("the agent's remaining budget");
  return object(std::move(fields), std::move(required));
}

const char* kIcDescription =
    "The agent's IC token, in the body field `ic_token` (predecessor compatibility) or as "
    "`Authorization: Bearer ic_…`; it is checked against the stored hash on every call, so a regenerated or "
    "revoked token is refused (401 INVALID_IC_TOKEN).";

// An agent's lease operation: POST, IC-token access, 404 for an unknown lease, and a description
// that opens with how the IC token is sent (kIcDescription) before what it does (budget.md).
Op budget_op(std::string pattern, std::string id, std::string summary) {
  return Op("POST", std::move(pattern), std::move(id), std::move(summary))
      .tagged("budget").auth(Auth::agent)
      .opens_with(kIcDescription)
      .errors(404, {"LEASE_NOT_FOUND"});
}

}  // namespace

std::vector<Endpoint> budget_endpoints() {
  std::vector<Endpoint> e;
  e.push_back({budget_op("/api/v1/budget/handshake", "handshake", "Open a lease and receive the agent's provider key")
                   .returns(200, lease_answer({{"ip_token", described(str(), "AES256:<iv b64>:<ct b64>:<tag b64>")},
                                               {"lease_id", described(str(), "lease_<uuid>")},
                                               {"budget_granted", micros("reserved for this lease")},
                                               {"expires_at", rfc3339("the lease's expiry (IRON_LEASE_TTL)")}},
                                              {"ip_token", "lease_id", "budget_granted", "budget_remaining", "expires_at"}),
                            "The lease")
                   .errors(400, {"MODEL_REQUIRED"})
                   .errors(403, {"BUDGET_EXHAUSTED", "NO_PROVIDER_ASSIGNED", "PROVIDER_KEY_MISMATCH",
                                 "PROVIDER_MISMATCH", "KEY_DISABLED", "MODEL_NOT_ALLOWED"})
                   .errors(503, {"CRYPTO_UNAVAILABLE"}),
               with_agent_body(kHandshake, handshake)});
  e.push_back({budget_op("/api/v1/budget/report", "reportUsage", "Report usage against a lease")
                   .returns(200, lease_answer({{"success", boolean()},
                                               {"lease_spent", micros("reported on this lease")},
                                               {"replayed", boolean("this request_id had been reported before")}},
                                              {"success", "budget_remaining", "lease_spent", "replayed"}),
                            "Accepted")
                   .errors(403, {"LEASE_EXPIRED", "LEASE_NOT_ACTIVE", "LEASE_EXCEEDED"}),
               report_action()});
  e.push_back({budget_op("/api/v1/budget/return", "returnLease", "Close a lease and release its unused part")
                   .returns(200, lease_answer({{"success", boolean()},
                                               {"returned", micros("released back to remaining")},
                                               {"reported_spent", micros("present only when the client's figure differs")},
                                               {"client_spent", micros("present only when it differs from reported_spent")}},
                                              {"success", "returned", "budget_remaining"}),
                            "Closed")
                   .errors(403, {"LEASE_EXPIRED", "LEASE_NOT_ACTIVE"}),
               with_agent_body(kReturn, give_back)});
  e.push_back({budget_op("/api/v1/budget/refresh", "refreshLease", "Close a lease and open a new one")
                   .returns(200, lease_answer({{"status", one_of_strings({"approved", "denied"})},
                                               {"budget_granted", micros("the new lease (approved only)")},
                                               {"released", micros("released from the old lease")},
                                               {"lease_id", str()},
                                               {"expires_at", rfc3339("the new lease's expiry")},
                                               {"reason", one_of_strings({"insufficient_budget"})}},
                                              {"status", "budget_remaining", "released"}),
                            "Approved or denied")
                   .errors(403, {"LEASE_EXPIRED", "LEASE_NOT_ACTIVE"}),
               with_agent_body(kRefresh, refresh)});
  return e;
}

}  // namespace iron::api
