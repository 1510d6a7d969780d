// Page-numbered lists (the predecessor's `page` + `per_page` shape). Page and page size live in
// the URL through useQueryState; the total comes from the server's answer.
import { computed, ref } from 'vue'

export const PAGE_SIZES = [10, 25, 50, 100] as const

export function usePagination(query: { state: { page: number; per_page: number }; set: (p: { page?: number; per_page?: number }) => unknown }) {
  const total = ref<number | null>(null)
  const totalPages = computed(() =>
    total.value === null ? null : Math.max(1, Math.ceil(total.value / Math.max(1, query.state.per_page))),
  )
  /** 1-based index range of the rows shown, for "21–40 of 312". */
  const range = computed(() => {
    if (!total.value) return { from: 0, to: 0 }
    const from = (query.state.page - 1) * query.state.per_page + 1
    return { from, to: Math.min(total.value, from + query.state.per_page - 1) }
  })
  return {
    total,
    totalPages,
    range,
    setPage: (page: number) => query.set({ page }),
    setPageSize: (per_page: number) => query.set({ per_page }),
  }
}
