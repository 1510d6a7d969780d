// Nothing a user sends produces a 500: every documented operation (read from the served
// OpenAPI document, so new routes are covered automatically) gets malformed bodies, wrong
// types, extreme numbers and odd path parameters, as an admin and anonymously; every answer
// must be a 4xx/2xx in the JSON envelope, and the server must stay healthy. A second pass
// puts hostile text (NUL and other control characters, lone surrogates, over-long and
// otherwise ill-formed UTF-8) into every string field of every documented request body,
// nested ones included, and into every query parameter.
#include <gtest/gtest.h>

#include <iostream>
#include <map>
#include <set>

#include "api/governance_support.h"
#include "store/data_dir.h"
#include "store/sqlite.h"
#include "table_contents.h"

using gov::json;

namespace {

std::string fill_path(std::string path, const std::string& value) {
  size_t open;
  while ((open = path.find('{')) != std::string::npos) path.replace(open, path.find('}', open) - open + 1, value);
  return path;
}

const std::vector<std::string> kBodies = {
    "", "{", "[]", "null", "\"text\"", "{\"a\":", "{}",
    R"({"name":12,"email":[],"password":{},"role":"root","provider":7,"requested_budget":1e308})",
    R"({"agent_id":-9223372036854775808,"initial_budget_microdollars":18446744073709551615,"page":0})",
    R"({"ic_token":"ic_1_x","lease_id":"lease_nope","request_id":"","tokens":-1,"cost_microdollars":-5})",
    R"({"events":[1,2,{"event_id":null}],"token":"apitok_x","refresh_token":"a.b.c","setup_token":""})",
    "{\"name\":\"\\u0000\",\"description\":\"" + std::string(5000, 'x') + "\"}",
};

// Raw JSON string contents (between the quotes): each must be refused or stored safely.
const std::vector<std::string> kHostileText = {
    "\\u0000",      "a\\u0000b",   "\\u0001",     "\\u001f",  "\\u007f",  "\\u0085",
    "\\ud800",      "x\\udc00",    "\\ud800\\u0041",
    "\xc0\x80",   "\xe0\x80\x80", "\xed\xa0\x80", "\xe2\x82",  "\xff",     "\xf8\x88\x80\x80\x80"};
// The same class in a query string (percent-encoded).
const std::vector<std::string> kHostileQuery = {"%00", "a%00b", "%01", "%7F", "%C0%80", "%ED%A0%80", "%FF"};

// A benign value for a schema (so decoding gets past the other fields to the hostile one).
json sample(const json& schema, const json& components) {
  if (schema.contains("$ref"))
    return sample(components[schema["$ref"].get<std::string>().substr(std::string("#/components/schemas/").size())],
                  components);
  if (schema.contains("oneOf")) return sample(schema["oneOf"][0], components);
  if (schema.contains("allOf")) return sample(schema["allOf"][0], components);
  if (schema.contains("enum")) return schema["enum"][0];
  const json type = schema.contains("type") ? schema["type"] : json("object");
  const std::string t = type.is_array() ? type[0].get<std::string>() : type.get<std::string>();
  if (t == "string") return "x";
  if (t == "integer" || t == "number") return 1;
  if (t == "boolean") return true;
  if (t == "array") return json::array({sample(schema.contains("items") ? schema["items"] : json::object(), components)});
  json out = json::object();
  if (schema.contains("properties"))
    for (const auto& [name, prop] : schema["properties"].items()) out[name] = sample(prop, components);
  return out;
}

// JSON pointers of every string leaf of a sampled body.
void string_leaves(const json& v, const std::string& at, std::vector<std::string>& out) {
  if (v.is_string()) out.push_back(at);
  if (v.is_object())
    for (const auto& [k, child] : v.items()) string_leaves(child, at + "/" + k, out);
  if (v.is_array())
    for (size_t i = 0; i < v.size(); ++i) string_leaves(v[i], at + "/" + std::to_string(i), out);
}

const std::vector<std::string> kPathValues = {"0", "-1", "abc", "99999999999999999999", "1%00", "..", "user_x"};

}  // namespace

TEST(Robustness, NoInputProducesA500) {
  gov::Panel panel;
  auto doc = panel.call("GET", "/api/v1/openapi.json");
  ASSERT_EQ(doc.status, 200);
  int requests = 0;
  for (const auto& [path, ops] : doc.body["paths"].items()) {
    if (path == "/metrics") continue;
    for (const auto& [method_lower, op] : ops.items()) {
      std::string method = method_lower;
      for (auto& ch : method) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (method == "GET" && path.find("events/stream") != std::string::npos) continue;  // a stream, not a reply
      const bool has_params = path.find('{') != std::string::npos;
      for (const auto& value : has_params ? kPathValues : std::vector<std::string>{""}) {
        const std::string url = fill_path(path, value) + "?page=0&per_page=-1&period=never&limit=x&cursor=-1";
        for (const std::string& bearer : {panel.admin.token, std::string("garbage")}) {
          for (const auto& body : kBodies) {
            auto r = panel.call_raw(method, url, bearer, body);
            ++requests;
            ASSERT_NE(r.status, 0) << method << " " << url << ": no response (crash?)";
            EXPECT_LT(r.status, 500) << method << " " << url << " body=" << body.substr(0, 80) << " -> " << r.raw;
            if (r.status >= 400) {
              EXPECT_TRUE(r.body.contains("error")) << method << " " << url << " -> " << r.raw;
            }
          }
        }
      }
    }
  }
  EXPECT_GT(requests, 2000) << "the document lists fewer operations than expected";
  EXPECT_EQ(panel.call("GET", "/health").status, 200);
}

TEST(Robustness, HostileTextInEveryFieldIsRefusedNeverA500) {
  gov::Panel panel;
  const int64_t agent = panel.add_agent(panel.admin.id, 1'000'000);
  const std::string ic = panel.ic_token(agent);
  auto doc = panel.call("GET", "/api/v1/openapi.json");
  ASSERT_EQ(doc.status, 200);
  const json& components = doc.body["components"]["schemas"];
  const std::string marker = "@@HOSTILE@@";
  int requests = 0;
  for (const auto& [path, ops] : doc.body["paths"].items()) {
    if (path == "/metrics" || path.find("events/stream") != std::string::npos) continue;
    for (const auto& [method_lower, op] : ops.items()) {
      std::string method = method_lower;
      for (auto& ch : method) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      if (op.value("operationId", "") == "logout") continue;  // would end the admin's session
      // Agent routes (no required role) get the IC token; user routes the admin's token.
      const std::string bearer = op.contains("x-required-role") ? panel.admin.token : ic;
      const std::string url = fill_path(path, "1");
      auto expect_refused_or_safe = [&](const gov::Reply& r, const std::string& what) {
        ++requests;
        ASSERT_NE(r.status, 0) << method << " " << url << " " << what << ": no response (crash?)";
        EXPECT_LT(r.status, 500) << method << " " << url << " " << what << " -> " << r.raw;
        if (r.status >= 400) {
          EXPECT_TRUE(r.body.contains("error")) << method << " " << url << " -> " << r.raw;
        }
      };
      const json params = op.contains("parameters") ? op["parameters"] : json::array();
      for (const auto& param : params)
        if (param["in"] == "query")
          for (const auto& value : kHostileQuery)
            expect_refused_or_safe(panel.call_raw(method, url + "?" + param["name"].get<std::string>() + "=" + value,
                                                  bearer, ""),
                                   "query " + param["name"].get<std::string>() + "=" + value);
      const json* schema = op.contains("requestBody") ? &op["requestBody"]["content"]["application/json"]["schema"] : nullptr;
      if (!schema) continue;
      json body = sample(*schema, components);
      if (body.is_object() && body.contains("ic_token")) body["ic_token"] = ic;  // reach past authentication
      std::vector<std::string> leaves;
      string_leaves(body, "", leaves);
      for (const auto& leaf : leaves) {
        json marked = body;
        marked[json::json_pointer(leaf)] = marker;
        const std::string text = marked.dump();
        for (const auto& hostile : kHostileText) {
          std::string raw = text;
          raw.replace(raw.find(marker), marker.size(), hostile);
          expect_refused_or_safe(panel.call_raw(method, url, bearer, raw), "field " + leaf);
        }
      }
    }
  }
  EXPECT_GT(requests, 1000) << "the document lists fewer body fields than expected";
  EXPECT_EQ(panel.call("GET", "/health").status, 200);
}

// The tables above prove "no 500". This one proves the contract for bad input: generated from
// the served document, for every operation that takes a body, query or path parameters, one
// case per defect in every field (missing when required, mistyped, numbers past their bounds
// or int64 or negative, strings past their length, outside their enum, with control
// characters or ill-formed UTF-8), plus unknown fields, wrong content types and undocumented
// methods. Each answer is a 4xx in the envelope (a 400 names the field), none stalls, and
// the database is the same afterwards (checksum of every table, read from the file).
namespace {

struct BadCase {
  std::string what;   // "missing /name", "mistyped /agent_id", ...
  std::string field;  // the top-level field a 400 should name ("" when none applies)
  std::string body;
  std::string content_type = "application/json";
};

json resolve(const json& schema, const json& components) {
  if (schema.contains("$ref"))
    return resolve(components[schema["$ref"].get<std::string>().substr(std::string("#/components/schemas/").size())],
                   components);
  return schema;
}

std::string type_of(const json& schema) {
  if (!schema.contains("type")) return schema.contains("enum") ? "string" : "object";
  const json& t = schema["type"];
  return t.is_array() ? t[0].get<std::string>() : t.get<std::string>();
}

// Values of the wrong type for a schema.
std::vector<json> wrong_types(const std::string& type) {
  if (type == "string") return {12, true, json::array(), json::object()};
  if (type == "integer") return {"12", 1.5, true, json::array()};
  if (type == "number") return {"12", true, json::object()};
  if (type == "boolean") return {"true", 1};
  if (type == "array") return {json::object(), "x", 3};
  return {json::array(), "x", 3};
}

// Raw JSON numbers a field must refuse.
std::vector<std::string> bad_numbers(const json& schema) {
  std::vector<std::string> out = {"1e300", "9223372036854775808", "-9223372036854775809"};
  if (schema.contains("minimum")) out.push_back(std::to_string(schema["minimum"].get<int64_t>() - 1));
  if (schema.contains("exclusiveMinimum")) out.push_back(schema["exclusiveMinimum"].dump());
  if (schema.contains("maximum") && schema["maximum"].get<double>() < 9.2e18)
    out.push_back(type_of(schema) == "integer" ? std::to_string(schema["maximum"].get<int64_t>() + 1)
                                               : std::to_string(schema["maximum"].get<double>() + 0.5));
  return out;
}

std::vector<BadCase> body_cases(const json& base, const json& schema_in, const json& components) {
  std::vector<BadCase> out;
  const json schema = resolve(schema_in, components);
  if (!schema.contains("properties")) return out;
  const std::string marker = "\"@@BAD@@\"";
  for (const auto& name : schema.value("required", json::array())) {
    json b = base;
    b.erase(name.get<std::string>());
    out.push_back({"missing " + name.get<std::string>(), name, b.dump()});
    b["unknown_field"] = "x";  // an unknown field must not mask the missing one
    b["id"] = 1;
    out.push_back({"missing " + name.get<std::string>() + " with unknown fields", name, b.dump()});
  }
  for (const auto& [name, prop_in] : schema["properties"].items()) {
    const json prop = resolve(prop_in, components);
    const std::string type = type_of(prop);
    const bool nullable = prop.contains("type") && prop["type"].is_array();
    auto with = [&](const std::string& raw_value) {
      json b = base;
      b[name] = "@@BAD@@";
      std::string text = b.dump();
      text.replace(text.find(marker), marker.size(), raw_value);
      return text;
    };
    for (const auto& v : wrong_types(type))
      if (!(nullable && v.is_null())) out.push_back({"mistyped " + name + " " + v.dump(), name, with(v.dump())});
    if (type == "integer" || type == "number")
      for (const auto& n : bad_numbers(prop)) out.push_back({"number " + name + "=" + n, name, with(n)});
    if (type == "string") {
      for (const auto& h : kHostileText) out.push_back({"text " + name + " \"" + h + "\"", name, with("\"" + h + "\"")});
      if (prop.contains("maxLength"))
        out.push_back({"too long " + name, name, with(json(std::string(prop["maxLength"].get<size_t>() + 1, 'x')).dump())});
      // An empty ic_token means "none" (the predecessor's runtimes send one): the Bearer counts.
      if (prop.value("minLength", 0) > 0 && name != "ic_token") out.push_back({"empty " + name, name, with("\"\"")});
      if (prop.contains("enum")) out.push_back({"outside the enum " + name, name, with("\"not-a-member\"")});
    }
  }
  const std::string valid = base.dump();
  for (const std::string ct : {"text/plain", "application/x-www-form-urlencoded", "application/xml", ""})
    out.push_back({"content type '" + ct + "'", "", valid, ct});
  return out;
}

// Query strings a parameter must refuse (strings only get control characters and bad UTF-8).
std::vector<std::string> query_cases(const json& param) {
  const json& schema = param["schema"];
  const std::string type = type_of(schema);
  std::vector<std::string> out = {"%00", "%ED%A0%80", "%FF", "a%01b"};
  if (type == "integer") {
    out.insert(out.end(), {"x", "1.5", "99999999999999999999", "-99999999999999999999"});
    if (schema.contains("minimum")) out.push_back(std::to_string(schema["minimum"].get<int64_t>() - 1));
    if (schema.contains("maximum")) out.push_back(std::to_string(schema["maximum"].get<int64_t>() + 1));
  }
  if (type == "boolean") out.push_back("maybe");
  if (schema.contains("enum")) out.push_back("not-a-member");
  return out;
}

}  // namespace

TEST(BadInput, GeneratedCasesGetA4xxEnvelopeAndChangeNothing) {
  gov::Panel panel;
  const int64_t key = panel.add_key(panel.admin);
  const int64_t agent = panel.create_agent({{"name", "bad-input"}, {"provider_key_id", key}, {"initial_budget_microdollars", 1'000'000}})
                            .value("id", int64_t{0});
  const std::string ic = panel.ic_token(agent);
  const gov::Account viewer = panel.add_user("viewer", "bad-input-viewer");
  const gov::Account user = panel.add_user("user", "bad-input-user");
  const int64_t user_agent = panel.add_agent(user.id, 1'000'000);
  const auto created = [&](const gov::Reply& r) {
    EXPECT_EQ(r.status, 201) << r.raw;
    return r.body;
  };
  const std::string limit = created(panel.call("POST", "/api/v1/limits", panel.admin.token,
                                               json{{"user_id", viewer.id}, {"max_requests_per_minute", 10}}))["id"].dump();
  const std::string token = created(panel.call("POST", "/api/v1/api-tokens", panel.admin.token, json{{"name", "t"}}))["id"].dump();
  const std::string breq = created(panel.call("POST", "/api/v1/budget/requests", user.token,
                                              json{{"agent_id", user_agent}, {"requested_budget_usd", 3},
                                                   {"justification", "a pending request to aim bad input at"}}))
                               .value("request_id", "");
  const std::string channel = created(panel.call("POST", "/api/v1/alert-channels", panel.admin.token,
                                                 json{{"name", "c"}, {"kind", "webhook"}, {"url", "http://localhost:9/hook"}}))["id"].dump();
  const std::string rule = created(panel.call("POST", "/api/v1/alert-rules", panel.admin.token,
                                              json{{"name", "r"}, {"event_types", {"budget.exhausted"}},
                                                   {"channel_ids", {std::stoll(channel)}}}))["id"].dump();
  // Path parameters name real resources, so each request reaches its body's validation.
  const std::map<std::string, std::string> path_values = {
      {"/api/v1/alert-channels/{id}", channel},       {"/api/v1/alert-rules/{id}", rule},
      {"/api/v1/agents/{id}", std::to_string(agent)}, {"/api/v1/api-tokens/{id}", token},
      {"/api/v1/budget/requests/{id}", breq},         {"/api/v1/limits/{id}", limit},
      {"/api/v1/providers/{id}", std::to_string(key)}, {"/api/v1/users/{id}", viewer.id},
      {"/api/v1/projects/{project_id}", "proj-bad"},   {"/api/v1/usage/by-project/{project_id}", "proj-bad"},
      {"/api/v1/usage/by-provider/{provider}", "openai"}, {"/api/v1/me/sessions/{id}", "none"}};
  const auto fill = [&](const std::string& path) {
    for (const auto& [prefix, value] : path_values)
      if (path.rfind(prefix, 0) == 0) return value + path.substr(prefix.size());
    return path;
  };
  // Valid bodies where the generic sample is not (the one bad field must be the only one).
  const std::map<std::string, json> base_bodies = {
      {"createAgent", {{"name", "a"}, {"initial_budget_microdollars", 1}, {"owner_id", panel.admin.id}, {"provider_key_id", key}}},
      {"updateAgent", {{"name", "a"}, {"owner_id", panel.admin.id}, {"provider_key_id", key}}},
      {"createApiToken", {{"name", "a"}, {"description", "d"}, {"project_id", "p"}, {"provider", "openai"}, {"scope", "user"},
                          {"agent_id", agent}, {"user_id", panel.admin.id}, {"expires_at", iron::util::to_rfc3339(iron::util::now() + std::chrono::hours(24))}}},
      {"createLimit", {{"user_id", user.id}, {"max_requests_per_minute", 1}}},
      {"createAlertChannel", {{"name", "c"}, {"kind", "webhook"}, {"url", "http://localhost:9/hook"}}},
      {"createProviderKey", {{"provider", "openai"}, {"api_key", "sk-x"}, {"base_url", "https://h.test"}, {"description", "d"}}},
      {"updateProviderKey", {{"base_url", "https://h.test"}, {"description", "d"}, {"is_enabled", true}}},
      {"createUser", {{"username", "u1"}, {"email", "u1@example.test"}, {"password", "long-enough-pw-1"}, {"role", "viewer"}}},
      {"createBudgetRequest", {{"agent_id", agent}, {"requested_budget_usd", 2}, {"justification", std::string(30, 'j')}}},
      {"assignProjectProvider", {{"provider_key_id", key}}},
      {"handshake", {{"provider", "openai"}, {"provider_key_id", key}, {"requested_budget", 1}}},
      {"login", {{"email", iron::test::kAdminEmail}, {"password", "not-the-password"}}},
      {"importPrices", {{"format", "ironpanel-prices/1"}, {"prices_as_of", "2026-01-01"}, {"exported_at", "2026-01-02T00:00:00Z"},
                        {"prices", {{{"provider", "openai"}, {"model", "bad-input-model"}, {"input_micros_per_mtok", 1},
                                     {"output_micros_per_mtok", 1}, {"cached_input_micros_per_mtok", 1},
                                     {"effective_from", "2026-01-01T00:00:00Z"}}}}}},
      {"recalculatePrices", {{"from", "2026-01-01T00:00:00Z"}, {"to", "2026-01-02T00:00:00Z"}, {"agent_id", agent}}},
      {"createPrice", {{"provider", "openai"}, {"model", "bad-input-model"}, {"input_micros_per_mtok", 1},
                       {"output_micros_per_mtok", 1}, {"cached_input_micros_per_mtok", 1},
                       {"effective_from", "2026-01-01T00:00:00Z"}}},
  };

  auto doc = panel.call("GET", "/api/v1/openapi.json");
  ASSERT_EQ(doc.status, 200);
  const json& components = doc.body["components"]["schemas"];
  const std::string db_path = iron::store::database_path(panel.server().data_dir());
  const auto before = iron::test::reliability::table_contents(db_path);

  int requests = 0;
  const auto expect_refused = [&](const gov::Reply& r, const std::string& what, const std::string& field) {
    ++requests;
    ASSERT_NE(r.status, 0) << what << ": no answer (stall or crash)";
    EXPECT_GE(r.status, 400) << what << " -> " << r.raw;
    EXPECT_LT(r.status, 500) << what << " -> " << r.raw;
    EXPECT_TRUE(r.body.is_object() && r.body.contains("error")) << what << " -> " << r.raw;
    // Ill-formed UTF-8 and lone surrogates make the body itself malformed JSON: no field then.
    if (r.status == 400 && !field.empty() && r.body.is_object() && r.body["error"].value("code", "") != "MALFORMED_JSON") {
      const json& details = r.body["error"]["details"];
      const std::string named = details.is_object() ? details.value("field", "") : "";
      EXPECT_TRUE(named == field || named.rfind(field + ".", 0) == 0 || named.rfind(field + "[", 0) == 0)
          << what << ": the 400 names '" << named << "'";
    }
  };
  std::set<std::string> documented_methods;
  for (const auto& [path, ops] : doc.body["paths"].items()) {
    if (path == "/metrics" || path.find("events/stream") != std::string::npos) continue;
    const std::string url = fill(path);
    for (const auto& [method_lower, op] : ops.items()) {
      std::string method = method_lower;
      for (auto& ch : method) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
      documented_methods.insert(path + " " + method);
      const std::string id = op.value("operationId", "");
      const std::string bearer = op.contains("x-required-role") ? panel.admin.token : ic;
      for (const auto& param : op.value("parameters", json::array())) {
        if (param["in"] != "query") continue;
        for (const auto& v : query_cases(param)) {
          const std::string q = param["name"].get<std::string>() + "=" + v;
          expect_refused(panel.call_raw(method, url + "?" + q, bearer, ""), method + " " + url + "?" + q, "");
        }
      }
      // Path parameters: ids get non-numbers and out-of-range numbers; names (a provider, a
      // project) are free text, so only control characters and ill-formed UTF-8 are bad.
      std::vector<std::string> path_cases = {"%00", "%FF", "a%01b"};
      for (const auto& param : op.value("parameters", json::array()))
        if (param["in"] == "path" && type_of(param["schema"]) == "integer")
          path_cases.insert(path_cases.end(), {"abc", "-1", "99999999999999999999"});
      if (path.find('{') != std::string::npos)
        for (const auto& v : path_cases) {
          const std::string bad = fill_path(path, v);
          expect_refused(panel.call_raw(method, bad, bearer, op.contains("requestBody") ? "{}" : ""), method + " " + bad, "");
        }
      if (!op.contains("requestBody")) continue;
      const json& schema = op["requestBody"]["content"]["application/json"]["schema"];
      json base = base_bodies.count(id) ? base_bodies.at(id) : sample(schema, components);
      if (base.is_object() && resolve(schema, components)["properties"].contains("ic_token")) base["ic_token"] = ic;
      for (const auto& c : body_cases(base, schema, components)) {
        httplib::Request req;
        req.method = method;
        req.path = url;
        req.headers.emplace("Authorization", "Bearer " + bearer);
        if (!c.content_type.empty()) req.headers.emplace("Content-Type", c.content_type);
        req.body = c.body;
        auto res = panel.server().client()->send(req);
        gov::Reply r;
        if (res) r = {res->status, iron::test::json_of(res), res->body, res->headers};
        expect_refused(r, method + " " + url + " " + c.what, c.field);
      }
    }
    // Undocumented methods on a documented path.
    for (const std::string m : {"GET", "POST", "PUT", "PATCH", "DELETE"})
      if (!documented_methods.count(path + " " + m))
        expect_refused(panel.call_raw(m, url, panel.admin.token, "{}"), m + " " + url + " (undocumented method)", "");
  }
  EXPECT_GT(requests, 2500) << "the document yields fewer cases than expected";
  std::cout << requests << " bad-input requests\n";
  const auto after = iron::test::reliability::table_contents(db_path);
  for (const auto& [table, rows] : before)
    EXPECT_TRUE(after.count(table) && after.at(table) == rows) << "bad input changed table " << table;
  EXPECT_EQ(panel.call("GET", "/health").status, 200);
}
