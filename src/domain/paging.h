#pragma once
// Page-numbered lists (`page` ≥ 1, `per_page` 1..200, answered with a pagination block), as
// the predecessor paged its analytics and as the dashboard's tables page.
#include <cstdint>
#include <vector>

namespace iron::domain {

struct PageRequest {
  int64_t page = 1;
  int64_t per_page = 50;
  int64_t offset() const { return (page - 1) * per_page; }
};

struct Pagination {
  int64_t page = 1;
  int64_t per_page = 50;
  int64_t total = 0;
  int64_t total_pages = 0;
};

inline Pagination paginate(int64_t total, const PageRequest& page) {
  return {page.page, page.per_page, total, (total + page.per_page - 1) / page.per_page};
}

template <class T>
struct Paged {
  std::vector<T> items;
  Pagination pagination;
};

}  // namespace iron::domain
