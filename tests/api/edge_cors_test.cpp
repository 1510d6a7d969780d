// CORS from the environment: IRON_CORS_ORIGINS unset (no CORS headers at all), "*" (any origin,
// never credentials), an exact list (echo + Vary: Origin + credentials), preflights, and the
// predecessor's ALLOWED_ORIGINS used only when the new variable is unset.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <cstdlib>
#include <functional>

#include "support/server_process.h"

using iron::test::ServerProcess;

namespace {

std::string lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::vector<std::string> cors_header_names(const httplib::Response& res) {
  std::vector<std::string> out;
  for (const auto& [k, v] : res.headers)
    if (lower(k).rfind("access-control-", 0) == 0) out.push_back(k + ": " + v);
  return out;
}

// Every Vary token across all Vary headers, lower-cased.
std::vector<std::string> vary_tokens(const httplib::Response& res) {
  std::vector<std::string> out;
  for (const auto& [k, v] : res.headers) {
    if (lower(k) != "vary") continue;
    size_t pos = 0;
    while (pos <= v.size()) {
      size_t comma = v.find(',', pos);
      if (comma == std::string::npos) comma = v.size();
      std::string t = v.substr(pos, comma - pos);
      t.erase(0, t.find_first_not_of(' '));
      t.erase(t.find_last_not_of(' ') + 1);
      if (!t.empty()) out.push_back(lower(t));
      pos = comma + 1;
    }
  }
  return out;
}

bool varies_on(const httplib::Response& res, const std::string& token) {
  const auto t = vary_tokens(res);
  return std::count(t.begin(), t.end(), lower(token)) == 1;
}

const std::vector<std::string> kPaths = {"/health", "/", "/api/v1/nope"};

class EdgeCors : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    none_ = std::make_unique<ServerProcess>();
    any_ = std::make_unique<ServerProcess>(ServerProcess::Options{.env = {{"IRON_CORS_ORIGINS", "*"}}});
    list_ = std::make_unique<ServerProcess>(
        ServerProcess::Options{.env = {{"IRON_CORS_ORIGINS", "https://a.example,https://b.example"}}});
    legacy_ = std::make_unique<ServerProcess>(
        ServerProcess::Options{.env = {{"ALLOWED_ORIGINS", "https://legacy.example"}}});
    both_ = std::make_unique<ServerProcess>(ServerProcess::Options{
        .env = {{"IRON_CORS_ORIGINS", "https://new.example"}, {"ALLOWED_ORIGINS", "https://legacy.example"}}});
  }
  static void TearDownTestSuite() {
    for (auto* s : {&none_, &any_, &list_, &legacy_, &both_}) s->reset();
  }
  void SetUp() override { ASSERT_TRUE(none_ && any_ && list_ && legacy_ && both_) << "a server failed to start"; }

  static httplib::Result get(const ServerProcess& s, const std::string& path, const std::string& origin) {
    auto c = s.client();
    c->set_decompress(false);
    httplib::Headers h;
    if (!origin.empty()) h.emplace("Origin", origin);
    return c->Get(path, h);
  }
  static httplib::Result preflight(const ServerProcess& s, const std::string& path, const std::string& origin) {
    return s.client()->Options(path, {{"Origin", origin},
                                      {"Access-Control-Request-Method", "POST"},
                                      {"Access-Control-Request-Headers", "authorization, content-type"}});
  }
  static inline std::unique_ptr<ServerProcess> none_, any_, list_, legacy_, both_;
};

TEST_F(EdgeCors, UnsetMeansNoCorsHeadersAtAll) {
  for (const auto& path : kPaths) {
    for (const std::string origin : {"", "https://a.example", "null"}) {
      SCOPED_TRACE(path + " from '" + origin + "'");
      auto res = get(*none_, path, origin);
      ASSERT_TRUE(res);
      EXPECT_TRUE(cors_header_names(*res).empty()) << ::testing::PrintToString(cors_header_names(*res));
      EXPECT_FALSE(varies_on(*res, "Origin"));
    }
    SCOPED_TRACE("preflight " + path);
    auto pre = preflight(*none_, path, "https://a.example");
    ASSERT_TRUE(pre);
    EXPECT_TRUE(cors_header_names(*pre).empty()) << ::testing::PrintToString(cors_header_names(*pre));
  }
}

TEST_F(EdgeCors, StarAllowsAnyOriginButNeverCredentials) {
  for (const auto& path : kPaths) {
    for (const std::string origin : {"https://a.example", "http://localhost:5173", "null"}) {
      SCOPED_TRACE(path + " from " + origin);
      auto res = get(*any_, path, origin);
      ASSERT_TRUE(res);
      EXPECT_EQ(res->get_header_value("Access-Control-Allow-Origin"), "*");
      EXPECT_FALSE(res->has_header("Access-Control-Allow-Credentials"));
    }
  }
  auto pre = preflight(*any_, "/api/v1/auth/login", "https://anywhere.example");
  ASSERT_TRUE(pre);
  EXPECT_EQ(pre->status, 204);
  EXPECT_EQ(pre->get_header_value("Access-Control-Allow-Origin"), "*");
  EXPECT_FALSE(pre->has_header("Access-Control-Allow-Credentials"));
  EXPECT_NE(pre->get_header_value("Access-Control-Allow-Methods").find("POST"), std::string::npos);
}

TEST_F(EdgeCors, AListedOriginIsEchoedWithVaryAndCredentials) {
  for (const auto& path : kPaths) {
    for (const std::string origin : {"https://a.example", "https://b.example"}) {
      SCOPED_TRACE(path + " from " + origin);
      auto res = get(*list_, path, origin);
      ASSERT_TRUE(res);
      EXPECT_EQ(res->get_header_value("Access-Control-Allow-Origin"), origin);
      EXPECT_EQ(res->get_header_value_count("Access-Control-Allow-Origin"), 1u);
      EXPECT_EQ(res->get_header_value("Access-Control-Allow-Credentials"), "true");
      EXPECT_TRUE(varies_on(*res, "Origin")) << ::testing::PrintToString(vary_tokens(*res));
    }
  }
  // A static file varies on both; the two must be merged, never one overwriting the other.
  auto index = get(*list_, "/", "https://a.example");
  ASSERT_TRUE(index);
  EXPECT_TRUE(varies_on(*index, "Accept-Encoding")) << ::testing::PrintToString(vary_tokens(*index));
  EXPECT_TRUE(varies_on(*index, "Origin")) << ::testing::PrintToString(vary_tokens(*index));
}

TEST_F(EdgeCors, AnOriginNotOnTheListGetsNoAllowHeaders) {
  for (const std::string origin : {"https://evil.example", "http://a.example", "https://a.example:8443",
                                   "https://a.example.evil.example", "https://sub.a.example", "null",
                                   "https://a.example,https://b.example", ""}) {
    for (const auto& path : kPaths) {
      SCOPED_TRACE(path + " from '" + origin + "'");
      auto res = get(*list_, path, origin);
      ASSERT_TRUE(res);
      EXPECT_FALSE(res->has_header("Access-Control-Allow-Origin")) << res->get_header_value("Access-Control-Allow-Origin");
      EXPECT_FALSE(res->has_header("Access-Control-Allow-Credentials"));
    }
    SCOPED_TRACE("preflight from '" + origin + "'");
    auto pre = preflight(*list_, "/api/v1/auth/login", origin);
    ASSERT_TRUE(pre);
    EXPECT_FALSE(pre->has_header("Access-Control-Allow-Origin"));
    EXPECT_FALSE(pre->has_header("Access-Control-Allow-Methods"));
    EXPECT_FALSE(pre->has_header("Access-Control-Allow-Headers"));
    EXPECT_FALSE(pre->has_header("Access-Control-Allow-Credentials"));
  }
}

TEST_F(EdgeCors, PreflightFromAnAllowedOriginIs204WithMethodsHeadersAndMaxAge) {
  for (const std::string path : {"/api/v1/auth/login", "/api/v1/agents/42", "/health", "/api/v1/nope"}) {
    SCOPED_TRACE(path);
    auto res = preflight(*list_, path, "https://b.example");
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 204);
    EXPECT_TRUE(res->body.empty());
    EXPECT_EQ(res->get_header_value("Access-Control-Allow-Origin"), "https://b.example");
    EXPECT_EQ(res->get_header_value("Access-Control-Allow-Credentials"), "true");
    EXPECT_TRUE(varies_on(*res, "Origin"));
    const std::string methods = res->get_header_value("Access-Control-Allow-Methods");
    for (const char* m : {"GET", "POST", "PUT", "PATCH", "DELETE"})
      EXPECT_NE(methods.find(m), std::string::npos) << m << " missing from " << methods;
    const std::string headers = lower(res->get_header_value("Access-Control-Allow-Headers"));
    for (const char* h : {"authorization", "content-type", "x-requested-with"})
      EXPECT_NE(headers.find(h), std::string::npos) << h << " missing from " << headers;
    const std::string max_age = res->get_header_value("Access-Control-Max-Age");
    ASSERT_FALSE(max_age.empty());
    EXPECT_GT(std::atol(max_age.c_str()), 0) << max_age;
  }
}

TEST_F(EdgeCors, PreflightResponsesCarryNoContentLength) {
  // RFC 9110 §8.6: a server MUST NOT send Content-Length in a 204 response.
  for (const ServerProcess* s : {list_.get(), any_.get()}) {
    auto res = preflight(*s, "/api/v1/auth/login", "https://a.example");
    ASSERT_TRUE(res);
    ASSERT_EQ(res->status, 204);
    EXPECT_FALSE(res->has_header("Content-Length")) << res->get_header_value("Content-Length");
  }
}

TEST_F(EdgeCors, ErrorsRaisedBeforeRoutingCarryCorsToo) {
  // A cross-origin dashboard must be able to read a 413/414 envelope, not see a CORS failure.
  const std::string origin = "https://a.example";
  struct Case {
    std::string name;
    int status;
    std::function<httplib::Result(httplib::Client&)> send;
  };
  const std::vector<Case> cases = {
      {"413", 413,
       [&](httplib::Client& c) {
         return c.Post("/api/v1/nope", {{"Origin", origin}}, std::string((1 << 20) + 1, ' '), "application/json");
       }},
      {"414", 414, [&](httplib::Client& c) { return c.Get("/" + std::string(9000, 'a'), {{"Origin", origin}}); }},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.name);
    auto client = list_->client();
    auto res = c.send(*client);
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    ASSERT_EQ(res->status, c.status);
    EXPECT_EQ(res->get_header_value("Access-Control-Allow-Origin"), origin);
    EXPECT_EQ(res->get_header_value("Access-Control-Allow-Credentials"), "true");
    EXPECT_TRUE(varies_on(*res, "Origin"));
  }
}

TEST_F(EdgeCors, TheLegacyVariableIsReadOnlyWhenTheNewOneIsUnset) {
  auto legacy = get(*legacy_, "/health", "https://legacy.example");
  ASSERT_TRUE(legacy);
  EXPECT_EQ(legacy->get_header_value("Access-Control-Allow-Origin"), "https://legacy.example");
  EXPECT_EQ(legacy->get_header_value("Access-Control-Allow-Credentials"), "true");
  auto legacy_other = get(*legacy_, "/health", "https://a.example");
  ASSERT_TRUE(legacy_other);
  EXPECT_FALSE(legacy_other->has_header("Access-Control-Allow-Origin"));
  auto legacy_pre = preflight(*legacy_, "/api/v1/auth/login", "https://legacy.example");
  ASSERT_TRUE(legacy_pre);
  EXPECT_EQ(legacy_pre->get_header_value("Access-Control-Allow-Origin"), "https://legacy.example");

  auto overridden = get(*both_, "/health", "https://legacy.example");
  ASSERT_TRUE(overridden);
  EXPECT_FALSE(overridden->has_header("Access-Control-Allow-Origin")) << "IRON_CORS_ORIGINS must win";
  auto fresh = get(*both_, "/health", "https://new.example");
  ASSERT_TRUE(fresh);
  EXPECT_EQ(fresh->get_header_value("Access-Control-Allow-Origin"), "https://new.example");
}

}  // namespace
