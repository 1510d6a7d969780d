// The component schemas of the analytics reads and ingestion (components.cpp): every
// response body is a named schema, so the dashboard's generated types have names. USD floats
// where the predecessor had them, plus integer µ$ (`*_microdollars`) for every money figure.
#include "api/openapi/spec.h"

namespace iron::api::openapi {
namespace {

json usd(const std::string& what) { return described({{"type", "number"}}, what + " in USD (float, predecessor shape)"); }
json analytics_micros(const std::string& what) { return described(integer(), what + " in integer microdollars"); }
json percent(const std::string& what) { return described({{"type", "number"}}, what + " (percent, 0-100+)"); }


// period / filters / calculated_at, which every period read returns, around `properties`.
json period_body(json properties, std::vector<std::string> required) {
  properties["period"] = described(str(), "the period's name, or `custom` for a from/to range");
  properties["filters"] = ref("AnalyticsFilters");
  properties["calculated_at"] = ms_time("when the figures were computed");
  required.insert(required.end(), {"period", "filters", "calculated_at"});
  return object(std::move(properties), std::move(required));
}

json agent_spending() {
  return object({{"agent_id", integer()}, {"agent_name", str()}, {"spending", usd("period spend")},
                 {"spending_microdollars", analytics_micros("period spend")}, {"budget", usd("allocation")},
                 {"budget_microdollars", analytics_micros("allocation")}, {"percent_used", percent("spend of allocation")},
                 {"request_count", integer("completed requests")}},
                {"agent_id", "agent_name", "spending", "spending_microdollars", "budget", "budget_microdollars",
                 "percent_used", "request_count"});
}

json budget_status_row() {
  return object({{"agent_id", integer()}, {"agent_name", str()},
                 {"budget", analytics_micros("allocation")}, {"spent", analytics_micros("spent")},
                 {"remaining", analytics_micros("remaining")}, {"reserved", analytics_micros("reserved by leases")},
                 {"budget_microdollars", analytics_micros("allocation")}, {"spent_microdollars", analytics_micros("spent")},
                 {"remaining_microdollars", analytics_micros("remaining")}, {"reserved_microdollars", analytics_micros("reserved")},
                 {"budget_usd", usd("allocation")}, {"spent_usd", usd("spent")},
                 {"remaining_usd", usd("remaining")}, {"reserved_usd", usd("reserved")},
                 {"percent_used", percent("spent of allocation")},
                 {"status", one_of_strings({"active", "exhausted"})},
                 {"risk_level", one_of_strings({"low", "medium", "high", "critical", "exhausted"})},
                 {"burn_rate_micros_per_day",
                  analytics_micros("analytics spend of the last 7 UTC days (today included) / 7, rounded down, per day")},
                 {"projected_exhaustion_at",
                  nullable(rfc3339("when `remaining` runs out at the 7-day pace; null with no spend in those 7 days, "
                                   "nothing remaining, or more than 100 years away"))},
                 {"period", described(one_of_strings({"one_off", "daily", "weekly", "monthly"}),
                                      "the budget's period (docs/budgets.md)")},
                 {"resets_at", nullable(rfc3339("the periodic budget's next reset; null for one_off"))}},
                {"period", "resets_at", "agent_id", "agent_name", "budget", "spent", "remaining", "reserved", "budget_microdollars",
                 "spent_microdollars", "remaining_microdollars", "reserved_microdollars", "budget_usd", "spent_usd",
                 "remaining_usd", "reserved_usd", "percent_used", "status", "risk_level", "burn_rate_micros_per_day",
                 "projected_exhaustion_at"});
}

json budget_summary() {
  return object({{"total_agents", integer()}, {"active", integer("agents with budget left to lease")},
                 {"exhausted", integer("agents with nothing left to lease")}, {"critical", integer()},
                 {"high", integer()}, {"medium", integer()}, {"low", integer()}},
                {"total_agents", "active", "exhausted", "critical", "high", "medium", "low"});
}

// Spend and request figures of one span (overview cards, series points).
json usage_figures() {
  return object({{"spending_microdollars", analytics_micros("spend of completed requests")},
                 {"spending", usd("spend")},
                 {"requests", integer("completed + failed")},
                 {"successful_requests", integer()},
                 {"failed_requests", integer()},
                 {"success_rate", nullable(percent("successful of all requests; null without requests"))},
                 {"input_tokens", integer()},
                 {"output_tokens", integer()}},
                {"spending_microdollars", "spending", "requests", "successful_requests", "failed_requests",
                 "success_rate", "input_tokens", "output_tokens"});
}

json series_point() {
  json s = usage_figures();
  s["properties"]["start"] = described(str_fmt("date"), "first UTC day of the bucket");
  s["properties"]["by_provider"] =
      array_of(object({{"provider", str()}, {"spending_microdollars", analytics_micros("spend")}, {"spending", usd("spend")},
                       {"requests", integer()}},
                      {"provider", "spending_microdollars", "spending", "requests"}));
  s["required"].push_back("start");
  s["required"].push_back("by_provider");
  return s;
}

json overview() {
  return object(
      {{"today", ref("UsageFigures")},
       {"this_month", ref("UsageFigures")},
       {"all_time", ref("UsageFigures")},
       {"active_leases", object({{"count", integer("active leases right now")},
                                 {"reserved_microdollars", analytics_micros("still held by them")}},
                                {"count", "reserved_microdollars"})},
       {"budgets", ref("BudgetStatusSummary")},
       {"top_agents_this_month",
        array_of(object({{"agent_id", integer()}, {"agent_name", str()}, {"spending_microdollars", analytics_micros("spend")},
                         {"spending", usd("spend")}, {"request_count", integer()}},
                        {"agent_id", "agent_name", "spending_microdollars", "spending", "request_count"}))},
       {"pending_budget_requests", integer("pending budget requests the caller can see (admins: all)")},
       {"calculated_at", rfc3339("when the figures were computed")}},
      {"today", "this_month", "all_time", "active_leases", "budgets", "top_agents_this_month",
       "pending_budget_requests", "calculated_at"});
}

}  // namespace

json analytics_event_input_schema() {
  return object({{"event_id", described(str(1, 200), "idempotency key per agent; no control characters")},
                 {"timestamp_ms", ms_time("when the request happened")},
                 {"event_type", one_of_strings({"llm_request_completed", "llm_request_failed"})},
                 {"model", str(1, 200)},
                 {"provider", described({{"type", "string"}, {"pattern", "^[a-z0-9_-]{1,64}$"}},
                                        "openai, anthropic, unknown (the predecessor's enum) or another provider name")},
                 {"provider_id", str(0, 200)},
                 {"input_tokens", described(integer_range(0, 1'000'000'000'000, ""), "required when completed")},
                 {"output_tokens", described(integer_range(0, 1'000'000'000'000, ""), "required when completed")},
                 {"cached_input_tokens", described(integer_range(0, 1'000'000'000'000, ""),
                                                   "part of input_tokens billed at the cached-input price")},
                 {"cost_micros", described(integer_range(0, 1'000'000'000'000'000, ""),
                                           "cost in microdollars; absent: computed from the price catalogue at "
                                           "timestamp_ms (docs/prices.md)")},
                 {"error_code", str(0, 100)},
                 {"error_message", str(0, 2000)}},
                {"event_id", "timestamp_ms", "event_type", "model", "provider"});
}

json analytics_component_schemas() {
  return {
      {"Pagination", object({{"page", integer()}, {"per_page", integer()}, {"total", integer()},
                             {"total_pages", integer()}},
                            {"page", "per_page", "total", "total_pages"})},
      {"AnalyticsFilters", object({{"agent_id", integer()}, {"provider", str()}, {"from", str_fmt("date")},
                                   {"to", str_fmt("date")}, {"model", str()},
                                   {"type", one_of_strings({"llm_request_completed", "llm_request_failed"})},
                                   {"model_allowed", boolean()}},
                                  {})},
      {"AnalyticsEventInput", analytics_event_input_schema()},
      {"AnalyticsEvent", object({{"event_id", str()}, {"timestamp_ms", ms_time("")},
                                 {"event_type", one_of_strings({"llm_request_completed", "llm_request_failed"})},
                                 {"model", str()}, {"provider", str()}, {"provider_id", nullable(str())},
                                 {"input_tokens", integer()}, {"output_tokens", integer()},
                                 {"cost_micros", analytics_micros("cost")}, {"agent_id", integer()}, {"agent_name", str()},
                                 {"error_code", nullable(str())}, {"error_message", nullable(str())},
                                 {"cached_input_tokens", integer()},
                                 {"cost_source", described(one_of_strings({"reported", "catalogue", "unpriced", "none",
                                                                           "legacy"}),
                                                           "where cost_micros came from (docs/prices.md); unpriced: "
                                                           "tokens but no cost and no price, so 0 is not a real cost")},
                                 {"catalogue_cost_micros",
                                  nullable(described(integer(), "the catalogue's cost when a price applied (beside a "
                                                                "reported cost: the difference to it)"))},
                                 {"model_allowed",
                                  described(boolean(), "false: the agent's model allow-list did not allow this model "
                                                       "when the event was ingested (recorded and counted all the "
                                                       "same; docs/model-allow-lists.md)")}},
                                {"event_id", "timestamp_ms", "event_type", "model", "provider", "provider_id",
                                 "input_tokens", "output_tokens", "cost_micros", "agent_id", "agent_name",
                                 "error_code", "error_message", "cached_input_tokens", "cost_source",
                                 "catalogue_cost_micros", "model_allowed"})},
      {"AnalyticsEventList", period_body({{"data", array_of(ref("AnalyticsEvent"))}, {"pagination", ref("Pagination")}},
                                         {"data", "pagination"})},
      {"AnalyticsEventPage",
       period_body({{"items", array_of(ref("AnalyticsEvent"))},
                    {"next_cursor", nullable(described(str(), "pass as `cursor` for the next (older) page; null at the end"))}},
                   {"items", "next_cursor"})},
      {"IngestResult", object({{"event_id", str()}, {"status", one_of_strings({"accepted", "duplicate"})}},
                              {"event_id", "status"})},
      {"IngestBatchResult",
       object({{"results", array_of(object({{"event_id", nullable(str())},
                                           {"status", one_of_strings({"accepted", "duplicate", "rejected"})},
                                           {"error", object({{"code", str()}, {"message", str()},
                                                             {"details", {{"type", "object"}}}},
                                                            {"code", "message", "details"})}},
                                          {"event_id", "status"}))},
               {"accepted", integer()}, {"duplicates", integer()}, {"rejected", integer()}},
              {"results", "accepted", "duplicates", "rejected"})},
      {"SpendingTotal", period_body({{"total_spend", usd("spend")}, {"total_spend_microdollars", analytics_micros("spend")},
                                     {"currency", one_of_strings({"USD"})}},
                                    {"total_spend", "total_spend_microdollars", "currency"})},
      {"AgentSpending", agent_spending()},
      {"SpendingByAgent",
       period_body({{"data", array_of(ref("AgentSpending"))},
                    {"summary", object({{"total_spend", usd("spend")}, {"total_spend_microdollars", analytics_micros("spend")},
                                        {"total_budget", usd("allocations")},
                                        {"total_budget_microdollars", analytics_micros("allocations")},
                                        {"total_agents", integer()}},
                                       {"total_spend", "total_spend_microdollars", "total_budget",
                                        "total_budget_microdollars", "total_agents"})},
                    {"pagination", ref("Pagination")}},
                   {"data", "summary", "pagination"})},
      {"ProviderSpending", object({{"provider", str()}, {"spending", usd("spend")},
                                   {"spending_microdollars", analytics_micros("spend")}, {"request_count", integer()},
                                   {"avg_cost_per_request", usd("average")},
                                   {"avg_cost_per_request_microdollars", analytics_micros("average (rounded)")},
                                   {"agent_count", integer()}},
                                  {"provider", "spending", "spending_microdollars", "request_count",
                                   "avg_cost_per_request", "avg_cost_per_request_microdollars", "agent_count"})},
      {"SpendingByProvider",
       period_body({{"data", array_of(ref("ProviderSpending"))},
                    {"summary", object({{"total_spend", usd("spend")}, {"total_spend_microdollars", analytics_micros("spend")},
                                        {"total_requests", integer()}, {"providers_count", integer()}},
                                       {"total_spend", "total_spend_microdollars", "total_requests", "providers_count"})}},
                   {"data", "summary"})},
      {"AverageCostPerRequest",
       period_body({{"average_cost_per_request", usd("average")},
                    {"average_cost_per_request_microdollars", analytics_micros("average (rounded)")},
                    {"total_requests", integer()}, {"total_spend", usd("spend")},
                    {"total_spend_microdollars", analytics_micros("spend")},
                    {"min_cost_per_request", usd("minimum")}, {"min_cost_per_request_microdollars", analytics_micros("minimum")},
                    {"max_cost_per_request", usd("maximum")}, {"max_cost_per_request_microdollars", analytics_micros("maximum")}},
                   {"average_cost_per_request", "average_cost_per_request_microdollars", "total_requests",
                    "total_spend", "total_spend_microdollars", "min_cost_per_request",
                    "min_cost_per_request_microdollars", "max_cost_per_request", "max_cost_per_request_microdollars"})},
      {"BudgetStatusRow", budget_status_row()},
      {"BudgetStatusSummary", budget_summary()},
      {"BudgetStatus", object({{"data", array_of(ref("BudgetStatusRow"))}, {"summary", ref("BudgetStatusSummary")},
                               {"pagination", ref("Pagination")}, {"calculated_at", ms_time("")}},
                              {"data", "summary", "pagination", "calculated_at"})},
      {"RequestUsage", period_body({{"total_requests", integer()}, {"successful_requests", integer()},
                                    {"failed_requests", integer()}, {"success_rate", percent("success rate")}},
                                   {"total_requests", "successful_requests", "failed_requests", "success_rate"})},
      {"AgentTokenUsage", object({{"agent_id", integer()}, {"agent_name", str()}, {"input_tokens", integer()},
                                  {"output_tokens", integer()}, {"total_tokens", integer()},
                                  {"request_count", integer()}, {"avg_tokens_per_request", {{"type", "number"}}}},
                                 {"agent_id", "agent_name", "input_tokens", "output_tokens", "total_tokens",
                                  "request_count", "avg_tokens_per_request"})},
      {"TokenUsageByAgent",
       period_body({{"data", array_of(ref("AgentTokenUsage"))},
                    {"summary", object({{"total_input_tokens", integer()}, {"total_output_tokens", integer()},
                                        {"total_tokens", integer()}},
                                       {"total_input_tokens", "total_output_tokens", "total_tokens"})},
                    {"pagination", ref("Pagination")}},
                   {"data", "summary", "pagination"})},
      {"ModelUsage", object({{"model", str()}, {"provider", str()}, {"request_count", integer()},
                             {"spending", usd("spend")}, {"spending_microdollars", analytics_micros("spend")},
                             {"input_tokens", integer()}, {"output_tokens", integer()}},
                            {"model", "provider", "request_count", "spending", "spending_microdollars", "input_tokens",
                             "output_tokens"})},
      {"ModelUsageList",
       period_body({{"data", array_of(ref("ModelUsage"))},
                    {"summary", object({{"unique_models", integer()}, {"total_requests", integer()},
                                        {"total_spend", usd("spend")}, {"total_spend_microdollars", analytics_micros("spend")}},
                                       {"unique_models", "total_requests", "total_spend", "total_spend_microdollars"})},
                    {"pagination", ref("Pagination")}},
                   {"data", "summary", "pagination"})},
      {"UsageFigures", usage_figures()},
      {"SpendingPoint", series_point()},
      {"SpendingTimeseries",
       period_body({{"bucket", one_of_strings({"day", "week", "month"})},
                    {"from", described(str_fmt("date"), "first day covered (an open start is the first day with data)")},
                    {"to", described(str_fmt("date"), "last day covered")},
                    {"data", described(array_of(ref("SpendingPoint")), "every bucket of the range, empty ones included")},
                    {"summary", ref("UsageFigures")}},
                   {"bucket", "from", "to", "data", "summary"})},
      {"AnalyticsOverview", overview()},
  };
}

}  // namespace iron::api::openapi
