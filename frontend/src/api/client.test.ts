import { beforeEach, describe, expect, it } from 'vitest'
import { createPinia, setActivePinia } from 'pinia'
import { api, unwrap } from './client'
import { ApiError } from './errors'
import { useSessionStore } from '../stores/session'
import { envelope, mockApi, sessionBody } from '../test/mockApi'
import { signIn } from '../test/signIn'

const me = { id: 'user_1', email: 'ada@example.com', role: 'admin', force_password_change: false }

describe('api client', () => {
  let mock: ReturnType<typeof mockApi>

  beforeEach(async () => {
    ;({ mock } = await signIn('old'))
  })

  it('sends the access token and X-Requested-With', async () => {
    mock.on('GET', '/api/v1/me', { body: me })
    await unwrap(api.GET('/api/v1/me'))
    const [call] = mock.calls('GET', '/api/v1/me')
    expect(call?.headers.get('Authorization')).toBe('Bearer old')
    expect(call?.headers.get('X-Requested-With')).toBe('XMLHttpRequest')
  })

  it('refreshes once on 401 and retries the request once with the new token', async () => {
    mock.on('POST', '/api/v1/auth/refresh', { body: sessionBody('new') })
    mock.on('GET', '/api/v1/me', (c) =>
      c.headers.get('Authorization') === 'Bearer new' ? { body: me } : { status: 401, body: envelope('AUTH_TOKEN_EXPIRED') },
    )
    await expect(unwrap(api.GET('/api/v1/me'))).resolves.toMatchObject({ id: 'user_1' })
    expect(mock.calls('POST', '/api/v1/auth/refresh')).toHaveLength(1)
    expect(mock.calls('GET', '/api/v1/me').map((c) => c.headers.get('Authorization'))).toEqual(['Bearer old', 'Bearer new'])
    expect(useSessionStore().accessToken).toBe('new')
  })

  it('keeps the request body for the retry', async () => {
    mock.on('POST', '/api/v1/auth/refresh', { body: sessionBody('new') })
    mock.on('PUT', '/api/v1/me/password', (c) =>
      c.headers.get('Authorization') === 'Bearer new' ? { body: me } : { status: 401, body: envelope('AUTH_TOKEN_EXPIRED') },
    )
    await unwrap(api.PUT('/api/v1/me/password', { body: { current_password: 'a', new_password: 'b' } }))
    expect(mock.calls('PUT', '/api/v1/me/password').map((c) => c.body)).toEqual([
      { current_password: 'a', new_password: 'b' },
      { current_password: 'a', new_password: 'b' },
    ])
  })

  it('shares one refresh between concurrent 401s', async () => {
    let release!: () => void
    const gate = new Promise<void>((r) => (release = r))
    mock.on('POST', '/api/v1/auth/refresh', async () => {
      await gate
      return { body: sessionBody('new') }
    })
    mock.on('GET', '/api/v1/me', (c) =>
      c.headers.get('Authorization') === 'Bearer new' ? { body: me } : { status: 401, body: envelope('AUTH_TOKEN_EXPIRED') },
    )
    const all = Promise.all([1, 2, 3, 4].map(() => unwrap(api.GET('/api/v1/me'))))
    // Let every request see its 401 before the refresh answers.
    await expect.poll(() => mock.calls('GET', '/api/v1/me').length).toBe(4)
    release()
    await expect(all).resolves.toHaveLength(4)
    expect(mock.calls('POST', '/api/v1/auth/refresh')).toHaveLength(1)
    expect(mock.calls('GET', '/api/v1/me')).toHaveLength(8)
  })

  it('retries at most once: a second 401 is the answer', async () => {
    mock.on('POST', '/api/v1/auth/refresh', { body: sessionBody('new') })
    mock.on('GET', '/api/v1/me', { status: 401, body: envelope('AUTH_TOKEN_REVOKED', 'revoked') })
    const err = await unwrap(api.GET('/api/v1/me')).catch((e: unknown) => e)
    expect(err).toBeInstanceOf(ApiError)
    expect(err).toMatchObject({ status: 401, code: 'AUTH_TOKEN_REVOKED' })
    expect(mock.calls('GET', '/api/v1/me')).toHaveLength(2)
    expect(mock.calls('POST', '/api/v1/auth/refresh')).toHaveLength(1)
    // A fresh token refused too: the session is over, so sign-in does not bounce back here.
    expect(useSessionStore().signedIn).toBe(false)
  })

  it('signs out when the refresh is refused, and returns the original 401', async () => {
    mock.on('POST', '/api/v1/auth/refresh', { status: 401, body: envelope('AUTH_INVALID_TOKEN') })
    mock.on('GET', '/api/v1/me', { status: 401, body: envelope('AUTH_TOKEN_EXPIRED', 'expired') })
    await expect(unwrap(api.GET('/api/v1/me'))).rejects.toMatchObject({ status: 401, code: 'AUTH_TOKEN_EXPIRED' })
    expect(mock.calls('GET', '/api/v1/me')).toHaveLength(1)
    expect(useSessionStore().signedIn).toBe(false)
  })

  it('never refreshes for a failed login', async () => {
    mock.on('POST', '/api/v1/auth/login', { status: 401, body: envelope('AUTH_INVALID_CREDENTIALS', 'invalid email or password') })
    await expect(unwrap(api.POST('/api/v1/auth/login', { body: { email: 'a@b.c', password: 'x' } }))).rejects.toMatchObject({
      code: 'AUTH_INVALID_CREDENTIALS',
    })
    expect(mock.calls('POST', '/api/v1/auth/refresh')).toHaveLength(0)
  })
})

describe('error envelope mapping', () => {
  beforeEach(() => setActivePinia(createPinia()))

  const cases: { name: string; reply: { status: number; body?: unknown; headers?: Record<string, string> }; want: Partial<ApiError> }[] = [
    {
      name: 'validation error names its field',
      reply: { status: 400, body: envelope('VALIDATION_ERROR', 'email is not an email address', { field: 'email' }) },
      want: { status: 400, code: 'VALIDATION_ERROR', message: 'email is not an email address', field: 'email', retryAfter: null },
    },
    {
      name: '429 carries Retry-After',
      reply: { status: 429, body: envelope('RATE_LIMIT_EXCEEDED', 'too many'), headers: { 'Retry-After': '42' } },
      want: { status: 429, code: 'RATE_LIMIT_EXCEEDED', retryAfter: 42, field: null },
    },
    {
      name: 'without a Retry-After header the retry time comes from details.retry_after',
      reply: { status: 429, body: envelope('RATE_LIMIT_EXCEEDED', 'too many', { retry_after: 600 }) },
      want: { status: 429, code: 'RATE_LIMIT_EXCEEDED', retryAfter: 600 },
    },
    {
      name: 'a body that is not an envelope (proxy error page)',
      reply: { status: 502, body: '<html>Bad gateway</html>', headers: { 'Content-Type': 'text/html' } },
      want: { status: 502, code: 'HTTP_502', field: null },
    },
  ]
  for (const c of cases) {
    it(c.name, async () => {
      mockApi().on('GET', '/api/v1/me', c.reply)
      const err = await unwrap(api.GET('/api/v1/me')).catch((e: unknown) => e)
      expect(err).toBeInstanceOf(ApiError)
      expect(err).toMatchObject(c.want)
    })
  }

  it('a network failure becomes NETWORK_ERROR with status 0', async () => {
    mockApi().fetch.mockRejectedValueOnce(new TypeError('Failed to fetch'))
    await expect(unwrap(api.GET('/api/v1/me'))).rejects.toMatchObject({ status: 0, code: 'NETWORK_ERROR' })
  })
})
