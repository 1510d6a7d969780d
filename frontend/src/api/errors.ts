// ApiError is the one shape every failed API call takes, and handleApiError is the one place
// that decides how a failure reaches the person: the field's message under the field, a toast,
// or a navigation (401 → sign-in keeping the intended URL, 403 PASSWORD_CHANGE_REQUIRED →
// change password). Views never inspect Response objects themselves.
import type { Router } from 'vue-router'
import type { components } from './schema'
import { useToastStore } from '../stores/toasts'

export type ErrorEnvelope = components['schemas']['ErrorEnvelope']

export class ApiError extends Error {
  override readonly name = 'ApiError'
  constructor(
    /** HTTP status; 0 when the server could not be reached at all. */
    readonly status: number,
    /** The envelope's stable SNAKE_CASE code (NETWORK_ERROR, HTTP_<status> when there was no envelope). */
    readonly code: string,
    message: string,
    /** The offending request field on validation errors. */
    readonly field: string | null = null,
    /** Seconds until a retry may succeed (Retry-After or details.retry_after). */
    readonly retryAfter: number | null = null,
    readonly details: Record<string, unknown> = {},
  ) {
    super(message)
  }
}

function isEnvelope(body: unknown): body is ErrorEnvelope {
  if (typeof body !== 'object' || body === null) return false
  const e = (body as { error?: unknown }).error
  return typeof e === 'object' && e !== null && typeof (e as { code?: unknown }).code === 'string'
}

function statusText(status: number): string {
  if (status === 401) return 'Your session has ended; sign in again.'
  if (status === 403) return 'You are not allowed to do this.'
  if (status === 404) return 'Not found.'
  if (status === 429) return 'Too many requests; try again shortly.'
  if (status >= 500) return `The server failed (HTTP ${status}); try again shortly.`
  return `The request failed (HTTP ${status}).`
}

/** Builds the ApiError for a non-2xx answer from its status, parsed body (if any) and headers. */
export function apiErrorFrom(status: number, body: unknown, headers?: Headers): ApiError {
  const headerRetry = Number(headers?.get('Retry-After') ?? NaN)
  if (isEnvelope(body)) {
    const { code, message, details } = body.error
    const d: Record<string, unknown> = details ?? {}
    const field = typeof d.field === 'string' ? d.field : null
    const retry = Number.isFinite(headerRetry) ? headerRetry : typeof d.retry_after === 'number' ? d.retry_after : null
    return new ApiError(status, code, message || statusText(status), field, retry, d)
  }
  return new ApiError(status, `HTTP_${status}`, statusText(status), null, Number.isFinite(headerRetry) ? headerRetry : null)
}

/** Any thrown value as an ApiError (network failures become status 0 NETWORK_ERROR). */
export function toApiError(e: unknown): ApiError {
  if (e instanceof ApiError) return e
  if (e instanceof DOMException && e.name === 'AbortError') return new ApiError(0, 'ABORTED', 'The request was cancelled.')
  if (e instanceof TypeError) return new ApiError(0, 'NETWORK_ERROR', 'The server cannot be reached; check your connection.')
  return new ApiError(0, 'CLIENT_ERROR', e instanceof Error ? e.message : String(e))
}

/** "in 2 min", "in 45 s": how long until a retry, for the 429 (throttled) messages. */
export function describeRetry(seconds: number | null): string {
  if (seconds === null || seconds <= 0) return ''
  if (seconds < 90) return `in ${Math.ceil(seconds)} s`
  if (seconds < 90 * 60) return `in ${Math.ceil(seconds / 60)} min`
  return `in ${Math.ceil(seconds / 3600)} h`
}

let appRouter: Router | null = null
/** main.ts hands the router over once, so the handler can navigate. */
export function installErrorRouter(router: Router): void {
  appRouter = router
}

export interface HandleOptions {
  /** Field messages by request field name; a field error lands here instead of a toast. */
  fields?: Record<string, string>
  /** Prefix for the toast, e.g. "Could not save the agent". */
  context?: string
  /** The caller shows the error itself (a list's error state): navigate if needed, no toast. */
  quiet?: boolean
}

/**
 * Shows a failure where it belongs. Returns the ApiError so callers can still branch on it.
 * ABORTED is silent: it is what leaving a view does to its pending requests.
 */
export function handleApiError(e: unknown, opts: HandleOptions = {}): ApiError {
  const err = toApiError(e)
  if (err.code === 'ABORTED') return err
  const here = appRouter?.currentRoute.value
  if (err.status === 401 && appRouter && here && !here.meta.public) {
    void appRouter.push({ name: 'login', query: { redirect: here.fullPath } })
    return err
  }
  if (err.status === 403 && err.code === 'PASSWORD_CHANGE_REQUIRED' && appRouter && here) {
    if (here.name !== 'change-password') {
      void appRouter.push({ name: 'change-password', query: { redirect: here.fullPath } })
    }
    return err
  }
  if (err.field && opts.fields) {
    opts.fields[err.field] = err.message
    return err
  }
  if (opts.quiet) return err
  const retry = err.status === 429 ? describeRetry(err.retryAfter) : ''
  const text = `${opts.context ? `${opts.context}: ` : ''}${err.message}${retry ? ` (retry ${retry})` : ''}`
  useToastStore().push({ kind: 'error', message: text })
  return err
}
