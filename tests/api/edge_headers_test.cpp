// Security headers on every kind of response (JSON, HTML, assets, 204, 304, 404, 405, 413, 414,
// 400, HEAD), exactly once each; HSTS only with IRON_HSTS=1; an index.html that works under CSP.
#include <gtest/gtest.h>

#include <cstdlib>
#include <functional>

#include "support/server_process.h"

using iron::test::ServerProcess;

namespace {

struct Case {
  std::string name;
  int status;
  std::function<httplib::Result(httplib::Client&)> send;
};

std::vector<Case> response_kinds() {
  return {
      {"JSON 200", 200, [](httplib::Client& c) { return c.Get("/health"); }},
      {"HTML 200", 200, [](httplib::Client& c) { return c.Get("/"); }},
      {"SPA fallback 200", 200, [](httplib::Client& c) { return c.Get("/agents/42"); }},
      {"br asset 200", 200, [](httplib::Client& c) { return c.Get("/robots.txt", {{"Accept-Encoding", "br"}}); }},
      {"HEAD 200", 200, [](httplib::Client& c) { return c.Head("/"); }},
      {"304", 304,
       [](httplib::Client& c) {
         auto first = c.Get("/");
         const std::string etag = first ? first->get_header_value("ETag") : "";
         return c.Get("/", {{"If-None-Match", etag}});
       }},
      {"OPTIONS 204", 204, [](httplib::Client& c) { return c.Options("/health"); }},
      {"API 404", 404, [](httplib::Client& c) { return c.Get("/api/v1/nope"); }},
      {"static 404", 404, [](httplib::Client& c) { return c.Get("/assets/old-abc123.js"); }},
      {"405", 405, [](httplib::Client& c) { return c.Post("/about", "x", "text/plain"); }},
      {"413", 413, [](httplib::Client& c) { return c.Post("/api/v1/nope", std::string(4096, 'x'), "text/plain"); }},
      {"414", 414, [](httplib::Client& c) { return c.Get("/" + std::string(9000, 'a')); }},
      {"400 header too large", 400,
       [](httplib::Client& c) { return c.Get("/health", {{"X-Big", std::string(9000, 'b')}}); }},
  };
}

void expect_security_headers(const httplib::Response& res) {
  const auto once = [&](const char* name) {
    EXPECT_EQ(res.get_header_value_count(name), 1u) << name;
    return res.get_header_value(name);
  };
  EXPECT_EQ(once("X-Content-Type-Options"), "nosniff");
  const std::string referrer = once("Referrer-Policy");
  EXPECT_TRUE(referrer == "no-referrer" || referrer == "strict-origin") << referrer;
  EXPECT_EQ(once("X-Frame-Options"), "DENY");
  const std::string csp = once("Content-Security-Policy");
  EXPECT_NE(csp.find("default-src 'self'"), std::string::npos) << csp;
  EXPECT_NE(csp.find("frame-ancestors 'none'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("'unsafe-inline'"), std::string::npos) << csp;
  EXPECT_EQ(csp.find("'unsafe-eval'"), std::string::npos) << csp;
  EXPECT_EQ(once("Cross-Origin-Opener-Policy"), "same-origin");
  const std::string permissions = once("Permissions-Policy");
  for (const char* feature : {"camera=()", "microphone=()", "geolocation=()", "payment=()", "usb=()"})
    EXPECT_NE(permissions.find(feature), std::string::npos) << feature << " not denied in " << permissions;
  EXPECT_FALSE(once("X-Request-Id").empty());
}

class EdgeHeaders : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    plain_ = std::make_unique<ServerProcess>(ServerProcess::Options{.extra_args = {"--max-body-bytes", "2048"}});
    hsts_ = std::make_unique<ServerProcess>(
        ServerProcess::Options{.extra_args = {"--max-body-bytes", "2048"}, .env = {{"IRON_HSTS", "1"}}});
  }
  static void TearDownTestSuite() {
    plain_.reset();
    hsts_.reset();
  }
  void SetUp() override { ASSERT_TRUE(plain_ && hsts_) << "a server failed to start"; }
  static std::unique_ptr<httplib::Client> client(const ServerProcess& s) {
    auto c = s.client();
    c->set_decompress(false);
    return c;
  }
  // `kind` sent to `server`, answered with its status and the security headers; the answer,
  // for the checks that differ between the two servers.
  static httplib::Result answer(const ServerProcess& server, const Case& kind) {
    auto res = kind.send(*client(server));
    if (!res) {
      ADD_FAILURE() << "no answer: " << httplib::to_string(res.error());
      return res;
    }
    EXPECT_EQ(res->status, kind.status);
    expect_security_headers(*res);
    return res;
  }
  static inline std::unique_ptr<ServerProcess> plain_, hsts_;
};

TEST_F(EdgeHeaders, EveryResponseKindCarriesTheSecurityHeadersAndNoHstsByDefault) {
  for (const auto& kind : response_kinds()) {
    SCOPED_TRACE(kind.name);
    const auto res = answer(*plain_, kind);
    ASSERT_TRUE(res);
    EXPECT_FALSE(res->has_header("Strict-Transport-Security")) << res->get_header_value("Strict-Transport-Security");
  }
}

TEST_F(EdgeHeaders, HstsIsSentOnEveryResponseKindWhenEnabled) {
  for (const auto& kind : response_kinds()) {
    SCOPED_TRACE(kind.name);
    const auto res = answer(*hsts_, kind);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->get_header_value_count("Strict-Transport-Security"), 1u);
    const std::string hsts = res->get_header_value("Strict-Transport-Security");
    const auto at = hsts.find("max-age=");
    ASSERT_NE(at, std::string::npos) << hsts;
    EXPECT_GE(std::atol(hsts.c_str() + at + 8), 86400) << hsts;
  }
}

TEST_F(EdgeHeaders, ScriptsInTheServedIndexAreExternalSoTheStrictCspHolds) {
  auto res = client(*plain_)->Get("/", {{"Accept-Encoding", "identity"}});
  ASSERT_TRUE(res);
  ASSERT_EQ(res->status, 200);
  const std::string& html = res->body;
  size_t scripts = 0;
  for (size_t at = html.find("<script"); at != std::string::npos; at = html.find("<script", at + 1)) {
    ++scripts;
    const std::string tag = html.substr(at, html.find('>', at) - at);
    EXPECT_NE(tag.find(" src="), std::string::npos) << "inline script blocked by CSP: " << tag;
    const size_t close = html.find("</script>", at);
    ASSERT_NE(close, std::string::npos);
    EXPECT_EQ(close, html.find('>', at) + 1) << "script element has inline content";
  }
  EXPECT_GE(scripts, 1u);
  EXPECT_EQ(html.find("<style"), std::string::npos) << "inline <style> is blocked by style-src 'self'";
  EXPECT_EQ(html.find(" style=\""), std::string::npos);
  EXPECT_EQ(html.find(" onload="), std::string::npos);
}

}  // namespace
