#pragma once
// The names of an enum's values, listed once in a table: parsing a name and naming a value
// both read that one table, so the two directions cannot drift apart.
//
//   constexpr EnumNames<Role, 3> kRoleNames = {{{Role::admin, "admin"}, {Role::user, "user"}, …}};
//   parse_name(kRoleNames, "user")  → Role::user;  name_of(kRoleNames, Role::user) → "user"
#include <array>
#include <cstddef>
#include <optional>
#include <string_view>
#include <utility>

namespace iron::util {

template <class E, size_t N>
using EnumNames = std::array<std::pair<E, const char*>, N>;

template <class E, size_t N>
std::optional<E> parse_name(const EnumNames<E, N>& names, std::string_view text) {
  for (const auto& [value, name] : names)
    if (text == name) return value;
  return std::nullopt;
}

// The value's name; a value missing from the table (never, for a complete one) gets the first.
template <class E, size_t N>
const char* name_of(const EnumNames<E, N>& names, E value) {
  for (const auto& [v, name] : names)
    if (v == value) return name;
  return names.front().second;
}

}  // namespace iron::util
