#pragma once
// Headers sent on every response. The CSP is strict (no inline script or style): the SPA
// is built to work under it, and a JSON response is harmless under it too.
#include <string>
#include <utility>
#include <vector>

#include "api/http_types.h"

namespace iron::server {

std::vector<std::pair<std::string, std::string>> security_headers(bool hsts);

// API answers carry accounts, keys, tokens and spend: no browser or shared cache may keep
// them, so every answer under /api/ gets `Cache-Control: no-store` unless its route chose a
// Cache-Control itself (the public OpenAPI document). `path` is relative to the base path.
void add_api_cache_control(const std::string& path, api::Response& response);

}  // namespace iron::server
