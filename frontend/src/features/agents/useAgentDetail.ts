// The agent detail's state: the agent, its leases (paged), budget history, API tokens, 30-day
// spend series and latest events, loaded together (6 requests) and refreshed from the live
// stream: any event naming this agent (usage.tick, lease.*, budget.alert) re-reads what it can
// change, coalescing bursts (one refresh in flight, at most one queued), never polling. A resync
// of the stream (it may have missed such events) re-reads the same.
import { onBeforeUnmount, ref, shallowRef } from 'vue'
import { handleApiError, toApiError, type ApiError } from '../../api/errors'
import { useLiveEventsStore, type LiveEvent } from '../../stores/liveEvents'
import {
  agentTokens,
  budgetHistory,
  getAgent,
  latestEvents,
  listLeases,
  spendSeries,
  type Agent,
  type AgentLease,
  type AnalyticsEvent,
  type ApiToken,
  type BudgetChange,
  type SpendingPoint,
} from './useAgents'

/** The agent an event is about, when it names one. */
export function eventAgentId(e: LiveEvent): number | null {
  const d = e.data as { agent_id?: unknown } | null
  return d && typeof d === 'object' && typeof d.agent_id === 'number' ? d.agent_id : null
}

export function useAgentDetail(id: number) {
  const agent = shallowRef<Agent | null>(null)
  const leases = shallowRef<AgentLease[]>([])
  const leaseTotal = ref(0)
  const leasePage = ref(1)
  const history = shallowRef<BudgetChange[]>([])
  const tokens = shallowRef<ApiToken[]>([])
  const series = shallowRef<SpendingPoint[]>([])
  const events = shallowRef<AnalyticsEvent[]>([])
  const loading = ref(true)
  const error = ref<ApiError | null>(null)
  const controller = new AbortController()
  const signal = controller.signal

  async function loadLeases(): Promise<void> {
    const r = await listLeases(id, leasePage.value, signal)
    leases.value = r.data
    leaseTotal.value = r.pagination.total
  }

  // What spend and leases change: the agent's budget, leases, series and events.
  async function loadLive(): Promise<void> {
    const [a, , s, ev] = await Promise.all([getAgent(id, signal), loadLeases(), spendSeries(id, signal), latestEvents(id, signal)])
    agent.value = a
    series.value = s
    events.value = ev
  }

  async function loadAll(): Promise<void> {
    loading.value = true
    error.value = null
    try {
      const [, h, t] = await Promise.all([loadLive(), budgetHistory(id, signal), agentTokens(id, signal)])
      history.value = h
      tokens.value = t
    } catch (e) {
      if (signal.aborted) return
      error.value = toApiError(e)
      handleApiError(e, { quiet: true })
    } finally {
      loading.value = false
    }
  }

  let running: Promise<void> | null = null
  let queued = false
  async function refresh(): Promise<void> {
    if (running) {
      queued = true
      return running
    }
    running = (async () => {
      do {
        queued = false
        try {
          await loadLive()
        } catch (e) {
          if (!signal.aborted) handleApiError(e, { quiet: true })
        }
      } while (queued && !signal.aborted)
    })()
    try {
      await running
    } finally {
      running = null
    }
  }

  async function setLeasePage(page: number): Promise<void> {
    leasePage.value = page
    try {
      await loadLeases()
    } catch (e) {
      if (!signal.aborted) handleApiError(e, { context: 'Loading leases' })
    }
  }

  const live = useLiveEventsStore()
  const offs = [
    live.subscribe('*', (e) => {
      if (eventAgentId(e) === id) void refresh()
    }),
    live.onResync(() => void refresh()),
  ]
  onBeforeUnmount(() => {
    offs.forEach((off) => off())
    controller.abort()
  })

  void loadAll()
  return { agent, leases, leaseTotal, leasePage, history, tokens, series, events, loading, error, loadAll, refresh, setLeasePage }
}
