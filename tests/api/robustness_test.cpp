// Nothing a user sends produces a 500: every documented operation (read from the served
// OpenAPI document, so new routes are covered automatically) gets malformed bodies, wrong
// types, extreme numbers and odd path parameters, as an admin and anonymously; every answer
// must be a 4xx/2xx in the JSON envelope, and the server must stay healthy.
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
        for (const std::string& bearer : {panel.admin.access, std::string("garbage")}) {
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
