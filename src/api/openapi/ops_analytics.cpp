// OpenAPI table: usage analytics (reference §2.8). Paths and field names are the
// predecessor's; USD floats where it had them, plus integer µ$ (`*_microdollars`) for every
// money figure. Reads are owner-scoped and answered from daily rollups.
#include "api/openapi/spec.h"

namespace iron::api::openapi {
namespace {

json usd(const std::string& what) { return described({{"type", "number"}}, what + " in USD (float, predecessor shape)"); }
json micros(const std::string& what) { return described(integer(), what + " in integer microdollars"); }

json event_schema() {
  return object({{"event_id", described(str(1, 200), "idempotency key per agent")},
                 {"timestamp_ms", ms_time("when the request happened")},
                 {"event_type", one_of_strings({"llm_request_completed", "llm_request_failed"})},
                 {"model", str(1, 200)},
                 {"provider", described({{"type", "string"}, {"pattern", "^[a-z0-9_-]{1,64}$"}},
                                        "openai, anthropic, unknown (the predecessor's enum) or another provider name")},
                 {"provider_id", str(0, 200)},
                 {"input_tokens", described(integer_range(0, 1'000'000'000'000, ""), "required when completed")},
                 {"output_tokens", described(integer_range(0, 1'000'000'000'000, ""), "required when completed")},
                 {"cost_micros", integer_range(0, 1'000'000'000'000'000, "cost in microdollars")},
                 {"error_code", str(0, 100)},
                 {"error_message", str(0, 2000)}},
                {"event_id", "timestamp_ms", "event_type", "model", "provider"});
}

json pagination() {
  return object({{"page", integer()}, {"per_page", integer()}, {"total", integer()}, {"total_pages", integer()}},
                {"page", "per_page", "total", "total_pages"});
}

json filters() { return object({{"agent_id", integer()}, {"provider", str()}}, {}); }

// period / calculated_at / filters, which every period read returns.
json period_body(json properties, std::vector<std::string> required) {
  properties["period"] = str();
  properties["filters"] = filters();
  properties["calculated_at"] = ms_time("when the figures were computed");
  required.push_back("period");
  required.push_back("calculated_at");
  return object(std::move(properties), std::move(required));
}

Op read_op(std::string pattern, std::string id, std::string summary, bool paged, int64_t default_per_page = 50) {
  Op op("GET", std::move(pattern), std::move(id), std::move(summary));
  op.tagged("analytics").auth(Auth::read);
  op.query("period", one_of_strings({"today", "yesterday", "last7-days", "last30-days", "this-month", "last-month", "all-time"}),
           "UTC period; default all-time; unknown values are 400")
      .query("agent_id", integer_range(1, INT64_MAX, ""), "only this agent")
      .query("provider", str(1, 64), "only this provider");
  if (paged)
    op.query("page", integer_range(1, 1'000'000'000, ""), "1-based page; default 1")
        .query("per_page", integer_range(1, 200, ""), "default " + std::to_string(default_per_page));
  return op;
}

}  // namespace

std::vector<Op> analytics_ops() {
  const std::string scope = "Non-admins see only their own agents; admins see all. Answered from daily rollups.";
  std::vector<Op> ops;
  const json ic = json::array({{{"bearerAuth", json::array()}}, json::object()});
  ops.push_back(Op("POST", "/api/v1/analytics/events", "ingestAnalyticsEvent", "Report one LLM request (agent)")
                    .tagged("analytics")
                    .secured_by(ic)
                    .describe("The agent's IC token in the body field `ic_token` or as `Authorization: Bearer`. "
                              "Idempotent per (agent, event_id): a replay answers 200 `duplicate` and changes nothing.")
                    .body([] {
                      auto b = event_schema();
                      b["properties"]["ic_token"] = str(1, 4096);
                      return b;
                    }())
                    .returns(202, object({{"event_id", str()}, {"status", one_of_strings({"accepted"})}}, {"event_id", "status"}),
                             "Accepted (200 with status duplicate for a replay)")
                    .plain_response(200, {{"description", "Duplicate: this event_id was already recorded"},
                                          {"content", {{"application/json", {{"schema",
                                              object({{"event_id", str()}, {"status", one_of_strings({"duplicate"})}},
                                                     {"event_id", "status"})}}}}}})
                    .errors(401, {"AUTH_MISSING_TOKEN", "AUTH_INVALID_TOKEN"})
                    .errors(404, {"AGENT_NOT_FOUND"})
                    .errors(503, {"IC_TOKENS_UNAVAILABLE"}));
  ops.push_back(Op("POST", "/api/v1/analytics/events/batch", "ingestAnalyticsEventBatch", "Report up to 1000 LLM requests (agent)")
                    .tagged("analytics")
                    .secured_by(ic)
                    .describe("One transaction; each event is accepted, duplicate or rejected on its own (`error` "
                              "holds the envelope's code/message/details for a rejected one).")
                    .body(object({{"ic_token", str(1, 4096)}, {"events", [] {
                                    auto a = array_of(event_schema());
                                    a["maxItems"] = 1000;
                                    return a;
                                  }()}},
                                 {"events"}))
                    .returns(200, object({{"results", array_of(object({{"event_id", nullable(str())},
                                                                       {"status", one_of_strings({"accepted", "duplicate", "rejected"})},
                                                                       {"error", object({{"code", str()}, {"message", str()}, {"details", {{"type", "object"}}}}, {"code", "message"})}},
                                                                      {"event_id", "status"}))},
                                          {"accepted", integer()}, {"duplicates", integer()}, {"rejected", integer()}},
                                         {"results", "accepted", "duplicates", "rejected"}),
                             "Per-event results, in input order")
                    .errors(401, {"AUTH_MISSING_TOKEN", "AUTH_INVALID_TOKEN"})
                    .errors(404, {"AGENT_NOT_FOUND"})
                    .errors(503, {"IC_TOKENS_UNAVAILABLE"}));

  const json event = object({{"event_id", str()}, {"timestamp_ms", ms_time("")}, {"event_type", str()}, {"model", str()},
                             {"provider", str()}, {"provider_id", nullable(str())}, {"input_tokens", integer()},
                             {"output_tokens", integer()}, {"cost_micros", micros("cost")}, {"agent_id", integer()},
                             {"agent_name", str()}, {"error_code", nullable(str())}, {"error_message", nullable(str())}},
                            {"event_id", "timestamp_ms", "event_type", "agent_id"});
  ops.push_back(read_op("/api/v1/analytics/events/list", "listAnalyticsEvents", "Raw events, newest first", true, 10)
                    .describe(std::string(scope) + " Raw events are kept IRON_EVENT_RETENTION_DAYS.")
                    .returns(200, period_body({{"data", array_of(event)}, {"pagination", pagination()}}, {"data", "pagination"})));
  ops.push_back(read_op("/api/v1/analytics/spending/total", "getSpendingTotal", "Total spend (completed requests)", false)
                    .describe(scope)
                    .returns(200, period_body({{"total_spend", usd("spend")}, {"total_spend_microdollars", micros("spend")},
                                               {"currency", one_of_strings({"USD"})}},
                                              {"total_spend", "total_spend_microdollars", "currency"})));
  const json agent_spend = object({{"agent_id", integer()}, {"agent_name", str()}, {"spending", usd("period spend")},
                                   {"spending_microdollars", micros("period spend")}, {"budget", usd("allocation")},
                                   {"budget_microdollars", micros("allocation")}, {"percent_used", {{"type", "number"}}},
                                   {"request_count", integer()}},
                                  {"agent_id", "spending", "spending_microdollars"});
  ops.push_back(read_op("/api/v1/analytics/spending/by-agent", "getSpendingByAgent", "Spend per agent (highest first)", true)
                    .describe(scope)
                    .returns(200, period_body({{"data", array_of(agent_spend)},
                                               {"summary", object({{"total_spend", usd("spend")}, {"total_spend_microdollars", micros("spend")},
                                                                   {"total_budget", usd("allocations")}, {"total_budget_microdollars", micros("allocations")},
                                                                   {"total_agents", integer()}}, {})},
                                               {"pagination", pagination()}},
                                              {"data", "summary", "pagination"})));
  ops.push_back(read_op("/api/v1/analytics/spending/by-provider", "getSpendingByProvider", "Spend per provider", false)
                    .describe(scope)
                    .returns(200, period_body({{"data", array_of(object({{"provider", str()}, {"spending", usd("spend")},
                                                                         {"spending_microdollars", micros("spend")}, {"request_count", integer()},
                                                                         {"avg_cost_per_request", usd("average")},
                                                                         {"avg_cost_per_request_microdollars", micros("average")},
                                                                         {"agent_count", integer()}}, {"provider"}))},
                                               {"summary", object({{"total_spend", usd("spend")}, {"total_spend_microdollars", micros("spend")},
                                                                   {"total_requests", integer()}, {"providers_count", integer()}}, {})}},
                                              {"data", "summary"})));
  ops.push_back(read_op("/api/v1/analytics/spending/avg-per-request", "getAverageCostPerRequest", "Average, min and max cost per completed request", false)
                    .describe(scope)
                    .returns(200, period_body({{"average_cost_per_request", usd("average")},
                                               {"average_cost_per_request_microdollars", micros("average (rounded)")},
                                               {"total_requests", integer()}, {"total_spend", usd("spend")},
                                               {"total_spend_microdollars", micros("spend")},
                                               {"min_cost_per_request", usd("minimum")}, {"min_cost_per_request_microdollars", micros("minimum")},
                                               {"max_cost_per_request", usd("maximum")}, {"max_cost_per_request_microdollars", micros("maximum")}},
                                              {"average_cost_per_request", "total_requests"})));
  Op budget("GET", "/api/v1/analytics/budget/status", "getBudgetStatus", "Budget state and risk of each agent");
  budget.tagged("analytics").auth(Auth::read)
      .describe("Owner-scoped. Risk: >=100 % exhausted, >=95 critical, >=80 high, >=50 medium, else low. Filters apply "
                "first, the summary counts the filtered agents, rows are sorted by percent_used (desc) and then paged. "
                "`budget`, `spent`, `remaining` are integer µ$ (predecessor); `*_usd` are floats.")
      .query("agent_id", integer_range(1, INT64_MAX, ""), "only this agent")
      .query("threshold", integer_range(0, 1'000'000, ""), "keep agents with percent_used >= threshold")
      .query("status", one_of_strings({"active", "exhausted"}), "only agents in this state")
      .query("page", integer_range(1, 1'000'000'000, ""), "1-based page; default 1")
      .query("per_page", integer_range(1, 200, ""), "default 50")
      .returns(200, object({{"data", array_of(object({{"agent_id", integer()}, {"agent_name", str()},
                                                      {"budget", micros("allocation")}, {"spent", micros("spent")},
                                                      {"remaining", micros("remaining")}, {"reserved", micros("reserved by leases")},
                                                      {"budget_usd", usd("allocation")}, {"spent_usd", usd("spent")},
                                                      {"remaining_usd", usd("remaining")}, {"reserved_usd", usd("reserved")},
                                                      {"percent_used", {{"type", "number"}}},
                                                      {"status", one_of_strings({"active", "exhausted"})},
                                                      {"risk_level", one_of_strings({"low", "medium", "high", "critical", "exhausted"})}},
                                                     {"agent_id", "budget", "spent", "remaining", "status", "risk_level"}))},
                            {"summary", object({{"total_agents", integer()}, {"active", integer()}, {"exhausted", integer()},
                                                {"critical", integer()}, {"high", integer()}, {"medium", integer()}, {"low", integer()}}, {})},
                            {"pagination", pagination()}, {"calculated_at", ms_time("")}},
                           {"data", "summary", "pagination"}));
  ops.push_back(budget);
  ops.push_back(read_op("/api/v1/analytics/usage/requests", "getUsageRequests", "Request counts and success rate", false)
                    .describe(scope)
                    .returns(200, period_body({{"total_requests", integer()}, {"successful_requests", integer()},
                                               {"failed_requests", integer()}, {"success_rate", described({{"type", "number"}}, "percent")}},
                                              {"total_requests", "successful_requests", "failed_requests", "success_rate"})));
  ops.push_back(read_op("/api/v1/analytics/usage/tokens/by-agent", "getTokenUsageByAgent", "Tokens per agent", true)
                    .describe(scope)
                    .returns(200, period_body({{"data", array_of(object({{"agent_id", integer()}, {"agent_name", str()},
                                                                         {"input_tokens", integer()}, {"output_tokens", integer()},
                                                                         {"total_tokens", integer()}, {"request_count", integer()},
                                                                         {"avg_tokens_per_request", {{"type", "number"}}}}, {"agent_id"}))},
                                               {"summary", object({{"total_input_tokens", integer()}, {"total_output_tokens", integer()},
                                                                   {"total_tokens", integer()}}, {})},
                                               {"pagination", pagination()}},
                                              {"data", "summary", "pagination"})));
  ops.push_back(read_op("/api/v1/analytics/usage/models", "getModelUsage", "Usage per model (most requests first)", true)
                    .describe(scope)
                    .returns(200, period_body({{"data", array_of(object({{"model", str()}, {"provider", str()}, {"request_count", integer()},
                                                                         {"spending", usd("spend")}, {"spending_microdollars", micros("spend")},
                                                                         {"input_tokens", integer()}, {"output_tokens", integer()}}, {"model"}))},
                                               {"summary", object({{"unique_models", integer()}, {"total_requests", integer()},
                                                                   {"total_spend", usd("spend")}, {"total_spend_microdollars", micros("spend")}}, {})},
                                               {"pagination", pagination()}},
                                              {"data", "summary", "pagination"})));
  return ops;
}

}  // namespace iron::api::openapi
