import { beforeEach, describe, expect, it } from 'vitest'
import { defineComponent, h } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { createMemoryHistory, createRouter } from 'vue-router'
import { mockApi } from '../../test/mockApi'
import { bodyOf, formOf, useLimits, type Limit } from './useLimits'

const limit: Limit = {
  id: 3,
  user_id: 'u2',
  project_id: null,
  max_tokens_per_day: null,
  max_requests_per_minute: 60,
  max_tokens_per_minute: 5_000,
  max_cost_per_month_microdollars: 25_500_000,
  alert_thresholds: [80, 100],
  created_at: 1,
  updated_at: 1,
}
const period = { start: '2026-11-01T00:00:00Z', resets_at: '2026-12-01T00:00:00Z' }
const usage = (user: string) => ({
  user_id: user,
  tokens_today: 0,
  requests_this_minute: 0,
  cost_this_month_microdollars: 1_000_000,
  periods: { day: period, minute: period, month: period },
  limits: [{ limit, tokens_today: 0, requests_this_minute: 2, cost_this_month_microdollars: 1_000_000 }],
})

async function setup(url: string, isAdmin: boolean) {
  const router = createRouter({ history: createMemoryHistory(), routes: [{ path: '/limits', component: { render: () => null } }] })
  await router.push(url)
  let l!: ReturnType<typeof useLimits>
  mount(
    defineComponent({
      setup() {
        l = useLimits({ isAdmin: () => isAdmin })
        return () => h('div')
      },
    }),
    { global: { plugins: [router] } },
  )
  await flushPromises()
  return l
}

describe('useLimits', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('reads the chosen user from the URL: one call for a user, the user list for an admin', async () => {
    const mock = mockApi()
      .on('GET', '/api/v1/limits/usage', (c) => ({ body: usage(c.url.searchParams.get('user_id') ?? 'me') }))
      .on('GET', '/api/v1/users', { body: { page: 1, page_size: 100, total: 0, users: [] } })
    const l = await setup('/limits?user=u2', true)
    expect(mock.calls('GET', '/api/v1/limits/usage')[0]?.url.searchParams.get('user_id')).toBe('u2')
    expect(mock.calls('GET', '/api/v1/users')).toHaveLength(1)
    expect(l.usage.value?.limits[0]?.limit.id).toBe(3)

    const mine = mockApi().on('GET', '/api/v1/limits/usage', { body: usage('me') })
    await setup('/limits', false)
    expect(mine.calls()).toHaveLength(1)
    expect(mine.calls()[0]?.url.searchParams.has('user_id')).toBe(false)
  })

  it('creates for the shown user with µ$ from dollars, edits with every field, deletes', async () => {
    const mock = mockApi()
      .on('GET', '/api/v1/limits/usage', { body: usage('u2') })
      .on('POST', '/api/v1/limits', { status: 201, body: limit })
      .on('PUT', '/api/v1/limits/:id', { body: limit })
      .on('DELETE', '/api/v1/limits/:id', { status: 204 })
    const l = await setup('/limits', false)
    const fields: Record<string, string> = {}
    const form = { ...formOf(null), projectId: 'p1', costDollars: '25.50', tokensPerDay: '100,000' }
    expect(await l.save(null, form, fields)).toBe(true)
    expect(mock.calls('POST', '/api/v1/limits')[0]?.body).toEqual({
      user_id: 'u2',
      project_id: 'p1',
      max_cost_per_month_microdollars: 25_500_000,
      max_tokens_per_day: 100_000,
      max_tokens_per_minute: null,
      max_requests_per_minute: null,
      alert_thresholds: [80, 100],
    })
    expect(await l.save(3, { ...formOf(limit), costDollars: '' , requestsPerMinute: '60' }, fields)).toBe(true)
    expect(mock.calls('PUT', '/api/v1/limits/:id')[0]?.body).toMatchObject({
      max_cost_per_month_microdollars: null,
      max_tokens_per_minute: 5_000,
      max_requests_per_minute: 60,
    })
    expect(await l.remove(3)).toBe(true)
    expect(mock.calls('DELETE', '/api/v1/limits/:id')[0]?.params.id).toBe('3')
  })
})

describe('bodyOf / formOf', () => {
  it('shows a limit in dollars and back exactly', () => {
    expect(formOf(limit).costDollars).toBe('25.5')
    expect(bodyOf(formOf(limit))).toEqual({
      body: {
        max_cost_per_month_microdollars: 25_500_000,
        max_tokens_per_day: null,
        max_tokens_per_minute: 5_000,
        max_requests_per_minute: 60,
        alert_thresholds: [80, 100],
      },
    })
  })

  it('accepts TPM as the only maximum', () => {
    const r = bodyOf({ ...formOf(null), tokensPerMinute: '10 000' })
    expect('body' in r && r.body.max_tokens_per_minute).toBe(10_000)
  })

  it.each([
    [{ costDollars: 'ten' }, 'max_cost_per_month_microdollars'],
    [{ costDollars: '0' }, 'max_cost_per_month_microdollars'],
    [{ tokensPerDay: '1.5' }, 'max_tokens_per_day'],
    [{ requestsPerMinute: '0' }, 'max_requests_per_minute'],
    [{ tokensPerMinute: '-5' }, 'max_tokens_per_minute'],
    [{ costDollars: '1', thresholds: '80, 120' }, 'alert_thresholds'],
    [{ costDollars: '' }, 'max_cost_per_month_microdollars'],
  ])('refuses %o on %s', (patch, field) => {
    const r = bodyOf({ ...formOf(null), ...patch })
    expect('errors' in r && r.errors[field]).toBeTruthy()
  })
})
