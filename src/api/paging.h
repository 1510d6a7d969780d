#pragma once
// The page-numbered list parameters (`page` ≥ 1, `per_page` 1..200; out of range → 400) and
// the `pagination` block of the answer, shared by every page-numbered list.
#include <cstdint>
#include <optional>

#include <nlohmann/json.hpp>

#include "api/query.h"
#include "api/responses.h"
#include "domain/paging.h"

namespace iron::api {

struct PageParams {
  int64_t default_per_page = 50;
  std::optional<int64_t> page, per_page;

  domain::PageRequest request() const { return {page.value_or(1), per_page.value_or(default_per_page)}; }
  // Lists that page on request (agents, API tokens, provider keys): without `page` and
  // `per_page` the whole list, as the predecessor's plain array; with either, one page.
  std::optional<domain::PageRequest> asked() const {
    if (!page && !per_page) return std::nullopt;
    return request();
  }
};

// page and per_page, documented for a list that always pages.
QueryFields<PageParams> page_fields(int64_t default_per_page);
// The same, documented for a list that pages on request (PageParams::asked).
QueryFields<PageParams> page_on_request_fields(int64_t default_per_page);

nlohmann::json pagination_json(const domain::Pagination& p);
// The rows as the plain array, or as {data, pagination} when a page was asked for.
nlohmann::json listed(nlohmann::json rows, const std::optional<domain::Pagination>& page);
// The answer of a list that pages on request: each row through `view`, shaped as listed().
template <class T, class V>
Response listed_response(const domain::Paged<T>& rows, bool page_asked, V view) {
  return json_response(200,
                       listed(json_array_of(rows.items, view), page_asked ? std::optional(rows.pagination) : std::nullopt));
}

}  // namespace iron::api
