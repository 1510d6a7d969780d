#include "api/paging.h"

#include "api/query.h"

namespace iron::api {

Result<domain::PageRequest> page_of(const Request& req, int64_t default_per_page) {
  auto page = query_int(req, "page", 1, 1'000'000'000);
  if (!page) return page.error();
  auto per_page = query_int(req, "per_page", 1, 200);
  if (!per_page) return per_page.error();
  return domain::PageRequest{page->value_or(1), per_page->value_or(default_per_page)};
}

nlohmann::json pagination_json(const domain::Pagination& p) {
  return {{"page", p.page}, {"per_page", p.per_page}, {"total", p.total}, {"total_pages", p.total_pages}};
}

Result<std::optional<domain::PageRequest>> page_on_request(const Request& req, int64_t default_per_page) {
  auto page = page_of(req, default_per_page);
  if (!page) return page.error();
  if (!req.query_param("page") && !req.query_param("per_page")) return std::optional<domain::PageRequest>();
  return std::optional(*page);
}

nlohmann::json listed(nlohmann::json rows, const std::optional<domain::Pagination>& page) {
  if (!page) return rows;
  return {{"data", std::move(rows)}, {"pagination", pagination_json(*page)}};
}

}  // namespace iron::api
