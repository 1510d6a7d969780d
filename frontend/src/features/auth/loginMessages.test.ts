import { describe, expect, it } from 'vitest'
import { ApiError } from '../../api/errors'
import { loginFailure } from './loginMessages'

describe('loginFailure', () => {
  const now = Date.UTC(2026, 10, 30, 3, 0, 0)
  const cases: [ApiError, RegExp, number | null][] = [
    [new ApiError(401, 'AUTH_INVALID_CREDENTIALS', 'invalid email or password'), /^Wrong email or password\.$/, null],
    [new ApiError(429, 'RATE_LIMIT_EXCEEDED', 'too many', null, 600), /Too many failed sign-ins\. Try again in 10 min \(at .+\)\./, now + 600_000],
    [new ApiError(429, 'RATE_LIMIT_EXCEEDED', 'too many', null, 42), /Too many failed sign-ins\. Try again in 42 s/, now + 42_000],
    [new ApiError(429, 'RATE_LIMIT_EXCEEDED', 'too many'), /Try again later\./, null],
    [new ApiError(403, 'AUTH_ACCOUNT_DISABLED', 'disabled'), /suspended/, null],
    [new ApiError(0, 'NETWORK_ERROR', 'The server cannot be reached; check your connection.'), /cannot be reached/, null],
  ]
  for (const [err, message, retryAt] of cases) {
    it(err.code + (err.retryAfter ? ` (retry ${err.retryAfter} s)` : ''), () => {
      const f = loginFailure(err, now)
      expect(f.message).toMatch(message)
      expect(f.retryAt).toBe(retryAt)
    })
  }
})
