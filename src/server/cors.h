#pragma once
// CORS from configuration: "" = no CORS headers at all; "*" = any origin without
// credentials; a list = exact origin match, echoed, with credentials.
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace iron::server {

class CorsPolicy {
 public:
  explicit CorsPolicy(const std::string& origins);
  bool enabled() const { return any_ || !origins_.empty(); }
  // Headers for a simple/actual request from `origin` (empty when not allowed).
  std::vector<std::pair<std::string, std::string>> response_headers(const std::string& origin) const;
  // Headers for a preflight; nullopt when the origin is not allowed.
  std::optional<std::vector<std::pair<std::string, std::string>>> preflight_headers(const std::string& origin) const;

 private:
  bool allowed(const std::string& origin) const;
  bool any_ = false;
  std::vector<std::string> origins_;
};

}  // namespace iron::server
