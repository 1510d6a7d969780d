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

}  // namespace

void Router::add(api::Route route) {
  for (const auto& r : routes_)
    if (r.method == route.method && r.pattern == route.pattern)
      throw std::logic_error("route registered twice: " + route.method + " " + route.pattern);
  Compiled c;
  for (const auto part : split_path(route.pattern)) {
    const bool param = !part.empty() && part[0] == ':';
    c.segments.push_back({std::string(param ? part.substr(1) : part), param});
    c.params += param ? 1 : 0;
  }
  if (by_segments_.size() <= c.segments.size()) by_segments_.resize(c.segments.size() + 1);
  by_segments_[c.segments.size()].push_back(routes_.size());
  routes_.push_back(std::move(route));
  compiled_.push_back(std::move(c));
}

Router::Match Router::match(const std::string& method, const std::string& path) const {
  Match m;
  const std::string_view effective = method == "HEAD" ? std::string_view("GET") : std::string_view(method);
  const auto parts = split_path(path);
  if (parts.size() >= by_segments_.size()) return m;
  const auto fits = [&](const Compiled& c) {
    for (size_t i = 0; i < parts.size(); ++i) {
      const Segment& s = c.segments[i];
      if (s.param ? parts[i].empty() : s.text != parts[i]) return false;
    }
    return true;
  };
  // Literal segments win over parameters: the matching route with the fewest parameters.
  size_t best = routes_.size();
  for (const size_t i : by_segments_[parts.size()]) {
    const Compiled& c = compiled_[i];
    if (!fits(c)) continue;
    const api::Route& r = routes_[i];
    if (r.method != effective) {
      if (std::find(m.allowed_methods.begin(), m.allowed_methods.end(), r.method) == m.allowed_methods.end())
        m.allowed_methods.push_back(r.method);
      continue;
    }
    if (best == routes_.size() || c.params < compiled_[best].params) best = i;
  }
  if (best == routes_.size()) return m;
  m.route = &routes_[best];
  m.allowed_methods.clear();
  const Compiled& c = compiled_[best];
  for (size_t i = 0; i < parts.size(); ++i)
    if (c.segments[i].param) m.params.emplace(c.segments[i].text, std::string(parts[i]));
  return m;
}

}  // namespace iron::server
