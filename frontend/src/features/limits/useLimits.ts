// The only caller of the usage-limit API for the Usage limits view. Limits and their counters
// are per user (GET /limits/usage?user_id=): a person sees their own; an admin picks whose
// (`?user=` in the URL) from the user list. One request per load, two for admins.
import { shallowRef, watch } from 'vue'
import { api, unwrap } from '../../api/client'
import type { components, operations } from '../../api/schema'
import { handleApiError } from '../../api/errors'
import { useActions } from '../../composables/useActions'
import { useLoader } from '../../composables/useLoader'
import { useQueryState } from '../../composables/useQueryState'
import { microsToDollarInput, parseDollars } from '../../format/money'

export type LimitUsage = operations['getLimitUsage']['responses'][200]['content']['application/json']
export type LimitRow = LimitUsage['limits'][number]
export type Limit = LimitRow['limit']
export type User = components['schemas']['User']

/** The form as a person fills it: every maximum optional (empty = no maximum), cost in dollars. */
export interface LimitForm {
  projectId: string
  costDollars: string
  tokensPerDay: string
  tokensPerMinute: string
  requestsPerMinute: string
  thresholds: string
}

export function formOf(l: Limit | null): LimitForm {
  const text = (v: number | null) => (v === null ? '' : String(v))
  return {
    projectId: l?.project_id ?? '',
    costDollars: l?.max_cost_per_month_microdollars == null ? '' : microsToDollarInput(l.max_cost_per_month_microdollars),
    tokensPerDay: text(l?.max_tokens_per_day ?? null),
    tokensPerMinute: text(l?.max_tokens_per_minute ?? null),
    requestsPerMinute: text(l?.max_requests_per_minute ?? null),
    thresholds: (l?.alert_thresholds ?? [80, 100]).join(', '),
  }
}

export interface LimitFields {
  max_cost_per_month_microdollars: number | null
  max_tokens_per_day: number | null
  max_tokens_per_minute: number | null
  max_requests_per_minute: number | null
  alert_thresholds: number[]
}

/** The API body for a form, or the field errors that stop it (keys are the API's field names). */
export function bodyOf(f: LimitForm): { body: LimitFields } | { errors: Record<string, string> } {
  const errors: Record<string, string> = {}
  const count = (text: string, field: string): number | null => {
    const s = text.trim().replace(/[,_\s]/g, '')
    if (!s) return null
    if (!/^\d+$/.test(s) || Number(s) < 1 || !Number.isSafeInteger(Number(s))) {
      errors[field] = 'A whole number of at least 1, or empty for no maximum'
      return null
    }
    return Number(s)
  }
  let cost: number | null = null
  if (f.costDollars.trim()) {
    const micros = parseDollars(f.costDollars)
    if (micros === null || micros <= 0n || micros > BigInt(Number.MAX_SAFE_INTEGER))
      errors.max_cost_per_month_microdollars = 'A positive amount in dollars (at most six decimals), or empty'
    else cost = Number(micros)
  }
  const thresholds = f.thresholds.split(/[\s,]+/).filter(Boolean)
  if (thresholds.some((t) => !/^\d+$/.test(t) || Number(t) < 1 || Number(t) > 100))
    errors.alert_thresholds = 'Percents from 1 to 100, separated by commas'
  const body: LimitFields = {
    max_cost_per_month_microdollars: cost,
    max_tokens_per_day: count(f.tokensPerDay, 'max_tokens_per_day'),
    max_tokens_per_minute: count(f.tokensPerMinute, 'max_tokens_per_minute'),
    max_requests_per_minute: count(f.requestsPerMinute, 'max_requests_per_minute'),
    alert_thresholds: thresholds.map(Number),
  }
  if (Object.keys(errors).length) return { errors }
  if (
    body.max_cost_per_month_microdollars === null &&
    body.max_tokens_per_day === null &&
    body.max_tokens_per_minute === null &&
    body.max_requests_per_minute === null
  )
    return { errors: { max_cost_per_month_microdollars: 'Set at least one maximum' } }
  return { body }
}

export function useLimits(opts: { isAdmin: () => boolean }) {
  const q = useQueryState({ user: '' })
  const usage = shallowRef<LimitUsage | null>(null)
  const users = shallowRef<User[]>([])
  const { loading, error, run } = useLoader()
  const { busy, act } = useActions(load)

  function load(): Promise<void> {
    const query = q.state.user ? { user_id: q.state.user } : {}
    return run((signal) => unwrap(api.GET('/api/v1/limits/usage', { params: { query }, signal })), (u) => (usage.value = u))
  }

  async function loadUsers(): Promise<void> {
    if (!opts.isAdmin()) return
    try {
      const r = await unwrap(api.GET('/api/v1/users', { params: { query: { page_size: 100, is_active: true } } }))
      users.value = r.users
    } catch (e) {
      handleApiError(e, { context: 'Could not list the users' })
    }
  }

  function save(id: number | null, form: LimitForm, fields: Record<string, string>): Promise<boolean> {
    const r = bodyOf(form)
    if ('errors' in r) {
      Object.assign(fields, r.errors)
      return Promise.resolve(false)
    }
    if (id !== null)
      return act(() => unwrap(api.PUT('/api/v1/limits/{id}', { params: { path: { id } }, body: r.body })), 'Could not save the limit', fields)
    const userId = usage.value?.user_id ?? ''
    const project = form.projectId.trim()
    const body = { ...r.body, user_id: userId, ...(project ? { project_id: project } : {}) }
    return act(() => unwrap(api.POST('/api/v1/limits', { body })), 'Could not create the limit', fields)
  }

  const remove = (id: number) =>
    act(() => unwrap(api.DELETE('/api/v1/limits/{id}', { params: { path: { id } } })), 'Could not delete the limit')

  watch(() => q.state.user, load, { immediate: true })
  loadUsers()

  return { query: q, usage, users, loading, error, busy, load, save, remove }
}
