#pragma once
// Headers sent on every response. The CSP is strict (no inline script or style): the SPA
// is built to work under it, and a JSON response is harmless under it too.
#include <string>
#include <utility>
#include <vector>

namespace iron::server {

std::vector<std::pair<std::string, std::string>> security_headers(bool hsts);

}  // namespace iron::server
