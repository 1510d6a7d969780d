#pragma once
// The reader (BodyFields::custom) of a body field that is a JSON array: alert rules' event
// types and channel ids, email channels' recipients, a limit's alert thresholds. Absent or
// null leaves the field unset (an update keeps the stored list); anything but an array of at
// most `max_items` items that each pass `item_ok` is 400 VALIDATION_ERROR "`name` must be
// `what`". Only the shape is checked here: which names, ids or addresses are valid, and how
// many, is the domain's rule, so the caps here only keep a hostile body from costing much.
#include <cstddef>
#include <limits>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "api/body.h"

namespace iron::api {

// No cap of our own on the number of items (the domain counts them).
inline constexpr size_t kAnyLength = std::numeric_limits<size_t>::max();

template <class Body, class Item, class ItemOk>
typename BodyFields<Body>::Reader array_reader(std::string name, std::optional<std::vector<Item>> Body::*member,
                                               std::string what, size_t max_items, ItemOk item_ok) {
  return [name = std::move(name), member, what = std::move(what), max_items, item_ok](const nlohmann::json& o,
                                                                                      Body& out) -> Status {
    if (!o.contains(name) || o[name].is_null()) return ok_status();
    const auto& a = o[name];
    if (!a.is_array() || a.size() > max_items) return errors::must_be(name, what);
    std::vector<Item> items;
    for (const auto& item : a) {
      if (!item_ok(item)) return errors::must_be(name, what);
      items.push_back(item.template get<Item>());
    }
    out.*member = std::move(items);
    return ok_status();
  };
}

}  // namespace iron::api
