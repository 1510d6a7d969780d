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
Response no_content();

// Turns a domain result into a response: value → status with to_json(value); error → envelope.
template <class T, class F>
Response respond(const Result<T>& r, int status, F&& to_json, const std::string& request_id = "") {
  if (!r.ok()) return error_response(r.error(), request_id);
  return json_response(status, to_json(r.value()));
}

}  // namespace iron::api
