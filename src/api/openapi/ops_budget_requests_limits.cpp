// OpenAPI table: budget-change requests (predecessor §2.7) and usage limits (§2.4 rows
// 25–29, plus GET /limits/usage). Schemas are local to this family.
#include "api/openapi/spec.h"

namespace iron::api::openapi {
namespace {

json request_id() { return described({{"type", "string"}, {"pattern", "^breq_"}}, "budget request id (breq_<uuid>)"); }
json limit_id() { return integer_range(1, INT64_MAX, "usage limit id"); }
json nonnegative_micros(const std::string& d) { return integer_range(0, INT64_MAX, d + " (µ$)"); }

json budget_request() {
  return object({{"id", request_id()},
                 {"agent_id", integer()},
                 {"requester_id", described(str(), "the user who filed it (from their token)")},
                 {"current_budget_usd", described({{"type", "number"}}, "USD float, predecessor compatibility")},
                 {"requested_budget_usd", described({{"type", "number"}}, "USD float, predecessor compatibility")},
                 {"current_budget_microdollars", nonnegative_micros("the agent's allocation when the request was filed")},
                 {"requested_budget_microdollars", nonnegative_micros("the requested ABSOLUTE allocation; authoritative")},
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

json maximum(const std::string& d) {
  return described(nullable(integer_range(1, int64_t{1} << 62, "")), d + "; null = no limit");
}

json usage_limit() {
  return object({{"id", limit_id()},
                 {"user_id", str()},
                 {"project_id", nullable(str(1, 1000))},
                 {"max_tokens_per_day", maximum("tokens per UTC day")},
                 {"max_requests_per_minute", maximum("requests per UTC minute")},
                 {"max_cost_per_month_microdollars", maximum("µ$ per UTC month")},
                 {"alert_thresholds", array_of(integer_range(1, 100, "percent"))},
                 {"created_at", ms_time("created")},
                 {"updated_at", ms_time("last change")}},
                {"id", "user_id", "project_id", "max_tokens_per_day", "max_requests_per_minute",
                 "max_cost_per_month_microdollars", "alert_thresholds", "created_at", "updated_at"});
}

json limit_fields(bool with_owner) {
  json props = {{"max_tokens_per_day", maximum("tokens per UTC day")},
                {"max_requests_per_minute", maximum("requests per UTC minute")},
                {"max_cost_per_month_microdollars", maximum("µ$ per UTC month")},
                {"alert_thresholds", described(array_of(integer_range(1, 100, "")),
                                               "percents (at most 10) at which budget.alert events fire; "
                                               "default [50,80,95]")}};
  if (!with_owner) return object(props, {});
  props["user_id"] = str(1, 255);
  props["project_id"] = described(str(1, 1000), "omit for a user-wide limit");
  return object(props, {"user_id"});
}

json period() { return object({{"start", rfc3339("period start")}, {"resets_at", rfc3339("next period")}}, {"start", "resets_at"}); }

json usage_report() {
  const json counters = object({{"limit", usage_limit()},
                                {"tokens_today", integer()},
                                {"requests_this_minute", integer()},
                                {"cost_this_month_microdollars", integer()}},
                               {"limit", "tokens_today", "requests_this_minute", "cost_this_month_microdollars"});
  return object({{"user_id", str()},
                 {"tokens_today", integer("user-wide, all projects")},
                 {"requests_this_minute", integer("user-wide, all projects")},
                 {"cost_this_month_microdollars", integer("user-wide, all projects")},
                 {"periods", object({{"day", period()}, {"minute", period()}, {"month", period()}},
                                    {"day", "minute", "month"})},
                 {"limits", array_of(counters)}},
                {"user_id", "tokens_today", "requests_this_minute", "cost_this_month_microdollars", "periods",
                 "limits"});
}

Op breq_op(std::string method, std::string pattern, std::string id, std::string summary, Auth access) {
  Op op(std::move(method), std::move(pattern), std::move(id), std::move(summary));
  op.tagged("budget-requests").auth(access);
  if (op.pattern.find(":id") != std::string::npos) op.path_param("id", request_id()).errors(404, {"NOT_FOUND"});
  return op;
}

Op limit_op(std::string method, std::string pattern, std::string id, std::string summary, Auth access) {
  Op op(std::move(method), std::move(pattern), std::move(id), std::move(summary));
  op.tagged("limits").auth(access);
  if (op.pattern.find(":id") != std::string::npos)
    op.path_param("id", limit_id()).integer_ids().errors(404, {"NOT_FOUND"});
  return op;
}

}  // namespace

std::vector<Op> budget_request_ops() {
  const std::string base = "/api/v1/budget/requests";
  std::vector<Op> ops;
  ops.push_back(breq_op("POST", base, "createBudgetRequest", "Request a new absolute budget for an agent", Auth::mutate)
                    .describe("Agent owner or admin. The requester is the caller; a body `requester_id` is ignored. "
                              "`requested_budget_usd` is read as the shortest decimal of the JSON number, scaled "
                              "to µ$ exactly and rounded half away from zero at the 7th decimal; it must be in "
                              "(0, 10000] and at least 1 µ$, and differ from the current allocation.")
                    .body(object({{"agent_id", integer_range(1, INT64_MAX, "")},
                                  {"requested_budget_usd", described({{"type", "number"}, {"exclusiveMinimum", 0},
                                                                      {"maximum", 10000}},
                                                                     "the requested absolute allocation in USD")},
                                  {"justification", described(str(20), "20..500 characters after trimming")}},
                                 {"agent_id", "requested_budget_usd", "justification"}))
                    .returns(201,
                             object({{"request_id", request_id()},
                                     {"status", one_of_strings({"pending"})},
                                     {"created_at", ms_time("created")}},
                                    {"request_id", "status", "created_at"}),
                             "Filed")
                    .errors(400, {"REQUESTED_EQUALS_CURRENT"})
                    .errors(404, {"AGENT_NOT_FOUND"}));
  ops.push_back(breq_op("GET", base, "listBudgetRequests", "List budget requests (newest first)", Auth::read)
                    .describe("Users see requests for agents they own; admins see all.")
                    .query("agent_id", integer_range(1, INT64_MAX, ""), "only this agent")
                    .query("status", one_of_strings({"pending", "approved", "rejected", "cancelled"}), "only this status")
                    .returns(200, object({{"requests", array_of(budget_request())}}, {"requests"}), "The requests"));
  ops.push_back(breq_op("GET", base + "/:id", "getBudgetRequest", "Get a budget request", Auth::read)
                    .returns(200, budget_request(), "The request"));
  ops.push_back(breq_op("PATCH", base + "/:id/approve", "approveBudgetRequest", "Approve a budget request", Auth::admin)
                    .describe("Admin only, never the requester. Sets the agent's allocation to the requested "
                              "absolute amount against the CURRENT budget, in one transaction with the status "
                              "change and a budget_history row. A request below what the agent has already "
                              "spent + reserved is refused with 409 ALLOCATION_BELOW_COMMITTED and stays pending.")
                    .returns(200, decision(), "Approved")
                    .errors(403, {"REQUESTER_CANNOT_APPROVE_OWN_REQUEST"})
                    .errors(409, {"REQUEST_NOT_PENDING", "ALLOCATION_BELOW_COMMITTED"}));
  ops.push_back(breq_op("PATCH", base + "/:id/reject", "rejectBudgetRequest", "Reject a budget request", Auth::admin)
                    .describe("Admin only, never the requester. The reason is stored. The predecessor's field "
                              "name `rejection_reason` is accepted too (`reason` wins when both are sent); one of "
                              "the two is required.")
                    .body(object({{"reason", described(str(1), "1..1000 characters after trimming")},
                                  {"rejection_reason", described(str(1), "the predecessor's name for `reason`")}},
                                 {}))
                    .returns(200, decision(), "Rejected")
                    .errors(400, {"MISSING_FIELD"})
                    .errors(403, {"REQUESTER_CANNOT_APPROVE_OWN_REQUEST"})
                    .errors(409, {"REQUEST_NOT_PENDING"}));
  ops.push_back(breq_op("PATCH", base + "/:id/cancel", "cancelBudgetRequest", "Cancel one's own pending request", Auth::mutate)
                    .returns(200, decision(), "Cancelled")
                    .errors(403, {"NOT_REQUESTER"})
                    .errors(409, {"REQUEST_NOT_PENDING"}));
  return ops;
}

std::vector<Op> limit_ops() {
  const std::string base = "/api/v1/limits";
  std::vector<Op> ops;
  ops.push_back(limit_op("GET", base, "listLimits", "List usage limits", Auth::read)
                    .describe("Users see their own limits; admins see all (or one user's with `user_id`).")
                    .query("user_id", str(1, 255), "admin: only this user's limits")
                    .returns(200, array_of(usage_limit()), "The limits"));
  ops.push_back(limit_op("POST", base, "createLimit", "Create a usage limit", Auth::admin)
                    .describe("Limits are ENFORCED: the budget handshake and refresh refuse with 429 "
                              "LIMIT_EXCEEDED (details {limit, limit_value, current, period_resets_at}; "
                              "Retry-After = seconds until the UTC minute / day / month resets) once a counter "
                              "reaches its maximum. Every limit uses 429 because each lifts when its period ends. "
                              "At least one maximum (else 422); each in 1..2^62.")
                    .body(limit_fields(true))
                    .returns(201, usage_limit(), "Created")
                    .errors(400, {"USER_NOT_FOUND"})
                    .errors(409, {"LIMIT_EXISTS"})
                    .errors(422, {"NO_LIMIT_GIVEN"}));
  ops.push_back(limit_op("GET", base + "/usage", "getLimitUsage", "Current usage counters against limits", Auth::read)
                    .describe("The caller's counters of the current UTC minute, day and month, user-wide and per "
                              "limit; admins may pass `user_id`.")
                    .query("user_id", str(1, 255), "admin: another user")
                    .returns(200, usage_report(), "Counters and limits"));
  ops.push_back(limit_op("GET", base + "/:id", "getLimit", "Get a usage limit", Auth::read)
                    .returns(200, usage_limit(), "The limit"));
  ops.push_back(limit_op("PUT", base + "/:id", "updateLimit", "Update a usage limit", Auth::admin)
                    .describe("Changes only the fields given; an explicit null clears that maximum. At least one "
                              "maximum must remain (else 422).")
                    .body(limit_fields(false))
                    .returns(200, usage_limit(), "The updated limit")
                    .errors(422, {"NO_LIMIT_GIVEN"}));
  ops.push_back(limit_op("DELETE", base + "/:id", "deleteLimit", "Delete a usage limit", Auth::admin)
                    .no_content("Deleted"));
  return ops;
}

}  // namespace iron::api::openapi
