#pragma once
// The page-numbered list parameters (`page` ≥ 1, `per_page` 1..200; out of range → 400) and
// the `pagination` block of the answer, shared by every page-numbered list.
#include <cstdint>

#include <nlohmann/json.hpp>

#include "api/http_types.h"
#include "domain/paging.h"
#include "util/result.h"

namespace iron::api {

Result<domain::PageRequest> page_of(const Request& req, int64_t default_per_page);
nlohmann::json pagination_json(const domain::Pagination& p);

}  // namespace iron::api
