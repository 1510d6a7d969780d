// The one HTTP client. Every call goes through authFetch, which
//   - sends the in-memory access token as `Authorization: Bearer` and `X-Requested-With`
//     (the server gives browser sessions their refresh token only as an HttpOnly cookie and
//     honours that cookie only with this header, as CSRF protection);
//   - on a 401 refreshes the session ONCE (concurrent 401s share one refresh) and retries
//     the request once with the new token;
// and `unwrap` turns every non-2xx answer (or network failure) into an ApiError.
// Types come from schema.d.ts, generated from the server's OpenAPI document.
import createClient from 'openapi-fetch'
import { apiUrl } from '../base'
import { apiErrorFrom, toApiError } from './errors'
import type { paths } from './schema'

/** What the client needs from the session store (kept as hooks to avoid an import cycle). */
export interface SessionHooks {
  accessToken(): string | null
  /** Obtains a new access token through the refresh cookie; false when the session is gone. */
  refresh(): Promise<boolean>
  /** A fresh token was refused too: the session is over (avoids a sign-in ⇄ view loop). */
  lost(): void
}

let hooks: SessionHooks = { accessToken: () => null, refresh: async () => false, lost: () => {} }
let refreshing: Promise<boolean> | null = null

export function connectSession(h: SessionHooks): void {
  hooks = h
}

/** Refreshes the session, sharing one in-flight refresh between all callers. */
export function refreshOnce(): Promise<boolean> {
  refreshing ??= hooks
    .refresh()
    .catch(() => false)
    .finally(() => {
      refreshing = null
    })
  return refreshing
}

// A 401 from these means "wrong credentials", never "token expired": no refresh, no retry.
const NO_RETRY = /\/api\/v1\/(auth\/|setup$)/

function withAuth(request: Request, token: string | null): Request {
  const r = new Request(request)
  r.headers.set('X-Requested-With', 'XMLHttpRequest')
  if (token && !r.headers.has('Authorization')) r.headers.set('Authorization', `Bearer ${token}`)
  return r
}

/** fetch with the session's credentials, one refresh on 401 and one retry. */
export async function authFetch(input: Request): Promise<Response> {
  const sent = hooks.accessToken()
  const spare = input.clone() // the first attempt consumes the body; the retry needs its own
  const response = await fetch(withAuth(input, sent))
  if (response.status !== 401 || !sent || NO_RETRY.test(new URL(input.url).pathname)) return response
  // Another request may already have refreshed while this one was in flight.
  const current = hooks.accessToken()
  const renewed = current !== null && current !== sent ? true : await refreshOnce()
  const token = hooks.accessToken()
  if (!renewed || !token) return response
  const retried = await fetch(withAuth(spare, token))
  if (retried.status === 401) hooks.lost()
  return retried
}

/** The typed client: `api.GET('/api/v1/agents', { params: { query } })`. */
export function createApiClient() {
  return createClient<paths>({
    // Paths in the document start with '/' and are relative to the mount point.
    baseUrl: apiUrl('').href.replace(/\/$/, ''),
    fetch: authFetch,
  })
}

export const api = createApiClient()

interface CallResult<T> {
  data?: T
  error?: unknown
  response: Response
}

/** Awaits an openapi-fetch call: its data on success, an ApiError thrown otherwise. */
export async function unwrap<T>(call: Promise<CallResult<T>>): Promise<T> {
  let result: CallResult<T>
  try {
    result = await call
  } catch (e) {
    throw toApiError(e)
  }
  if (result.response.ok) return result.data as T
  throw apiErrorFrom(result.response.status, result.error, result.response.headers)
}
