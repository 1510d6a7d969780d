#include "server/cors.h"

#include <algorithm>

namespace iron::server {

CorsPolicy::CorsPolicy(const std::string& text) {
  size_t pos = 0;
  while (pos <= text.size()) {
    size_t comma = text.find(',', pos);
    if (comma == std::string::npos) comma = text.size();
    std::string item = text.substr(pos, comma - pos);
    item.erase(0, item.find_first_not_of(" \t"));
    item.erase(item.find_last_not_of(" \t/") + 1);  // tolerate a trailing slash in config
    if (item == "*") any_ = true;
    else if (!item.empty()) origins_.push_back(item);
    pos = comma + 1;
  }
}

bool CorsPolicy::allowed(const std::string& origin) const {
  if (origin.empty()) return false;
  return any_ || std::find(origins_.begin(), origins_.end(), origin) != origins_.end();
}

std::vector<std::pair<std::string, std::string>> CorsPolicy::response_headers(const std::string& origin) const {
  std::vector<std::pair<std::string, std::string>> h;
  if (!enabled()) return h;
  if (!any_) h.emplace_back("Vary", "Origin");
  if (!allowed(origin)) return h;
  if (any_) {
    h.emplace_back("Access-Control-Allow-Origin", "*");
  } else {
    h.emplace_back("Access-Control-Allow-Origin", origin);
    h.emplace_back("Access-Control-Allow-Credentials", "true");
  }
  h.emplace_back("Access-Control-Expose-Headers", "X-Request-Id, Retry-After");
  return h;
}

std::optional<std::vector<std::pair<std::string, std::string>>> CorsPolicy::preflight_headers(
    const std::string& origin) const {
  if (!allowed(origin)) return std::nullopt;
  auto h = response_headers(origin);
  h.emplace_back("Access-Control-Allow-Methods", "GET, HEAD, POST, PUT, PATCH, DELETE, OPTIONS");
  h.emplace_back("Access-Control-Allow-Headers", "Authorization, Content-Type, X-Requested-With, X-Request-Id");
  h.emplace_back("Access-Control-Max-Age", "600");
  return h;
}

}  // namespace iron::server
