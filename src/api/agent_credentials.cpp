// An agent's credential and its leases under /api/v1/agents/:id (docs/compatibility.md: S6, C3): the IC
// token (issue / status / regenerate / revoke; the agent's owner or an admin, and viewers
// never mint or revoke credentials) and the leases it holds (new; RFC 3339 times).
#include "api/agent_views.h"
#include "api/endpoint.h"
#include "api/paging.h"
#include "api/routes.h"
#include "domain/agent_leases.h"
#include "domain/ic_tokens.h"
#include "util/json_optional.h"

namespace iron::api {
namespace {

using namespace openapi;

constexpr const char* kIcWarning = "Store this IC token securely: it is shown only once and cannot be retrieved.";

Reply issued(const Result<domain::IssuedIcToken>& t, int status, bool regenerated) {
  if (!t) return t.error();
  const auto& v = t.value();
  json body = {{"agent_id", v.agent_id}, {"ic_token", v.token}, {"created_at", v.created_at_s}, {"warning", kIcWarning}};
  if (regenerated) body["old_token_invalidated"] = true;
  Response r = json_response(status, body);
  r.header("Cache-Control", "no-store");
  return r;
}

// GET /agents/:id/leases: active ones first, then the most recent; paged; visible like the agent.
struct LeaseListQuery {
  std::optional<std::string> status;
  PageParams page;
};
const QueryFields<LeaseListQuery> kLeaseListQuery =
    QueryFields<LeaseListQuery>()
        .one_of("status", &LeaseListQuery::status, {"active", "closed", "expired", "revoked"}, "only this status")
        .within(&LeaseListQuery::page, page_fields(20));

Reply list_leases(const Call& c, const LeaseListQuery& q) {
  auto r = domain::list_agent_leases(c.s.db, c.who(), c.id(), q.status, q.page.request());
  if (!r) return r.error();
  return json_response(200,
                       {{"data", json_array_of(r->items, lease_view)}, {"pagination", pagination_json(r->pagination)}});
}

json ic_issued_schema(bool regenerated) {
  json props = {{"agent_id", integer()},
                {"ic_token", described({{"type", "string"}, {"pattern", "^ic_[0-9]+_[0-9A-Za-z]{48}$"}},
                                       "the secret, shown once only: it is stored as a hash")},
                {"created_at", integer("unix seconds (predecessor field)")},
                {"warning", str()}};
  std::vector<std::string> required = {"agent_id", "ic_token", "created_at", "warning"};
  if (regenerated) {
    props["old_token_invalidated"] = boolean("always true: the previous token no longer authenticates");
    required.push_back("old_token_invalidated");
  }
  return object(props, required);
}

}  // namespace

std::vector<Endpoint> agent_credential_endpoints() {
  std::vector<Endpoint> e;
  e.push_back({agent_op("GET", "/api/v1/agents/:id/leases", "listAgentLeases", "The agent's leases, active first",
                        Auth::read)
                   .returns(200, ref("AgentLeasePage"), "One page of leases"),
               with_query(kLeaseListQuery, list_leases)});
  e.push_back({agent_op("POST", "/api/v1/agents/:id/ic-token", "issueIcToken", "Issue the agent's IC token", Auth::mutate)
                   .returns(201, ic_issued_schema(false), "Issued")
                   .errors(409, {"IC_TOKEN_EXISTS"}),
               [](const Call& c) { return issued(c.s.ic_tokens.issue(c.who(), c.id(), c.context()), 201, false); }});
  e.push_back({agent_op("GET", "/api/v1/agents/:id/ic-token", "getIcTokenStatus", "Whether the agent has an IC token",
                        Auth::read)
                   .returns(200, object({{"agent_id", integer()},
                                         {"has_ic_token", boolean()},
                                         {"created_at", nullable(integer("unix seconds"))}},
                                        {"agent_id", "has_ic_token", "created_at"}),
                            "The status"),
               [](const Call& c) {
                 return reply(c.s.ic_tokens.status(c.who(), c.id()), 200, [](const domain::IcTokenStatus& st) {
                   return json{{"agent_id", st.agent_id},
                               {"has_ic_token", st.has_ic_token},
                               {"created_at", st.created_at_s}};
                 });
               }});
  e.push_back({agent_op("POST", "/api/v1/agents/:id/ic-token/regenerate", "regenerateIcToken",
                        "Replace the agent's IC token (the old one stops working at once)", Auth::mutate)
                   .returns(200, ic_issued_schema(true), "The new token"),
               [](const Call& c) { return issued(c.s.ic_tokens.regenerate(c.who(), c.id(), c.context()), 200, true); }});
  e.push_back({agent_op("DELETE", "/api/v1/agents/:id/ic-token", "revokeIcToken",
                        "Revoke the agent's IC token (it stops working at once)", Auth::mutate)
                   .no_content("Revoked"),
               [](const Call& c) { return reply_no_content(c.s.ic_tokens.revoke(c.who(), c.id(), c.context())); }});
  return e;
}

}  // namespace iron::api
