// The list operations that page on request (agents, API tokens, provider keys) answer the
// predecessor's plain array without `page`/`per_page` and `{data, pagination}` with them; the
// generated types say "either". These read both shapes in one place.
import type { Page } from '../composables/usePagedList'

interface ServerPage<T> {
  data: T[]
  pagination: { total: number }
}

/** Every row of either shape. */
export function rowsOf<T>(answer: T[] | ServerPage<T>): T[] {
  return Array.isArray(answer) ? answer : answer.data
}

/** Either shape as the page a paged list shows. */
export function pageOf<T>(answer: T[] | ServerPage<T>): Page<T> {
  return Array.isArray(answer) ? { items: answer, total: answer.length } : { items: answer.data, total: answer.pagination.total }
}
