#pragma once
// Content-Type from a file name, for assets read from disk. The embedded table carries the
// same mapping, computed by resources/embed_assets.sh; a unit test keeps the two in step.

#include <string_view>

namespace iron::web {

// Decided by the last extension of the last path segment, case-insensitively.
// Unknown or missing extension: "application/octet-stream". Returns static storage.
std::string_view media_type_for_path(std::string_view path);

}  // namespace iron::web
