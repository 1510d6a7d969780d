// The development flag --assets-dir: the same serving rules from a directory on disk, edits
// visible without a restart, and no way out of that directory (traversal, symlinks, FIFOs).
#include <gtest/gtest.h>
#include <sys/stat.h>

#include <cstdlib>
#include <filesystem>

#include "support/dist_files.h"
#include "support/server_process.h"

using namespace iron::test;
namespace fs = std::filesystem;

namespace {

constexpr const char* kSecret = "root:x:0:0:SECRET-OUTSIDE-THE-ASSETS-DIR";

class EdgeAssetsDir : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    top_ = make_temp_dir();
    const fs::path site = top_ / "site";
    fs::copy(dist_dir(), site, fs::copy_options::recursive);
    write_file(top_ / "secret.txt", kSecret);
    fs::create_directory(top_ / "secret-dir");
    write_file(top_ / "secret-dir" / "key.txt", kSecret);
    fs::create_symlink(top_ / "secret.txt", site / "leak.txt");
    fs::create_symlink("../secret.txt", site / "relative-leak.txt");
    fs::create_directory_symlink(top_ / "secret-dir", site / "assets" / "escape");
    mkfifo((site / "pipe.txt").c_str(), 0600);
    fs::create_directory(site / "folder.js");
    server_ = std::make_unique<ServerProcess>(ServerProcess::Options{.extra_args = {"--assets-dir", site.string()}});
  }
  static void TearDownTestSuite() {
    server_.reset();
    std::error_code ec;
    fs::remove_all(top_, ec);
  }
  void SetUp() override { ASSERT_TRUE(server_) << "server failed to start"; }
  static httplib::Result get(const std::string& target, const httplib::Headers& h = {}) {
    auto c = server_->client();
    c->set_path_encode(false);
    c->set_read_timeout(5);
    return c->Get(target, h);
  }
  static inline fs::path top_;
  static inline std::unique_ptr<ServerProcess> server_;
};

TEST_F(EdgeAssetsDir, ServesTheDirectoryWithTheSameRules) {
  for (const auto& e : fs::directory_iterator(dist_dir() / "assets")) {
    const std::string url = "/assets/" + e.path().filename().string();
    SCOPED_TRACE(url);
    auto res = get(url);
    ASSERT_TRUE(res);
    EXPECT_EQ(res->status, 200);
    EXPECT_EQ(res->get_header_value("Cache-Control"), "public, max-age=31536000, immutable");
    EXPECT_TRUE(res->body == read_file(e.path()));
  }
  auto index = get("/agents/42");
  ASSERT_TRUE(index);
  EXPECT_EQ(index->status, 200);
  EXPECT_EQ(index->get_header_value("Cache-Control"), "no-cache");
  EXPECT_TRUE(index->body == read_file(dist_dir() / "index.html"));
  auto missing = get("/assets/old-abc123.js");
  ASSERT_TRUE(missing);
  EXPECT_EQ(missing->status, 404);
  EXPECT_EQ(missing->get_header_value("Content-Type"), "application/json");
}

TEST_F(EdgeAssetsDir, EditsOnDiskAreServedWithoutARestart) {
  const fs::path robots = top_ / "site" / "robots.txt";
  auto before = get("/robots.txt");
  ASSERT_TRUE(before);
  ASSERT_EQ(before->status, 200);
  write_file(robots, "User-agent: *\nAllow: /edited\n");
  auto after = get("/robots.txt");
  ASSERT_TRUE(after);
  EXPECT_EQ(after->status, 200);
  EXPECT_EQ(after->body, "User-agent: *\nAllow: /edited\n");
  EXPECT_NE(after->get_header_value("ETag"), before->get_header_value("ETag"));
  auto revalidate = get("/robots.txt", {{"If-None-Match", before->get_header_value("ETag")}});
  ASSERT_TRUE(revalidate);
  EXPECT_EQ(revalidate->status, 200) << "a stale ETag must not get a 304";
}

TEST_F(EdgeAssetsDir, NothingOutsideTheDirectoryIsReachable) {
  const std::string index = read_file(dist_dir() / "index.html");
  for (const std::string target :
       {"/leak.txt", "/relative-leak.txt", "/assets/escape/key.txt", "/../secret.txt", "/assets/../../secret.txt",
        "/%2e%2e/secret.txt", "/..%2fsecret.txt", "/assets/%2e%2e%2f%2e%2e%2fsecret.txt", "/..\\secret.txt",
        "/..%5csecret.txt", "/%2e%2e/secret-dir/key.txt", "//secret.txt", "/secret.txt%00.js",
        "/pipe.txt", "/folder.js", "/folder.js/", "/assets/escape", "/assets/escape/"}) {
    SCOPED_TRACE(target);
    auto res = get(target);
    ASSERT_TRUE(res) << httplib::to_string(res.error()) << " (a FIFO must not hang the request)";
    EXPECT_EQ(res->body.find("SECRET"), std::string::npos) << "file outside --assets-dir leaked";
    if (res->status == 200) {
      EXPECT_TRUE(res->body == index) << res->body.substr(0, 200);
    } else {
      EXPECT_EQ(res->status, 404);
      EXPECT_EQ(res->get_header_value("Content-Type"), "application/json");
    }
  }
  auto health = get("/health");
  ASSERT_TRUE(health);
  EXPECT_EQ(health->status, 200);
}

}  // namespace
