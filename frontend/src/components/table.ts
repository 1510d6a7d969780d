// Column description for AppDataTable, and the server list it can show.
import type { ApiError } from '../api/errors'
import type { PagerBinding } from '../composables/usePagedList'
export interface TableColumn {
  /** Row property shown by default, the sort key sent to the server and the cell slot name (`cell-<key>`). */
  key: string
  label: string
  sortable?: boolean
  /** Numbers and money align to the end. */
  align?: 'start' | 'end'
  /** Hidden on phones (below 640 px) when the row stays meaningful without it. */
  optional?: boolean
  /** How the default cell shows the value: integer microdollars as money, or a grouped count.
   *  Both align to the end. A `cell-<key>` slot still overrides. */
  format?: 'money' | 'count'
}

/** A server list as usePagedList or useCursorList returns it. Given as the table's `list`, it
 *  supplies the rows, the loading and error states and the retry, and its footer: an AppPager
 *  for a page-numbered list, "Load more" for a cursor-paged one. */
export interface TableList<T> {
  items: { readonly value: T[] }
  loading: { readonly value: boolean }
  error: { readonly value: ApiError | null }
  reload: () => unknown
  pagerProps?: { readonly value: PagerBinding }
  hasMore?: () => boolean
  loadMore?: () => unknown
}

/** Sort as it sits in the URL: 'name' ascending, '-name' descending, '' the server's default. */
export function nextSort(current: string, key: string): string {
  if (current === key) return `-${key}`
  return key
}

export function sortDirection(current: string, key: string): 'ascending' | 'descending' | 'none' {
  if (current === key) return 'ascending'
  if (current === `-${key}`) return 'descending'
  return 'none'
}
