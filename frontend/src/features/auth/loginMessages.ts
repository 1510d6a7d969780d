// Sign-in failures in words a person can act on, with the time a retry may succeed.
import { describeRetry, type ApiError } from '../../api/errors'
import { formatDateTime } from '../../format/time'

export interface LoginFailure {
  message: string
  /** Epoch ms before which retrying is pointless (the per-address throttle). */
  retryAt: number | null
}

export function loginFailure(e: ApiError, now: number = Date.now()): LoginFailure {
  const retryAt = e.retryAfter !== null && e.retryAfter > 0 ? now + e.retryAfter * 1000 : null
  const when = retryAt ? ` Try again ${describeRetry(e.retryAfter)} (at ${formatDateTime(retryAt)}).` : ' Try again later.'
  switch (e.code) {
    case 'AUTH_INVALID_CREDENTIALS':
      return { message: 'Wrong email or password.', retryAt: null }
    case 'RATE_LIMIT_EXCEEDED':
      return { message: `Too many failed sign-ins.${when}`, retryAt }
    case 'AUTH_ACCOUNT_DISABLED':
      return { message: 'This account is suspended. Ask an administrator to reactivate it.', retryAt: null }
    default:
      return { message: e.message, retryAt }
  }
}
