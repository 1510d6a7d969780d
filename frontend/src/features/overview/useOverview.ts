// The Overview's only API caller: one request for every card (GET /analytics/overview) and one
// for the spend chart (the daily series of the chosen window). Both refetch, debounced, when
// the live stream reports something that changes them, and both at once when the stream
// resyncs (it may have missed such events); nothing polls.
import { onBeforeUnmount, ref, shallowRef, watch } from 'vue'
import { api, unwrap } from '../../api/client'
import { handleApiError, toApiError, type ApiError } from '../../api/errors'
import type { components } from '../../api/schema'
import { setNavBadge } from '../../composables/useNavBadges'
import { useLiveEventsStore, type LiveEvent } from '../../stores/liveEvents'

export type Overview = components['schemas']['AnalyticsOverview']
export type SpendSeries = components['schemas']['SpendingTimeseries']

/** The chart's windows in days (URL `days`). */
export const WINDOWS = [7, 30, 90] as const

/** Live events that change the overview's figures (usage, leases, budget alerts, budget requests). */
export function changesOverview(type: string): boolean {
  return type === 'usage.tick' || type.startsWith('lease.') || type === 'budget.alert' || type.startsWith('budget_request.')
}

/** The last `days` UTC days, today included, as the server's inclusive from/to. */
export function windowRange(days: number, now: number = Date.now()): { from: string; to: string } {
  const day = (ms: number) => new Date(ms).toISOString().slice(0, 10)
  return { from: day(now - (days - 1) * 86_400_000), to: day(now) }
}

/** Waits this long after the last relevant event before refetching (a burst costs one request). */
export const LIVE_DEBOUNCE_MS = 750

export function useOverview(days: () => number) {
  const overview = shallowRef<Overview | null>(null)
  const series = shallowRef<SpendSeries | null>(null)
  const error = ref<ApiError | null>(null)
  const seriesError = ref<ApiError | null>(null)
  let cardsCtl: AbortController | null = null
  let seriesCtl: AbortController | null = null

  async function loadCards(): Promise<void> {
    cardsCtl?.abort()
    const mine = (cardsCtl = new AbortController())
    try {
      const o = await unwrap(api.GET('/api/v1/analytics/overview', { signal: mine.signal }))
      if (mine.signal.aborted) return
      overview.value = o
      error.value = null
      setNavBadge('budgets', o.pending_budget_requests, 'pending')
    } catch (e) {
      if (mine.signal.aborted) return
      error.value = toApiError(e)
      handleApiError(e, { quiet: true })
    }
  }

  async function loadSeries(): Promise<void> {
    seriesCtl?.abort()
    const mine = (seriesCtl = new AbortController())
    try {
      const query = { ...windowRange(days()), bucket: 'day' as const }
      const s = await unwrap(api.GET('/api/v1/analytics/spending/timeseries', { params: { query }, signal: mine.signal }))
      if (mine.signal.aborted) return
      if (typeof s === 'string') throw new TypeError('expected a JSON answer')
      series.value = s
      seriesError.value = null
    } catch (e) {
      if (mine.signal.aborted) return
      seriesError.value = toApiError(e)
      handleApiError(e, { quiet: true })
    }
  }

  let timer: ReturnType<typeof setTimeout> | null = null
  let seriesDue = false
  function onLive(e: LiveEvent): void {
    if (!changesOverview(e.type)) return
    seriesDue ||= e.type === 'usage.tick'
    if (timer) clearTimeout(timer)
    timer = setTimeout(() => {
      timer = null
      void loadCards()
      if (seriesDue) void loadSeries()
      seriesDue = false
    }, LIVE_DEBOUNCE_MS)
  }
  const live = useLiveEventsStore()
  const offs = [
    live.subscribe('*', onLive),
    // The stream missed events: the cards and the chart alike may be stale.
    live.onResync(() => {
      void loadCards()
      void loadSeries()
    }),
  ]
  onBeforeUnmount(() => {
    offs.forEach((off) => off())
    if (timer) clearTimeout(timer)
    cardsCtl?.abort()
    seriesCtl?.abort()
  })

  void loadCards()
  watch(days, loadSeries, { immediate: true })
  return { overview, series, error, seriesError, reload: loadCards, reloadSeries: loadSeries }
}
