#pragma once
// Maps (method, path) to a registered route. Patterns are literal segments and `:name`
// parameters. Also answers "which methods does this path allow" for 405 responses.
#include <map>
#include <string>
#include <vector>

#include "api/http_types.h"

namespace iron::server {

class Router {
 public:
  void add(api::Route route);
  const std::vector<api::Route>& routes() const { return routes_; }

  struct Match {
    const api::Route* route = nullptr;
    std::map<std::string, std::string> params;
    std::vector<std::string> allowed_methods;  // when the path matched but not the method
  };
  Match match(const std::string& method, const std::string& path) const;

 private:
  std::vector<api::Route> routes_;
};

}  // namespace iron::server
