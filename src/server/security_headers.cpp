#include "server/security_headers.h"

#include <algorithm>

namespace iron::server {

std::vector<std::pair<std::string, std::string>> security_headers(bool hsts) {
  std::vector<std::pair<std::string, std::string>> h = {
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"X-Frame-Options", "DENY"},
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; font-src 'self'; "
       "connect-src 'self'; object-src 'none'; base-uri 'self'; form-action 'self'; frame-ancestors 'none'"},
      {"Cross-Origin-Opener-Policy", "same-origin"},
      {"Cross-Origin-Resource-Policy", "same-origin"},
      {"Permissions-Policy",
       "accelerometer=(), camera=(), geolocation=(), gyroscope=(), magnetometer=(), microphone=(), "
       "payment=(), usb=(), interest-cohort=()"},
  };
  if (hsts) h.emplace_back("Strict-Transport-Security", "max-age=31536000; includeSubDomains");
  return h;
}

void add_api_cache_control(const std::string& path, api::Response& response) {
  if (path.rfind("/api/", 0) != 0) return;
  const bool chosen = std::any_of(response.headers.begin(), response.headers.end(),
                                  [](const auto& h) { return h.first == "Cache-Control"; });
  if (!chosen) response.header("Cache-Control", "no-store");
}

}  // namespace iron::server
