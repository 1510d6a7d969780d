// The embedded dashboard over real HTTP: cache classes, SPA fallback vs real 404s, the JSON
// envelope for unknown API paths, 405 on static paths, and path traversal attempts.
// Encodings, ETags and 304s live in edge_encoding_test.cpp.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>

#include "support/api_client.h"
#include "support/dist_files.h"
#include "support/raw_http.h"

using namespace iron::test;
namespace fs = std::filesystem;

namespace {

std::vector<std::string> asset_urls() {
  std::vector<std::string> out;
  for (const auto& e : fs::directory_iterator(dist_dir() / "assets"))
    if (e.is_regular_file()) out.push_back("/assets/" + e.path().filename().string());
  std::sort(out.begin(), out.end());
  return out;
}

std::string expected_type(const std::string& url) {
  const std::string ext = fs::path(url).extension().string();
  if (ext == ".js") return "text/javascript; charset=utf-8";
  if (ext == ".css") return "text/css; charset=utf-8";
  if (ext == ".svg") return "image/svg+xml";
  if (ext == ".txt") return "text/plain; charset=utf-8";
  if (ext == ".html") return "text/html; charset=utf-8";
  return "unexpected extension " + ext;
}

bool is_strong_etag(const std::string& etag) {
  return etag.size() >= 3 && etag.front() == '"' && etag.back() == '"';
}

class EdgeStatic : public ::testing::Test {
 protected:
  static void SetUpTestSuite() { server_ = std::make_unique<ServerProcess>(); }
  static void TearDownTestSuite() { server_.reset(); }
  void SetUp() override { ASSERT_TRUE(server_) << "server failed to start"; }

  static std::unique_ptr<httplib::Client> client() {
    auto c = server_->client();
    c->set_decompress(false);  // no zlib/brotli in the test client: keep bytes as sent
    c->set_path_encode(false);  // traversal targets must reach the server verbatim
    return c;
  }
  static inline std::unique_ptr<ServerProcess> server_;
};

TEST_F(EdgeStatic, DistHasTheFilesTheseTestsNeed) {
  ASSERT_TRUE(fs::is_regular_file(dist_dir() / "index.html")) << dist_dir();
  ASSERT_TRUE(fs::is_regular_file(dist_dir() / "favicon.svg"));
  ASSERT_TRUE(fs::is_regular_file(dist_dir() / "robots.txt"));
  EXPECT_FALSE(asset_urls().empty());
}

TEST_F(EdgeStatic, HashedAssetsAreImmutableAndMatchTheBuild) {
  for (const auto& url : asset_urls()) {
    SCOPED_TRACE(url);
    auto res = client()->Get(url, {{"Accept-Encoding", "identity"}});
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");
    EXPECT_EQ(res->get_header_value("Content-Type"), expected_type(url));
    EXPECT_FALSE(res->has_header("Content-Encoding"));
    EXPECT_TRUE(is_strong_etag(res->get_header_value("ETag"))) << res->get_header_value("ETag");
    EXPECT_EQ(res->get_header_value("Content-Length"), std::to_string(res->body.size()));
    EXPECT_TRUE(res->body == read_file(dist_dir() / url.substr(1))) << "body differs from dist";
  }
}

// A large body goes out beside the response head (server/response_writer.cpp). Forty answers
// for the largest asset, asked for at once on one connection, fill the socket buffers long
// before the client reads, so the server's sends end part-way through heads and bodies: each
// answer still arrives whole, in order, byte for byte the file.
TEST_F(EdgeStatic, LargeBodiesSentInPiecesArriveWhole) {
  std::string largest;
  uintmax_t largest_size = 0;
  for (const auto& url : asset_urls())
    if (const auto size = fs::file_size(dist_dir() / url.substr(1)); size > largest_size) largest = url, largest_size = size;
  ASSERT_GT(largest_size, 4096u) << "no asset large enough to be sent beside its head";
  const std::string file = read_file(dist_dir() / largest.substr(1));
  constexpr int kAnswers = 40;
  std::string burst;
  for (int i = 0; i < kAnswers; ++i) burst += "GET " + largest + " HTTP/1.1\r\nHost: x\r\nAccept-Encoding: identity\r\n\r\n";
  RawConnection conn(server_->port());
  ASSERT_TRUE(conn.send(burst));
  for (int i = 0; i < kAnswers; ++i) {
    const auto reply = conn.read_reply(std::chrono::seconds(10));
    ASSERT_EQ(reply.status, 200) << "answer " << i;
    ASSERT_TRUE(reply.body == file) << "answer " << i << " differs from dist (" << reply.body.size() << " bytes)";
  }
}

TEST_F(EdgeStatic, IndexAndSpaFallbackAreNoCacheHtml) {
  const std::string index = read_file(dist_dir() / "index.html");
  for (const std::string path :
       {"/", "/index.html", "/about", "/agents/42", "/agents/42/", "/settings/tokens", "/about?tab=2"}) {
    SCOPED_TRACE(path);
    auto res = client()->Get(path, {{"Accept-Encoding", "identity"}});
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->get_header_value("Content-Type"), "text/html; charset=utf-8");
    EXPECT_EQ(res->get_header_value("Cache-Control"), "no-cache");
    EXPECT_TRUE(is_strong_etag(res->get_header_value("ETag")));
    EXPECT_TRUE(res->body == index) << res->body.substr(0, 200);
  }
}

TEST_F(EdgeStatic, RootFilesHaveAShortMaxAgeAndAnEtag) {
  for (const std::string url : {"/favicon.svg", "/robots.txt"}) {
    SCOPED_TRACE(url);
    auto res = client()->Get(url, {{"Accept-Encoding", "identity"}});
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->get_header_value("Content-Type"), expected_type(url));
    const std::string cc = res->get_header_value("Cache-Control");
    EXPECT_EQ(cc.find("immutable"), std::string::npos) << cc;
    EXPECT_EQ(cc.find("no-cache"), std::string::npos) << cc;
    const auto at = cc.find("max-age=");
    ASSERT_NE(at, std::string::npos) << cc;
    const long max_age = std::strtol(cc.c_str() + at + 8, nullptr, 10);
    EXPECT_GT(max_age, 0) << cc;
    EXPECT_LE(max_age, 86400) << "a root file keeps its name across releases: " << cc;
    EXPECT_TRUE(is_strong_etag(res->get_header_value("ETag")));
    EXPECT_TRUE(res->body == read_file(dist_dir() / url.substr(1)));
  }
}

TEST_F(EdgeStatic, MissingFilesAre404JsonNeverHtml) {
  for (const std::string path : {"/assets/old-abc123.js", "/assets/old-abc123.css", "/missing.png",
                                 "/favicon.ico", "/assets/no-extension", "/deep/path/app.js", "/manifest.webmanifest"}) {
    SCOPED_TRACE(path);
    expect_json_error(client()->Get(path), 404, "NOT_FOUND");
  }
}

TEST_F(EdgeStatic, UnknownApiPathsAre404JsonEnvelopes) {
  struct Case {
    std::string method, path;
  };
  const std::vector<Case> cases = {
      {"GET", "/api/v1/whatever"}, {"GET", "/api/v1/agents/42/nope"}, {"GET", "/api"},
      {"GET", "/api/"},            {"GET", "/api/v1/whatever.js"},    {"GET", "/health/nope"},
      {"GET", "/metrics"},         {"POST", "/api/v1/whatever"},      {"DELETE", "/api/v1/whatever"},
      {"PUT", "/api/v2/anything"},
  };
  for (const auto& c : cases) {
    SCOPED_TRACE(c.method + " " + c.path);
    auto cl = client();
    httplib::Result res = c.method == "GET"    ? cl->Get(c.path)
                          : c.method == "POST" ? cl->Post(c.path, "{}", "application/json")
                          : c.method == "PUT"  ? cl->Put(c.path, "{}", "application/json")
                                               : cl->Delete(c.path);
    expect_json_error(res, 404, "NOT_FOUND");
  }
}

TEST_F(EdgeStatic, OtherMethodsOnStaticPathsAre405WithAllow) {
  const std::string js = asset_urls().front();
  for (const std::string& path : {std::string("/"), std::string("/index.html"), std::string("/about"), js,
                                 std::string("/robots.txt")}) {
    for (const std::string method : {"POST", "PUT", "PATCH", "DELETE"}) {
      SCOPED_TRACE(method + " " + path);
      auto cl = client();
      httplib::Result res = method == "POST"  ? cl->Post(path, "x", "text/plain")
                            : method == "PUT" ? cl->Put(path, "x", "text/plain")
                            : method == "PATCH" ? cl->Patch(path, "x", "text/plain")
                                                : cl->Delete(path);
      expect_json_error(res, 405, "METHOD_NOT_ALLOWED");
      if (!res) continue;
      const std::string allow = res->get_header_value("Allow");
      EXPECT_NE(allow.find("GET"), std::string::npos) << allow;
      EXPECT_NE(allow.find("HEAD"), std::string::npos) << allow;
      EXPECT_EQ(allow.find(method), std::string::npos) << allow;
    }
  }
}

TEST_F(EdgeStatic, PathTraversalNeverLeavesTheEmbeddedTable) {
  const std::string index = read_file(dist_dir() / "index.html");
  const std::string robots = read_file(dist_dir() / "robots.txt");
  const std::vector<std::string> targets = {
      "/../etc/passwd",
      "/../../../../../../etc/passwd",
      "/assets/../../etc/passwd",
      "/assets/../index.html",
      "/assets/../robots.txt",
      "/%2e%2e/%2e%2e/etc/passwd",
      "/%2E%2E/%2E%2E/etc/passwd",
      "/.%2e/.%2e/etc/passwd",
      "/assets/%2e%2e%2f%2e%2e%2fetc%2fpasswd",
      "/assets/%252e%252e/%252e%252e/etc/passwd",
      "/..\\..\\etc\\passwd",
      "/assets\\..\\..\\etc\\passwd",
      "/..%5c..%5cetc%5cpasswd",
      "/%00",
      "/robots.txt%00.html",
      "/index.html%00",
      "/etc/passwd%00.png",
      "//etc/passwd",
      "///etc/passwd",
      "/assets//etc/passwd",
      "/./robots.txt",
      "/%2e/robots.txt",
      "/..;/etc/passwd",
      "/favicon.svg/..",
      "/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd",
      "/about/..%2f..%2f..%2fetc%2fpasswd",
      "/proc/self/environ",
      "/etc/passwd",
  };
  for (const auto& target : targets) {
    SCOPED_TRACE(target);
    auto res = client()->Get(target, {{"Accept-Encoding", "identity"}});
    ASSERT_TRUE(res) << httplib::to_string(res.error());
    EXPECT_EQ(res->body.find("root:"), std::string::npos) << "file contents leaked";
    EXPECT_EQ(res->body.find("PATH="), std::string::npos) << "environment leaked";
    if (res->status == 200) {
      // Only the SPA fallback may answer 200; never a file reached by an alternative spelling.
      EXPECT_TRUE(res->body == index) << res->body.substr(0, 200);
      EXPECT_EQ(res->get_header_value("Content-Type"), "text/html; charset=utf-8");
    } else {
      expect_json_error(res, 404, "NOT_FOUND");
    }
    EXPECT_FALSE(res->body == robots) << "robots.txt served through a traversal spelling";
  }
  auto health = client()->Get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

}  // namespace
