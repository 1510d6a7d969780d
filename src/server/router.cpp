#include "server/router.h"

#include <algorithm>
#include <stdexcept>

namespace iron::server {
namespace {

std::vector<std::string_view> split_path(std::string_view path) {
  std::vector<std::string_view> out;
  size_t pos = 1;  // skip the leading '/'
  while (pos <= path.size()) {
    size_t slash = path.find('/', pos);
    if (slash == std::string_view::npos) slash = path.size();
    out.push_back(path.substr(pos, slash - pos));
    pos = slash + 1;
  }
  return out;
}

bool match_pattern(std::string_view pattern, std::string_view path, std::map<std::string, std::string>* params) {
  const auto ps = split_path(pattern);
  const auto xs = split_path(path);
  if (ps.size() != xs.size()) return false;
  for (size_t i = 0; i < ps.size(); ++i) {
    if (!ps[i].empty() && ps[i][0] == ':') {
      if (xs[i].empty()) return false;
      if (params) (*params)[std::string(ps[i].substr(1))] = std::string(xs[i]);
    } else if (ps[i] != xs[i]) {
      return false;
    }
  }
  return true;
}

}  // namespace

void Router::add(api::Route route) {
  for (const auto& r : routes_)
    if (r.method == route.method && r.pattern == route.pattern)
      throw std::logic_error("route registered twice: " + route.method + " " + route.pattern);
  routes_.push_back(std::move(route));
}

Router::Match Router::match(const std::string& method, const std::string& path) const {
  Match m;
  const std::string& effective = method == "HEAD" ? std::string("GET") : method;
  // Literal segments win over parameters: try routes in order of fewest parameters first.
  const api::Route* best = nullptr;
  size_t best_params = SIZE_MAX;
  for (const auto& r : routes_) {
    std::map<std::string, std::string> params;
    if (!match_pattern(r.pattern, path, &params)) continue;
    if (r.method != effective) {
      if (std::find(m.allowed_methods.begin(), m.allowed_methods.end(), r.method) == m.allowed_methods.end())
        m.allowed_methods.push_back(r.method);
      continue;
    }
    if (params.size() < best_params) {
      best = &r;
      best_params = params.size();
      m.params = std::move(params);
    }
  }
  m.route = best;
  if (best) m.allowed_methods.clear();
  return m;
}

}  // namespace iron::server
