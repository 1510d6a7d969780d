#include "store/string_list_column.h"

#include <nlohmann/json.hpp>

namespace iron::store {

std::optional<std::vector<std::string>> read_string_list(const Statement& s, int col) {
  if (s.is_null(col)) return std::nullopt;
  std::vector<std::string> out;
  const auto j = nlohmann::json::parse(s.text(col), nullptr, false);
  if (!j.is_array()) return out;
  for (const auto& v : j)
    if (v.is_string()) out.push_back(v.get<std::string>());
  return out;
}

void bind_string_list(Statement& s, int index, const std::optional<std::vector<std::string>>& list) {
  if (list) s.bind(index, nlohmann::json(*list).dump());
  else s.bind_null(index);
}

}  // namespace iron::store
