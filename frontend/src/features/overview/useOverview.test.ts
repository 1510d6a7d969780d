import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h, ref } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { mockApi } from '../../test/mockApi'
import { navBadge } from '../../composables/useNavBadges'
import { useLiveEventsStore, type LiveEvent } from '../../stores/liveEvents'
import { LIVE_DEBOUNCE_MS, changesOverview, useOverview, windowRange } from './useOverview'

const figures = { requests: 0, successful_requests: 0, failed_requests: 0, input_tokens: 0, output_tokens: 0, spending: 0, spending_microdollars: 0, success_rate: null }
const overviewBody = {
  today: figures,
  this_month: figures,
  all_time: figures,
  active_leases: { count: 0, reserved_microdollars: 0 },
  budgets: { total_agents: 0, active: 0, exhausted: 0, critical: 0, high: 0, medium: 0, low: 0 },
  top_agents_this_month: [],
  pending_budget_requests: 3,
  calculated_at: '2026-11-30T00:00:00Z',
}
const seriesBody = { bucket: 'day', calculated_at: 0, data: [], filters: {}, from: '2026-11-01', to: '2026-11-30', period: 'custom', summary: figures }

function setup() {
  const mock = mockApi()
    .on('GET', '/api/v1/analytics/overview', { body: overviewBody })
    .on('GET', '/api/v1/analytics/spending/timeseries', { body: seriesBody })
  const pinia = createPinia()
  setActivePinia(pinia)
  const live = useLiveEventsStore()
  let listener: ((e: LiveEvent) => void) | null = null
  vi.spyOn(live, 'subscribe').mockImplementation((_type, fn) => {
    listener = fn
    return () => (listener = null)
  })
  const days = ref(30)
  const Comp = defineComponent({
    setup() {
      useOverview(() => days.value)
      return () => h('div')
    },
  })
  const wrapper = mount(Comp, { global: { plugins: [pinia] } })
  const fire = (type: string) => listener?.({ id: null, type, data: { agent_id: 1 }, receivedAt: Date.now() })
  return { mock, days, wrapper, fire, listening: () => listener !== null }
}

describe('windowRange', () => {
  it('covers the last N UTC days, today included', () => {
    const now = Date.UTC(2026, 10, 30, 23, 59)
    expect(windowRange(7, now)).toEqual({ from: '2026-11-24', to: '2026-11-30' })
    expect(windowRange(1, now)).toEqual({ from: '2026-11-30', to: '2026-11-30' })
  })
})

describe('changesOverview', () => {
  const cases: [string, boolean][] = [
    ['usage.tick', true],
    ['lease.opened', true],
    ['lease.closed', true],
    ['budget.alert', true],
    ['budget_request.created', true],
    ['user.created', false],
  ]
  for (const [type, want] of cases) it(type, () => expect(changesOverview(type)).toBe(want))
})

describe('useOverview', () => {
  beforeEach(() => vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout', 'Date'] }))
  afterEach(() => vi.useRealTimers())

  it('loads the cards and the series in two requests and sets the pending badge', async () => {
    vi.setSystemTime(Date.UTC(2026, 10, 30, 12))
    const { mock } = setup()
    await flushPromises()
    expect(mock.calls('GET', '/api/v1/analytics/overview')).toHaveLength(1)
    const series = mock.calls('GET', '/api/v1/analytics/spending/timeseries')
    expect(series).toHaveLength(1)
    expect(Object.fromEntries(series[0]!.url.searchParams)).toEqual({ from: '2026-11-01', to: '2026-11-30', bucket: 'day' })
    expect(mock.fetch.mock.calls).toHaveLength(2)
    expect(navBadge('budgets')).toEqual({ count: 3, label: 'pending' })
  })

  it('refetches once after a burst of relevant live events, never for others', async () => {
    const { mock, fire } = setup()
    await flushPromises()
    fire('user.created')
    vi.advanceTimersByTime(LIVE_DEBOUNCE_MS * 2)
    await flushPromises()
    expect(mock.fetch.mock.calls).toHaveLength(2)
    fire('lease.opened')
    fire('usage.tick')
    fire('usage.tick')
    vi.advanceTimersByTime(LIVE_DEBOUNCE_MS - 1)
    expect(mock.fetch.mock.calls).toHaveLength(2)
    vi.advanceTimersByTime(1)
    await flushPromises()
    expect(mock.calls('GET', '/api/v1/analytics/overview')).toHaveLength(2)
    expect(mock.calls('GET', '/api/v1/analytics/spending/timeseries')).toHaveLength(2)
  })

  it('a lease event refreshes the cards only; changing the window refetches the series', async () => {
    const { mock, fire, days } = setup()
    await flushPromises()
    fire('lease.closed')
    vi.advanceTimersByTime(LIVE_DEBOUNCE_MS)
    await flushPromises()
    expect(mock.calls('GET', '/api/v1/analytics/overview')).toHaveLength(2)
    expect(mock.calls('GET', '/api/v1/analytics/spending/timeseries')).toHaveLength(1)
    days.value = 7
    await flushPromises()
    expect(mock.calls('GET', '/api/v1/analytics/spending/timeseries')).toHaveLength(2)
  })

  it('stops listening when the view goes away', async () => {
    const { wrapper, listening } = setup()
    await flushPromises()
    expect(listening()).toBe(true)
    wrapper.unmount()
    expect(listening()).toBe(false)
  })
})
