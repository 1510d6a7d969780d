#pragma once
// THE access-control matrix: for every operation of the OpenAPI document, who may call it.
// access_matrix_test.cpp generates one request per cell and checks the answer, fails when the
// served document has an operation without a row (or a row without an operation), and renders
// this table into docs/security.md. Change a cell only with the behaviour it describes.
//
// Cells, one per caller in kCallers order:
//   y  allowed: the request gets past authentication and authorisation (its answer is neither
//      401, 403 nor, for an operation on a resource, 404; with an empty body a 400 is fine)
//   n  denied: 401 or 403
//   h  hidden: 404, the resource exists but belongs to someone else (api-conventions.md)
//   -  not applicable (only "another user's" on operations that name no owned resource)
#include <array>
#include <string_view>

namespace iron::test::access {

inline constexpr std::array<std::string_view, 16> kCallers = {
    "anonymous", "viewer", "user", "another user's resource", "admin", "API token: read", "API token: runtime",
    "API token: user", "API token: admin", "IC token", "refresh token as access token", "expired JWT",
    "forged JWT", "alg:none JWT", "suspended user's token", "deleted user's token"};
// The same callers as column headings of the rendered table.
inline constexpr std::array<std::string_view, 16> kCallerHeadings = {
    "anon", "viewer", "user", "other's", "admin", "tok read", "tok runtime", "tok user", "tok admin", "IC", "refresh",
    "expired", "forged", "none", "suspended", "deleted"};

// The resource an operation's path names; the matrix's request names one owned by the caller
// (viewers cannot own provider keys, budget requests or project assignments: theirs is a
// user's), or, in the "another user's" column, one owned by a different user.
// A decision is always on another user's request (deciding one's own is 403), so
// users_budget_request names a user's pending request whoever calls.
enum class Resource { none, agent, api_token, budget_request, users_budget_request, limit, session, project, provider_key,
                      user_account, alert_channel, alert_rule };

struct Row {
  std::string_view operation;  // operationId
  Resource resource;
  std::string_view cells;      // kCallers.size() cells separated by spaces
};

// clang-format off
//                                                        anon view user othr admn  rd  rt  us  ad  ic rfsh exp forg none susp del
inline constexpr Row kMatrix[] = {
    // Public: credentials are not looked at.
    {"getHealth",                 Resource::none,           "y y y - y y y y y y y y y y y y"},
    {"getLiveness",               Resource::none,           "y y y - y y y y y y y y y y y y"},
    {"getReadiness",              Resource::none,           "y y y - y y y y y y y y y y y y"},
    {"getLegacyHealth",           Resource::none,           "y y y - y y y y y y y y y y y y"},
    {"getApiVersion",             Resource::none,           "y y y - y y y y y y y y y y y y"},
    {"getOpenApi",                Resource::none,           "y y y - y y y y y y y y y y y y"},
    {"getSetupStatus",            Resource::none,           "y y y - y y y y y y y y y y y y"},
    {"completeSetup",             Resource::none,           "y y y - y y y y y y y y y y y y"},
    {"login",                     Resource::none,           "y y y - y y y y y y y y y y y y"},
    {"refreshSession",            Resource::none,           "n n n - n n n n n n y n n n n n"},
    {"validateToken",             Resource::none,           "y y y - y y y y y y y y y y y y"},
    {"validateApiToken",          Resource::none,           "y y y - y y y y y y y y y y y y"},
    // Metrics answer only IRON_METRICS_TOKEN, never a user credential.
    {"getMetrics",                Resource::none,           "n n n - n n n n n n n n n n n n"},
    // Ending a session needs that session's own token.
    {"logout",                    Resource::none,           "n y y - y n n n n n y y n n y y"},
    // Agent runtimes: the IC token only.
    {"handshake",                 Resource::none,           "n n n - n n n n n y n n n n n n"},
    {"refreshLease",              Resource::none,           "n n n - n n n n n y n n n n n n"},
    {"reportUsage",               Resource::none,           "n n n - n n n n n y n n n n n n"},
    {"returnLease",               Resource::none,           "n n n - n n n n n y n n n n n n"},
    {"fetchAgentProviderKey",     Resource::none,           "n n n - n n n n n y n n n n n n"},
    {"ingestAnalyticsEvent",      Resource::none,           "n n n - n n n n n y n n n n n n"},
    {"ingestAnalyticsEventBatch", Resource::none,           "n n n - n n n n n y n n n n n n"},
    // A project's key: API tokens that may fetch keys, nothing else.
    {"fetchProjectKey",           Resource::none,           "n n n - n n y y y n n n n n n n"},
    // The caller's own account and sessions.
    {"getMe",                     Resource::none,           "n y y - y y n y y n n n n n n n"},
    {"changeOwnPassword",         Resource::none,           "n y y - y n n y y n n n n n n n"},
    {"listOwnSessions",           Resource::none,           "n y y - y y n y y n n n n n n n"},
    {"endOtherSessions",          Resource::none,           "n y y - y n n y y n n n n n n n"},
    {"endOwnSession",             Resource::session,        "n y y h y n n y y n n n n n n n"},
    // Reads any role may make; non-admins see only their own.
    {"listAgents",                Resource::none,           "n y y - y y n y y n n n n n n n"},
    {"getAgent",                  Resource::agent,          "n y y h y y n y y n n n n n n n"},
    {"getAgentBudgetHistory",     Resource::agent,          "n y y h y y n y y n n n n n n n"},
    {"getIcTokenStatus",          Resource::agent,          "n y y h y y n y y n n n n n n n"},
    {"listAgentLeases",           Resource::agent,          "n y y h y y n y y n n n n n n n"},
    {"listAgentTokens",           Resource::agent,          "n y y h y y n y y n n n n n n n"},
    {"listApiTokens",             Resource::none,           "n y y - y y n y y n n n n n n n"},
    {"getApiToken",               Resource::api_token,      "n y y n y y n y y n n n n n n n"},
    {"listBudgetRequests",        Resource::none,           "n y y - y y n y y n n n n n n n"},
    {"getBudgetRequest",          Resource::budget_request, "n h y h y y n y y n n n n n n n"},
    {"listLimits",                Resource::none,           "n y y - y y n y y n n n n n n n"},
    {"getLimitUsage",             Resource::none,           "n y y - y y n y y n n n n n n n"},
    {"getLimit",                  Resource::limit,          "n y y h y y n y y n n n n n n n"},
    {"listProviderKeys",          Resource::none,           "n y y - y y n y y n n n n n n n"},
    {"getProviderKey",            Resource::provider_key,   "n h y h y y n y y n n n n n n n"},
    {"streamEvents",              Resource::none,           "n y y - y y n y y n n n n n n n"},
    {"getUsageAggregate",         Resource::none,           "n y y - y y n y y n n n n n n n"},
    {"getUsageByProject",         Resource::none,           "n y y - y y n y y n n n n n n n"},
    {"getUsageByProvider",        Resource::none,           "n y y - y y n y y n n n n n n n"},
    {"getBudgetStatus",           Resource::none,           "n y y - y y n y y n n n n n n n"},
    {"pageAnalyticsEvents",       Resource::none,           "n y y - y y n y y n n n n n n n"},
    {"listAnalyticsEvents",       Resource::none,           "n y y - y y n y y n n n n n n n"},
    {"getAnalyticsOverview",      Resource::none,           "n y y - y y n y y n n n n n n n"},
    {"getAverageCostPerRequest",  Resource::none,           "n y y - y y n y y n n n n n n n"},
    {"getSpendingByAgent",        Resource::none,           "n y y - y y n y y n n n n n n n"},
    {"getSpendingByProvider",     Resource::none,           "n y y - y y n y y n n n n n n n"},
    {"getSpendingTimeseries",     Resource::none,           "n y y - y y n y y n n n n n n n"},
    {"getSpendingTotal",          Resource::none,           "n y y - y y n y y n n n n n n n"},
    {"getModelUsage",             Resource::none,           "n y y - y y n y y n n n n n n n"},
    {"getUsageRequests",          Resource::none,           "n y y - y y n y y n n n n n n n"},
    {"getTokenUsageByAgent",      Resource::none,           "n y y - y y n y y n n n n n n n"},
    {"getCostDifferences",        Resource::none,           "n y y - y y n y y n n n n n n n"},
    {"listPrices",                Resource::none,           "n y y - y y n y y n n n n n n n"},
    // Changes users and admins make to what they own; viewers are read-only.
    {"issueIcToken",              Resource::agent,          "n n y h y n n y y n n n n n n n"},
    {"regenerateIcToken",         Resource::agent,          "n n y h y n n y y n n n n n n n"},
    {"revokeIcToken",             Resource::agent,          "n n y h y n n y y n n n n n n n"},
    {"createApiToken",            Resource::none,           "n n y - y n n n n n n n n n n n"},
    {"updateApiToken",            Resource::api_token,      "n n y n y n n y y n n n n n n n"},
    {"rotateApiToken",            Resource::api_token,      "n n y h y n n n n n n n n n n n"},
    {"revokeApiToken",            Resource::api_token,      "n n y n y n n y y n n n n n n n"},
    {"createBudgetRequest",       Resource::none,           "n n y - y n n y y n n n n n n n"},
    {"cancelBudgetRequest",       Resource::budget_request, "n n y h y n n y y n n n n n n n"},
    {"createProviderKey",         Resource::none,           "n n y - y n n y y n n n n n n n"},
    {"updateProviderKey",         Resource::provider_key,   "n n y h y n n y y n n n n n n n"},
    {"deleteProviderKey",         Resource::provider_key,   "n n y h y n n y y n n n n n n n"},
    {"assignProjectProvider",     Resource::none,           "n n y - y n n y y n n n n n n n"},
    {"unassignProjectProvider",   Resource::project,        "n n y h y n n y y n n n n n n n"},
    // Admin only.
    {"createAgent",               Resource::none,           "n n n - y n n n y n n n n n n n"},
    {"updateAgent",               Resource::agent,          "n n n n y n n n y n n n n n n n"},
    {"deleteAgent",               Resource::agent,          "n n n n y n n n y n n n n n n n"},
    {"setAgentBudget",            Resource::agent,          "n n n n y n n n y n n n n n n n"},
    {"approveBudgetRequest",      Resource::users_budget_request, "n n n n y n n n y n n n n n n n"},
    {"rejectBudgetRequest",       Resource::users_budget_request, "n n n n y n n n y n n n n n n n"},
    {"createLimit",               Resource::none,           "n n n - y n n n y n n n n n n n"},
    {"updateLimit",               Resource::limit,          "n n n n y n n n y n n n n n n n"},
    {"deleteLimit",               Resource::limit,          "n n n n y n n n y n n n n n n n"},
    {"listAudit",                 Resource::none,           "n n n - y n n n y n n n n n n n"},
    {"getSystem",                 Resource::none,           "n n n - y n n n y n n n n n n n"},
    {"downloadBackup",            Resource::none,           "n n n - y n n n y n n n n n n n"},
    {"listUsers",                 Resource::none,           "n n n - y n n n y n n n n n n n"},
    {"createUser",                Resource::none,           "n n n - y n n n y n n n n n n n"},
    {"getUser",                   Resource::user_account,   "n n n n y n n n y n n n n n n n"},
    {"deleteUser",                Resource::user_account,   "n n n n y n n n y n n n n n n n"},
    {"activateUser",              Resource::user_account,   "n n n n y n n n y n n n n n n n"},
    {"suspendUser",               Resource::user_account,   "n n n n y n n n y n n n n n n n"},
    {"changeUserRole",            Resource::user_account,   "n n n n y n n n y n n n n n n n"},
    {"resetUserPassword",         Resource::user_account,   "n n n n y n n n y n n n n n n n"},
    {"createPrice",               Resource::none,            "n n n - y n n n y n n n n n n n"},
    {"exportPrices",              Resource::none,            "n n n - y n n n y n n n n n n n"},
    {"importPrices",              Resource::none,            "n n n - y n n n y n n n n n n n"},
    {"recalculatePrices",         Resource::none,            "n n n - y n n n y n n n n n n n"},
    {"listAlertChannels",         Resource::none,            "n n n - y n n n y n n n n n n n"},
    {"createAlertChannel",        Resource::none,            "n n n - y n n n y n n n n n n n"},
    {"getAlertChannel",           Resource::alert_channel,   "n n n n y n n n y n n n n n n n"},
    {"updateAlertChannel",        Resource::alert_channel,   "n n n n y n n n y n n n n n n n"},
    {"deleteAlertChannel",        Resource::alert_channel,   "n n n n y n n n y n n n n n n n"},
    {"testAlertChannel",          Resource::alert_channel,   "n n n n y n n n y n n n n n n n"},
    {"listAlertDeliveries",       Resource::alert_channel,   "n n n n y n n n y n n n n n n n"},
    {"listAlertRules",            Resource::none,            "n n n - y n n n y n n n n n n n"},
    {"createAlertRule",           Resource::none,            "n n n - y n n n y n n n n n n n"},
    {"getAlertRule",              Resource::alert_rule,      "n n n n y n n n y n n n n n n n"},
    {"updateAlertRule",           Resource::alert_rule,      "n n n n y n n n y n n n n n n n"},
    {"deleteAlertRule",           Resource::alert_rule,      "n n n n y n n n y n n n n n n n"},
    {"unlockUserLogins",          Resource::user_account,   "n n n n y n n n y n n n n n n n"},
};
// clang-format on

}  // namespace iron::test::access
