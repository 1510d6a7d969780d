// Which request paths may reach an AssetSource, and base path normalisation.
#include <gtest/gtest.h>

#include <stdexcept>
#include <string>
#include <string_view>

#include "web/request_path.h"

namespace iron::web {
namespace {

using namespace std::string_view_literals;

struct PathCase {
    std::string_view path;
    bool clean;
};

TEST(WebRequestPath, CleanRequestPaths) {
    const PathCase cases[] = {
        {"/", true},
        {"/index.html", true},
        {"/assets/app-abc123.js", true},
        {"/settings", true},
        {"/settings/", true},  // one trailing slash: an SPA route
        {"/users/42/edit", true},
        {"/caf\xc3\xa9", true},  // UTF-8 after decoding
        {"/100%", true},         // a lone '%' is not an escape
        {"/a%zz", true},
        {"", false},
        {"index.html", false},  // must start with '/'
        {"/..", false},
        {"/../etc/passwd", false},
        {"/assets/../../etc/passwd", false},
        {"/assets/../index.html", false},
        {"/a..b.js", false},  // any ".." at all
        {"/.", false},
        {"/./index.html", false},
        {"/assets/./app.js", false},
        {"/assets/.", false},
        {"//", false},
        {"//etc/passwd", false},
        {"/assets//app.js", false},
        {"/settings//", false},
        {"/%2e%2e/etc/passwd", false},
        {"/%2E%2E", false},
        {"/assets%2fapp.js", false},
        {"/a%00", false},
        {"/assets\\app.js", false},
        {"/..\\..\\windows", false},
        {"/a\0b"sv, false},
        {"/index.html\0.png"sv, false},
        {"/a\nb", false},
        {"/a\x7f", false},
    };
    for (const PathCase& c : cases) {
        EXPECT_EQ(is_clean_request_path(c.path), c.clean) << '"' << std::string(c.path) << '"';
    }
}

TEST(WebRequestPath, RelativePathsRejectLeadingSlash) {
    EXPECT_TRUE(is_clean_relative_path(""));
    EXPECT_TRUE(is_clean_relative_path("assets/app.js"));
    EXPECT_FALSE(is_clean_relative_path("/etc/passwd"));
    EXPECT_FALSE(is_clean_relative_path("../secret"));
}

TEST(WebRequestPath, NormalizesBasePath) {
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"", "/"},
        {"/", "/"},
        {"/panel", "/panel/"},
        {"/panel/", "/panel/"},
        {"/ops/iron-panel_2", "/ops/iron-panel_2/"},
        {"/a~b.c", "/a~b.c/"},
    };
    for (const auto& [in, out] : cases) EXPECT_EQ(normalize_base_path(in), out) << in;
}

TEST(WebRequestPath, RejectsUnsafeBasePath) {
    const std::string_view cases[] = {
        "panel", "//", "/a//b", "/./x", "/../x", "/a/..", "/a b",
        "/a\"b", "/<script>", "/a&b", "/a'b", "/a%2f", "/a\\b",
    };
    for (std::string_view in : cases) {
        EXPECT_THROW(normalize_base_path(in), std::invalid_argument) << in;
    }
}

}  // namespace
}  // namespace iron::web
