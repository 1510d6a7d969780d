// Nothing a user sends produces a 500: every documented operation (read from the served
// OpenAPI document, so new routes are covered automatically) gets malformed bodies, wrong
// types, extreme numbers and odd path parameters, as an admin and anonymously; every answer
// must be a 4xx/2xx in the JSON envelope, and the server must stay healthy. A second pass
// puts hostile text (NUL and other control characters, lone surrogates, over-long and
// otherwise ill-formed UTF-8) into every string field of every documented request body,
// nested ones included, and into every query parameter.
#include <gtest/gtest.h>

#include "governance_support.h"

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
