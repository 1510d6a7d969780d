// The only caller of the budget API for the Budgets view: the paged budget status of every
// agent (/analytics/budget/status), the budget requests (/budget/requests: not paged by the
// server, so one call serves every tab and the pending count) and the agents (/agents: names
// for the request table, current budgets for the request form). Three requests per load,
// whatever the row count. The requests refetch (debounced) when the live stream reports a
// budget_request.* event, so the list and the pending badge stay current without polling.
import { computed, ref, shallowRef } from 'vue'
import { api, unwrap } from '../../api/client'
import { rowsOf } from '../../api/lists'
import type { components, operations } from '../../api/schema'
import { handleApiError } from '../../api/errors'
import { useActions } from '../../composables/useActions'
import { useLoader } from '../../composables/useLoader'
import { usePagedList } from '../../composables/usePagedList'
import { setNavBadge } from '../../composables/useNavBadges'
import { onBudgetRequestEvents } from '../../composables/useBudgetRequestEvents'
import { microsToDollarInput, parseDollars } from '../../format/money'
import { RISK_LEVELS } from '../../format/risk'

export type BudgetRow = components['schemas']['BudgetStatusRow']
export type BudgetSummary = components['schemas']['BudgetStatusSummary']
export type Agent = components['schemas']['Agent']
export type BudgetRequest =
  operations['listBudgetRequests']['responses'][200]['content']['application/json']['requests'][number]
export type RequestTab = 'mine' | 'pending' | 'all'

/** `?risk=` lists the agents at exactly that level; the summary still counts every level. */
export function useBudgetStatus() {
  const summary = ref<BudgetSummary | null>(null)
  const list = usePagedList({ risk: '', page: 1, per_page: 25 }, async (q, signal) => {
    const risk = RISK_LEVELS.find((l) => l === q.risk)
    const query = { page: q.page, per_page: q.per_page, ...(risk ? { risk } : {}) }
    const r = await unwrap(api.GET('/api/v1/analytics/budget/status', { params: { query }, signal }))
    summary.value = r.summary
    return { items: r.data, total: r.pagination.total }
  })
  return { ...list, summary }
}

/** What a person typed as dollars, as the float `requested_budget_usd` the API takes (exact: no µ$ division). */
export function dollarsToUsd(text: string): number | null {
  const micros = parseDollars(text)
  if (micros === null || micros <= 0n) return null
  return Number(microsToDollarInput(micros))
}

export function useBudgetRequests(opts: {
  isAdmin: () => boolean
  userId: () => string | null
  /** After a live refetch caused by an approval (allocations changed: the status table reloads). */
  onApproved?: () => void
}) {
  const requests = shallowRef<BudgetRequest[]>([])
  const agents = shallowRef<Agent[]>([])
  const { loading, error, run } = useLoader()
  const { busy, act } = useActions(load)

  const agentsById = computed(() => new Map(agents.value.map((a) => [a.id, a])))
  const pendingCount = computed(() => requests.value.filter((r) => r.status === 'pending').length)

  function rowsFor(tab: RequestTab): BudgetRequest[] {
    const rows = [...requests.value].sort((a, b) => b.created_at - a.created_at)
    if (tab === 'pending') return rows.filter((r) => r.status === 'pending')
    if (tab === 'mine') return rows.filter((r) => r.requester_id === opts.userId())
    return rows
  }

  function load(): Promise<void> {
    return run(
      (signal) => Promise.all([unwrap(api.GET('/api/v1/budget/requests', { signal })), unwrap(api.GET('/api/v1/agents', { signal }))]),
      ([r, a]) => {
        requests.value = r.requests
        // Without paging parameters: every agent the person may ask for (the picker needs all).
        agents.value = rowsOf(a)
        if (opts.isAdmin()) setNavBadge('budgets', pendingCount.value, 'pending')
      },
    )
  }

  /** The requests only (live refresh): the agents do not change with a request. */
  async function reloadRequests(): Promise<void> {
    try {
      const r = await unwrap(api.GET('/api/v1/budget/requests', {}))
      requests.value = r.requests
      if (opts.isAdmin()) setNavBadge('budgets', pendingCount.value, 'pending')
    } catch (e) {
      handleApiError(e, { quiet: true })
    }
  }

  onBudgetRequestEvents((types) => {
    void reloadRequests()
    if (types.has('budget_request.approved')) opts.onApproved?.()
  })

  function create(input: { agentId: number; dollars: string; justification: string }, fields: Record<string, string>) {
    const usd = dollarsToUsd(input.dollars)
    if (usd === null) {
      fields.requested_budget_usd = 'Enter a positive amount in dollars, at most six decimals'
      return Promise.resolve(false)
    }
    const body = { agent_id: input.agentId, requested_budget_usd: usd, justification: input.justification.trim() }
    return act(() => unwrap(api.POST('/api/v1/budget/requests', { body })), 'Could not send the request', fields)
  }

  const approve = (id: string) =>
    act(() => unwrap(api.PATCH('/api/v1/budget/requests/{id}/approve', { params: { path: { id } } })), 'Could not approve')

  const reject = (id: string, reason: string, fields: Record<string, string>) =>
    act(
      () => unwrap(api.PATCH('/api/v1/budget/requests/{id}/reject', { params: { path: { id } }, body: { reason } })),
      'Could not reject',
      fields,
    )

  const cancel = (id: string) =>
    act(() => unwrap(api.PATCH('/api/v1/budget/requests/{id}/cancel', { params: { path: { id } } })), 'Could not cancel')

  return { requests, agents, agentsById, pendingCount, loading, error, busy, rowsFor, load, reloadRequests, create, approve, reject, cancel }
}
