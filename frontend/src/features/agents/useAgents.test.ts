import { afterEach, describe, expect, it, vi } from 'vitest'
import { defineComponent, h } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { mockApi } from '../../test/mockApi'
import { useLiveEventsStore, type LiveEvent } from '../../stores/liveEvents'
import { createAgent, listAgents, loadPickers, periodLabel, setBudget, updateAgent } from './useAgents'
import { eventAgentId, useAgentDetail } from './useAgentDetail'

const agent = (id: number, name = `a${id}`) => ({
  id,
  name,
  owner_id: 'user_1',
  providers: [],
  created_at: 1,
  provider_key_id: null,
  provider_key_owner_id: null,
  has_ic_token: false,
  budget: {
    allocated: 5_000_000,
    spent: 0,
    reserved: 0,
    remaining: 5_000_000,
    period: 'one_off',
    time_zone: 'UTC',
    period_started_at: null,
    resets_at: null,
    carried_reserved: 0,
  },
  burn_rate_micros_per_day: 0,
  projected_exhaustion_at: null,
})
const page = (data: unknown[]) => ({ data, pagination: { page: 1, per_page: 10, total: data.length, total_pages: 1 } })

afterEach(() => vi.unstubAllGlobals())

describe('listAgents', () => {
  it('asks the server for one page, sorted and searched, and leaves empty filters out', async () => {
    const api = mockApi().on('GET', '/api/v1/agents', { body: { data: [agent(1)], pagination: { page: 2, per_page: 25, total: 26, total_pages: 2 } } })
    const r = await listAgents({ search: ' bot ', owner_id: '', sort: '-spent', page: 2, per_page: 25 })
    expect(r).toEqual({ items: [agent(1)], total: 26 })
    const url = api.calls('GET', '/api/v1/agents')[0]!.url
    expect(Object.fromEntries(url.searchParams)).toEqual({ page: '2', per_page: '25', search: 'bot', sort: '-spent' })
  })

  it('also reads the predecessor shape (a bare array)', async () => {
    mockApi().on('GET', '/api/v1/agents', { body: [agent(1), agent(2)] })
    expect((await listAgents({ search: '', owner_id: '', sort: '', page: 1, per_page: 25 })).total).toBe(2)
  })
})

describe('mutations', () => {
  it('sends money as integer µ$ and leaves an absent owner and key out', async () => {
    const api = mockApi()
      .on('POST', '/api/v1/agents', (c) => ({ status: 201, body: { ...agent(3), ...(c.body as object) } }))
      .on('PUT', '/api/v1/agents/:id/budget', { body: {} })
    await createAgent({ name: 'bot', provider_key_id: null, initial_budget_microdollars: 12_500_000 })
    expect(api.calls('POST', '/api/v1/agents')[0]!.body).toEqual({ name: 'bot', initial_budget_microdollars: 12_500_000 })
    await setBudget(3, 40_000_000)
    const put = api.calls('PUT', '/api/v1/agents/:id/budget')[0]!
    expect(put.params.id).toBe('3')
    expect(put.body).toEqual({ total_allocated_microdollars: 40_000_000 })
  })

  it('sends the budget period and zone on create and update', async () => {
    const api = mockApi()
      .on('POST', '/api/v1/agents', (c) => ({ status: 201, body: { ...agent(3), ...(c.body as object) } }))
      .on('PUT', '/api/v1/agents/:id', (c) => ({ body: { ...agent(3), ...(c.body as object) } }))
    await createAgent({ name: 'bot', provider_key_id: null, initial_budget_microdollars: 1, budget_period: 'daily', budget_time_zone: 'UTC' })
    expect(api.calls('POST', '/api/v1/agents')[0]!.body).toEqual({
      name: 'bot',
      initial_budget_microdollars: 1,
      budget_period: 'daily',
      budget_time_zone: 'UTC',
    })
    await updateAgent(3, { name: 'bot', provider_key_id: null, budget_period: 'one_off' })
    expect(api.calls('PUT', '/api/v1/agents/:id')[0]!.body).toEqual({ name: 'bot', provider_key_id: null, budget_period: 'one_off' })
  })

  it('labels periods without their boundary hint', () => {
    expect(periodLabel('weekly')).toBe('Weekly')
    expect(periodLabel('one_off')).toBe('One-off')
  })

  it('offers active users as owners and only enabled keys, with their owner', async () => {
    mockApi()
      .on('GET', '/api/v1/users', { body: { users: [{ id: 'u1', username: 'ann', name: null }], total: 1, page: 1, page_size: 100 } })
      .on('GET', '/api/v1/providers', {
        body: [
          { id: 7, provider: 'openai', masked_key: 'sk-…abcd', description: null, is_enabled: true, owner_id: 'u1' },
          { id: 8, provider: 'openai', masked_key: 'sk-…off', description: null, is_enabled: false, owner_id: 'u1' },
        ],
      })
    const p = await loadPickers()
    expect(p.owners).toEqual([{ value: 'u1', label: 'ann' }])
    expect(p.keys).toEqual([{ value: '7', label: 'openai · sk-…abcd', owner: 'u1' }])
  })
})

describe('useAgentDetail', () => {
  function mountDetail(id: number) {
    const pinia = createPinia()
    setActivePinia(pinia)
    let listener: ((e: LiveEvent) => void) | null = null
    const live = useLiveEventsStore()
    vi.spyOn(live, 'subscribe').mockImplementation((_type, fn) => {
      listener = fn
      return () => (listener = null)
    })
    let d!: ReturnType<typeof useAgentDetail>
    const w = mount(defineComponent({ setup: () => ((d = useAgentDetail(id)), () => h('div')) }), { global: { plugins: [pinia] } })
    return { d: () => d, emit: (e: Partial<LiveEvent>) => listener?.({ id: null, receivedAt: 0, type: 'usage.tick', data: null, ...e }), w, listening: () => listener !== null }
  }

  function detailApi() {
    let spent = 0
    const api = mockApi()
      .on('GET', '/api/v1/agents/:id', (c) => ({ body: { ...agent(Number(c.params.id)), budget: { allocated: 5_000_000, spent, reserved: 0, remaining: 5_000_000 - spent } } }))
      .on('GET', '/api/v1/agents/:id/leases', { body: page([]) })
      .on('GET', '/api/v1/agents/:id/budget/history', { body: [] })
      .on('GET', '/api/v1/agents/:id/tokens', { body: [] })
      .on('GET', '/api/v1/analytics/spending/timeseries', { body: { data: [] } })
      .on('GET', '/api/v1/analytics/events/list', { body: page([]) })
    return { api, spend: (m: number) => (spent = m) }
  }

  it('loads everything in six requests, filtered to the agent', async () => {
    const { api } = detailApi()
    const m = mountDetail(4)
    await flushPromises()
    expect(api.fetch).toHaveBeenCalledTimes(6)
    expect(m.d().agent.value?.id).toBe(4)
    expect(api.calls('GET', '/api/v1/analytics/spending/timeseries')[0]!.url.searchParams.get('agent_id')).toBe('4')
    expect(api.calls('GET', '/api/v1/analytics/events/list')[0]!.url.searchParams.get('agent_id')).toBe('4')
  })

  it('refreshes from a live event about this agent only, and stops listening when unmounted', async () => {
    const { api, spend } = detailApi()
    const m = mountDetail(4)
    await flushPromises()
    const before = api.fetch.mock.calls.length
    m.emit({ data: { agent_id: 5, cost_micros: 1 } })
    await flushPromises()
    expect(api.fetch.mock.calls.length).toBe(before)
    spend(1_250_000)
    m.emit({ data: { agent_id: 4, cost_micros: 1_250_000 } })
    m.emit({ type: 'lease.reported', data: { agent_id: 4 } }) // a burst coalesces
    await flushPromises()
    expect(m.d().agent.value?.budget.spent).toBe(1_250_000)
    expect(api.calls('GET', '/api/v1/agents/:id')).toHaveLength(3) // first load + one refresh + one queued
    expect(api.calls('GET', '/api/v1/agents/:id/budget/history')).toHaveLength(1)
    m.w.unmount()
    expect(m.listening()).toBe(false)
  })

  it('reads the agent id of an event only when it is a number', () => {
    const e = (data: unknown): LiveEvent => ({ id: null, type: 'x', data, receivedAt: 0 })
    expect(eventAgentId(e({ agent_id: 3 }))).toBe(3)
    expect(eventAgentId(e({ agent_id: '3' }))).toBeNull()
    expect(eventAgentId(e('text'))).toBeNull()
  })
})
