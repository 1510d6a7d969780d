#pragma once
// A std::optional becomes its value in JSON, or null when empty: `{"decided_by", r.decided_by}`
// in a view, where every view used to spell `v ? json(*v) : json(nullptr)` (nlohmann-json's
// documented extension point, adl_serializer, for a type it does not convert by itself).
// Include it where an optional is written into JSON; without it such code does not compile, so
// no translation unit can convert an optional differently.
#include <optional>

#include <nlohmann/json.hpp>

namespace nlohmann {

template <class T>
struct adl_serializer<std::optional<T>> {
  static void to_json(json& j, const std::optional<T>& v) {
    if (v) j = *v;
    else j = nullptr;
  }
};

}  // namespace nlohmann
