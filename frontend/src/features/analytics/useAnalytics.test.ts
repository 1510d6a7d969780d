import { beforeEach, describe, expect, it } from 'vitest'
import { defineComponent, h, reactive } from 'vue'
import { flushPromises, mount } from '@vue/test-utils'
import { createPinia, setActivePinia } from 'pinia'
import { mockApi } from '../../test/mockApi'
import { csvReply, stubDownloads } from '../../test/mockDownload'
import {
  FILTER_DEFAULTS,
  TABLE_ROWS,
  apiFilters,
  eventFilters,
  exportCsv,
  fetchEventPage,
  useAnalyticsReport,
  type ApiFilters,
  type EventFilters,
  type FilterState,
} from './useAnalytics'

describe('apiFilters', () => {
  const cases: [string, Partial<FilterState>, ApiFilters][] = [
    ['the default period', {}, { period: 'last30-days' }],
    ['a named period with agent and provider', { period: 'all-time', agent: 7, provider: 'openai' }, { period: 'all-time', agent_id: 7, provider: 'openai' }],
    ['a custom range sends from/to, never a period', { period: 'custom', from: '2026-11-01', to: '2026-11-15' }, { from: '2026-11-01', to: '2026-11-15' }],
    ['a custom range open at the start', { period: 'custom', to: '2026-11-15' }, { to: '2026-11-15' }],
    ['dates left over from a custom range are ignored', { period: 'today', from: '2026-11-01' }, { period: 'today' }],
    ['an unknown period falls back to the default', { period: 'forever' }, { period: 'last30-days' }],
  ]
  for (const [name, state, want] of cases) it(name, () => expect(apiFilters({ ...FILTER_DEFAULTS, ...state })).toEqual(want))
})

describe('eventFilters', () => {
  const cases: [string, Partial<FilterState>, EventFilters][] = [
    ['no model or type: the view filters only', { period: 'all-time' }, { period: 'all-time' }],
    ['a model is sent as is', { period: 'all-time', model: 'gpt-4o' }, { period: 'all-time', model: 'gpt-4o' }],
    ['completed maps to the server type', { type: 'completed' }, { period: 'last30-days', type: 'llm_request_completed' }],
    ['failed maps to the server type', { type: 'failed' }, { period: 'last30-days', type: 'llm_request_failed' }],
    ['an unknown type is dropped', { type: 'exploded' }, { period: 'last30-days' }],
    ['flagged asks for the events outside the allow-list', { allowed: 'flagged' }, { period: 'last30-days', model_allowed: false }],
    ['allowed asks for the others', { allowed: 'allowed' }, { period: 'last30-days', model_allowed: true }],
    ['an unknown allow-list value is dropped', { allowed: 'maybe' }, { period: 'last30-days' }],
    [
      'combined with agent and provider',
      { period: 'today', agent: 3, provider: 'openai', model: 'gpt-4o', type: 'failed' },
      { period: 'today', agent_id: 3, provider: 'openai', model: 'gpt-4o', type: 'llm_request_failed' },
    ],
  ]
  for (const [name, state, want] of cases) it(name, () => expect(eventFilters({ ...FILTER_DEFAULTS, ...state })).toEqual(want))

  it('leaves the breakdowns query alone', () => {
    expect(apiFilters({ ...FILTER_DEFAULTS, model: 'gpt-4o', type: 'failed' })).toEqual({ period: 'last30-days' })
  })

  it('reaches the event log request and its CSV export', async () => {
    const mock = mockApi().on('GET', '/api/v1/analytics/events', { body: { items: [], next_cursor: null } })
    const f = eventFilters({ ...FILTER_DEFAULTS, agent: 2, model: 'claude-3', type: 'completed' })
    await fetchEventPage(f, 'c1', new AbortController().signal)
    const q = mock.calls('GET', '/api/v1/analytics/events')[0]!.url.searchParams
    expect(q.get('model')).toBe('claude-3')
    expect(q.get('type')).toBe('llm_request_completed')
    expect(q.get('agent_id')).toBe('2')
    expect(q.get('cursor')).toBe('c1')
  })
})

const page = { page: 1, per_page: TABLE_ROWS, total: 0, total_pages: 0 }
function mockReport() {
  return mockApi()
    .on('GET', '/api/v1/analytics/spending/timeseries', { body: { data: [], summary: {} } })
    .on('GET', '/api/v1/analytics/spending/by-agent', { body: { data: [], pagination: page } })
    .on('GET', '/api/v1/analytics/spending/by-provider', { body: { data: [] } })
    .on('GET', '/api/v1/analytics/usage/models', { body: { data: [], pagination: page } })
    .on('GET', '/api/v1/analytics/usage/tokens/by-agent', { body: { data: [], pagination: page } })
    .on('GET', '/api/v1/analytics/cost-differences', { body: { rows: [], totals: {} } })
}

describe('useAnalyticsReport', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('asks every breakdown with the same filters and refetches when they change', async () => {
    const mock = mockReport()
    const filters = reactive<ApiFilters>({ period: 'this-month', provider: 'openai' })
    let report!: ReturnType<typeof useAnalyticsReport>
    mount(defineComponent({ setup: () => ((report = useAnalyticsReport(() => ({ ...filters }))), () => h('div')) }))
    await flushPromises()
    expect(mock.fetch.mock.calls).toHaveLength(6)
    for (const c of mock.calls()) {
      expect(c.url.searchParams.get('period')).toBe('this-month')
      expect(c.url.searchParams.get('provider')).toBe('openai')
    }
    expect(mock.calls('GET', '/api/v1/analytics/spending/timeseries')[0]!.url.searchParams.get('bucket')).toBe('day')
    expect(mock.calls('GET', '/api/v1/analytics/spending/by-agent')[0]!.url.searchParams.get('per_page')).toBe(String(TABLE_ROWS))
    expect(report.report.value).not.toBeNull()
    filters.agent_id = 4
    await flushPromises()
    expect(mock.fetch.mock.calls).toHaveLength(12)
    expect(mock.calls().at(-1)!.url.searchParams.get('agent_id')).toBe('4')
  })

  it('shows a failure as the report error', async () => {
    mockReport().on('GET', '/api/v1/analytics/usage/models', { status: 400, body: { error: { code: 'VALIDATION_ERROR', message: 'bad from', details: { field: 'from' } } } })
    let report!: ReturnType<typeof useAnalyticsReport>
    mount(defineComponent({ setup: () => ((report = useAnalyticsReport(() => ({ from: 'x' }))), () => h('div')) }))
    await flushPromises()
    expect(report.error.value).toMatchObject({ code: 'VALIDATION_ERROR' })
    expect(report.loading.value).toBe(false)
  })
})

describe('exportCsv', () => {
  beforeEach(() => setActivePinia(createPinia()))

  it('downloads the table the view shows, as CSV, with its filters', async () => {
    const mock = mockApi().on('GET', '/api/v1/analytics/usage/models', csvReply('models.csv', 'model\n'))
    stubDownloads()
    await exportCsv('models', { period: 'today', agent_id: 2 })
    const call = mock.calls('GET', '/api/v1/analytics/usage/models')[0]!
    expect(Object.fromEntries(call.url.searchParams)).toEqual({ period: 'today', agent_id: '2', format: 'csv' })
  })

  it('exports the event log with its model and type filters', async () => {
    const mock = mockApi().on('GET', '/api/v1/analytics/events/list', csvReply('events.csv', 'timestamp\n'))
    stubDownloads()
    await exportCsv('events', eventFilters({ ...FILTER_DEFAULTS, period: 'today', model: 'gpt-4o', type: 'failed' }))
    const call = mock.calls('GET', '/api/v1/analytics/events/list')[0]!
    expect(Object.fromEntries(call.url.searchParams)).toEqual({
      period: 'today',
      model: 'gpt-4o',
      type: 'llm_request_failed',
      format: 'csv',
    })
  })
})
