#pragma once
// The OpenAPI 3.1 contract of the REST API, served at GET /api/v1/openapi.json. Built once
// from the endpoint declarations (api/endpoint.h); tests/unit/openapi_test.cpp checks it
// against the routes the server really registers, in both directions.
#include <string>
#include <string_view>

#include <nlohmann/json.hpp>

namespace iron::api {

const nlohmann::json& openapi_document();

// Router pattern → OpenAPI path template: /api/v1/users/:id → /api/v1/users/{id}.
std::string openapi_path(std::string_view router_pattern);

}  // namespace iron::api
