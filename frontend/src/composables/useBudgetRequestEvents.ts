// Live budget requests: the budget_request.* events the server publishes after a request is
// created, approved, rejected or cancelled (scoped: a user gets their agents' requests, an
// admin all), a debounced subscription to them, and the app-wide pending badge the shell keeps
// current for admins on every page (GET /analytics/overview once, then again after each burst
// of these events; nothing polls).
import { onBeforeUnmount, watch } from 'vue'
import { api, unwrap } from '../api/client'
import { useLiveEventsStore } from '../stores/liveEvents'
import { useLoader } from './useLoader'
import { setNavBadge } from './useNavBadges'

/** The live events a budget request raises (server: domain BudgetRequests, after commit). */
export const BUDGET_REQUEST_EVENTS = [
  'budget_request.created',
  'budget_request.approved',
  'budget_request.rejected',
  'budget_request.cancelled',
] as const

/** Waits this long after the last budget_request.* event before refetching (a burst costs one request). */
export const REQUESTS_LIVE_DEBOUNCE_MS = 500

/**
 * Calls `fn` once, debounced, after a burst of budget_request.* live events (with the types the
 * burst held), and after a resync of the stream as if every type had come (any request may have
 * changed meanwhile); unsubscribes and drops a pending call when the calling component unmounts.
 */
export function onBudgetRequestEvents(fn: (types: Set<string>) => void, delayMs = REQUESTS_LIVE_DEBOUNCE_MS): void {
  const live = useLiveEventsStore()
  let timer: ReturnType<typeof setTimeout> | null = null
  let types = new Set<string>()
  const on = (...burst: string[]) => {
    burst.forEach((type) => types.add(type))
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => {
      timer = null
      const burst = types
      types = new Set()
      fn(burst)
    }, delayMs)
  }
  const offs = BUDGET_REQUEST_EVENTS.map((type) => live.subscribe(type, (e) => on(e.type)))
  offs.push(live.onResync(() => on(...BUDGET_REQUEST_EVENTS)))
  onBeforeUnmount(() => {
    offs.forEach((off) => off())
    if (timer) clearTimeout(timer)
  })
}

/** The pending-requests badge on "Budgets" for admins, current on every page (used by the shell). */
export function usePendingBudgetBadge(isAdmin: () => boolean): void {
  const loader = useLoader()
  const load = () =>
    loader.run(
      (signal) => unwrap(api.GET('/api/v1/analytics/overview', { signal })),
      (o) => setNavBadge('budgets', o.pending_budget_requests, 'pending'),
    )
  onBudgetRequestEvents(() => {
    if (isAdmin()) void load()
  })
  watch(isAdmin, (admin) => (admin ? void load() : setNavBadge('budgets', null)), { immediate: true })
  onBeforeUnmount(loader.abort)
}
