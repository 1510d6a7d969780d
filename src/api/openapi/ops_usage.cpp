// OpenAPI table: the predecessor's token-usage reads (§2.4 rows 22-24, now authenticated and
// owner-scoped, answered from the analytics rollups) and its API-version document (§2.1 row 2).
#include "api/openapi/spec.h"

namespace iron::api::openapi {
namespace {

json cents(const std::string& what) { return integer(what + " in US cents, rounded half up (predecessor shape)"); }
json usage_micros(const std::string& what) { return integer(what + " in integer microdollars (authoritative)"); }

json provider_usage() {
  return object({{"provider", str()}, {"tokens", integer("input + output tokens")},
                 {"requests", integer("completed + failed")}, {"cost_cents", cents("spend")},
                 {"cost_microdollars", usage_micros("spend")}},
                {"provider", "tokens", "requests", "cost_cents", "cost_microdollars"});
}

json aggregate(bool with_project) {
  json props = {{"total_tokens", integer()}, {"total_requests", integer()}, {"total_cost_cents", cents("spend")},
                {"total_cost_microdollars", usage_micros("spend")}, {"providers", array_of(ref("ProviderTokenUsage"))},
                {"period", described(str(), "the period's name, or `custom` for a from/to range")}};
  std::vector<std::string> required = {"total_tokens", "total_requests", "total_cost_cents", "total_cost_microdollars",
                                       "providers", "period"};
  if (with_project) {
    props["project_id"] = str(1, 1000);
    required.push_back("project_id");
  }
  return object(props, required);
}

Op usage_op(std::string pattern, std::string id, std::string summary) {
  Op op("GET", std::move(pattern), std::move(id), std::move(summary));
  op.tagged("analytics").auth(Auth::read);
  op.query("period", one_of_strings({"today", "yesterday", "last7-days", "last30-days", "this-month", "last-month",
                                     "all-time"}),
           "UTC period; default all-time")
      .query("from", str_fmt("date"), "custom range start (inclusive UTC day); not together with period")
      .query("to", str_fmt("date"), "custom range end (inclusive UTC day); not together with period");
  return op;
}

const char* kScope =
    "Owner-scoped: non-admins see their own agents' usage, admins everyone's (the predecessor served these to "
    "anyone). Answered from the analytics rollups.";

}  // namespace

std::vector<Op> usage_ops() {
  std::vector<Op> ops;
  ops.push_back(Op("GET", "/api/v1/version", "getApiVersion", "API versions and build (predecessor shape)")
                    .tagged("meta")
                    .auth(Auth::none)
                    .returns(200, object({{"current_version", one_of_strings({"v1"})},
                                          {"supported_versions", array_of(str())},
                                          {"deprecated_versions", array_of(str())},
                                          {"latest_endpoint", str()},
                                          {"build", object({{"version", str()},
                                                            {"commit", described(str(), "build SHA")},
                                                            {"timestamp", nullable(described(str(), "always null: builds are reproducible"))},
                                                            {"environment", nullable(described(str(), "always null"))}},
                                                           {"version", "commit", "timestamp", "environment"})}},
                                         {"current_version", "supported_versions", "deprecated_versions",
                                          "latest_endpoint", "build"})));
  ops.push_back(usage_op("/api/v1/usage/aggregate", "getUsageAggregate", "Token usage, total and per provider")
                    .describe(kScope)
                    .returns(200, ref("TokenUsageAggregate")));
  ops.push_back(usage_op("/api/v1/usage/by-project/:project_id", "getUsageByProject", "Token usage of one project")
                    .describe(std::string(kScope) +
                              " A project's usage is that of the agents its API tokens are bound to.")
                    .path_param("project_id", str(1, 1000))
                    .returns(200, ref("ProjectTokenUsage")));
  ops.push_back(usage_op("/api/v1/usage/by-provider/:provider", "getUsageByProvider", "Token usage of one provider")
                    .describe(kScope)
                    .path_param("provider", str(1, 100))
                    .returns(200, [] {
                      json s = provider_usage();
                      s["properties"]["period"] = str();
                      s["required"].push_back("period");
                      return s;
                    }()));
  return ops;
}

json usage_component_schemas() {
  return {{"ProviderTokenUsage", provider_usage()},
          {"TokenUsageAggregate", aggregate(false)},
          {"ProjectTokenUsage", aggregate(true)}};
}

}  // namespace iron::api::openapi
