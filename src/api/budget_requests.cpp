// /api/v1/budget/requests: create, get, list, approve, reject, cancel (docs/compatibility.md,
// with S3 and C4 fixed). Field names and ms-epoch times follow the
// predecessor; the USD floats are kept for compatibility, the *_microdollars fields are
// authoritative; decided_at is new (RFC 3339).
#include "api/body.h"
#include "api/endpoint.h"
#include "api/routes.h"
#include "domain/budget_requests.h"
#include "util/clock.h"
#include "util/json_fields.h"

namespace iron::api {
namespace {

using namespace openapi;

double usd(int64_t micros) { return static_cast<double>(micros) / 1'000'000.0; }

json request_view(const store::BudgetRequest& r) {
  return {IRON_JSON_FIELDS(r, id, agent_id, requester_id, justification, status, rejection_reason, decided_by,
                           created_at, updated_at),
          {"current_budget_usd", usd(r.current_budget_micros)},
          {"requested_budget_usd", usd(r.requested_budget_micros)},
          {"current_budget_microdollars", r.current_budget_micros},
          {"requested_budget_microdollars", r.requested_budget_micros},
          {"decided_at", r.decided_at ? json(util::to_rfc3339(util::from_unix_ms(*r.decided_at))) : json(nullptr)}};
}

// The predecessor's decision shape {request_id, status, updated_at}, plus the whole request.
json decision_view(const store::BudgetRequest& r) {
  json out = request_view(r);
  out["request_id"] = r.id;
  return out;
}

struct NewRequestBody {
  int64_t agent_id = 0;
  int64_t requested_micros = 0;
  std::string justification;
};
// A body requester_id is ignored on purpose: the requester is the authenticated caller.
const auto kNewRequest = BodyFields<NewRequestBody>()
    .integer("agent_id", &NewRequestBody::agent_id, 1, INT64_MAX)
    .custom("requested_budget_usd", true,
            described({{"type", "number"}, {"exclusiveMinimum", 0}, {"maximum", 10000}},
                      "the requested absolute allocation in USD"),
            [](const json& o, NewRequestBody& out) -> Status {
              if (!o.contains("requested_budget_usd") || o["requested_budget_usd"].is_null())
                return errors::missing_field("requested_budget_usd");
              const auto& amount = o["requested_budget_usd"];
              if (!amount.is_number()) return errors::must_be("requested_budget_usd", "a number");
              auto micros = domain::usd_to_micros(amount.get<double>());
              if (!micros) return micros.error();
              out.requested_micros = *micros;
              return ok_status();
            })
    // 20..500 characters after trimming: checked by the domain.
    .text("justification", &NewRequestBody::justification, 0, 20000).domain_min_length(20)
    .describe("20..500 characters after trimming");

// `rejection_reason` is what the predecessor's dashboard sends; `reason` wins when both are.
struct RejectBody {
  std::string field;  // the name the caller used, so errors name it
  std::string reason;
};
const auto kReject = BodyFields<RejectBody>()
    .custom("reason", false, described(str(1), "1..1000 characters after trimming"),
            [](const json& o, RejectBody& out) -> Status {
              const auto given = [&o](const char* name) { return o.contains(name) && !o[name].is_null(); };
              out.field = !given("reason") && given("rejection_reason") ? "rejection_reason" : "reason";
              auto v = text_member(o, out.field, 4000);  // 1..1000 after trimming: the domain's rule
              if (!v) return v.error();
              if (!*v) return errors::missing_field(out.field);
              if ((*v)->empty()) return errors::too_short(out.field, 1);
              out.reason = std::move(**v);
              return ok_status();
            })
    .custom("rejection_reason", false, described(str(1), "the predecessor's name for `reason`"),
            [](const json&, RejectBody&) { return ok_status(); });

Reply create(const Call& c, const NewRequestBody& in) {
  domain::NewBudgetRequest r{in.agent_id, in.requested_micros, in.justification};
  return reply(c.s.budget_requests.create(c.who(), r, c.context()), 201, [](const store::BudgetRequest& v) {
    return json{{"request_id", v.id}, {"status", v.status}, {"created_at", v.created_at}};
  });
}

struct RequestListQuery {
  std::optional<int64_t> agent_id;
  std::optional<std::string> status;
};
const QueryFields<RequestListQuery> kRequestListQuery =
    QueryFields<RequestListQuery>()
        .integer("agent_id", &RequestListQuery::agent_id, 1, INT64_MAX, "only this agent")
        .one_of("status", &RequestListQuery::status, {"pending", "approved", "rejected", "cancelled"}, "only this status");

Reply list(const Call& c, const RequestListQuery& q) {
  return reply(c.s.budget_requests.list(c.who(), q.agent_id, q.status), 200,
               [](const std::vector<store::BudgetRequest>& rows) {
                 return json{{"requests", json_array_of(rows, request_view)}};
               });
}

Reply reject(const Call& c, const RejectBody& in) {
  auto r = c.s.budget_requests.reject(c.who(), c.param("id"), in.reason, c.context());
  if (!r && r.error().details.value("field", "") == "reason") {
    Error e = r.error();
    e.details["field"] = in.field;  // name the field the caller actually sent
    return e;
  }
  return reply(r, 200, decision_view);
}

json request_id() { return described({{"type", "string"}, {"pattern", "^breq_"}}, "budget request id (breq_<uuid>)"); }
json micros(const std::string& d) { return integer_range(0, INT64_MAX, d + " (µ$)"); }

json budget_request() {
  return object({{"id", request_id()},
                 {"agent_id", integer()},
                 {"requester_id", described(str(), "the user who filed it (from their token)")},
                 {"current_budget_usd", described({{"type", "number"}}, "USD float, predecessor compatibility")},
                 {"requested_budget_usd", described({{"type", "number"}}, "USD float, predecessor compatibility")},
                 {"current_budget_microdollars", micros("the agent's allocation when the request was filed")},
                 {"requested_budget_microdollars", micros("the requested ABSOLUTE allocation; authoritative")},
                 {"justification", str(20, 500)},
                 {"status", one_of_strings({"pending", "approved", "rejected", "cancelled"})},
                 {"rejection_reason", nullable(str(1, 1000))},
                 {"decided_by", nullable(str())},
                 {"decided_at", nullable(rfc3339("when approved, rejected or cancelled"))},
                 {"created_at", ms_time("created")},
                 {"updated_at", ms_time("last change")}},
                {"id", "agent_id", "requester_id", "current_budget_usd", "requested_budget_usd",
                 "current_budget_microdollars", "requested_budget_microdollars", "justification", "status",
                 "rejection_reason", "decided_by", "decided_at", "created_at", "updated_at"});
}

json decision() {
  json d = budget_request();
  d["properties"]["request_id"] = request_id();
  d["required"].push_back("request_id");
  return d;
}

// Budget request ids are breq_<uuid>, not integers.
const Resource breq_op{.tag = "budget-requests", .id_schema = request_id(), .integer_ids = false};
const std::string kBase = "/api/v1/budget/requests";

// A decision on a request (approve, reject, cancel): PATCH …/:id/<verb>, answered with the
// decided request; one that is no longer pending cannot be decided.
Op decision_op(const std::string& verb, std::string summary, Auth access, std::string outcome) {
  return breq_op("PATCH", kBase + "/:id/" + verb, verb + "BudgetRequest", std::move(summary), access)
      .returns(200, decision(), std::move(outcome))
      .errors(409, {"REQUEST_NOT_PENDING"});
}

// The action of a decision that takes nothing but the request's id (approve, cancel).
using Decision = Result<store::BudgetRequest> (domain::BudgetRequests::*)(const domain::Principal&, const std::string&,
                                                                           const domain::RequestContext&);
Action decide(Decision step) {
  return [step](const Call& c) {
    return reply((c.s.budget_requests.*step)(c.who(), c.param("id"), c.context()), 200, decision_view);
  };
}

}  // namespace

std::vector<Endpoint> budget_request_endpoints() {
  std::vector<Endpoint> e;
  e.push_back({breq_op("POST", kBase, "createBudgetRequest", "Request a new absolute budget for an agent", Auth::mutate)
                    .returns(201,
                             object({{"request_id", request_id()},
                                     {"status", one_of_strings({"pending"})},
                                     {"created_at", ms_time("created")}},
                                    {"request_id", "status", "created_at"}),
                             "Filed")
                    .errors(400, {"REQUESTED_EQUALS_CURRENT"})
                    .errors(404, {"AGENT_NOT_FOUND"}),
               with_body(kNewRequest, create)});
  e.push_back({breq_op("GET", kBase, "listBudgetRequests", "List budget requests (newest first)", Auth::read)
                    .returns(200, object({{"requests", array_of(budget_request())}}, {"requests"}), "The requests"),
               with_query(kRequestListQuery, list)});
  e.push_back({breq_op("GET", kBase + "/:id", "getBudgetRequest", "Get a budget request", Auth::read)
                    .returns(200, budget_request(), "The request"),
               [](const Call& c) { return reply(c.s.budget_requests.get(c.who(), c.param("id")), 200, request_view); }});
  e.push_back({decision_op("approve", "Approve a budget request", Auth::admin, "Approved")
                    .errors(403, {"REQUESTER_CANNOT_APPROVE_OWN_REQUEST"})
                    .errors(409, {"ALLOCATION_BELOW_COMMITTED"}),
               decide(&domain::BudgetRequests::approve)});
  e.push_back({decision_op("reject", "Reject a budget request", Auth::admin, "Rejected")
                    .errors(400, {"MISSING_FIELD"})
                    .errors(403, {"REQUESTER_CANNOT_APPROVE_OWN_REQUEST"}),
               with_body(kReject, reject)});
  e.push_back({decision_op("cancel", "Cancel one's own pending request", Auth::mutate, "Cancelled")
                    .errors(403, {"NOT_REQUESTER"}),
               decide(&domain::BudgetRequests::cancel)});
  return e;
}

}  // namespace iron::api
