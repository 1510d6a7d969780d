#include "util/time_zone_table.h"

#include <charconv>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>

namespace iron::util {
namespace {

std::vector<std::string_view> split(std::string_view s, char sep) {
  std::vector<std::string_view> parts;
  for (size_t from = 0;;) {
    const size_t to = s.find(sep, from);
    parts.push_back(s.substr(from, to == std::string_view::npos ? std::string_view::npos : to - from));
    if (to == std::string_view::npos) return parts;
    from = to + 1;
  }
}

template <typename Int>
Int to_int(std::string_view s, std::string_view line) {
  Int v{};
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc{} || end != s.data() + s.size())
    throw std::logic_error("time-zone table: bad number in '" + std::string(line) + "'");
  return v;
}

// "utc_seconds:utoff:isdst ..." from the generator.
std::vector<ZoneTransition> parse_transitions(std::string_view list, std::string_view line) {
  std::vector<ZoneTransition> out;
  for (auto entry : split(list, ' ')) {
    const auto f = split(entry, ':');
    if (f.size() != 3) throw std::logic_error("time-zone table: bad transition in '" + std::string(line) + "'");
    out.push_back({to_int<int64_t>(f[0], line), {to_int<int32_t>(f[1], line), f[2] == "1"}});
  }
  return out;
}

struct ZoneTable {
  std::string version;
  // Links point at their target's zone; std::less<> finds by string_view.
  std::map<std::string, std::shared_ptr<const TimeZone>, std::less<>> by_name;
};

// Parsed once, on first use. The table is generated and checked against the host's tzdata
// by tests/unit/time_zone_table_test.cpp, so a malformed line is a build defect: it throws.
const ZoneTable& table() {
  static const ZoneTable t = [] {
    ZoneTable z;
    std::vector<std::pair<std::string, std::string>> links;
    for (auto line : split(embedded_time_zone_table(), '\n')) {
      if (line.empty()) continue;
      if (line.starts_with("# tzdata ")) z.version = line.substr(9);
      if (line.front() == '#') continue;
      const auto f = split(line, '\t');
      if (f.size() < 2 || f.size() > 3) throw std::logic_error("time-zone table: bad line '" + std::string(line) + "'");
      if (f[1].starts_with('=')) {
        links.emplace_back(f[0], f[1].substr(1));
        continue;
      }
      auto rule = PosixTzRule::parse(f[1]);
      if (!rule) throw std::logic_error("time-zone table: bad rule in '" + std::string(line) + "'");
      auto transitions = f.size() == 3 ? parse_transitions(f[2], line) : std::vector<ZoneTransition>{};
      z.by_name.emplace(std::string(f[0]), std::make_shared<const TimeZone>(std::string(f[0]), std::move(*rule),
                                                                             std::move(transitions)));
    }
    for (const auto& [alias, target] : links) {
      auto it = z.by_name.find(target);
      if (it == z.by_name.end()) throw std::logic_error("time-zone table: link " + alias + " to unknown " + target);
      z.by_name.emplace(alias, it->second);
    }
    return z;
  }();
  return t;
}

}  // namespace

const TimeZone* find_time_zone(std::string_view name) {
  const auto& zones = table().by_name;
  auto it = zones.find(name);
  return it == zones.end() ? nullptr : it->second.get();
}

std::vector<std::string_view> time_zone_names() {
  std::vector<std::string_view> names;
  for (const auto& [name, zone] : table().by_name) names.push_back(name);
  return names;
}

std::string_view time_zone_data_version() { return table().version; }

}  // namespace iron::util
