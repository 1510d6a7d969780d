// The Analytics view's only API caller: the spend/usage breakdowns for one filter set, the
// event log by cursor and the CSV exports of each table. Filters are the URL's (the view keeps
// them with useQueryState); `apiFilters` turns them into the server's query parameters.
import { shallowRef, watch } from 'vue'
import { api, unwrap } from '../../api/client'
import { downloadFile } from '../../api/download'
import { handleApiError } from '../../api/errors'
import type { components, paths } from '../../api/schema'
import { useLoader } from '../../composables/useLoader'

type S = components['schemas']

/** The server's named periods (UTC), the predecessor's set; 'custom' means from/to. */
export const PERIODS = [
  { value: 'today', label: 'Today' },
  { value: 'yesterday', label: 'Yesterday' },
  { value: 'last7-days', label: 'Last 7 days' },
  { value: 'last30-days', label: 'Last 30 days' },
  { value: 'this-month', label: 'This month' },
  { value: 'last-month', label: 'Last month' },
  { value: 'all-time', label: 'All time' },
  { value: 'custom', label: 'Custom range' },
] as const
export type ServerPeriod = Exclude<(typeof PERIODS)[number]['value'], 'custom'>

/** The filter state as it sits in the URL (defaults stay out of it). */
export const FILTER_DEFAULTS = { period: 'last30-days', from: '', to: '', agent: 0, provider: '', model: '', type: '', allowed: '' }
export type FilterState = typeof FILTER_DEFAULTS

export interface ApiFilters {
  period?: ServerPeriod
  from?: string
  to?: string
  agent_id?: number
  provider?: string
}

/** The server's query for the URL's filters: a custom range sends from/to, never a period. */
export function apiFilters(f: FilterState): ApiFilters {
  const out: ApiFilters = {}
  if (f.period === 'custom') {
    if (f.from) out.from = f.from
    if (f.to) out.to = f.to
  } else {
    const known = PERIODS.some((p) => p.value === f.period)
    out.period = (known ? f.period : FILTER_DEFAULTS.period) as ServerPeriod
  }
  if (f.agent > 0) out.agent_id = f.agent
  if (f.provider) out.provider = f.provider
  return out
}

/** The event log's type filter: the URL's short value and the server's event type. */
export const EVENT_TYPES = [
  { value: 'completed', server: 'llm_request_completed', label: 'Completed' },
  { value: 'failed', server: 'llm_request_failed', label: 'Failed' },
] as const
export type ServerEventType = (typeof EVENT_TYPES)[number]['server']

/** The event log's allow-list filter (docs/model-allow-lists.md): the URL's value and the server's flag. */
export const MODEL_ALLOWED_CHOICES = [
  { value: 'flagged', server: false, label: 'Not allowed' },
  { value: 'allowed', server: true, label: 'Allowed' },
] as const

export interface EventFilters extends ApiFilters {
  model?: string
  type?: ServerEventType
  model_allowed?: boolean
}

/** The event log's query: the view's filters plus model, type and the allow-list flag (the breakdowns ignore those). */
export function eventFilters(f: FilterState): EventFilters {
  const out: EventFilters = apiFilters(f)
  if (f.model) out.model = f.model
  const type = EVENT_TYPES.find((t) => t.value === f.type)
  if (type) out.type = type.server
  const allowed = MODEL_ALLOWED_CHOICES.find((c) => c.value === f.allowed)
  if (allowed) out.model_allowed = allowed.server
  return out
}

/** Rows per breakdown table; the CSV export carries every row, the table says when it shows fewer. */
export const TABLE_ROWS = 100

export interface AnalyticsReport {
  series: S['SpendingTimeseries']
  byAgent: S['SpendingByAgent']
  byProvider: S['SpendingByProvider']
  models: S['ModelUsageList']
  tokens: S['TokenUsageByAgent']
  costs: CostDifferences
}

/** Reported cost against the price catalogue per agent and model, and the unpriced events. */
export type CostDifferences = Extract<
  paths['/api/v1/analytics/cost-differences']['get']['responses'][200]['content']['application/json'],
  object
>

// The routes that also stream CSV are typed `object | string`; asked without `format` they answer JSON.
function json<T extends object>(v: T | string): T {
  if (typeof v === 'string') throw new TypeError('expected a JSON answer')
  return v
}

async function fetchReport(f: ApiFilters, signal: AbortSignal): Promise<AnalyticsReport> {
  const paged = { ...f, per_page: TABLE_ROWS }
  const [series, byAgent, byProvider, models, tokens, costs] = await Promise.all([
    unwrap(api.GET('/api/v1/analytics/spending/timeseries', { params: { query: { ...f, bucket: 'day' } }, signal })),
    unwrap(api.GET('/api/v1/analytics/spending/by-agent', { params: { query: paged }, signal })),
    unwrap(api.GET('/api/v1/analytics/spending/by-provider', { params: { query: f }, signal })),
    unwrap(api.GET('/api/v1/analytics/usage/models', { params: { query: paged }, signal })),
    unwrap(api.GET('/api/v1/analytics/usage/tokens/by-agent', { params: { query: paged }, signal })),
    unwrap(api.GET('/api/v1/analytics/cost-differences', { params: { query: f }, signal })),
  ])
  return {
    series: json(series),
    byAgent: json(byAgent),
    byProvider: json(byProvider),
    models: json(models),
    tokens: json(tokens),
    costs: json(costs),
  }
}

/** Loads the report whenever the filters change; a superseded request is cancelled. */
export function useAnalyticsReport(filters: () => ApiFilters) {
  const report = shallowRef<AnalyticsReport | null>(null)
  const { loading, error, run } = useLoader()
  const load = () => run((signal) => fetchReport(filters(), signal), (r) => (report.value = r))

  watch(filters, load, { immediate: true, deep: true })
  return { report, loading, error, reload: load }
}

/** One page of the event log (newest first). */
export function fetchEventPage(f: EventFilters, cursor: string | null, signal: AbortSignal) {
  return unwrap(api.GET('/api/v1/analytics/events', { params: { query: { ...f, limit: 50, ...(cursor ? { cursor } : {}) } }, signal }))
}

/** The tables the view exports, each with the server route that streams it as CSV. */
export const EXPORTS = {
  series: '/api/v1/analytics/spending/timeseries',
  agents: '/api/v1/analytics/spending/by-agent',
  providers: '/api/v1/analytics/spending/by-provider',
  models: '/api/v1/analytics/usage/models',
  tokens: '/api/v1/analytics/usage/tokens/by-agent',
  costs: '/api/v1/analytics/cost-differences',
  events: '/api/v1/analytics/events/list',
} as const
export type ExportName = keyof typeof EXPORTS

/** Downloads one table as CSV with the filters it shows; errors become a toast. */
export async function exportCsv(name: ExportName, f: ApiFilters | EventFilters): Promise<void> {
  try {
    await downloadFile(EXPORTS[name], { ...f, format: 'csv' }, `${name}.csv`)
  } catch (e) {
    handleApiError(e, { context: 'CSV export' })
  }
}
