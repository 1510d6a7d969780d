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

}  // namespace iron::api
