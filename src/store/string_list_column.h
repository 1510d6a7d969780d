#pragma once
// An optional list of strings kept in one TEXT column as a JSON array; NULL = no list at all
// (for an allow-list: unrestricted), '[]' = an empty list. Read and bound by the repositories
// whose rows hold one (agents.allowed_models, api_tokens.allowed_models, migration 015).
#include <optional>
#include <string>
#include <vector>

#include "store/sqlite.h"

namespace iron::store {

// Text that is not a JSON array of strings reads as an empty list, never as NULL: a damaged
// allow-list must restrict, not open up.
std::optional<std::vector<std::string>> read_string_list(const Statement& s, int col);
void bind_string_list(Statement& s, int index, const std::optional<std::vector<std::string>>& list);

// The codec of such a column for Table::column(name, member, StringListColumn{}).
struct StringListColumn {
  static std::optional<std::vector<std::string>> read(const Statement& s, int col) { return read_string_list(s, col); }
  static void bind(Statement& s, int index, const std::optional<std::vector<std::string>>& list) {
    bind_string_list(s, index, list);
  }
};

}  // namespace iron::store
