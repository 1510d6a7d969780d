// One binary at "/" and under a sub-path: --base-path / IRON_BASE_PATH moves the SPA, the API
// and health under the prefix, rewrites <base href> in index.html, and serves nothing outside.
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>

#include "support/dist_files.h"
#include "support/server_process.h"

using namespace iron::test;
namespace fs = std::filesystem;

namespace {

std::string first_asset(const std::string& ext) {
  for (const auto& e : fs::directory_iterator(dist_dir() / "assets"))
    if (e.path().extension() == ext) return "assets/" + e.path().filename().string();
  return "assets/none" + ext;
}

// dist/index.html as it must look when mounted at `base`.
std::string index_at(const std::string& base) {
  const std::string html = read_file(dist_dir() / "index.html");
  const std::string marker = "<base href=\"/\">";
  std::string out;
  size_t from = 0;
  for (size_t at; (at = html.find(marker, from)) != std::string::npos; from = at + marker.size())
    out.append(html, from, at - from).append("<base href=\"").append(base).append("\">");
  return out.append(html, from, std::string::npos);
}

void expect_json_404(const httplib::Result& res) {
  ASSERT_TRUE(res) << httplib::to_string(res.error());
  EXPECT_EQ(res->status, 404);
  EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
  const auto j = json_of(res);
  ASSERT_TRUE(j.is_object() && j.contains("error")) << res->body;
  EXPECT_EQ(j["error"].value("code", ""), "NOT_FOUND");
  EXPECT_TRUE(j["error"]["message"].is_string());
  EXPECT_TRUE(j["error"]["details"].is_object());
}

class EdgeBasePath : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    root_ = std::make_unique<ServerProcess>();
    panel_ = std::make_unique<ServerProcess>(ServerProcess::Options{.extra_args = {"--base-path", "/panel"}});
    env_ = std::make_unique<ServerProcess>(ServerProcess::Options{.env = {{"IRON_BASE_PATH", "/ops/ironpanel/"}}});
  }
  static void TearDownTestSuite() {
    root_.reset();
    panel_.reset();
    env_.reset();
  }
  void SetUp() override { ASSERT_TRUE(root_ && panel_ && env_) << "a server failed to start"; }

  static httplib::Result get(const ServerProcess& s, const std::string& path, const std::string& accept = "identity") {
    auto c = s.client();
    c->set_decompress(false);
    c->set_follow_location(false);
    return c->Get(path, {{"Accept-Encoding", accept}});
  }
  static inline std::unique_ptr<ServerProcess> root_, panel_, env_;
};

TEST_F(EdgeBasePath, AtRootTheIndexKeepsBaseHrefSlashAndIsTheBuildVerbatim) {
  ASSERT_NE(read_file(dist_dir() / "index.html").find("<base href=\"/\">"), std::string::npos)
      << "dist/index.html must carry <base href=\"/\"> for the server to rewrite";
  for (const std::string path : {"/", "/index.html", "/agents/42"}) {
    SCOPED_TRACE(path);
    auto res = get(*root_, path);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_NE(res->body.find("<base href=\"/\">"), std::string::npos);
    EXPECT_TRUE(res->body == read_file(dist_dir() / "index.html"));
  }
}

TEST_F(EdgeBasePath, UnderThePrefixTheSpaIsServedWithTheRewrittenBase) {
  const std::string expected = index_at("/panel/");
  for (const std::string path : {"/panel/", "/panel/index.html", "/panel/about", "/panel/agents/42", "/panel/about?x=1"}) {
    for (const std::string accept : {"identity", "gzip", "br", "br, gzip"}) {
      SCOPED_TRACE(path + " / " + accept);
      auto res = get(*panel_, path, accept);
      ASSERT_TRUE(res);
      EXPECT_EQ(res->status, 200);
      EXPECT_EQ(res->get_header_value("Content-Type"), "text/html; charset=utf-8");
      EXPECT_EQ(res->get_header_value("Cache-Control"), "no-cache");
      // Precompressed variants hold the un-rewritten bytes: they must not be served here.
      EXPECT_EQ(res->get_header_value("Content-Encoding"), "");
      EXPECT_EQ(res->get_header_value("Content-Length"), std::to_string(res->body.size()));
      EXPECT_NE(res->body.find("<base href=\"/panel/\">"), std::string::npos) << res->body;
      EXPECT_EQ(res->body.find("<base href=\"/\">"), std::string::npos);
      EXPECT_TRUE(res->body == expected) << res->body;
    }
  }
}

TEST_F(EdgeBasePath, TheRewrittenIndexHasItsOwnEtagAndRevalidates) {
  auto at_root = get(*root_, "/");
  auto at_panel = get(*panel_, "/panel/");
  ASSERT_TRUE(at_root && at_panel);
  const std::string etag = at_panel->get_header_value("ETag");
  ASSERT_FALSE(etag.empty());
  EXPECT_NE(etag, at_root->get_header_value("ETag")) << "different bytes need a different ETag";
  auto c = panel_->client();
  auto again = c->Get("/panel/about", {{"If-None-Match", etag}});
  ASSERT_TRUE(again);
  EXPECT_EQ(again->status, 304);
  EXPECT_TRUE(again->body.empty());
}

TEST_F(EdgeBasePath, ApiHealthAndAssetsLiveUnderThePrefix) {
  auto health = get(*panel_, "/panel/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  EXPECT_EQ(json_of(health)["status"], "ok");
  auto live = get(*panel_, "/panel/health/live");
  ASSERT_TRUE(live);
  EXPECT_EQ(live->status, 200);
  expect_json_404(get(*panel_, "/panel/api/v1/nope"));
  expect_json_404(get(*panel_, "/panel/missing.png"));

  for (const std::string ext : {".js", ".css"}) {
    const std::string asset = first_asset(ext);
    SCOPED_TRACE(asset);
    auto res = get(*panel_, "/panel/" + asset);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");
    EXPECT_TRUE(res->body == read_file(dist_dir() / asset));
    auto br = get(*panel_, "/panel/" + asset, "br");
    ASSERT_TRUE(br);
    EXPECT_EQ(br->status, 200);
    EXPECT_EQ(br->get_header_value("Vary"), "Accept-Encoding");
  }
  auto favicon = get(*panel_, "/panel/favicon.svg");
  ASSERT_TRUE(favicon);
  EXPECT_EQ(favicon->status, 200);
  EXPECT_TRUE(favicon->body == read_file(dist_dir() / "favicon.svg"));
}

TEST_F(EdgeBasePath, NothingIsServedOutsideThePrefix) {
  for (const std::string path : {"/", "/health", "/health/live", "/api/v1/nope", "/api/health", "/about",
                                 "/index.html", "/favicon.svg", "/panelx/", "/panelx/health", "/pane/",
                                 "/PANEL/"}) {
    SCOPED_TRACE(path);
    expect_json_404(get(*panel_, path));
  }
  auto asset = get(*panel_, "/" + first_asset(".js"));
  expect_json_404(asset);
}

TEST_F(EdgeBasePath, ThePrefixWithoutItsSlashRedirectsPermanently) {
  auto res = get(*panel_, "/panel");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 308);
  EXPECT_EQ(res->get_header_value("Location"), "/panel/");
  auto head = panel_->client()->Head("/panel");
  ASSERT_TRUE(head);
  EXPECT_EQ(head->status, 308);
  EXPECT_EQ(head->get_header_value("Location"), "/panel/");
}

TEST_F(EdgeBasePath, MethodRulesStillApplyUnderThePrefix) {
  auto res = panel_->client()->Post("/panel/about", "x", "text/plain");
  ASSERT_TRUE(res);
  EXPECT_EQ(res->status, 405);
  EXPECT_NE(res->get_header_value("Allow").find("GET"), std::string::npos);
  EXPECT_EQ(json_of(res)["error"].value("code", ""), "METHOD_NOT_ALLOWED");
  auto api = panel_->client()->Post("/panel/api/v1/nope", "{}", "application/json");
  expect_json_404(api);
}

TEST_F(EdgeBasePath, EnvBasePathWithNestedSegmentsWorksToo) {
  auto index = get(*env_, "/ops/ironpanel/settings");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_TRUE(index->body == index_at("/ops/ironpanel/")) << index->body;
  auto health = get(*env_, "/ops/ironpanel/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
  auto redirect = get(*env_, "/ops/ironpanel");
  ASSERT_TRUE(redirect);
  EXPECT_EQ(redirect->status, 308);
  EXPECT_EQ(redirect->get_header_value("Location"), "/ops/ironpanel/");
  expect_json_404(get(*env_, "/ops/health"));
  expect_json_404(get(*env_, "/health"));
}

}  // namespace
