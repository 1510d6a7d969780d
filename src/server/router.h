#pragma once
// Maps (method, path) to a registered route. Patterns are literal segments and `:name`
// parameters. Also answers "which methods does this path allow" for 405 responses.
// Patterns are split into segments once, when added; a request's path is split once per
// match (re-splitting ~90 patterns on every request was half of /health/live's cost,
// docs/benchmarks.md) and compared only with the patterns of as many segments.
#include <map>
#include <string>
#include <string_view>
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
  struct Segment {
    std::string text;  // the literal, or the parameter's name
    bool param = false;
  };
  struct Compiled {
    std::vector<Segment> segments;
    size_t params = 0;
  };
  std::vector<api::Route> routes_;
  std::vector<Compiled> compiled_;  // compiled_[i] is routes_[i]'s pattern
  std::vector<std::vector<size_t>> by_segments_;  // [n]: indexes of the routes of n segments
};

}  // namespace iron::server
