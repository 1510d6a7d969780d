// The OpenAPI document against the routes the server really registers, both ways: a route
// missing from the document is undocumented API, and a documented operation the server
// does not register is a lie. Builds the real route table in-process (api::all_routes plus
// what HttpServer adds itself, i.e. /metrics when enabled).
#include <gtest/gtest.h>

#include <stdlib.h>

#include <algorithm>
#include <atomic>
#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <vector>

#include "api/openapi_document.h"
#include "api/routes.h"
#include "cli/panel.h"
#include "config/config.h"
#include "security/random.h"
#include "server/http_server.h"
#include "store/database.h"

namespace {

using nlohmann::json;
using Operation = std::pair<std::string, std::string>;  // METHOD, OpenAPI path

const std::set<std::string> kMethods = {"get", "put", "post", "delete", "patch", "head", "options", "trace"};

std::string upper(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), ::toupper);
  return s;
}

// Every (method, pattern) the server registers, with patterns in OpenAPI syntax.
std::set<Operation> registered_operations() {
  std::string dir = (std::filesystem::temp_directory_path() / "ironpanel-openapi-XXXXXX").string();
  EXPECT_NE(mkdtemp(dir.data()), nullptr);
  iron::security::init();
  std::set<Operation> out;
  {
    iron::store::Database db(dir + "/iron.db");
    iron::config::Config config;
    config.data_dir = dir;
    config.metrics = true;  // the server registers GET /metrics itself when enabled
    std::atomic<bool> draining{false};
    iron::cli::Panel panel(db, config, draining);  // the services exactly as `serve` builds them
    iron::server::HttpServer server(config, iron::api::all_routes(panel.services()),
                                    [](const iron::api::Request&) { return iron::api::Response{}; },
                                    [] { return std::pair<int64_t, int64_t>{0, 0}; });
    for (const auto& [method, pattern] : server.route_list()) out.emplace(method, iron::api::openapi_path(pattern));
  }
  std::filesystem::remove_all(dir);
  return out;
}

std::set<Operation> documented_operations() {
  std::set<Operation> out;
  for (const auto& [path, item] : iron::api::openapi_document().at("paths").items())
    for (const auto& [method, op] : item.items())
      if (kMethods.count(method)) out.emplace(upper(method), path);
  return out;
}

// The operations of `ops` that `others` lacks, as "METHOD /path".
std::vector<std::string> missing_from(const std::set<Operation>& ops, const std::set<Operation>& others) {
  std::vector<std::string> out;
  for (const auto& [method, path] : ops)
    if (!others.count({method, path})) out.push_back(method + " " + path);
  return out;
}

std::string list(const std::vector<std::string>& items) {
  std::string s;
  for (const auto& i : items) s += "\n  " + i;
  return s;
}

// Follows a local "$ref" ("#/components/..."); null when it does not resolve.
const json* resolve(const std::string& ref) {
  if (ref.rfind("#/", 0) != 0) return nullptr;
  try {
    return &iron::api::openapi_document().at(json::json_pointer(ref.substr(1)));
  } catch (const std::exception&) {
    return nullptr;
  }
}

void collect_refs(const json& j, std::vector<std::string>& out) {
  if (j.is_object()) {
    if (j.contains("$ref") && j["$ref"].is_string()) out.push_back(j["$ref"]);
    for (const auto& [k, v] : j.items()) collect_refs(v, out);
  } else if (j.is_array()) {
    for (const auto& v : j) collect_refs(v, out);
  }
}

}  // namespace

TEST(OpenApi, RouterPatternsBecomePathTemplates) {
  EXPECT_EQ(iron::api::openapi_path("/api/v1/users/:id"), "/api/v1/users/{id}");
  EXPECT_EQ(iron::api::openapi_path("/api/v1/users/:id/role"), "/api/v1/users/{id}/role");
  EXPECT_EQ(iron::api::openapi_path("/a/:x/b/:y"), "/a/{x}/b/{y}");
  EXPECT_EQ(iron::api::openapi_path("/health"), "/health");
}

TEST(OpenApi, IsOpenApi31WithTheSharedComponents) {
  const json& doc = iron::api::openapi_document();
  EXPECT_EQ(doc.at("openapi"), "3.1.0");
  EXPECT_TRUE(doc.at("info").contains("version"));
  EXPECT_FALSE(doc.at("servers").empty());
  for (const char* c : {"/components/schemas/ErrorEnvelope", "/components/securitySchemes/bearerAuth",
                        "/components/securitySchemes/refreshCookie", "/components/headers/RetryAfter"})
    EXPECT_TRUE(doc.contains(json::json_pointer(c))) << c;
}

// Both ways: an undocumented route is invisible to clients, a stale document is a lie.
TEST(OpenApi, RoutesAndDocumentListTheSameOperations) {
  const auto registered = registered_operations();
  const auto documented = documented_operations();
  const auto missing = missing_from(registered, documented);
  EXPECT_TRUE(missing.empty()) << missing.size() << " registered route(s) missing from /api/v1/openapi.json "
                               << "(declare each operation's document beside its handler, src/api/README.md):"
                               << list(missing);
  const auto stale = missing_from(documented, registered);
  EXPECT_TRUE(stale.empty()) << stale.size() << " documented operation(s) the server does not register:"
                             << list(stale);
}

TEST(OpenApi, EveryOperationHasASuccessAndAnErrorResponse) {
  std::vector<std::string> bad;
  for (const auto& [path, item] : iron::api::openapi_document().at("paths").items()) {
    for (const auto& [method, op] : item.items()) {
      if (!kMethods.count(method)) continue;
      bool success = false, error = false;
      for (const auto& [status, response] : op.at("responses").items()) {
        const int code = std::atoi(status.c_str());
        success = success || (code >= 200 && code < 300);
        error = error || code >= 400;
      }
      if (!success || !error)
        bad.push_back(upper(method) + " " + path + (success ? "" : " (no 2xx)") + (error ? "" : " (no 4xx/5xx)"));
      if (!op.contains("summary") || !op.contains("operationId") || !op.contains("tags"))
        bad.push_back(upper(method) + " " + path + " (summary, operationId or tags missing)");
    }
  }
  EXPECT_TRUE(bad.empty()) << "operations without the required responses:" << list(bad);
}

TEST(OpenApi, EveryPathParameterIsDeclared) {
  std::vector<std::string> bad;
  for (const auto& [path, item] : iron::api::openapi_document().at("paths").items()) {
    std::set<std::string> in_template;
    for (size_t pos = path.find('{'); pos != std::string::npos; pos = path.find('{', pos + 1))
      in_template.insert(path.substr(pos + 1, path.find('}', pos) - pos - 1));
    for (const auto& [method, op] : item.items()) {
      if (!kMethods.count(method)) continue;
      std::set<std::string> declared;
      for (const auto* params : {&item, &op})
        if (params->contains("parameters"))
          for (const auto& p : params->at("parameters"))
            if (p.value("in", "") == "path") {
              declared.insert(p.value("name", ""));
              if (!p.value("required", false)) bad.push_back(upper(method) + " " + path + ": {" + p.value("name", "") + "} not required");
            }
      for (const auto& name : in_template)
        if (!declared.count(name)) bad.push_back(upper(method) + " " + path + ": {" + name + "} not declared");
      for (const auto& name : declared)
        if (!in_template.count(name)) bad.push_back(upper(method) + " " + path + ": {" + name + "} declared but not in the path");
    }
  }
  EXPECT_TRUE(bad.empty()) << "path parameter problems:" << list(bad);
}

TEST(OpenApi, OperationIdsAreUniqueAndEveryRefResolves) {
  const json& doc = iron::api::openapi_document();
  std::map<std::string, int> ids;
  for (const auto& [path, item] : doc.at("paths").items())
    for (const auto& [method, op] : item.items())
      if (kMethods.count(method)) ids[op.value("operationId", "")]++;
  std::vector<std::string> bad;
  for (const auto& [id, n] : ids)
    if (n > 1 || id.empty()) bad.push_back("operationId '" + id + "' used " + std::to_string(n) + " times");
  std::vector<std::string> refs;
  collect_refs(doc, refs);
  for (const auto& r : refs)
    if (!resolve(r)) bad.push_back("unresolved $ref " + r);
  EXPECT_TRUE(bad.empty()) << list(bad);
}
