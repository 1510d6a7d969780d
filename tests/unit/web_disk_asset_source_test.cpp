// DiskAssetSource (--assets-dir) against a real temp directory: reads, live edits, and every
// way out of the root we could think of.
#include <gtest/gtest.h>
#include <stdlib.h>
#include <sys/stat.h>

#include <filesystem>
#include <memory>
#include <stdexcept>
#include <string>
#include <string_view>

#include "support/files.h"
#include "web/disk_asset_source.h"
#include "web/etag.h"
#include "web/static_site.h"

namespace iron::web {
namespace {

namespace fs = std::filesystem;
using namespace std::string_view_literals;
using iron::test::write_file;

// <tmp>/site is the root; <tmp>/outside holds what must never be served.
class WebDiskAssetSource : public ::testing::Test {
protected:
    void SetUp() override {
        std::string tmpl = (fs::temp_directory_path() / "ironpanel-web-XXXXXX").string();
        ASSERT_NE(::mkdtemp(tmpl.data()), nullptr);
        tmp_ = tmpl;
        root_ = tmp_ / "site";
        write_file(root_ / "index.html", R"(<html><head><base href="/"></head></html>)");
        write_file(root_ / "assets/app-abc123.js", "console.log('hi')");
        write_file(root_ / "robots.txt", "User-agent: *");
        write_file(tmp_ / "outside/secret.txt", "TOP SECRET");
        write_file(tmp_ / "site-evil/secret.txt", "PREFIX TRICK");  // shares the root's prefix
        fs::create_symlink(tmp_ / "outside/secret.txt", root_ / "leak.txt");
        fs::create_symlink(tmp_ / "outside", root_ / "outdir");
        fs::create_symlink("../../outside/secret.txt", root_ / "assets/rel-leak.js");
        fs::create_symlink("../site-evil/secret.txt", root_ / "evil.txt");
        fs::create_symlink("app-abc123.js", root_ / "assets/alias.js");  // stays inside: fine
        fs::create_symlink("/etc/passwd", root_ / "abs.txt");
        ASSERT_EQ(::mkfifo((root_ / "pipe.txt").c_str(), 0600), 0);
    }
    void TearDown() override { fs::remove_all(tmp_); }

    fs::path tmp_;
    fs::path root_;
};

TEST_F(WebDiskAssetSource, ReadsFilesWithEtagAndType) {
    const DiskAssetSource source(root_);
    EXPECT_FALSE(source.immutable());
    const auto js = source.find("assets/app-abc123.js");
    ASSERT_TRUE(js.has_value());
    EXPECT_EQ(js->identity.bytes, "console.log('hi')");
    EXPECT_EQ(js->identity.etag, strong_etag("console.log('hi')"));
    EXPECT_EQ(js->content_type, "text/javascript; charset=utf-8");
    EXPECT_FALSE(js->gzip.present());
    EXPECT_FALSE(js->brotli.present());

    const auto alias = source.find("assets/alias.js");
    ASSERT_TRUE(alias.has_value());
    EXPECT_EQ(alias->identity.bytes, "console.log('hi')");
}

TEST_F(WebDiskAssetSource, SeesEditsWithoutRestart) {
    const DiskAssetSource source(root_);
    const std::string before(source.find("robots.txt")->identity.etag);
    write_file(root_ / "robots.txt", "User-agent: *\nDisallow: /");
    const auto after = source.find("robots.txt");
    ASSERT_TRUE(after.has_value());
    EXPECT_EQ(after->identity.bytes, "User-agent: *\nDisallow: /");
    EXPECT_NE(after->identity.etag, before);
}

TEST_F(WebDiskAssetSource, NeverLeavesTheRoot) {
    const DiskAssetSource source(root_);
    const std::string_view paths[] = {
        "leak.txt",                  // symlink to a file outside
        "outdir/secret.txt",         // through a symlinked directory
        "assets/rel-leak.js",        // relative symlink climbing out
        "evil.txt",                  // sibling dir sharing the root's name as a prefix
        "abs.txt",                   // absolute symlink
        "../outside/secret.txt",
        "assets/../../outside/secret.txt",
        "/etc/passwd",               // would make root / path absolute
        "%2e%2e/outside/secret.txt",
        "..\\outside\\secret.txt",
        "assets//app-abc123.js",
        "./robots.txt",
        "robots.txt\0.png"sv,
        "assets",                    // a directory
        "assets/",
        "",
        "pipe.txt",                  // not a regular file (would block on open)
        "missing.js",
    };
    for (std::string_view path : paths) {
        EXPECT_FALSE(source.find(path).has_value()) << '"' << std::string(path) << '"';
    }
}

TEST_F(WebDiskAssetSource, RejectsMissingRoot) {
    EXPECT_THROW(DiskAssetSource(tmp_ / "nope"), std::runtime_error);
    EXPECT_THROW(DiskAssetSource(root_ / "robots.txt"), std::runtime_error);
}

TEST_F(WebDiskAssetSource, ServesThroughStaticSiteWithRewritePerRequest) {
    const StaticSite site(std::make_unique<DiskAssetSource>(root_), "/panel/");
    const StaticResponse first = site.serve({"GET", "/settings", "br, gzip", ""});
    EXPECT_EQ(first.status, 200);
    EXPECT_EQ(first.body, R"(<html><head><base href="/panel/"></head></html>)");
    ASSERT_NE(first.body_owner, nullptr);

    write_file(root_ / "index.html", R"(<html><head><base href="/"></head><body>v2</body></html>)");
    const StaticResponse second = site.serve({"GET", "/", "", ""});
    EXPECT_EQ(second.body, R"(<html><head><base href="/panel/"></head><body>v2</body></html>)");
    EXPECT_EQ(first.body, R"(<html><head><base href="/panel/"></head></html>)");  // still alive

    EXPECT_EQ(site.serve({"GET", "/leak.txt", "", ""}).status, 404);
    EXPECT_EQ(site.serve({"GET", "/outdir/secret.txt", "", ""}).status, 404);
    EXPECT_EQ(site.serve({"GET", "/assets/app-abc123.js", "", ""}).status, 200);

    fs::remove(root_ / "index.html");
    EXPECT_FALSE(site.has_index());
    EXPECT_EQ(site.serve({"GET", "/", "", ""}).status, 503);
}

}  // namespace
}  // namespace iron::web
