// OpenAPI table: provider API keys and project assignment (reference §2.4 rows 30–36, with
// the ownership rules the predecessor lacked), plus their component schemas.
#include "api/openapi/spec.h"

namespace iron::api::openapi {
namespace {

json key_id() { return integer_range(1, INT64_MAX, "provider key id"); }

json provider_slug() {
  return described({{"type", "string"}, {"minLength", 1}, {"maxLength", 64}, {"pattern", "^[a-z0-9_-]{1,64}$"}},
                   "lowercase provider slug: openai, anthropic, or any other [a-z0-9_-]{1,64}");
}

json project_id() {
  return described(str(1, 500), "a free-form project identifier (1..500 characters, UTF-8, no control characters); "
                                "project ids are per user: another user's project of the same name is another project");
}

json base_url() {
  return described({{"type", "string"}, {"maxLength", 2000}, {"pattern", "^(https?://\\S+)?$"}},
                   "http:// or https:// URL, at most 2000 characters; \"\" means none. Credentials in it "
                   "(`https://user:pw@host`) are secrets: stored encrypted, shown as `https://***@host`");
}

Op key_op(std::string method, std::string pattern, std::string id, std::string summary, Auth access) {
  Op op(std::move(method), std::move(pattern), std::move(id), std::move(summary));
  op.tagged("providers").auth(access);
  if (op.pattern.find(":id") != std::string::npos) op.path_param("id", key_id()).integer_ids().errors(404, {"NOT_FOUND"});
  return op;
}

Op project_op(std::string method, std::string id, std::string summary) {
  Op op(std::move(method), "/api/v1/projects/:project_id/provider", std::move(id), std::move(summary));
  op.tagged("projects").auth(Auth::mutate).path_param("project_id", project_id()).errors(400, {"VALIDATION_ERROR"});
  return op;
}

}  // namespace

json provider_key_schema() {
  return described(
      object({{"id", integer("provider key id")},
              {"provider", provider_slug()},
              {"base_url", nullable(described(str(0, 2000), "credentials masked: `https://***@host`"))},
              {"description", nullable(str(0, 500))},
              {"is_enabled", boolean("disabled keys are refused by the handshake")},
              {"created_at", ms_time("creation time")},
              {"last_used_at", nullable(ms_time("last use by a handshake"))},
              {"masked_key",
               described(str(), "`sk-a...wxyz`: the first and last 4 characters of a key of 16 or more characters; "
                                "`***` for shorter keys. The key itself is never returned.")},
              {"assigned_projects", described(array_of(str()), "the owner's projects that use this key")},
              {"owner_id", described(str(), "the user who created the key")}},
             {"id", "provider", "base_url", "description", "is_enabled", "created_at", "last_used_at", "masked_key",
              "assigned_projects", "owner_id"}),
      "A provider API key, stored encrypted (XChaCha20-Poly1305 under the server's master key).");
}

json project_assignment_schema() {
  return object({{"owner_id", described(str(), "whose project it is (project ids are per user)")},
                 {"project_id", str(1, 500)},
                 {"provider_key_id", integer("the key the project now uses")},
                 {"assigned_by", described(str(), "the user who made the assignment")},
                 {"assigned_at", ms_time("assignment time")}},
                {"owner_id", "project_id", "provider_key_id", "assigned_by", "assigned_at"});
}

std::vector<Op> provider_ops() {
  std::vector<Op> ops;
  ops.push_back(key_op("POST", "/api/v1/providers", "createProviderKey", "Store a provider API key", Auth::mutate)
                    .describe("Always creates a new key owned by the caller (the predecessor overwrote and re-owned "
                              "any existing key of the same provider). The key is encrypted at rest and never "
                              "returned, logged or audited; responses carry `masked_key` only.")
                    .body(object({{"provider", provider_slug()},
                                  {"api_key", described({{"type", "string"}, {"minLength", 1}, {"maxLength", 500},
                                                         {"pattern", "^[\\x21-\\x7e]+$"}},
                                                        "the secret: 1..500 visible ASCII characters, no whitespace")},
                                  {"base_url", base_url()},
                                  {"description", str(0, 500)}},
                                 {"provider", "api_key"}))
                    .returns(201, ref("ProviderKey"), "Created"));
  ops.push_back(key_op("GET", "/api/v1/providers", "listProviderKeys", "List the caller's provider keys (oldest first)",
                       Auth::read)
                    .describe("With `page` or `per_page` the answer is one page as `{data, pagination}`, "
                              "without them the plain array.")
                    .query("all", boolean(), "admins only: every user's keys (a non-admin gets 403)")
                    .query("page", integer_range(1, 1'000'000'000, ""), "1-based page; answers `{data, pagination}`")
                    .query("per_page", integer_range(1, 200, ""), "default 25; answers `{data, pagination}`")
                    .returns(200, json{{"oneOf", json::array({array_of(ref("ProviderKey")), ref("ProviderKeyPage")})}},
                             "The keys, or one page of them")
                    .errors(403, {"INSUFFICIENT_PERMISSIONS"}));
  ops.push_back(key_op("GET", "/api/v1/providers/:id", "getProviderKey", "Get a provider key", Auth::read)
                    .describe("The owner's, or any key for an admin; another user's key is 404.")
                    .returns(200, ref("ProviderKey"), "The key (masked)"));
  ops.push_back(key_op("PUT", "/api/v1/providers/:id", "updateProviderKey", "Update a provider key", Auth::mutate)
                    .describe("Owner or admin; another user's key is 404. Absent fields stay unchanged; `\"\"` or "
                              "null clears `base_url` / `description`. At least one field is required. `api_key` and "
                              "`provider` cannot be changed (400): create a new key instead.")
                    .body(object({{"base_url", nullable(base_url())},
                                  {"description", nullable(str(0, 500))},
                                  {"is_enabled", boolean()}},
                                 {}))
                    .returns(200, ref("ProviderKey"), "The updated key (masked)"));
  ops.push_back(key_op("DELETE", "/api/v1/providers/:id", "deleteProviderKey", "Delete a provider key", Auth::mutate)
                    .describe("Owner or admin; another user's key is 404. Hard delete: the projects assigned to the "
                              "key lose their assignment, and the agents using it lose it too (`provider_key_id` "
                              "null; their handshake answers 403 NO_PROVIDER_ASSIGNED).")
                    .no_content("Deleted"));
  ops.push_back(project_op("POST", "assignProjectProvider", "Make a project of the caller's use one of their provider keys")
                    .describe("Project ids are per user: this is the caller's project of that name, so nobody can "
                              "squat or redirect another user's project. The caller must own the key, admins "
                              "included (404 otherwise: it is the owner's credential). A project uses one key; "
                              "re-assigning replaces the previous one.")
                    .body(object({{"provider_key_id", key_id()}}, {"provider_key_id"}))
                    .returns(200, ref("ProjectProviderAssignment"), "Assigned")
                    .errors(404, {"NOT_FOUND"}));
  ops.push_back(project_op("DELETE", "unassignProjectProvider", "Remove a project's provider key assignment")
                    .describe("The caller's project of that name; an admin names another user's project with "
                              "`owner_id` (403 for anyone else). 404 when nothing is assigned.")
                    .query("owner_id", str(1, 255), "admins only: whose project (default: the caller's)")
                    .no_content("Unassigned")
                    .errors(403, {"INSUFFICIENT_PERMISSIONS"})
                    .errors(404, {"NOT_FOUND"}));
  ops.push_back(Op("GET", "/api/v1/keys", "fetchProjectKey", "Fetch the provider key of an API token's project")
                    .tagged("providers")
                    .secured_by(json::array({{{"bearerAuth", json::array()}}}))
                    .describe("An API token (`Bearer apitok_…`) only; a session JWT is 401 API_TOKEN_REQUIRED, and "
                              "a `read`-scoped token 403 TOKEN_SCOPE_INSUFFICIENT. The token must be bound to a "
                              "project (400 TOKEN_HAS_NO_PROJECT) and not to an agent (403 USE_HANDSHAKE: agents get "
                              "their key through the handshake). Returns the plaintext key assigned to the token "
                              "owner's project of that name (project ids are per user; 404 NO_KEY_ASSIGNED when "
                              "none) when it is enabled (403 KEY_DISABLED). Only a key's owner ever obtains it in "
                              "plaintext: being an admin adds nothing. `base_url` is the full URL, credentials "
                              "included. At most 10 fetches per (user, project) in any rolling minute (429 "
                              "RATE_LIMIT_EXCEEDED with Retry-After). Writes the audit row `key_fetched` (never the key).")
                    .returns(200, object({{"provider", provider_slug()},
                                          {"api_key", described(str(), "the plaintext provider key")},
                                          {"base_url", nullable(str(0, 2000))}},
                                         {"provider", "api_key", "base_url"}),
                             "The key")
                    .errors(400, {"TOKEN_HAS_NO_PROJECT"})
                    .errors(401, {"AUTH_MISSING_TOKEN", "API_TOKEN_REQUIRED", "AUTH_INVALID_TOKEN",
                                  "AUTH_TOKEN_REVOKED", "AUTH_TOKEN_EXPIRED"})
                    .errors(403, {"TOKEN_SCOPE_INSUFFICIENT", "USE_HANDSHAKE", "KEY_DISABLED"})
                    .errors(404, {"NO_KEY_ASSIGNED"})
                    .errors(429, {"RATE_LIMIT_EXCEEDED"}));
  ops.push_back(Op("POST", "/api/v1/agents/provider-key", "fetchAgentProviderKey", "Fetch an agent's own provider key")
                    .tagged("agents")
                    .secured_by(json::array({{{"icToken", json::array()}}, json::object()}))
                    .describe("The agent's IC token, in the body field `ic_token` or as `Authorization: Bearer "
                              "ic_…`, checked against the stored hash (a regenerated or revoked token is 401 "
                              "INVALID_IC_TOKEN). Returns the plaintext of the agent's key under the one agent-key "
                              "rule (the same answers as the handshake): the key must exist (deleting a key "
                              "unassigns it), belong to the agent's owner or be delegated by an admin who owns it "
                              "and still is one (403 NO_PROVIDER_ASSIGNED otherwise), and be enabled (403 "
                              "KEY_DISABLED). `base_url` is the full URL, credentials included. Writes the audit row "
                              "`agent_key_fetched` (never the key).")
                    .body(object({{"ic_token", str(1, 2000)}}, {}), false)
                    .returns(200, object({{"provider_key", described(str(), "the plaintext provider key")},
                                          {"provider", provider_slug()},
                                          {"base_url", nullable(str(0, 2000))}},
                                         {"provider_key", "provider", "base_url"}),
                             "The key")
                    .errors(401, {"IC_TOKEN_MISSING", "INVALID_IC_TOKEN"})
                    .errors(403, {"NO_PROVIDER_ASSIGNED", "KEY_DISABLED"}));
  return ops;
}

}  // namespace iron::api::openapi
