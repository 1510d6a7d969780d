// StaticSite's serving rules over a hand-built table, through the production
// EmbeddedAssetSource. Variant bytes are stand-ins: StaticSite never decodes them.
#include <gtest/gtest.h>

#include <memory>
#include <optional>
#include <span>
#include <stdexcept>
#include <string>
#include <string_view>

#include "web/embedded_asset_source.h"
#include "web/etag.h"
#include "web/static_site.h"

namespace iron::web {
namespace {

using namespace std::string_view_literals;

constexpr std::string_view kIndex =
    R"(<!doctype html><html><head><base href="/"><script type="module" src="./assets/app-abc123.js"></script></head><body></body></html>)";
constexpr std::string_view kJs = "text/javascript; charset=utf-8";
constexpr std::string_view kHtml = "text/html; charset=utf-8";

constexpr EmbeddedAsset kTable[] = {
    {"assets/app-abc123.js", kJs, "JS-IDENTITY", "JS-GZ", "JS-BR", "\"js-id\"", "\"js-gz\"", "\"js-br\""},
    {"assets/style-def456.css", "text/css; charset=utf-8", "CSS-IDENTITY", "CSS-GZ", {}, "\"css-id\"", "\"css-gz\"", ""},
    {"assets/tiny-1.svg", "image/svg+xml", "<svg/>", {}, {}, "\"tiny-id\"", "", ""},
    {"favicon.svg", "image/svg+xml", "<svg>fav</svg>", {}, {}, "\"fav-id\"", "", ""},
    {"index.html", kHtml, kIndex, "IDX-GZ", "IDX-BR", "\"idx-id\"", "\"idx-gz\"", "\"idx-br\""},
    {"robots.txt", "text/plain; charset=utf-8", "User-agent: *", "RB-GZ", {}, "\"rb-id\"", "\"rb-gz\"", ""},
};

constexpr std::string_view kImmutable = "public, max-age=31536000, immutable";
constexpr std::string_view kNoCache = "no-cache";
constexpr std::string_view kShort = "public, max-age=300";
constexpr std::string_view kAbsent = "<absent>";

StaticSite make_site(std::span<const EmbeddedAsset> table = kTable, std::string_view base = "/") {
    return StaticSite(std::make_unique<EmbeddedAssetSource>(table), base);
}

std::string_view header(const StaticResponse& r, std::string_view name) {
    for (const auto& [k, v] : r.headers) {
        if (k == name) return v;
    }
    return kAbsent;
}

struct Case {
    const char* name;
    std::string_view method = "GET";
    std::string_view path;
    std::string_view accept_encoding = "";
    std::string_view if_none_match = "";
    int status = 200;
    std::string_view body = "";
    std::string_view content_type = "";
    std::string_view cache_control = kAbsent;
    std::string_view etag = kAbsent;
    std::string_view content_encoding = kAbsent;
    std::string_view error = "";
};

void check(const StaticSite& site, const Case& c) {
    SCOPED_TRACE(c.name);
    const StaticResponse r = site.serve({c.method, c.path, c.accept_encoding, c.if_none_match});
    EXPECT_EQ(r.status, c.status);
    EXPECT_EQ(r.body, c.body);
    EXPECT_EQ(r.content_type, c.content_type);
    EXPECT_EQ(r.error, c.error);
    EXPECT_EQ(header(r, "Cache-Control"), c.cache_control);
    EXPECT_EQ(header(r, "ETag"), c.etag);
    EXPECT_EQ(header(r, "Content-Encoding"), c.content_encoding);
    const bool success = c.status == 200 || c.status == 304;
    EXPECT_EQ(header(r, "Vary"), success ? "Accept-Encoding"sv : kAbsent);
    EXPECT_EQ(header(r, "Allow"), c.status == 405 ? "GET, HEAD"sv : kAbsent);
}

TEST(WebStaticSite, CacheClassesAndFallback) {
    const StaticSite site = make_site();
    const Case cases[] = {
        {.name = "root is index", .path = "/", .body = kIndex, .content_type = kHtml,
         .cache_control = kNoCache, .etag = "\"idx-id\""},
        {.name = "index.html by name", .path = "/index.html", .body = kIndex, .content_type = kHtml,
         .cache_control = kNoCache, .etag = "\"idx-id\""},
        {.name = "hashed asset", .path = "/assets/app-abc123.js", .body = "JS-IDENTITY",
         .content_type = kJs, .cache_control = kImmutable, .etag = "\"js-id\""},
        {.name = "root file", .path = "/favicon.svg", .body = "<svg>fav</svg>",
         .content_type = "image/svg+xml", .cache_control = kShort, .etag = "\"fav-id\""},
        {.name = "robots", .path = "/robots.txt", .body = "User-agent: *",
         .content_type = "text/plain; charset=utf-8", .cache_control = kShort, .etag = "\"rb-id\""},
        {.name = "SPA route", .path = "/settings", .body = kIndex, .content_type = kHtml,
         .cache_control = kNoCache, .etag = "\"idx-id\""},
        {.name = "nested SPA route", .path = "/users/42/edit", .body = kIndex, .content_type = kHtml,
         .cache_control = kNoCache, .etag = "\"idx-id\""},
        {.name = "SPA route with slash", .path = "/settings/", .body = kIndex,
         .content_type = kHtml, .cache_control = kNoCache, .etag = "\"idx-id\""},
        {.name = "SPA route named assets", .path = "/assets", .body = kIndex,
         .content_type = kHtml, .cache_control = kNoCache, .etag = "\"idx-id\""},
        {.name = "SPA fallback negotiates too", .path = "/budget", .accept_encoding = "br",
         .body = "IDX-BR", .content_type = kHtml, .cache_control = kNoCache,
         .etag = "\"idx-br\"", .content_encoding = "br"},
        {.name = "stale chunk", .path = "/assets/old-abc123.js", .status = 404, .error = "not_found"},
        {.name = "missing root file", .path = "/missing.png", .status = 404, .error = "not_found"},
        {.name = "missing nested file", .path = "/docs/guide.pdf", .status = 404, .error = "not_found"},
        {.name = "no fallback under assets", .path = "/assets/chunk", .status = 404, .error = "not_found"},
        {.name = "assets dir", .path = "/assets/", .status = 404, .error = "not_found"},
        {.name = "HEAD like GET", .method = "HEAD", .path = "/assets/app-abc123.js",
         .body = "JS-IDENTITY", .content_type = kJs, .cache_control = kImmutable, .etag = "\"js-id\""},
        {.name = "POST", .method = "POST", .path = "/", .status = 405, .error = "method_not_allowed"},
        {.name = "PUT asset", .method = "PUT", .path = "/assets/app-abc123.js", .status = 405,
         .error = "method_not_allowed"},
        {.name = "DELETE missing", .method = "DELETE", .path = "/nope.js", .status = 405,
         .error = "method_not_allowed"},
        {.name = "OPTIONS", .method = "OPTIONS", .path = "/", .status = 405, .error = "method_not_allowed"},
        {.name = "lowercase get", .method = "get", .path = "/", .status = 405, .error = "method_not_allowed"},
    };
    for (const Case& c : cases) check(site, c);
}

TEST(WebStaticSite, Encodings) {
    const StaticSite site = make_site();
    const auto js = [](const char* name, std::string_view ae, std::string_view body,
                       std::string_view etag, std::string_view ce) {
        return Case{.name = name, .path = "/assets/app-abc123.js", .accept_encoding = ae, .body = body,
                    .content_type = kJs, .cache_control = kImmutable, .etag = etag,
                    .content_encoding = ce};
    };
    const Case cases[] = {
        js("none", "", "JS-IDENTITY", "\"js-id\"", kAbsent),
        js("browser", "gzip, deflate, br, zstd", "JS-BR", "\"js-br\"", "br"),
        js("gzip only", "gzip", "JS-GZ", "\"js-gz\"", "gzip"),
        js("br refused", "br;q=0, gzip", "JS-GZ", "\"js-gz\"", "gzip"),
        js("both refused", "br;q=0, gzip;q=0", "JS-IDENTITY", "\"js-id\"", kAbsent),
        js("wildcard", "*", "JS-BR", "\"js-br\"", "br"),
        js("wildcard refused", "*;q=0", "JS-IDENTITY", "\"js-id\"", kAbsent),
        js("wildcard refused but gzip", "*;q=0, gzip", "JS-GZ", "\"js-gz\"", "gzip"),
        js("wildcard minus br", "*, br;q=0", "JS-GZ", "\"js-gz\"", "gzip"),
        js("identity refused", "identity;q=0", "JS-IDENTITY", "\"js-id\"", kAbsent),
        js("case and spaces", "  GZIP ; Q=0.5 , Br ; q=0 ", "JS-GZ", "\"js-gz\"", "gzip"),
        js("unknown codings", "deflate, zstd", "JS-IDENTITY", "\"js-id\"", kAbsent),
        {.name = "gzip-only asset", .path = "/assets/style-def456.css", .accept_encoding = "br, gzip",
         .body = "CSS-GZ", .content_type = "text/css; charset=utf-8", .cache_control = kImmutable,
         .etag = "\"css-gz\"", .content_encoding = "gzip"},
        {.name = "incompressible asset", .path = "/assets/tiny-1.svg", .accept_encoding = "br, gzip",
         .body = "<svg/>", .content_type = "image/svg+xml", .cache_control = kImmutable,
         .etag = "\"tiny-id\""},
        {.name = "root file gzip", .path = "/robots.txt", .accept_encoding = "br, gzip",
         .body = "RB-GZ", .content_type = "text/plain; charset=utf-8", .cache_control = kShort,
         .etag = "\"rb-gz\"", .content_encoding = "gzip"},
        {.name = "index at root keeps variants", .path = "/", .accept_encoding = "gzip",
         .body = "IDX-GZ", .content_type = kHtml, .cache_control = kNoCache, .etag = "\"idx-gz\"",
         .content_encoding = "gzip"},
    };
    for (const Case& c : cases) check(site, c);
}

TEST(WebStaticSite, NotModified) {
    const StaticSite site = make_site();
    const auto js304 = [](const char* name, std::string_view ae, std::string_view inm,
                          std::string_view etag) {
        return Case{.name = name, .path = "/assets/app-abc123.js", .accept_encoding = ae,
                    .if_none_match = inm, .status = 304, .cache_control = kImmutable, .etag = etag};
    };
    const Case cases[] = {
        js304("identity", "", "\"js-id\"", "\"js-id\""),
        js304("gzip", "gzip", "\"js-gz\"", "\"js-gz\""),
        js304("brotli", "br, gzip", "\"js-br\"", "\"js-br\""),
        js304("weak", "", "W/\"js-id\"", "\"js-id\""),
        js304("list", "gzip", "\"old\", W/\"js-gz\", \"older\"", "\"js-gz\""),
        js304("star", "br", "*", "\"js-br\""),
        js304("HEAD", "", "\"js-id\"", "\"js-id\""),
        {.name = "other variant's tag", .path = "/assets/app-abc123.js", .accept_encoding = "gzip",
         .if_none_match = "\"js-br\"", .body = "JS-GZ", .content_type = kJs,
         .cache_control = kImmutable, .etag = "\"js-gz\"", .content_encoding = "gzip"},
        {.name = "stale tag", .path = "/assets/app-abc123.js", .if_none_match = "\"old\"",
         .body = "JS-IDENTITY", .content_type = kJs, .cache_control = kImmutable, .etag = "\"js-id\""},
        {.name = "index", .path = "/", .if_none_match = "\"idx-id\"", .status = 304,
         .cache_control = kNoCache, .etag = "\"idx-id\""},
        {.name = "SPA route", .path = "/settings", .accept_encoding = "br",
         .if_none_match = "\"idx-br\"", .status = 304, .cache_control = kNoCache, .etag = "\"idx-br\""},
        {.name = "root file", .path = "/favicon.svg", .if_none_match = "W/\"fav-id\"", .status = 304,
         .cache_control = kShort, .etag = "\"fav-id\""},
        {.name = "404 stays 404", .path = "/missing.js", .if_none_match = "*", .status = 404,
         .error = "not_found"},
    };
    for (const Case& c : cases) check(site, c);
}

TEST(WebStaticSite, RejectsTraversalAndOddPaths) {
    const StaticSite site = make_site();
    const std::string_view paths[] = {
        "/..",
        "/../etc/passwd",
        "/assets/../../etc/passwd",
        "/assets/../index.html",
        "/assets/..%2f..%2fetc%2fpasswd",
        "/%2e%2e",
        "/%2e%2e/%2e%2e/etc/passwd",
        "/assets/%2e%2e/index.html",
        "/assets%2fapp-abc123.js",
        "/assets\\app-abc123.js",
        "/..\\..\\etc\\passwd",
        "/assets/app-abc123.js\0.png"sv,
        "/\0"sv,
        "//etc/passwd",
        "//",
        "/assets//app-abc123.js",
        "/./index.html",
        "/assets/./app-abc123.js",
        "/settings/.",
        "",
        "index.html",
        "assets/app-abc123.js",
    };
    for (std::string_view path : paths) {
        const StaticResponse r = site.serve({"GET", path, "", ""});
        EXPECT_EQ(r.status, 404) << '"' << std::string(path) << '"';
        EXPECT_EQ(r.error, "not_found");
        EXPECT_TRUE(r.body.empty());
    }
}

TEST(WebStaticSite, RewritesBaseOnceForSubPath) {
    const StaticSite site = make_site(kTable, "/panel");
    EXPECT_EQ(site.base_path(), "/panel/");
    std::string expected(kIndex);
    expected.replace(expected.find(R"(<base href="/">)"), 15, R"(<base href="/panel/">)");
    const std::string etag = strong_etag(expected);

    const Case cases[] = {
        // Identity only, whatever the client accepts: the variants hold the unrewritten bytes.
        {.name = "root", .path = "/", .accept_encoding = "br, gzip", .body = expected,
         .content_type = kHtml, .cache_control = kNoCache, .etag = etag},
        {.name = "fallback", .path = "/users", .body = expected, .content_type = kHtml,
         .cache_control = kNoCache, .etag = etag},
        {.name = "304", .path = "/", .if_none_match = etag, .status = 304,
         .cache_control = kNoCache, .etag = etag},
        {.name = "old root tag", .path = "/", .if_none_match = "\"idx-id\"", .body = expected,
         .content_type = kHtml, .cache_control = kNoCache, .etag = etag},
        {.name = "assets untouched", .path = "/assets/app-abc123.js", .accept_encoding = "br",
         .body = "JS-BR", .content_type = kJs, .cache_control = kImmutable, .etag = "\"js-br\"",
         .content_encoding = "br"},
    };
    for (const Case& c : cases) check(site, c);

    // Built once: every response points at the same bytes.
    EXPECT_EQ(site.serve({"GET", "/", "", ""}).body.data(), site.serve({"GET", "/x", "", ""}).body.data());
}

TEST(WebStaticSite, IndexWithoutMarkerIsServedAsIs) {
    const EmbeddedAsset table[] = {
        {"index.html", kHtml, "<html>no base</html>", "GZ", {}, "\"i\"", "\"g\"", ""},
    };
    const StaticSite site = make_site(table, "/panel/");
    check(site, {.name = "unchanged", .path = "/", .accept_encoding = "gzip", .body = "GZ",
                 .content_type = kHtml, .cache_control = kNoCache, .etag = "\"g\"",
                 .content_encoding = "gzip"});
}

TEST(WebStaticSite, RewriteHelper) {
    const Asset index{.content_type = kHtml, .identity = {R"(<head><base href="/"></head>)", "\"a\""},
                      .gzip = {"GZ", "\"g\""}, .brotli = {}, .owner = nullptr};
    const Asset same = rewrite_index_base(index, "/");
    EXPECT_EQ(same.identity.etag, "\"a\"");
    EXPECT_TRUE(same.gzip.present());

    const Asset moved = rewrite_index_base(index, "/a/b/");
    EXPECT_EQ(moved.identity.bytes, R"(<head><base href="/a/b/"></head>)");
    EXPECT_EQ(moved.identity.etag, strong_etag(moved.identity.bytes));
    EXPECT_FALSE(moved.gzip.present());
    EXPECT_FALSE(moved.brotli.present());
    const Asset commented = rewrite_index_base(
        {.content_type = kHtml,
         .identity = {R"(<!-- keep <base href="/"> first --><base href="/">)", "\"c\""},
         .gzip = {}, .brotli = {}, .owner = nullptr},
        "/p/");
    EXPECT_EQ(commented.identity.bytes, R"(<!-- keep <base href="/p/"> first --><base href="/p/">)");

    const Asset copy = moved;  // views stay valid through copies (shared owner)
    EXPECT_EQ(copy.identity.bytes.data(), moved.identity.bytes.data());
}

TEST(WebStaticSite, DashboardNotBuilt) {
    const StaticSite site = make_site(std::span<const EmbeddedAsset>{});
    EXPECT_FALSE(site.has_index());
    check(site, {.name = "root", .path = "/", .status = 503, .error = "dashboard_not_built"});
    check(site, {.name = "route", .path = "/settings", .status = 503, .error = "dashboard_not_built"});
    check(site, {.name = "file", .path = "/app.js", .status = 404, .error = "not_found"});
    EXPECT_TRUE(make_site().has_index());
}

TEST(WebStaticSite, RejectsBadBasePath) {
    EXPECT_THROW(make_site(kTable, "panel"), std::invalid_argument);
    EXPECT_THROW(make_site(kTable, "/a\"><script>"), std::invalid_argument);
}

}  // namespace
}  // namespace iron::web
