// The agents API (src/api/agents.cpp) for the Agents views, and the few reads of neighbouring
// resources the agent detail shows for one agent (its spend series and events from analytics,
// the owner and key pickers). Every request of this feature goes through here.
import { api, unwrap } from '../../api/client'
import { pageOf, rowsOf } from '../../api/lists'
import type { components, operations } from '../../api/schema'

export type Agent = components['schemas']['Agent']
export type AgentLease = components['schemas']['AgentLease']
export type ApiToken = components['schemas']['ApiToken']
export type AnalyticsEvent = components['schemas']['AnalyticsEvent']
export type SpendingPoint = components['schemas']['SpendingPoint']
export type BudgetChange = Awaited<ReturnType<typeof budgetHistory>>[number]
export type IcTokenIssued = Awaited<ReturnType<typeof issueIcToken>>

export const AGENT_SORTS = ['name', 'created_at', 'allocated', 'spent', 'remaining'] as const

export type BudgetPeriod = Agent['budget']['period']
/** The budget periods, in the order the form offers them (docs/budgets.md). */
export const BUDGET_PERIODS: { value: BudgetPeriod; label: string }[] = [
  { value: 'one_off', label: 'One-off (never resets)' },
  { value: 'daily', label: 'Daily (00:00)' },
  { value: 'weekly', label: 'Weekly (Monday 00:00)' },
  { value: 'monthly', label: 'Monthly (1st, 00:00)' },
]
/**
 * Zone names to suggest in the budget form: the browser's list (the server embeds IANA's own
 * and is the authority: a name it does not know is its 400, shown on the field).
 */
export function timeZoneSuggestions(): string[] {
  const names = typeof Intl.supportedValuesOf === 'function' ? Intl.supportedValuesOf('timeZone') : []
  return names.includes('UTC') ? names : ['UTC', ...names]
}

/** "Daily · resets …" label parts for a budget: null for a one-off budget. */
export function periodLabel(period: BudgetPeriod): string {
  return BUDGET_PERIODS.find((p) => p.value === period)?.label.replace(/ \(.*\)$/, '') ?? period
}

export interface AgentQuery {
  search: string
  owner_id: string
  sort: string
  page: number
  per_page: number
}

type SortParam = NonNullable<operations['listAgents']['parameters']['query']>['sort']

/** One page of agents, searched and sorted on the server (empty filters stay out of the URL). */
export async function listAgents(q: AgentQuery, signal?: AbortSignal): Promise<{ items: Agent[]; total: number }> {
  const query = {
    page: q.page,
    per_page: q.per_page,
    ...(q.search.trim() ? { search: q.search.trim() } : {}),
    ...(q.owner_id ? { owner_id: q.owner_id } : {}),
    ...(q.sort ? { sort: q.sort as SortParam } : {}),
  }
  return pageOf(await unwrap(api.GET('/api/v1/agents', { params: { query }, signal })))
}

export async function getAgent(id: number, signal?: AbortSignal): Promise<Agent> {
  return unwrap(api.GET('/api/v1/agents/{id}', { params: { path: { id } }, signal }))
}

export interface AgentInput {
  name: string
  owner_id?: string
  provider_key_id: number | null
  budget_period?: BudgetPeriod
  budget_time_zone?: string
}

function periodFields(input: AgentInput) {
  return {
    ...(input.budget_period ? { budget_period: input.budget_period } : {}),
    ...(input.budget_time_zone ? { budget_time_zone: input.budget_time_zone } : {}),
  }
}

export async function createAgent(input: AgentInput & { initial_budget_microdollars: number }): Promise<Agent> {
  const body = {
    name: input.name,
    initial_budget_microdollars: input.initial_budget_microdollars,
    ...(input.owner_id ? { owner_id: input.owner_id } : {}),
    ...(input.provider_key_id ? { provider_key_id: input.provider_key_id } : {}),
    ...periodFields(input),
  }
  return unwrap(api.POST('/api/v1/agents', { body }))
}

export async function updateAgent(id: number, input: AgentInput): Promise<Agent> {
  const body = {
    name: input.name,
    provider_key_id: input.provider_key_id,
    ...(input.owner_id ? { owner_id: input.owner_id } : {}),
    ...periodFields(input),
  }
  return unwrap(api.PUT('/api/v1/agents/{id}', { params: { path: { id } }, body }))
}

export async function deleteAgent(id: number): Promise<void> {
  await unwrap(api.DELETE('/api/v1/agents/{id}', { params: { path: { id } } }))
}

export async function setBudget(id: number, totalMicros: number): Promise<void> {
  await unwrap(api.PUT('/api/v1/agents/{id}/budget', { params: { path: { id } }, body: { total_allocated_microdollars: totalMicros } }))
}

export async function issueIcToken(id: number) {
  return unwrap(api.POST('/api/v1/agents/{id}/ic-token', { params: { path: { id } } }))
}

export async function regenerateIcToken(id: number) {
  return unwrap(api.POST('/api/v1/agents/{id}/ic-token/regenerate', { params: { path: { id } } }))
}

export async function revokeIcToken(id: number): Promise<void> {
  await unwrap(api.DELETE('/api/v1/agents/{id}/ic-token', { params: { path: { id } } }))
}

export async function listLeases(id: number, page: number, signal?: AbortSignal) {
  return unwrap(api.GET('/api/v1/agents/{id}/leases', { params: { path: { id }, query: { page, per_page: 10 } }, signal }))
}

export async function budgetHistory(id: number, signal?: AbortSignal) {
  return unwrap(api.GET('/api/v1/agents/{id}/budget/history', { params: { path: { id } }, signal }))
}

export async function agentTokens(id: number, signal?: AbortSignal): Promise<ApiToken[]> {
  return unwrap(api.GET('/api/v1/agents/{id}/tokens', { params: { path: { id } }, signal }))
}

/** Daily spend of the last 30 days for one agent (analytics daily rollups). */
export async function spendSeries(agentId: number, signal?: AbortSignal): Promise<SpendingPoint[]> {
  const r = await unwrap(
    api.GET('/api/v1/analytics/spending/timeseries', {
      params: { query: { agent_id: agentId, period: 'last30-days', bucket: 'day' } },
      signal,
    }),
  )
  return json(r).data
}

/** The agent's latest analytics events (newest first). */
export async function latestEvents(agentId: number, signal?: AbortSignal): Promise<AnalyticsEvent[]> {
  const r = await unwrap(
    api.GET('/api/v1/analytics/events/list', {
      params: { query: { agent_id: agentId, period: 'all-time', page: 1, per_page: 10 } },
      signal,
    }),
  )
  return json(r).data
}

// The analytics routes can also answer CSV; without `format` they answer JSON.
function json<T>(r: T | string): T {
  if (typeof r === 'string') throw new Error('expected JSON from the analytics API')
  return r
}

export interface Choice {
  value: string
  label: string
  /** For a provider key: the user who owns it (an admin may delegate only their own keys). */
  owner?: string
}

/** Owners an admin may pick (active users, first page by name) and the enabled provider keys. */
export async function loadPickers(signal?: AbortSignal): Promise<{ owners: Choice[]; keys: Choice[] }> {
  const [users, keys] = await Promise.all([
    unwrap(api.GET('/api/v1/users', { params: { query: { is_active: true, page: 1, page_size: 100 } }, signal })),
    unwrap(api.GET('/api/v1/providers', { params: { query: { all: true } }, signal })),
  ])
  return {
    owners: users.users.map((u) => ({ value: u.id, label: u.name ? `${u.name} (${u.username})` : u.username })),
    keys: rowsOf(keys)
      .filter((k) => k.is_enabled)
      .map((k) => ({
        value: String(k.id),
        label: `${k.provider} · ${k.masked_key}${k.description ? ` · ${k.description}` : ''}`,
        owner: k.owner_id,
      })),
  }
}
