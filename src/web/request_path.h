#pragma once
// Which request paths may reach an AssetSource, and the mount (base) path the site lives under.
// The HTTP layer percent-decodes before calling us; these checks are the second line of
// defence, so they are deliberately stricter than what a normal client ever sends.

#include <string>
#include <string_view>

namespace iron::web {

// A path relative to the site root without a leading '/' ("assets/app.js", "settings/",
// "" for the root). Rejected: empty segments ("//", leading '/') except one trailing '/',
// "." segments, any "..", '\\', NUL and other control bytes, and '%' followed by two hex
// digits (a percent-escape left undecoded, or decoded once and escaped twice: "%2e%2e").
bool is_clean_relative_path(std::string_view path);

// The same rules for a path that starts with '/' (what StaticRequest::path carries).
bool is_clean_request_path(std::string_view path);

// Normalises the configured mount path to "/" or "/seg/.../" (leading and trailing slash).
// "" and "/" mean the root; "/panel" and "/panel/" both give "/panel/". The result is written
// into index.html's <base href>, so only URL-safe bytes that need no HTML escaping are
// accepted. Throws std::invalid_argument with a readable message otherwise.
std::string normalize_base_path(std::string_view base_path);

}  // namespace iron::web
