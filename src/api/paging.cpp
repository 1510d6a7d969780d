#include "api/paging.h"

namespace iron::api {
namespace {

// `page` is bounded so (page - 1) * per_page can never overflow.
QueryFields<PageParams> page_params(int64_t default_per_page, const std::string& page_note,
                                    const std::string& per_page_note) {
  return QueryFields<PageParams>(PageParams{default_per_page, std::nullopt, std::nullopt})
      .integer("page", &PageParams::page, 1, 1'000'000'000, "1-based page" + page_note)
      .integer("per_page", &PageParams::per_page, 1, 200, "default " + std::to_string(default_per_page) + per_page_note);
}

}  // namespace

QueryFields<PageParams> page_fields(int64_t default_per_page) { return page_params(default_per_page, "; default 1", ""); }

QueryFields<PageParams> page_on_request_fields(int64_t default_per_page) {
  return page_params(default_per_page, "; answers `{data, pagination}`", "; answers `{data, pagination}`");
}

nlohmann::json pagination_json(const domain::Pagination& p) {
  return {{"page", p.page}, {"per_page", p.per_page}, {"total", p.total}, {"total_pages", p.total_pages}};
}

nlohmann::json listed(nlohmann::json rows, const std::optional<domain::Pagination>& page) {
  if (!page) return rows;
  return {{"data", std::move(rows)}, {"pagination", pagination_json(*page)}};
}

}  // namespace iron::api
