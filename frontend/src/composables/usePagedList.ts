// A page-numbered server list in one call: URL state (useQueryState), paging (usePagination),
// loading/error and cancellation of a superseded request. The view supplies how to fetch one
// page for the current query and reads `items`; every change of the query refetches.
//
//   const list = usePagedList({ search: '', sort: '', page: 1, per_page: 25 }, async (q, signal) => {
//     const r = await unwrap(api.GET('/api/v1/users', { params: { query: { ... } }, signal }))
//     return { items: r.users, total: r.total }
//   })
import { computed, shallowRef, watch } from 'vue'
import { useLoader } from './useLoader'
import { usePagination } from './usePagination'
import { useQueryState, type QueryDefaults } from './useQueryState'

export interface Page<T> {
  items: T[]
  total: number
}

/** What AppPager takes for one list (its props and update listeners). */
export interface PagerBinding {
  page: number
  perPage: number
  /** null until the first answer. */
  total: number | null
  'onUpdate:page': (page: number) => unknown
  'onUpdate:perPage': (perPage: number) => unknown
}

export function usePagedList<T, D extends QueryDefaults & { page: number; per_page: number }>(
  defaults: D,
  fetchPage: (query: D, signal: AbortSignal) => Promise<Page<T>>,
) {
  const query = useQueryState(defaults)
  const pager = usePagination({
    state: query.state as { page: number; per_page: number },
    set: (p) => query.set(p as Partial<D>),
  })
  const items = shallowRef<T[]>([])
  const { loading, error, run } = useLoader()

  function reload(): Promise<void> {
    return run(
      (signal) => fetchPage({ ...(query.state as D) }, signal),
      (page) => {
        items.value = page.items
        pager.total.value = page.total
      },
    )
  }

  watch(() => ({ ...query.state }), reload, { immediate: true, deep: true })

  /** Everything AppPager needs for this list: `<AppPager v-bind="list.pagerProps.value" />`. */
  const pagerProps = computed<PagerBinding>(() => ({
    page: query.state.page,
    perPage: query.state.per_page,
    total: pager.total.value,
    'onUpdate:page': pager.setPage,
    'onUpdate:perPage': pager.setPageSize,
  }))

  return { query, pager, pagerProps, items, loading, error, reload }
}
