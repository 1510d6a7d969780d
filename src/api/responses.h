#pragma once
// Building responses: JSON bodies and the one error envelope
// {"error":{"code":"SNAKE_CASE","message":"...","details":{...}}}.
#include <nlohmann/json.hpp>

#include "api/http_types.h"
#include "util/result.h"

namespace iron::api {

int http_status(ErrorKind kind);  // the ONE place error kinds become HTTP statuses
Response error_response(const Error& error, const std::string& request_id = "");
Response json_response(int status, const nlohmann::json& body);

// Each of `items` through `view`, as a JSON array (a list answer's rows).
template <class Items, class View>
nlohmann::json json_array_of(const Items& items, View&& view) {
  nlohmann::json out = nlohmann::json::array();
  for (const auto& item : items) out.push_back(view(item));
  return out;
}
Response no_content();

}  // namespace iron::api
