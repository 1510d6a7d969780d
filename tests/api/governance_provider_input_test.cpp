// Provider-key routes refuse what they must, over real HTTP: viewers never mutate, every
// route needs a credential, and each malformed input is a 4xx in the error envelope naming
// the field, never a 500 (scenario tables, tests/support/scenario.h).
#include <gtest/gtest.h>

#include "provider_keys_support.h"
#include "support/scenario.h"

using namespace providers_test;

TEST_F(GovernanceProviders, viewer_cannot_mutate_providers) {
  auto alices = create(alice_, "openai", fresh_secret());
  const std::string project = unique_project("viewer");
  ASSERT_EQ(call("POST", project_path(project), alice_, json{{"provider_key_id", alices["id"]}}).status, 200);
  struct Case {
    std::string method, path;
    std::optional<json> body;
  };
  const std::vector<Case> cases = {
      {"POST", "/api/v1/providers", json{{"provider", "openai"}, {"api_key", fresh_secret()}}},
      {"PUT", key_path(alices), json{{"is_enabled", false}}},
      {"DELETE", key_path(alices), std::nullopt},
      {"POST", project_path(project), json{{"provider_key_id", alices["id"]}}},
      {"POST", project_path(unique_project("viewer")), json{{"provider_key_id", alices["id"]}}},
      {"DELETE", project_path(project), std::nullopt},
  };
  std::vector<Scenario> scenarios;
  for (const auto& tc : cases)
    scenarios.push_back({.name = "viewer " + tc.method, .principal = vera_.token, .method = tc.method, .path = tc.path,
                         .body = tc.body.value_or(nullptr), .status = 403, .code = "INSUFFICIENT_PERMISSIONS"});
  run_scenarios(server(), scenarios);
  // Nothing changed, and reads still work for the viewer.
  auto k = call("GET", key_path(alices), alice_);
  EXPECT_EQ(k.body["is_enabled"], true);
  EXPECT_EQ(k.body["assigned_projects"], json::array({project}));
  EXPECT_EQ(call("GET", "/api/v1/providers", vera_).body, json::array());
}

TEST_F(GovernanceProviders, EveryRouteRequiresAuthentication) {
  const std::vector<std::pair<std::string, std::string>> routes = {
      {"POST", "/api/v1/providers"},         {"GET", "/api/v1/providers"},
      {"GET", "/api/v1/providers/1"},        {"PUT", "/api/v1/providers/1"},
      {"DELETE", "/api/v1/providers/1"},     {"POST", "/api/v1/projects/p/provider"},
      {"DELETE", "/api/v1/projects/p/provider"},
  };
  const json body = {{"provider", "openai"}, {"api_key", fresh_secret()}, {"provider_key_id", 1}};
  for (const auto& [method, path] : routes) {
    SCOPED_TRACE(method + " " + path);
    auto none = recorded_call(server(), method, path, "", std::optional<std::string>(body.dump()));
    expect_error(none, 401, "AUTH_MISSING_TOKEN");
    auto bad = recorded_call(server(), method, path, "not-a-token", std::optional<std::string>(body.dump()));
    EXPECT_EQ(bad.status, 401) << bad.raw;
  }
}

TEST_F(GovernanceProviders, BadInputIs4xxNeverA500) {
  auto own = create(alice_, "openai", fresh_secret(), {{"description", "unchanged"}});
  const std::string own_path = key_path(own);
  const std::string key = fresh_secret("sk-rejected-");  // no other key of this suite masks as "sk-r..."
  const std::string id = std::to_string(own["id"].get<int64_t>());
  struct Case {
    std::string name, method, path, body;
    int status;
    std::string code, field;
    std::string content_type = "application/json";
  };
  auto create_body = [&](json fields) {
    json b = {{"provider", "openai"}, {"api_key", key}};
    for (auto& [k, v] : fields.items()) {
      if (v.is_string() && v == "<omit>") b.erase(k);
      else b[k] = v;
    }
    return b.dump();
  };
  const std::vector<Case> cases = {
      // POST /providers: types, presence, slugs, lengths, characters, encodings
      {"provider not a string", "POST", "/api/v1/providers", create_body({{"provider", 5}}), 400, "VALIDATION_ERROR", "provider"},
      {"provider missing", "POST", "/api/v1/providers", create_body({{"provider", "<omit>"}}), 400, "MISSING_FIELD", "provider"},
      {"provider null", "POST", "/api/v1/providers", create_body({{"provider", nullptr}}), 400, "MISSING_FIELD", "provider"},
      {"provider uppercase", "POST", "/api/v1/providers", create_body({{"provider", "OpenAI"}}), 400, "VALIDATION_ERROR", "provider"},
      {"provider with space", "POST", "/api/v1/providers", create_body({{"provider", "open ai"}}), 400, "VALIDATION_ERROR", "provider"},
      {"provider with slash", "POST", "/api/v1/providers", create_body({{"provider", "open/ai"}}), 400, "VALIDATION_ERROR", "provider"},
      {"provider with dot", "POST", "/api/v1/providers", create_body({{"provider", "open.ai"}}), 400, "VALIDATION_ERROR", "provider"},
      {"provider non-ASCII", "POST", "/api/v1/providers", create_body({{"provider", "opénai"}}), 400, "VALIDATION_ERROR", "provider"},
      {"provider empty", "POST", "/api/v1/providers", create_body({{"provider", ""}}), 400, "VALIDATION_ERROR", "provider"},
      {"provider 65 characters", "POST", "/api/v1/providers", create_body({{"provider", std::string(65, 'a')}}), 400, "VALIDATION_ERROR", "provider"},
      {"api_key not a string", "POST", "/api/v1/providers", create_body({{"api_key", true}}), 400, "VALIDATION_ERROR", "api_key"},
      {"api_key a number", "POST", "/api/v1/providers", create_body({{"api_key", 12345678901234567}}), 400, "VALIDATION_ERROR", "api_key"},
      {"api_key missing", "POST", "/api/v1/providers", create_body({{"api_key", "<omit>"}}), 400, "MISSING_FIELD", "api_key"},
      {"api_key empty", "POST", "/api/v1/providers", create_body({{"api_key", ""}}), 400, "VALIDATION_ERROR", "api_key"},
      {"api_key 501 characters", "POST", "/api/v1/providers", create_body({{"api_key", std::string(501, 'k')}}), 400, "VALIDATION_ERROR", "api_key"},
      {"api_key with a space", "POST", "/api/v1/providers", create_body({{"api_key", key + " x"}}), 400, "VALIDATION_ERROR", "api_key"},
      {"api_key with a newline", "POST", "/api/v1/providers", create_body({{"api_key", key + "\n"}}), 400, "VALIDATION_ERROR", "api_key"},
      {"api_key with a tab", "POST", "/api/v1/providers", create_body({{"api_key", "\t" + key}}), 400, "VALIDATION_ERROR", "api_key"},
      {"api_key with NUL", "POST", "/api/v1/providers", create_body({{"api_key", key + std::string(1, '\0') + "x"}}), 400, "VALIDATION_ERROR", "api_key"},
      {"api_key non-ASCII", "POST", "/api/v1/providers", create_body({{"api_key", key + "é"}}), 400, "VALIDATION_ERROR", "api_key"},
      {"base_url not a string", "POST", "/api/v1/providers", create_body({{"base_url", 12}}), 400, "VALIDATION_ERROR", "base_url"},
      {"base_url ftp", "POST", "/api/v1/providers", create_body({{"base_url", "ftp://example.com"}}), 400, "VALIDATION_ERROR", "base_url"},
      {"base_url no scheme", "POST", "/api/v1/providers", create_body({{"base_url", "api.openai.com"}}), 400, "VALIDATION_ERROR", "base_url"},
      {"base_url scheme only", "POST", "/api/v1/providers", create_body({{"base_url", "https://"}}), 400, "VALIDATION_ERROR", "base_url"},
      {"base_url javascript", "POST", "/api/v1/providers", create_body({{"base_url", "javascript:alert(1)"}}), 400, "VALIDATION_ERROR", "base_url"},
      {"base_url with a space", "POST", "/api/v1/providers", create_body({{"base_url", "https://a b.com"}}), 400, "VALIDATION_ERROR", "base_url"},
      {"base_url 2001 characters", "POST", "/api/v1/providers", create_body({{"base_url", "https://" + std::string(1993, 'a')}}), 400, "VALIDATION_ERROR", "base_url"},
      {"description not a string", "POST", "/api/v1/providers", create_body({{"description", json::array()}}), 400, "VALIDATION_ERROR", "description"},
      {"description 501 characters", "POST", "/api/v1/providers", create_body({{"description", std::string(501, 'd')}}), 400, "VALIDATION_ERROR", "description"},
      {"malformed JSON", "POST", "/api/v1/providers", R"({"provider":"openai","api_key":)", 400, "MALFORMED_JSON", ""},
      {"empty body", "POST", "/api/v1/providers", "", 400, "MALFORMED_JSON", ""},
      {"JSON array", "POST", "/api/v1/providers", "[]", 400, "INVALID_JSON", ""},
      {"JSON string", "POST", "/api/v1/providers", "\"openai\"", 400, "INVALID_JSON", ""},
      {"not JSON content type", "POST", "/api/v1/providers", create_body({}), 415, "UNSUPPORTED_MEDIA_TYPE", "", "text/plain"},
      // GET /providers
      {"all not a boolean", "GET", "/api/v1/providers?all=maybe", "", 400, "VALIDATION_ERROR", "all"},
      // /providers/:id: ids
      {"id not numeric", "GET", "/api/v1/providers/abc", "", 400, "INVALID_PARAMETER", "id"},
      {"id zero", "GET", "/api/v1/providers/0", "", 400, "INVALID_PARAMETER", "id"},
      {"id negative", "GET", "/api/v1/providers/-1", "", 400, "INVALID_PARAMETER", "id"},
      {"id fractional", "GET", "/api/v1/providers/1.5", "", 400, "INVALID_PARAMETER", "id"},
      {"id with trailing text", "GET", "/api/v1/providers/" + id + "x", "", 400, "INVALID_PARAMETER", "id"},
      {"id overflowing int64", "GET", "/api/v1/providers/99999999999999999999", "", 400, "INVALID_PARAMETER", "id"},
      {"PUT id not numeric", "PUT", "/api/v1/providers/abc", R"({"is_enabled":false})", 400, "INVALID_PARAMETER", "id"},
      {"DELETE id not numeric", "DELETE", "/api/v1/providers/abc", "", 400, "INVALID_PARAMETER", "id"},
      // PUT /providers/:id: bodies
      {"PUT is_enabled a string", "PUT", own_path, R"({"is_enabled":"yes"})", 400, "VALIDATION_ERROR", "is_enabled"},
      {"PUT is_enabled a number", "PUT", own_path, R"({"is_enabled":0})", 400, "VALIDATION_ERROR", "is_enabled"},
      {"PUT base_url a number", "PUT", own_path, R"({"base_url":5})", 400, "VALIDATION_ERROR", "base_url"},
      {"PUT base_url bad scheme", "PUT", own_path, R"({"base_url":"file:///etc/passwd"})", 400, "VALIDATION_ERROR", "base_url"},
      {"PUT description 501", "PUT", own_path, json{{"description", std::string(501, 'd')}}.dump(), 400, "VALIDATION_ERROR", "description"},
      {"PUT nothing to update", "PUT", own_path, "{}", 400, "VALIDATION_ERROR", "body"},
      {"PUT only null is_enabled", "PUT", own_path, R"({"is_enabled":null})", 400, "VALIDATION_ERROR", "body"},
      {"PUT api_key", "PUT", own_path, json{{"api_key", key}}.dump(), 400, "VALIDATION_ERROR", "api_key"},
      {"PUT provider", "PUT", own_path, R"({"provider":"anthropic"})", 400, "VALIDATION_ERROR", "provider"},
      {"PUT malformed JSON", "PUT", own_path, R"({"is_enabled":)", 400, "MALFORMED_JSON", ""},
      {"PUT not JSON content type", "PUT", own_path, R"({"is_enabled":false})", 415, "UNSUPPORTED_MEDIA_TYPE", "", "text/plain"},
      // POST /projects/:project_id/provider
      {"provider_key_id a string", "POST", project_path("p1"), R"({"provider_key_id":")" + id + R"("})", 400, "VALIDATION_ERROR", "provider_key_id"},
      {"provider_key_id fractional", "POST", project_path("p1"), R"({"provider_key_id":1.5})", 400, "VALIDATION_ERROR", "provider_key_id"},
      {"provider_key_id zero", "POST", project_path("p1"), R"({"provider_key_id":0})", 400, "VALIDATION_ERROR", "provider_key_id"},
      {"provider_key_id negative", "POST", project_path("p1"), R"({"provider_key_id":-3})", 400, "VALIDATION_ERROR", "provider_key_id"},
      {"provider_key_id past int64", "POST", project_path("p1"), R"({"provider_key_id":18446744073709551615})", 400, "VALIDATION_ERROR", "provider_key_id"},
      {"provider_key_id missing", "POST", project_path("p1"), "{}", 400, "MISSING_FIELD", "provider_key_id"},
      {"assign malformed JSON", "POST", project_path("p1"), "{", 400, "MALFORMED_JSON", ""},
      {"assign not JSON content type", "POST", project_path("p1"), R"({"provider_key_id":1})", 415, "UNSUPPORTED_MEDIA_TYPE", "", "text/plain"},
      {"project_id 501 characters", "POST", project_path(std::string(501, 'p')), R"({"provider_key_id":)" + id + "}", 400, "VALIDATION_ERROR", "project_id"},
      {"project_id invalid UTF-8", "POST", project_path("%FF%FE"), R"({"provider_key_id":)" + id + "}", 400, "VALIDATION_ERROR", "project_id"},
      {"project_id control character", "POST", project_path("a%01b"), R"({"provider_key_id":)" + id + "}", 400, "VALIDATION_ERROR", "project_id"},
      {"unassign project_id 501", "DELETE", project_path(std::string(501, 'p')), "", 400, "VALIDATION_ERROR", "project_id"},
      {"unassign project_id invalid UTF-8", "DELETE", project_path("%C0%AF"), "", 400, "VALIDATION_ERROR", "project_id"},
  };
  std::vector<Scenario> scenarios;
  for (const auto& tc : cases) {
    const bool bodyless = tc.method == "GET" || (tc.method == "DELETE" && tc.body.empty());
    scenarios.push_back({.name = tc.name, .principal = alice_.token, .method = tc.method, .path = tc.path,
                         .raw_body = bodyless ? std::nullopt : std::optional<std::string>(tc.body),
                         .content_type = tc.content_type, .status = tc.status, .code = tc.code, .field = tc.field});
  }
  run_scenarios(server(), scenarios);
  // None of it changed the key or created one.
  auto after = call("GET", own_path, alice_);
  EXPECT_EQ(after.body["description"], "unchanged");
  EXPECT_EQ(after.body["is_enabled"], true);
  EXPECT_EQ(after.body["assigned_projects"], json::array());
  auto list = call("GET", "/api/v1/providers", alice_);
  for (auto& k : list.body)
    EXPECT_NE(k["masked_key"], key.substr(0, 4) + "..." + key.substr(key.size() - 4)) << "a rejected key was stored";
}
