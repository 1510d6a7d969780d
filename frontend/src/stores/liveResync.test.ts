// A `stream.resync` from the server, through the real live store, reaches every view that shows
// live data: each refetches what the live events it missed would have refreshed.
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { envelope, mockApi } from '../test/mockApi'
import { REQUESTS_LIVE_DEBOUNCE_MS, usePendingBudgetBadge } from '../composables/useBudgetRequestEvents'
import { useAgentDetail } from '../features/agents/useAgentDetail'
import { useBudgetRequests } from '../features/budget-requests/useBudgets'
import { useOverview } from '../features/overview/useOverview'
import { useLiveEventsStore } from './liveEvents'

const page = { data: [], pagination: { page: 1, per_page: 25, total: 0, total_pages: 0 } }

describe('a stream.resync refetches every live view', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] }))
  afterEach(() => {
    useLiveEventsStore().stop()
    vi.useRealTimers()
  })

  it('the overview, an agent, the budget requests and the pending badge each reload once', async () => {
    let release!: () => void
    const resyncSent = new Promise<void>((resolve) => (release = resolve))
    let streams = 0
    const mock = mockApi()
      .on('GET', '/api/v1/analytics/overview', { body: { pending_budget_requests: 0 } })
      .on('GET', '/api/v1/analytics/spending/timeseries', { body: { data: [] } })
      .on('GET', '/api/v1/agents/:id', { body: { id: 4 } })
      .on('GET', '/api/v1/agents/:id/leases', { body: page })
      .on('GET', '/api/v1/agents/:id/budget/history', { body: [] })
      .on('GET', '/api/v1/agents/:id/tokens', { body: [] })
      .on('GET', '/api/v1/analytics/events/list', { body: page })
      .on('GET', '/api/v1/budget/requests', { body: { requests: [] } })
      // The first stream carries the resync once the views have loaded; later ones are refused,
      // so a reconnect's own resync cannot add calls.
      .on('GET', '/api/v1/events/stream', async () => {
        if (++streams > 1) return { status: 503, body: envelope('TOO_MANY_STREAMS') }
        await resyncSent
        return { headers: { 'Content-Type': 'text/event-stream' }, body: 'id: 7\nevent: stream.resync\ndata: {}\n\n' }
      })
    const pinia = createPinia()
    setActivePinia(pinia)
    const onApproved = vi.fn()
    const Views = defineComponent({
      setup() {
        useOverview(() => 30)
        useAgentDetail(4)
        useBudgetRequests({ isAdmin: () => true, userId: () => 'u1', onApproved })
        usePendingBudgetBadge(() => true)
        return () => h('div')
      },
    })
    const wrapper = mount(Views, { global: { plugins: [pinia] } })
    useLiveEventsStore().start()
    await flushPromises()
    const before = (path: string) => mock.calls('GET', path).length
    const paths = [
      '/api/v1/analytics/overview', // the overview's cards and the shell's badge
      '/api/v1/analytics/spending/timeseries', // the overview's chart and the agent's
      '/api/v1/agents/:id',
      '/api/v1/agents/:id/leases',
      '/api/v1/analytics/events/list',
      '/api/v1/budget/requests',
    ]
    const counts = Object.fromEntries(paths.map((p) => [p, before(p)]))
    expect(counts['/api/v1/budget/requests']).toBe(0) // the view's first load is the view's call

    release()
    await vi.advanceTimersByTimeAsync(REQUESTS_LIVE_DEBOUNCE_MS) // the budget requests' debounce
    await flushPromises()
    expect(Object.fromEntries(paths.map((p) => [p, before(p) - counts[p]!]))).toEqual({
      '/api/v1/analytics/overview': 2,
      '/api/v1/analytics/spending/timeseries': 2,
      '/api/v1/agents/:id': 1,
      '/api/v1/agents/:id/leases': 1,
      '/api/v1/analytics/events/list': 1,
      '/api/v1/budget/requests': 1,
    })
    expect(onApproved).toHaveBeenCalledTimes(1) // allocations may have changed: the status table reloads

    wrapper.unmount()
  })
})
