import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { mockApi } from '../../test/mockApi'
import { navBadge, setNavBadge } from '../../composables/useNavBadges'
import {
  BUDGET_REQUEST_EVENTS,
  REQUESTS_LIVE_DEBOUNCE_MS,
  usePendingBudgetBadge,
} from '../../composables/useBudgetRequestEvents'
import { useLiveEventsStore, type LiveEvent } from '../../stores/liveEvents'
import { useBudgetRequests } from './useBudgets'
import { budgetRequest } from './budgetRequestFixture'

// The live store with `subscribe` captured: `fire` delivers an event to its listeners.
function liveSpy() {
  const listeners = new Map<string, Set<(e: LiveEvent) => void>>()
  const live = useLiveEventsStore()
  vi.spyOn(live, 'subscribe').mockImplementation((type, fn) => {
    if (!listeners.has(type)) listeners.set(type, new Set())
    listeners.get(type)!.add(fn)
    return () => listeners.get(type)!.delete(fn)
  })
  const fire = (type: string) =>
    listeners.get(type)?.forEach((fn) => fn({ id: null, type, data: { id: 'r', agent_id: 7 }, receivedAt: 0 }))
  const count = () => [...listeners.values()].reduce((n, s) => n + s.size, 0)
  return { fire, count, listeners }
}

function mountWith(setup: () => void) {
  const Comp = defineComponent({
    setup() {
      setup()
      return () => h('div')
    },
  })
  return mount(Comp)
}

describe('live budget requests', () => {
  beforeEach(() => {
    setActivePinia(createPinia())
    setNavBadge('budgets', null)
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] })
  })
  afterEach(() => vi.useRealTimers())

  it('useBudgetRequests refetches the requests once per burst, updates the badge and unsubscribes on unmount', async () => {
    const live = liveSpy()
    let list = [budgetRequest('a', 'pending', 'u2')]
    const mock = mockApi().on('GET', '/api/v1/budget/requests', () => ({ body: { requests: list } }))
    const onApproved = vi.fn()
    const wrapper = mountWith(() => void useBudgetRequests({ isAdmin: () => true, userId: () => 'u1', onApproved }))
    for (const type of BUDGET_REQUEST_EVENTS) expect(live.listeners.get(type)?.size).toBe(1)

    list = [budgetRequest('a', 'pending', 'u2'), budgetRequest('b', 'pending', 'u2'), budgetRequest('c', 'pending', 'u2')]
    live.fire('budget_request.created')
    live.fire('budget_request.created')
    vi.advanceTimersByTime(REQUESTS_LIVE_DEBOUNCE_MS - 1)
    expect(mock.calls('GET', '/api/v1/budget/requests')).toHaveLength(0)
    vi.advanceTimersByTime(1)
    await flushPromises()
    expect(mock.calls('GET', '/api/v1/budget/requests')).toHaveLength(1)
    expect(mock.calls('GET', '/api/v1/agents')).toHaveLength(0)
    expect(navBadge('budgets')).toEqual({ count: 3, label: 'pending' })
    expect(onApproved).not.toHaveBeenCalled()

    list = [budgetRequest('a', 'approved', 'u2'), budgetRequest('b', 'pending', 'u2'), budgetRequest('c', 'pending', 'u2')]
    live.fire('budget_request.approved')
    vi.advanceTimersByTime(REQUESTS_LIVE_DEBOUNCE_MS)
    await flushPromises()
    expect(navBadge('budgets')).toEqual({ count: 2, label: 'pending' })
    expect(onApproved).toHaveBeenCalledTimes(1)

    live.fire('budget_request.cancelled')
    wrapper.unmount()
    expect(live.count()).toBe(0)
    vi.advanceTimersByTime(REQUESTS_LIVE_DEBOUNCE_MS * 2)
    await flushPromises()
    expect(mock.calls('GET', '/api/v1/budget/requests')).toHaveLength(2)
  })

  it('a non-admin refetches but never sets the badge', async () => {
    const live = liveSpy()
    const mock = mockApi().on('GET', '/api/v1/budget/requests', { body: { requests: [budgetRequest('a', 'pending', 'u2')] } })
    mountWith(() => void useBudgetRequests({ isAdmin: () => false, userId: () => 'u2' }))
    live.fire('budget_request.rejected')
    vi.advanceTimersByTime(REQUESTS_LIVE_DEBOUNCE_MS)
    await flushPromises()
    expect(mock.calls('GET', '/api/v1/budget/requests')).toHaveLength(1)
    expect(navBadge('budgets')).toBeUndefined()
  })

  it('usePendingBudgetBadge (the shell) reads the overview once for an admin and again after events', async () => {
    const live = liveSpy()
    let pending = 1
    const mock = mockApi().on('GET', '/api/v1/analytics/overview', () => ({ body: { pending_budget_requests: pending } }))
    const wrapper = mountWith(() => usePendingBudgetBadge(() => true))
    await flushPromises()
    expect(mock.calls('GET', '/api/v1/analytics/overview')).toHaveLength(1)
    expect(navBadge('budgets')).toEqual({ count: 1, label: 'pending' })
    pending = 4
    live.fire('budget_request.created')
    live.fire('budget_request.created')
    vi.advanceTimersByTime(REQUESTS_LIVE_DEBOUNCE_MS)
    await flushPromises()
    expect(mock.calls('GET', '/api/v1/analytics/overview')).toHaveLength(2)
    expect(navBadge('budgets')).toEqual({ count: 4, label: 'pending' })
    wrapper.unmount()
    expect(live.count()).toBe(0)
  })

  it('usePendingBudgetBadge asks nothing for a non-admin', async () => {
    const live = liveSpy()
    const mock = mockApi().on('GET', '/api/v1/analytics/overview', { body: { pending_budget_requests: 2 } })
    mountWith(() => usePendingBudgetBadge(() => false))
    live.fire('budget_request.created')
    vi.advanceTimersByTime(REQUESTS_LIVE_DEBOUNCE_MS)
    await flushPromises()
    expect(mock.calls()).toHaveLength(0)
    expect(navBadge('budgets')).toBeUndefined()
  })
})
