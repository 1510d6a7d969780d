// Append-only logs (audit, events) page by an opaque cursor: the first page, then "Load more"
// appends the next one. Filters live in the URL (useQueryState); the cursor does not, because
// a deep link should always open at the newest rows.
import { ref, shallowRef } from 'vue'
import { useLoader } from './useLoader'

export interface CursorPage<T> {
  items: T[]
  next_cursor: string | null
}

export function useCursorList<T>(fetchPage: (cursor: string | null, signal: AbortSignal) => Promise<CursorPage<T>>) {
  const items = shallowRef<T[]>([])
  const nextCursor = ref<string | null>(null)
  const { loading, error, run } = useLoader()

  function load(cursor: string | null): Promise<void> {
    return run(
      (signal) => fetchPage(cursor, signal),
      (page) => {
        items.value = cursor ? [...items.value, ...page.items] : page.items
        nextCursor.value = page.next_cursor
      },
    )
  }

  return {
    items,
    loading,
    error,
    hasMore: () => nextCursor.value !== null,
    /** From the newest rows again (after a filter change). */
    reload: () => load(null),
    loadMore: () => (nextCursor.value ? load(nextCursor.value) : Promise.resolve()),
    /** Puts live rows on top without refetching (the view checks they match its filters). */
    prepend: (rows: T[]) => (items.value = [...rows, ...items.value]),
  }
}
