// OpenAPI table: agents and their IC tokens, and the budget lease protocol
// agents call with their IC token (docs/compatibility.md: S5, S6, C1–C3).
#include "api/openapi/spec.h"

namespace iron::api::openapi {
namespace {

json agent_id() { return integer_range(1, INT64_MAX, "agent id"); }
json micros(const std::string& description) { return described(integer(), description + " (µ$)"); }

json agent_schema() {
  return object({{"id", integer("agent id")},
                 {"name", str(1, 255)},
                 {"providers", described(array_of(str()), "the assigned key's provider, or empty")},
                 {"created_at", ms_time("creation time")},
                 {"owner_id", described(str(), "the owning user")},
                 {"provider_key_id", nullable(integer("the agent's provider key; the only key its handshake uses"))},
                 {"provider_key_owner_id",
                  nullable(described(str(), "who owns the assigned key: the agent's owner, or the admin who "
                                            "delegated a key of their own to this agent"))},
                 {"has_ic_token", described(boolean(), "whether the agent has an IC token")},
                 {"budget", object({{"allocated", micros("allocated")},
                                    {"spent", micros("reported usage")},
                                    {"reserved", micros("held by active leases, not yet reported")},
                                    {"remaining", micros("free to lease; allocated = spent + reserved + remaining")}},
                                   {"allocated", "spent", "reserved", "remaining"})},
                 {"burn_rate_micros_per_day",
                  micros("analytics spend of the last 7 UTC days (today included) / 7, rounded down, per day")},
                 {"projected_exhaustion_at",
                  nullable(rfc3339("when `remaining` runs out at the 7-day pace; null with no spend in those 7 days, "
                                   "nothing remaining, or more than 100 years away"))}},
                {"id", "name", "providers", "created_at", "owner_id", "provider_key_id", "provider_key_owner_id", "has_ic_token", "budget",
                 "burn_rate_micros_per_day", "projected_exhaustion_at"});
}

json lease_schema() {
  return object({{"id", described({{"type", "string"}, {"pattern", "^lease_"}}, "lease_<uuid>")},
                 {"agent_id", integer()},
                 {"status", one_of_strings({"active", "closed", "expired", "revoked"})},
                 {"granted_microdollars", micros("reserved for the lease at handshake or refresh")},
                 {"spent_microdollars", micros("reported against the lease")},
                 {"available_microdollars", micros("granted - spent while active; 0 once ended")},
                 {"released_microdollars", nullable(micros("given back to the budget when the lease ended"))},
                 {"created_at", rfc3339("granted at")},
                 {"expires_at", rfc3339("expiry unless returned or refreshed first")},
                 {"closed_at", nullable(rfc3339("when it was returned, refreshed, expired or revoked"))}},
                {"id", "agent_id", "status", "granted_microdollars", "spent_microdollars", "available_microdollars",
                 "released_microdollars", "created_at", "expires_at", "closed_at"});
}

json ic_issued(bool regenerated) {
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

Op agent_op(std::string method, std::string pattern, std::string id, std::string summary, Auth access) {
  Op op(std::move(method), std::move(pattern), std::move(id), std::move(summary));
  op.tagged("agents").auth(access);
  if (op.pattern.find(":id") != std::string::npos)
    op.path_param("id", agent_id()).integer_ids().errors(404, {"AGENT_NOT_FOUND"});
  return op;
}

// The one agent-key rule (domain/agent_key.h), for the create and update descriptions.
const char* kKeyAssignment =
    " `provider_key_id` must name an enabled key (404 PROVIDER_KEY_NOT_FOUND, 409 PROVIDER_KEY_DISABLED) that the "
    "agent's owner owns, or that the calling admin owns: an admin may DELEGATE a key of their own to another user's "
    "agent, which is audited (`provider_key_delegated` in the audit row) and shown as `provider_key_owner_id`; the "
    "delegated key stops serving the agent (403 NO_PROVIDER_ASSIGNED) if that admin loses the admin role. Any other "
    "user's key is 403 PROVIDER_KEY_NOT_OWNED. Deleting a key unassigns it from its agents.";

const char* kIcDescription =
    "The agent's IC token, in the body field `ic_token` (predecessor compatibility) or as "
    "`Authorization: Bearer ic_…`; it is checked against the stored hash on every call, so a regenerated or "
    "revoked token is refused (401 INVALID_IC_TOKEN).";

Op budget_op(std::string pattern, std::string id, std::string summary) {
  Op op("POST", std::move(pattern), std::move(id), std::move(summary));
  op.tagged("budget")
      .secured_by(json::array({{{"icToken", json::array()}}, json::object()}))
      .errors(401, {"IC_TOKEN_MISSING", "INVALID_IC_TOKEN"})
      .errors(404, {"LEASE_NOT_FOUND"});
  return op;
}

}  // namespace

std::vector<Op> agent_ops() {
  std::vector<Op> ops;
  ops.push_back(agent_op("GET", "/api/v1/agents", "listAgents", "List agents (admins: all; others: their own)", Auth::read)
                    .describe("Newest first, as a plain array (the predecessor's shape). `search`, `owner_id` and `provider_key_id` narrow "
                              "the list and `sort` orders it; with `page` or `per_page` the answer is one page, "
                              "`{data, pagination}`.")
                    .query("search", str(1, 255), "name contains this (case-insensitive)")
                    .query("owner_id", str(1, 255), "only this owner's agents")
                    .query("provider_key_id", integer_range(1, INT64_MAX, ""),
                           "only the agents using this provider key (those that lose it when it is deleted)")
                    .query("sort",
                           one_of_strings({"name", "-name", "created_at", "-created_at", "allocated", "-allocated",
                                           "spent", "-spent", "remaining", "-remaining"}),
                           "order by this column, `-` for descending; default newest first")
                    .query("page", integer_range(1, 1'000'000'000, ""), "1-based page; answers `{data, pagination}`")
                    .query("per_page", integer_range(1, 200, ""), "default 25; answers `{data, pagination}`")
                    .returns(200, json{{"oneOf", json::array({array_of(ref("Agent")), ref("AgentPage")})}},
                             "The agents, or one page of them")
                    .errors(400, {"INVALID_PARAMETER", "VALIDATION_ERROR"}));
  ops.push_back(agent_op("POST", "/api/v1/agents", "createAgent", "Create an agent and its budget", Auth::admin)
                    .describe(std::string("The agent, its budget row (allocated = remaining = initial) and its key "
                                          "assignment commit in one transaction.") +
                              kKeyAssignment)
                    .body(object({{"name", str(1, 255)},
                                  {"provider_key_id", integer_range(1, INT64_MAX, "an enabled key the owner may use")},
                                  {"initial_budget_microdollars", integer_range(1, 1'000'000'000'000'000, "µ$")},
                                  {"owner_id", described(str(1, 255), "an existing active user; default: the caller")}},
                                 {"name", "initial_budget_microdollars"}))
                    .returns(201, ref("Agent"), "Created")
                    .errors(400, {"VALIDATION_ERROR", "OWNER_NOT_FOUND"})
                    .errors(403, {"PROVIDER_KEY_NOT_OWNED"})
                    .errors(404, {"PROVIDER_KEY_NOT_FOUND"})
                    .errors(409, {"PROVIDER_KEY_DISABLED"})
                    .errors(503, {"PROVIDER_KEYS_UNAVAILABLE"}));
  ops.push_back(agent_op("GET", "/api/v1/agents/:id", "getAgent", "Get an agent (admin or owner)", Auth::read)
                    .returns(200, ref("Agent"), "The agent"));
  ops.push_back(agent_op("PUT", "/api/v1/agents/:id", "updateAgent", "Update an agent", Auth::admin)
                    .describe(std::string("`provider_key_id`: an id assigns that key (providers becomes its provider); "
                                          "null clears both. A new `owner_id` must be entitled to the key the agent "
                                          "keeps.") +
                              kKeyAssignment)
                    .body(object({{"name", str(1, 255)},
                                  {"provider_key_id", nullable(integer_range(1, INT64_MAX, ""))},
                                  {"owner_id", str(1, 255)}},
                                 {}))
                    .returns(200, ref("Agent"), "The updated agent")
                    .errors(400, {"VALIDATION_ERROR", "OWNER_NOT_FOUND"})
                    .errors(403, {"PROVIDER_KEY_NOT_OWNED"})
                    .errors(404, {"PROVIDER_KEY_NOT_FOUND"})
                    .errors(409, {"PROVIDER_KEY_DISABLED"})
                    .errors(503, {"PROVIDER_KEYS_UNAVAILABLE"}));
  ops.push_back(agent_op("DELETE", "/api/v1/agents/:id", "deleteAgent", "Delete an agent", Auth::admin)
                    .describe("Hard delete: its budget, leases, reports and history go with it.")
                    .no_content("Deleted"));
  ops.push_back(agent_op("PUT", "/api/v1/agents/:id/budget", "setAgentBudget", "Set an agent's allocation", Auth::admin)
                    .body(object({{"total_allocated_microdollars",
                                   integer_range(1, 1'000'000'000'000'000, "at least spent + reserved")}},
                                 {"total_allocated_microdollars"}))
                    .returns(200, object({{"agent_id", integer()},
                                          {"total_allocated", micros("allocated")},
                                          {"total_spent", micros("spent")},
                                          {"total_reserved", micros("reserved")},
                                          {"budget_remaining", micros("remaining")}},
                                         {"agent_id", "total_allocated", "total_spent", "total_reserved",
                                          "budget_remaining"}),
                             "The new allocation")
                    .errors(400, {"VALIDATION_ERROR", "ALLOCATION_BELOW_COMMITTED"}));
  ops.push_back(agent_op("GET", "/api/v1/agents/:id/tokens", "listAgentTokens", "API tokens bound to the agent", Auth::read)
                    .describe("Admin or owner; non-admins see only their own tokens.")
                    .returns(200, array_of(ref("ApiToken")), "The tokens"));
  ops.push_back(agent_op("GET", "/api/v1/agents/:id/budget/history", "getAgentBudgetHistory",
                         "Allocation changes, newest first", Auth::read)
                    .returns(200, array_of(object({{"id", integer()},
                                                   {"agent_id", integer()},
                                                   {"previous_allocated", micros("before")},
                                                   {"new_allocated", micros("after")},
                                                   {"change", micros("new - previous")},
                                                   {"changed_by", str()},
                                                   {"reason", nullable(str())},
                                                   {"budget_request_id", nullable(str())},
                                                   {"created_at", ms_time("when")}},
                                                  {"id", "agent_id", "previous_allocated", "new_allocated", "change",
                                                   "changed_by", "reason", "budget_request_id", "created_at"})),
                             "The history"));
  ops.push_back(agent_op("GET", "/api/v1/agents/:id/leases", "listAgentLeases", "The agent's leases, active first",
                         Auth::read)
                    .describe("Admin or owner. Active leases first, then the most recent; paged.")
                    .query("status", one_of_strings({"active", "closed", "expired", "revoked"}), "only this status")
                    .query("page", integer_range(1, 1'000'000'000, ""), "1-based page; default 1")
                    .query("per_page", integer_range(1, 200, ""), "default 20")
                    .returns(200, ref("AgentLeasePage"), "One page of leases"));
  ops.push_back(agent_op("POST", "/api/v1/agents/:id/ic-token", "issueIcToken", "Issue the agent's IC token", Auth::mutate)
                    .describe("Admin or owner. Format `ic_<agent id>_<48 base62>`; only its SHA-256 is stored.")
                    .returns(201, ic_issued(false), "Issued")
                    .errors(409, {"IC_TOKEN_EXISTS"}));
  ops.push_back(agent_op("GET", "/api/v1/agents/:id/ic-token", "getIcTokenStatus", "Whether the agent has an IC token",
                         Auth::read)
                    .returns(200, object({{"agent_id", integer()},
                                          {"has_ic_token", boolean()},
                                          {"created_at", nullable(integer("unix seconds"))}},
                                         {"agent_id", "has_ic_token", "created_at"}),
                             "The status"));
  ops.push_back(agent_op("POST", "/api/v1/agents/:id/ic-token/regenerate", "regenerateIcToken",
                         "Replace the agent's IC token (the old one stops working at once)", Auth::mutate)
                    .returns(200, ic_issued(true), "The new token"));
  ops.push_back(agent_op("DELETE", "/api/v1/agents/:id/ic-token", "revokeIcToken",
                         "Revoke the agent's IC token (it stops working at once)", Auth::mutate)
                    .no_content("Revoked"));
  return ops;
}

std::vector<Op> budget_ops() {
  std::vector<Op> ops;
  ops.push_back(budget_op("/api/v1/budget/handshake", "handshake", "Open a lease and receive the agent's provider key")
                    .describe(std::string(kIcDescription) +
                              " In one transaction: reserves min(requested, remaining), then checks the agent's "
                              "assigned key (only that key; provider must match; enabled), decrypts it and wraps it "
                              "as an IP token `AES256:<iv>:<ct>:<tag>` (AES-256-GCM under the IP-token key). Any "
                              "refusal rolls the reservation back. The key rule and its answers are those of "
                              "`POST /agents/provider-key`: no usable key (none, deleted, or a delegation whose admin "
                              "lost the role) is 403 NO_PROVIDER_ASSIGNED.")
                    .body(object({{"ic_token", str(1, 2000)},
                                  {"provider", str(1, 64)},
                                  {"provider_key_id", integer_range(1, INT64_MAX, "must be the agent's assigned key")},
                                  {"requested_budget", integer_range(1, 100'000'000, "µ$; default 10000000")}},
                                 {"provider"}))
                    .returns(200, object({{"ip_token", described(str(), "AES256:<iv b64>:<ct b64>:<tag b64>")},
                                          {"lease_id", described(str(), "lease_<uuid>")},
                                          {"budget_granted", micros("reserved for this lease")},
                                          {"budget_remaining", micros("the agent's remaining budget")},
                                          {"expires_at", rfc3339("the lease's expiry (IRON_LEASE_TTL)")}},
                                         {"ip_token", "lease_id", "budget_granted", "budget_remaining", "expires_at"}),
                             "The lease")
                    .errors(403, {"BUDGET_EXHAUSTED", "NO_PROVIDER_ASSIGNED", "PROVIDER_KEY_MISMATCH",
                                  "PROVIDER_MISMATCH", "KEY_DISABLED"})
                    .errors(503, {"CRYPTO_UNAVAILABLE"}));
  ops.push_back(budget_op("/api/v1/budget/report", "reportUsage", "Report usage against a lease")
                    .describe(std::string(kIcDescription) +
                              " Moves the cost from reserved to spent. Idempotent per (lease_id, request_id): a replay "
                              "returns the first outcome with `replayed: true`.")
                    .body(object({{"ic_token", str(1, 2000)},
                                  {"lease_id", str(1, 100)},
                                  {"request_id", str(1, 200)},
                                  {"tokens", integer_range(1, INT64_MAX, "")},
                                  {"cost_microdollars", integer_range(0, 1'000'000'000'000'000, "µ$")},
                                  {"model", str(1, 255)},
                                  {"provider", str(1, 64)}},
                                 {"lease_id", "request_id", "tokens", "cost_microdollars", "model", "provider"}))
                    .returns(200, object({{"success", boolean()},
                                          {"budget_remaining", micros("the agent's remaining budget")},
                                          {"lease_spent", micros("reported on this lease")},
                                          {"replayed", boolean("this request_id had been reported before")}},
                                         {"success", "budget_remaining", "lease_spent", "replayed"}),
                             "Accepted")
                    .errors(403, {"LEASE_EXPIRED", "LEASE_NOT_ACTIVE", "LEASE_EXCEEDED"}));
  ops.push_back(budget_op("/api/v1/budget/return", "returnLease", "Close a lease and release its unused part")
                    .describe(std::string(kIcDescription) +
                              " Releases granted − reported spend. `spent_microdollars` is never trusted for "
                              "accounting; when it differs from the reported spend both figures are echoed.")
                    .body(object({{"ic_token", str(1, 2000)},
                                  {"lease_id", str(1, 100)},
                                  {"spent_microdollars", integer_range(0, 1'000'000'000'000'000, "informational")}},
                                 {"lease_id"}))
                    .returns(200, object({{"success", boolean()},
                                          {"returned", micros("released back to remaining")},
                                          {"budget_remaining", micros("the agent's remaining budget")},
                                          {"reported_spent", micros("present only when the client's figure differs")},
                                          {"client_spent", micros("present only when it differs from reported_spent")}},
                                         {"success", "returned", "budget_remaining"}),
                             "Closed")
                    .errors(403, {"LEASE_EXPIRED", "LEASE_NOT_ACTIVE"}));
  ops.push_back(budget_op("/api/v1/budget/refresh", "refreshLease", "Close a lease and open a new one")
                    .describe(std::string(kIcDescription) +
                              " No user JWT is needed (the predecessor required one). The old lease's unreported part "
                              "is released; a new lease of min(requested, remaining) is granted, or `denied` "
                              "(HTTP 200) when nothing is left.")
                    .body(object({{"ic_token", str(1, 2000)},
                                  {"current_lease_id", str(1, 100)},
                                  {"requested_budget", integer_range(1, 1'000'000'000, "µ$; default 10000000")}},
                                 {"current_lease_id"}))
                    .returns(200, object({{"status", one_of_strings({"approved", "denied"})},
                                          {"budget_granted", micros("the new lease (approved only)")},
                                          {"budget_remaining", micros("the agent's remaining budget")},
                                          {"released", micros("released from the old lease")},
                                          {"lease_id", str()},
                                          {"expires_at", rfc3339("the new lease's expiry")},
                                          {"reason", one_of_strings({"insufficient_budget"})}},
                                         {"status", "budget_remaining", "released"}),
                             "Approved or denied")
                    .errors(403, {"LEASE_EXPIRED", "LEASE_NOT_ACTIVE"}));
  return ops;
}

json agent_component_schemas() {
  return {{"Agent", agent_schema()},
          {"AgentLease", lease_schema()},
          {"AgentPage", object({{"data", array_of(ref("Agent"))}, {"pagination", ref("Pagination")}},
                               {"data", "pagination"})},
          {"AgentLeasePage", object({{"data", array_of(ref("AgentLease"))}, {"pagination", ref("Pagination")}},
                                    {"data", "pagination"})}};
}

}  // namespace iron::api::openapi
