#pragma once
// Page-numbered lists (`page` ≥ 1, `per_page` 1..200, answered with a pagination block), as
// the predecessor paged its analytics and as the dashboard's tables page.
#include <cstdint>
#include <limits>
#include <optional>
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

// A list that pages on request: with `page`, that page and its pagination block; without,
// every row. count() is the number of rows, rows(limit, offset) reads them (kEveryRow: no
// limit; a LIMIT both engines take).
inline constexpr int64_t kEveryRow = std::numeric_limits<int64_t>::max();

template <class T, class Count, class Rows>
Paged<T> page_on_request(const std::optional<PageRequest>& page, Count count, Rows rows) {
  Paged<T> out;
  if (page) out.pagination = paginate(count(), *page);
  out.items = page ? rows(page->per_page, page->offset()) : rows(kEveryRow, 0);
  return out;
}

}  // namespace iron::domain
