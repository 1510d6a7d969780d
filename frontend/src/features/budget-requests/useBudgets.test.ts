import { beforeEach, describe, expect, it } from 'vitest'
import { flushPromises } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { envelope, mockApi } from '../../test/mockApi'
import { withSetup } from '../../test/withSetup'
import { navBadge } from '../../composables/useNavBadges'
import { dollarsToUsd, useBudgetRequests, useBudgetStatus } from './useBudgets'
import { budgetRequest } from './budgetRequestFixture'

describe('useBudgetStatus', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('passes ?risk= to the server as the exact level and pages on the server', async () => {
    const mock = mockApi().on('GET', '/api/v1/analytics/budget/status', (c) => ({
      body: {
        calculated_at: 1,
        data: [],
        pagination: { page: Number(c.url.searchParams.get('page')), per_page: 25, total: 30, total_pages: 2 },
        summary: { active: 1, critical: 0, exhausted: 0, high: 1, low: 0, medium: 0, total_agents: 1 },
      },
    }))
    const { value: s } = await withSetup('/budgets?risk=high&page=2', useBudgetStatus)
    const [call] = mock.calls('GET', '/api/v1/analytics/budget/status')
    expect(call?.url.searchParams.get('risk')).toBe('high')
    expect(call?.url.searchParams.get('page')).toBe('2')
    expect(s.summary.value?.high).toBe(1)
    expect(s.pager.total.value).toBe(30)
    await s.query.set({ risk: '' })
    await flushPromises()
    expect(mock.calls('GET', '/api/v1/analytics/budget/status').at(-1)?.url.searchParams.has('risk')).toBe(false)
  })
})

describe('useBudgetRequests', () => {
  beforeEach(() => setActivePinia(createPinia()))

  function setupMock(list: ReturnType<typeof budgetRequest>[]) {
    return mockApi()
      .on('GET', '/api/v1/budget/requests', { body: { requests: list } })
      .on('GET', '/api/v1/agents', { body: [{ id: 7, name: 'bot', budget: { allocated: 5_000_000, spent: 0, reserved: 0, remaining: 5_000_000 } }] })
  }

  it('loads requests and agents in two calls, splits the tabs and sets the admin badge', async () => {
    const mock = setupMock([budgetRequest('a', 'pending', 'u1', 1), budgetRequest('b', 'pending', 'u2', 3), budgetRequest('c', 'approved', 'u1', 2)])
    const { value: r } = await withSetup('/budgets', () => useBudgetRequests({ isAdmin: () => true, userId: () => 'u1' }))
    await r.load()
    expect(mock.calls()).toHaveLength(2)
    expect(r.rowsFor('pending').map((x) => x.id)).toEqual(['b', 'a'])
    expect(r.rowsFor('mine').map((x) => x.id)).toEqual(['c', 'a'])
    expect(r.rowsFor('all').map((x) => x.id)).toEqual(['b', 'c', 'a'])
    expect(r.agentsById.value.get(7)?.name).toBe('bot')
    expect(navBadge('budgets')).toEqual({ count: 2, label: 'pending' })
  })

  it('sends the dollars typed as an exact USD number and refuses a bad amount locally', async () => {
    const mock = setupMock([]).on('POST', '/api/v1/budget/requests', { status: 201, body: { request_id: 'x', status: 'pending', created_at: 1 } })
    const { value: r } = await withSetup('/budgets', () => useBudgetRequests({ isAdmin: () => false, userId: () => 'u1' }))
    const fields: Record<string, string> = {}
    expect(await r.create({ agentId: 7, dollars: '$1,234.50', justification: ' more ' }, fields)).toBe(true)
    expect(mock.calls('POST', '/api/v1/budget/requests')[0]?.body).toEqual({ agent_id: 7, requested_budget_usd: 1234.5, justification: 'more' })
    expect(await r.create({ agentId: 7, dollars: '1.0000001', justification: '' }, fields)).toBe(false)
    expect(fields.requested_budget_usd).toMatch(/dollars/)
    expect(mock.calls('POST', '/api/v1/budget/requests')).toHaveLength(1)
  })

  it('rejects with the reason and shows a server field error under the field', async () => {
    const mock = setupMock([]).on('PATCH', '/api/v1/budget/requests/:id/reject', {
      status: 400,
      body: envelope('VALIDATION_ERROR', 'reason must be 1..1000 characters', { field: 'reason' }),
    })
    const { value: r } = await withSetup('/budgets', () => useBudgetRequests({ isAdmin: () => true, userId: () => 'u1' }))
    const fields: Record<string, string> = {}
    expect(await r.reject('b', '  ', fields)).toBe(false)
    expect(mock.calls('PATCH', '/api/v1/budget/requests/:id/reject')[0]?.body).toEqual({ reason: '  ' })
    expect(fields.reason).toBe('reason must be 1..1000 characters')
  })

  it('approve and cancel call their routes and reload the list', async () => {
    const mock = setupMock([])
      .on('PATCH', '/api/v1/budget/requests/:id/approve', { body: budgetRequest('a', 'approved') })
      .on('PATCH', '/api/v1/budget/requests/:id/cancel', { body: budgetRequest('b', 'cancelled') })
    const { value: r } = await withSetup('/budgets', () => useBudgetRequests({ isAdmin: () => true, userId: () => 'u1' }))
    expect(await r.approve('a')).toBe(true)
    expect(await r.cancel('b')).toBe(true)
    expect(mock.calls('PATCH', '/api/v1/budget/requests/:id/approve')[0]?.params.id).toBe('a')
    expect(mock.calls('PATCH', '/api/v1/budget/requests/:id/cancel')[0]?.params.id).toBe('b')
    expect(mock.calls('GET', '/api/v1/budget/requests')).toHaveLength(2)
  })
})

describe('dollarsToUsd', () => {
  it.each([
    ['12.50', 12.5],
    ['$1,000', 1000],
    ['0.000001', 0.000001],
    ['0', null],
    ['-3', null],
    ['abc', null],
    ['1.1234567', null],
  ])('%s → %s', (text, usd) => expect(dollarsToUsd(text)).toBe(usd))
})
