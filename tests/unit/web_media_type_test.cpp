// Content-Type by extension for assets read from disk.
#include <gtest/gtest.h>

#include <string_view>
#include <utility>

#include "web/media_type.h"

namespace iron::web {
namespace {

TEST(WebMediaType, ByExtension) {
    const std::pair<std::string_view, std::string_view> cases[] = {
        {"index.html", "text/html; charset=utf-8"},
        {"assets/app-1a2b.js", "text/javascript; charset=utf-8"},
        {"assets/worker.mjs", "text/javascript; charset=utf-8"},
        {"assets/app.css", "text/css; charset=utf-8"},
        {"favicon.svg", "image/svg+xml"},
        {"manifest.json", "application/json"},
        {"assets/app.js.map", "application/json"},
        {"site.webmanifest", "application/manifest+json"},
        {"robots.txt", "text/plain; charset=utf-8"},
        {"logo.png", "image/png"},
        {"photo.jpg", "image/jpeg"},
        {"photo.JPEG", "image/jpeg"},
        {"anim.gif", "image/gif"},
        {"pic.webp", "image/webp"},
        {"favicon.ico", "image/x-icon"},
        {"font.woff", "font/woff"},
        {"font.woff2", "font/woff2"},
        {"mod.wasm", "application/wasm"},
        {"LICENSE", "application/octet-stream"},
        {"archive.tar.gz", "application/octet-stream"},
        {"trailing.", "application/octet-stream"},
        {"dir.js/file", "application/octet-stream"},  // only the last segment counts
        {".htaccess", "application/octet-stream"},
    };
    for (const auto& [path, type] : cases) EXPECT_EQ(media_type_for_path(path), type) << path;
}

}  // namespace
}  // namespace iron::web
