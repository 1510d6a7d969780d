#pragma once
// The page-numbered list parameters (`page` ≥ 1, `per_page` 1..200; out of range → 400) and
// the `pagination` block of the answer, shared by every page-numbered list.
#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "api/http_types.h"
#include "domain/paging.h"
#include "util/result.h"

namespace iron::api {

Result<domain::PageRequest> page_of(const Request& req, int64_t default_per_page);
nlohmann::json pagination_json(const domain::Pagination& p);

// Lists that page on request (agents, API tokens, provider keys): without `page` and
// `per_page` the whole list as the predecessor's plain array, with either one page.
Result<std::optional<domain::PageRequest>> page_on_request(const Request& req, int64_t default_per_page);
// The rows as that array, or as {data, pagination} when a page was asked for.
nlohmann::json listed(nlohmann::json rows, const std::optional<domain::Pagination>& page);

}  // namespace iron::api
