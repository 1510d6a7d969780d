#include "web/media_type.h"

#include <array>
#include <string>
#include <utility>

namespace iron::web {

namespace {

// Keep in sync with content_type_for() in resources/embed_assets.sh.
constexpr std::array<std::pair<std::string_view, std::string_view>, 19> kByExtension{{
    {"html", "text/html; charset=utf-8"},
    {"htm", "text/html; charset=utf-8"},
    {"js", "text/javascript; charset=utf-8"},
    {"mjs", "text/javascript; charset=utf-8"},
    {"css", "text/css; charset=utf-8"},
    {"svg", "image/svg+xml"},
    {"json", "application/json"},
    {"map", "application/json"},
    {"webmanifest", "application/manifest+json"},
    {"txt", "text/plain; charset=utf-8"},
    {"png", "image/png"},
    {"jpg", "image/jpeg"},
    {"jpeg", "image/jpeg"},
    {"gif", "image/gif"},
    {"webp", "image/webp"},
    {"ico", "image/x-icon"},
    {"woff", "font/woff"},
    {"woff2", "font/woff2"},
    {"wasm", "application/wasm"},
}};

}  // namespace

std::string_view media_type_for_path(std::string_view path) {
    constexpr std::string_view kDefault = "application/octet-stream";
    const std::string_view name = path.substr(path.rfind('/') + 1);  // npos + 1 == 0
    const std::size_t dot = name.rfind('.');
    if (dot == std::string_view::npos) return kDefault;
    std::string ext(name.substr(dot + 1));
    for (char& c : ext) {
        if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    if (ext.empty()) return kDefault;
    for (const auto& [e, type] : kByExtension) {
        if (e == ext) return type;
    }
    return kDefault;
}

}  // namespace iron::web
